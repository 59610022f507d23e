#include "brook/storage/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace brook::storage {

file_handle::~file_handle() {
    // A close error cannot be acted on here; data that had to be durable was
    // fsynced before, so nothing is lost by ignoring it.
    if (fd_ >= 0) ::close(fd_);
}

result<std::shared_ptr<file_handle>> open_read_write(const std::filesystem::path& path, bool create,
                                                     bool truncate) {
    int flags = O_RDWR | O_CLOEXEC;
    if (create) flags |= O_CREAT;
    if (truncate) flags |= O_TRUNC;
    int fd = -1;
    do {
        fd = ::open(path.c_str(), flags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return last_system_error();
    return std::make_shared<file_handle>(fd);
}

std::error_code write_all_at(int fd, wire::bytes_view data, std::uint64_t position) noexcept {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t written = ::pwrite(fd, data.data() + done, data.size() - done,
                                         static_cast<off_t>(position + done));
        if (written < 0) {
            if (errno == EINTR) continue;
            return last_system_error();
        }
        // pwrite returns 0 only for a zero-length request, which the loop
        // condition excludes; guard anyway so the loop is bounded.
        if (written == 0) return std::make_error_code(std::errc::io_error);
        done += static_cast<std::size_t>(written);
    }
    return {};
}

std::error_code read_exact_at(int fd, std::span<wire::byte> out, std::uint64_t position) noexcept {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t got = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(position + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            return last_system_error();
        }
        if (got == 0) return errc::short_read;
        done += static_cast<std::size_t>(got);
    }
    return {};
}

result<std::uint64_t> file_size(int fd) noexcept {
    struct stat info {};
    if (::fstat(fd, &info) != 0) return last_system_error();
    return static_cast<std::uint64_t>(info.st_size);
}

result<std::int64_t> file_modified_ms(int fd) noexcept {
    struct stat info {};
    if (::fstat(fd, &info) != 0) return last_system_error();
    return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1'000'000;
}

std::error_code truncate_file(int fd, std::uint64_t size_bytes) noexcept {
    int rc = 0;
    do {
        rc = ::ftruncate(fd, static_cast<off_t>(size_bytes));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return last_system_error();
    return {};
}

std::error_code sync_data(int fd) noexcept {
    int rc = 0;
    do {
        rc = ::fdatasync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return last_system_error();
    return {};
}

std::error_code sync_directory(const std::filesystem::path& directory) noexcept {
    int fd = -1;
    do {
        fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return last_system_error();
    const file_handle handle(fd);
    int rc = 0;
    do {
        rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return last_system_error();
    return {};
}

std::filesystem::path parent_directory(const std::filesystem::path& path) {
    std::filesystem::path parent = path.parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
}

std::error_code remove_file(const std::filesystem::path& path) noexcept {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return last_system_error();
    return {};
}

std::error_code replace_file_atomically(const std::filesystem::path& target, std::string_view contents) {
    std::filesystem::path temporary = target;
    temporary += ".tmp";
    {
        auto file = open_read_write(temporary, /*create=*/true, /*truncate=*/true);
        if (!file) return file.error();
        const wire::bytes_view data(reinterpret_cast<const wire::byte*>(contents.data()), contents.size());
        if (auto error = write_all_at((*file)->fd(), data, 0)) return error;
        if (auto error = sync_data((*file)->fd())) return error;
    }
    if (::rename(temporary.c_str(), target.c_str()) != 0) return last_system_error();
    return sync_directory(parent_directory(target));
}

result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
    int fd = -1;
    do {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return last_system_error();
    const file_handle handle(fd);
    auto size = file_size(fd);
    if (!size) return size.error();
    if (*size > max_bytes) return errc::corrupt_file;
    std::string contents(static_cast<std::size_t>(*size), '\0');
    std::span<wire::byte> out(reinterpret_cast<wire::byte*>(contents.data()), contents.size());
    if (auto error = read_exact_at(fd, out, 0)) return error;
    return contents;
}

}  // namespace brook::storage
