#pragma once
// Plain synchronous file I/O for the log: a shared file descriptor, positioned
// reads and writes that finish or fail (never half-done silently), fsync
// helpers, and the temporary-file + rename + directory fsync dance that
// replaces a state file atomically.
//
// Nothing here locks: each file belongs to one partition_log, which belongs
// to one shard. The only sharing is a file_handle kept alive by an in-flight
// read slice after its segment was deleted.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "brook/storage/errc.h"
#include "brook/wire/bytes.h"

namespace brook::storage {

// An open file descriptor, closed when the last owner releases it.
class file_handle {
public:
    explicit file_handle(int fd) noexcept : fd_(fd) {}
    ~file_handle();
    file_handle(const file_handle&) = delete;
    file_handle& operator=(const file_handle&) = delete;
    file_handle(file_handle&&) = delete;
    file_handle& operator=(file_handle&&) = delete;

    int fd() const noexcept { return fd_; }

private:
    int fd_;
};

// Opens (and with `create`, creates) a file for reading and writing; with
// `truncate` an existing file is emptied first.
result<std::shared_ptr<file_handle>> open_read_write(const std::filesystem::path& path, bool create,
                                                     bool truncate = false);

// Writes all of `data` at `position`, retrying short writes and EINTR.
std::error_code write_all_at(int fd, wire::bytes_view data, std::uint64_t position) noexcept;

// Reads exactly out.size() bytes at `position`; errc::short_read when the file
// ends first.
std::error_code read_exact_at(int fd, std::span<wire::byte> out, std::uint64_t position) noexcept;

result<std::uint64_t> file_size(int fd) noexcept;
// The file's last modification time in milliseconds since the epoch.
result<std::int64_t> file_modified_ms(int fd) noexcept;
std::error_code truncate_file(int fd, std::uint64_t size_bytes) noexcept;
std::error_code sync_data(int fd) noexcept;
std::error_code sync_directory(const std::filesystem::path& directory) noexcept;

// The directory holding `path` ("." for a bare file name), to fsync after
// creating, renaming or removing it.
std::filesystem::path parent_directory(const std::filesystem::path& path);

// Removes a file; a file that is already gone is not an error.
std::error_code remove_file(const std::filesystem::path& path) noexcept;

// Replaces `target` with `contents` so that after a crash the file holds
// either the old or the new contents, never a mix: write `target`.tmp, fsync
// it, rename it over `target`, fsync the directory.
std::error_code replace_file_atomically(const std::filesystem::path& target, std::string_view contents);

// Reads a whole small file (checkpoints, metadata); errc::corrupt_file when it
// is larger than max_bytes.
result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace brook::storage
