// brook-machine-ceilings: measures the ceilings of this machine that bound
// any Kafka broker on it, so a benchmark result can be read against them:
// a broker cannot move bytes faster than loopback TCP, serve consumers from
// a warm cache faster than sendfile, append faster than buffered writes, or
// acknowledge acks=all faster than its fsync policy allows.
//
// One line per measurement on stdout, tab-separated:
//   <name> <value> <unit> <what was measured> cpu_s=<user+sys seconds>
// MB is 1,048,576 bytes, as in Kafka's perf tools. Each measurement stops at
// --bytes or --seconds, whichever comes first. Test files go to --dir and
// are removed afterwards, also after an error or SIGINT/SIGTERM.
//
// write_buffered measures copying into the page cache only while the data
// stays under the kernel's dirty limit (vm.dirty_ratio of free memory);
// beyond it, write() is throttled to the disk's writeback speed. Pick
// --bytes on either side of that limit to see both.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "tool.h"

namespace {

namespace po = boost::program_options;
using clock_type = std::chrono::steady_clock;

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = 1024 * kib;
constexpr std::uint64_t gib = 1024 * mib;
constexpr std::uint64_t megabyte = mib;  // Kafka perf tools' MB.
constexpr std::size_t stream_chunk_bytes = 1 * mib;
constexpr std::uint64_t max_sendfile_file_bytes = 1 * gib;
constexpr int max_latency_samples = 1000;
constexpr std::size_t latency_append_bytes = 4 * kib;
constexpr std::uint64_t min_bytes = 1 * mib;
constexpr std::uint64_t max_bytes = 1024 * gib;
constexpr double max_seconds = 3600;
// A socket call that blocks this much longer than the time bound means the
// peer is stuck; it fails instead of hanging.
constexpr int socket_timeout_grace_seconds = 10;

[[noreturn]] void fail_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// EINTR is retried unless SIGINT/SIGTERM asked us to stop.
void check_interrupt(const std::string& what) {
    if (brook::tools::stop_requested()) {
        throw std::runtime_error(what + ": interrupted by a signal");
    }
}

// --- measurement names, options -------------------------------------------

constexpr std::string_view measurement_names[] = {
    "loopback_tcp",    "sendfile_loopback", "write_buffered",    "write_fsync_16k",
    "write_fsync_64k", "write_fsync_1m",    "fdatasync_latency",
};

struct options {
    std::string directory = ".";
    std::uint64_t bytes = 1 * gib;
    double seconds = 5;
    std::vector<std::string_view> only;  // Empty: all measurements.

    [[nodiscard]] bool selected(std::string_view name) const {
        return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
    }
};

// The command line as given; parse_options checks and converts it.
struct ceilings_command {
    std::string directory = ".";
    std::string bytes;
    std::string seconds;
    std::string only;
    bool help = false;
};

po::options_description describe_options(ceilings_command& command) {
    po::options_description description(
        "brook-machine-ceilings: measures the machine's ceilings for a Kafka broker. One line per measurement:\n"
        "  <name>\\t<value>\\t<unit>\\t<what was measured>\\tcpu_s=<user+sys seconds>\n"
        "MB = 1,048,576 bytes. A measurement stops at --bytes or --seconds, whichever first.\n"
        "Usage: brook-machine-ceilings [options]\nOptions");
    description.add_options()
        ("dir", po::value(&command.directory)->value_name("D"), "Directory for test files (default: current directory).")
        ("bytes", po::value(&command.bytes)->value_name("N"),
         "Bytes per measurement, suffix k/m/g for KiB/MiB/GiB (default 1g, min 1m).")
        ("seconds", po::value(&command.seconds)->value_name("S"), "Time bound per measurement (default 5).")
        ("only", po::value(&command.only)->value_name("LIST"),
         "Comma-separated subset of: loopback_tcp, sendfile_loopback, write_buffered, write_fsync_16k, "
         "write_fsync_64k, write_fsync_1m, fdatasync_latency.")
        ("help,h", po::bool_switch(&command.help), "Print usage information.");
    return description;
}

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
    std::uint64_t multiplier = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 'k':
            case 'K':
                multiplier = kib;
                break;
            case 'm':
            case 'M':
                multiplier = mib;
                break;
            case 'g':
            case 'G':
                multiplier = gib;
                break;
            default:
                break;
        }
        if (multiplier != 1) {
            text.remove_suffix(1);
        }
    }
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value > max_bytes / multiplier) {
        return std::nullopt;
    }
    value *= multiplier;
    if (value < min_bytes || value > max_bytes) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> parse_seconds(const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || end != text.c_str() + text.size() || !(value > 0) || value > max_seconds) {
        return std::nullopt;
    }
    return value;
}

// The options, or nothing after printing the help for --help; usage_error
// when they make no sense.
std::optional<options> parse_options(int argc, char** argv) {
    ceilings_command command;
    const auto description = describe_options(command);
    brook::tools::parse_command_line(argc, argv, description);
    if (command.help) {
        std::cout << description << "\n";
        return std::nullopt;
    }
    options result;
    if (command.directory.empty()) throw brook::tools::usage_error("--dir cannot be empty");
    result.directory = command.directory;
    if (!command.bytes.empty()) {
        const auto parsed = parse_bytes(command.bytes);
        if (!parsed) throw brook::tools::usage_error("--bytes must be from 1m to 1024g, got '" + command.bytes + "'");
        result.bytes = *parsed;
    }
    if (!command.seconds.empty()) {
        const auto parsed = parse_seconds(command.seconds);
        if (!parsed) {
            throw brook::tools::usage_error("--seconds must be > 0 and <= 3600, got '" + command.seconds + "'");
        }
        result.seconds = *parsed;
    }
    for (const auto& name : brook::tools::split_list(command.only)) {
        const auto known = std::find(std::begin(measurement_names), std::end(measurement_names), name);
        if (known == std::end(measurement_names)) {
            throw brook::tools::usage_error("--only: unknown measurement '" + name + "'");
        }
        result.only.push_back(*known);
    }
    return result;
}

// --- file descriptors, files, buffers ---------------------------------------

class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    [[nodiscard]] int get() const { return fd_; }
    // A close error on a descriptor we are abandoning has nothing left to tell.
    void reset() {
        if (fd_ >= 0) {
            static_cast<void>(::close(std::exchange(fd_, -1)));
        }
    }

private:
    int fd_ = -1;
};

// A test file in --dir, unlinked when this goes out of scope, whatever the
// reason. The name carries the pid so parallel runs do not collide.
class temp_file {
public:
    temp_file(const std::string& directory, std::string_view tag, int flags) {
        static int counter = 0;
        path_ = directory + "/brook-machine-ceilings." + std::to_string(::getpid()) + "." + std::to_string(counter++) +
                "." + std::string(tag);
        const int fd = ::open(path_.c_str(), flags | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            fail_errno("open " + path_);
        }
        fd_ = unique_fd(fd);
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() {
        fd_.reset();
        if (::unlink(path_.c_str()) != 0) {
            std::fprintf(stderr, "brook-machine-ceilings: warning: cannot remove %s: %s\n", path_.c_str(),
                         std::strerror(errno));
        }
    }

    [[nodiscard]] int fd() const { return fd_.get(); }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_;
    unique_fd fd_;
};

// Non-constant bytes, so nothing on the way can shortcut zeros.
std::vector<char> make_buffer(std::size_t size) {
    std::vector<char> buffer(size);
    std::uint32_t state = 0x9e3779b9U;
    for (char& byte : buffer) {
        state = state * 1664525U + 1013904223U;
        byte = static_cast<char>(state >> 24);
    }
    return buffer;
}

void write_all(int fd, const char* data, std::size_t size, const std::string& what) {
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR) {
                check_interrupt(what);
                continue;
            }
            fail_errno("write " + what);
        }
        if (written == 0) {
            throw std::runtime_error("write " + what + ": wrote 0 bytes");
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

void data_sync(int fd, const std::string& what) {
    while (::fdatasync(fd) != 0) {
        if (errno != EINTR) {
            fail_errno("fdatasync " + what);
        }
        check_interrupt(what);
    }
}

// --- timing and output -------------------------------------------------------

double cpu_seconds() {
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) {
        fail_errno("getrusage");
    }
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Wall and CPU time of one measurement's timed part.
class stopwatch {
public:
    stopwatch() : wall_start_(clock_type::now()), cpu_start_(cpu_seconds()) {}
    void stop() {
        wall_ = std::chrono::duration<double>(clock_type::now() - wall_start_).count();
        cpu_ = cpu_seconds() - cpu_start_;
    }
    [[nodiscard]] double wall_seconds() const { return wall_; }
    [[nodiscard]] double cpu_used_seconds() const { return cpu_; }

private:
    clock_type::time_point wall_start_;
    double cpu_start_;
    double wall_ = 0;
    double cpu_ = 0;
};

// The loop condition of every measurement: false once the time bound has
// passed; throws once SIGINT or SIGTERM arrived, so the files get removed.
bool before(clock_type::time_point deadline) {
    check_interrupt("measurement");
    return clock_type::now() < deadline;
}

clock_type::time_point deadline_after(double seconds) {
    return clock_type::now() + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
}

void print_line(std::string_view name, double value, std::string_view unit, const std::string& what, double cpu_used) {
    const int rc = unit == "ms"
                       ? std::printf("%.*s\t%.3f\t%.*s\t%s\tcpu_s=%.2f\n", static_cast<int>(name.size()), name.data(),
                                     value, static_cast<int>(unit.size()), unit.data(), what.c_str(), cpu_used)
                       : std::printf("%.*s\t%.1f\t%.*s\t%s\tcpu_s=%.2f\n", static_cast<int>(name.size()), name.data(),
                                     value, static_cast<int>(unit.size()), unit.data(), what.c_str(), cpu_used);
    if (rc < 0 || std::fflush(stdout) != 0) {
        throw std::runtime_error("cannot write to stdout");
    }
}

void print_throughput(std::string_view name, std::uint64_t bytes, const stopwatch& watch, const std::string& what) {
    const double megabytes = static_cast<double>(bytes) / static_cast<double>(megabyte);
    const double seconds = std::max(watch.wall_seconds(), 1e-9);
    char tail[128];
    std::snprintf(tail, sizeof tail, "; %.1f MB in %.2f s", megabytes, seconds);
    print_line(name, megabytes / seconds, "MB/s", what + tail, watch.cpu_used_seconds());
}

// --- loopback streams ---------------------------------------------------------

struct tcp_pair {
    unique_fd sender;
    unique_fd receiver;
};

void set_socket_timeouts(int fd, double seconds) {
    timeval timeout{};
    timeout.tv_sec = static_cast<time_t>(seconds) + socket_timeout_grace_seconds;
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
        fail_errno("setsockopt SO_SNDTIMEO/SO_RCVTIMEO");
    }
}

// One connected TCP stream over 127.0.0.1, with the kernel's default buffer
// sizes, as a broker without socket tuning would have.
tcp_pair connect_loopback(double seconds) {
    unique_fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (listener.get() < 0) {
        fail_errno("socket");
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;  // Ephemeral.
    if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail_errno("bind 127.0.0.1:0");
    }
    if (::listen(listener.get(), 1) != 0) {
        fail_errno("listen");
    }
    socklen_t length = sizeof address;
    if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        fail_errno("getsockname");
    }
    tcp_pair pair;
    pair.sender = unique_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (pair.sender.get() < 0) {
        fail_errno("socket");
    }
    // On loopback the connect completes against the listen backlog, so the
    // accept below finds it at once.
    while (::connect(pair.sender.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINTR) {
            fail_errno("connect 127.0.0.1");
        }
        check_interrupt("connect");
    }
    while (true) {
        const int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
            pair.receiver = unique_fd(fd);
            break;
        }
        if (errno != EINTR) {
            fail_errno("accept");
        }
        check_interrupt("accept");
    }
    set_socket_timeouts(pair.sender.get(), seconds);
    set_socket_timeouts(pair.receiver.get(), seconds);
    return pair;
}

// Reads into a 1 MiB buffer until the sender closes; returns the byte count.
std::uint64_t receive_until_eof(int fd) {
    std::vector<char> buffer(stream_chunk_bytes);
    std::uint64_t received = 0;
    while (true) {
        const ssize_t count = ::read(fd, buffer.data(), buffer.size());
        if (count > 0) {
            received += static_cast<std::uint64_t>(count);
            continue;
        }
        if (count == 0) {
            return received;
        }
        if (errno == EINTR) {
            check_interrupt("read socket");
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            throw std::runtime_error("read socket: timed out waiting for the sender");
        }
        fail_errno("read socket");
    }
}

// Runs `send` on a thread that owns the sending socket, receives on this
// thread, and times the transfer at the receiver. The sender shuts its side
// down when done, which is the receiver's end of stream; if the receiver
// fails, it closes its socket, so the sender's next write fails and the join
// cannot hang.
template <typename send_function>
std::pair<std::uint64_t, stopwatch> run_stream(tcp_pair pair, send_function send) {
    std::exception_ptr sender_error;
    const int sender_fd = pair.sender.get();
    stopwatch watch;
    std::thread sender([&sender_error, &send, sender_fd] {
        try {
            send(sender_fd);
        } catch (...) {
            sender_error = std::current_exception();
        }
        static_cast<void>(::shutdown(sender_fd, SHUT_WR));
    });
    std::uint64_t received = 0;
    try {
        received = receive_until_eof(pair.receiver.get());
    } catch (...) {
        pair.receiver.reset();
        sender.join();
        throw;
    }
    watch.stop();
    sender.join();
    if (sender_error) {
        std::rethrow_exception(sender_error);
    }
    return {received, watch};
}

void measure_loopback_tcp(const options& config) {
    const clock_type::time_point deadline = deadline_after(config.seconds);
    const std::uint64_t limit = config.bytes;
    const auto [received, watch] = run_stream(connect_loopback(config.seconds), [deadline, limit](int fd) {
        const std::vector<char> buffer = make_buffer(stream_chunk_bytes);
        std::uint64_t sent = 0;
        while (sent < limit && before(deadline)) {
            const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), limit - sent));
            std::size_t offset = 0;
            while (offset < chunk) {
                const ssize_t count = ::send(fd, buffer.data() + offset, chunk - offset, MSG_NOSIGNAL);
                if (count < 0) {
                    if (errno == EINTR) {
                        check_interrupt("send");
                        continue;
                    }
                    fail_errno("send socket");
                }
                offset += static_cast<std::size_t>(count);
            }
            sent += chunk;
        }
    });
    print_throughput("loopback_tcp", received, watch,
                     "one TCP stream on 127.0.0.1, 1 MiB send()s, 1 MiB read()s, at the receiver");
}

void measure_sendfile_loopback(const options& config) {
    const std::uint64_t file_bytes = std::min(config.bytes, max_sendfile_file_bytes);
    temp_file file(config.directory, "sendfile", O_RDWR);
    {
        // Written, synced and read back once, outside the timing, so the
        // measurement sees a warm page cache and no writeback.
        const std::vector<char> buffer = make_buffer(stream_chunk_bytes);
        for (std::uint64_t written = 0; written < file_bytes;) {
            const std::size_t chunk =
                static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), file_bytes - written));
            write_all(file.fd(), buffer.data(), chunk, file.path());
            written += chunk;
        }
        data_sync(file.fd(), file.path());
        std::vector<char> sink(stream_chunk_bytes);
        for (std::uint64_t read_bytes = 0; read_bytes < file_bytes;) {
            const ssize_t count = ::pread(file.fd(), sink.data(), sink.size(), static_cast<off_t>(read_bytes));
            if (count < 0) {
                if (errno == EINTR) {
                    check_interrupt("pread");
                    continue;
                }
                fail_errno("pread " + file.path());
            }
            if (count == 0) {
                throw std::runtime_error("pread " + file.path() + ": unexpected end of file");
            }
            read_bytes += static_cast<std::uint64_t>(count);
        }
    }
    const clock_type::time_point deadline = deadline_after(config.seconds);
    const std::uint64_t limit = config.bytes;
    const int file_fd = file.fd();
    const std::string path = file.path();
    const auto [received, watch] =
        run_stream(connect_loopback(config.seconds), [deadline, limit, file_fd, file_bytes, &path](int fd) {
            std::uint64_t sent = 0;
            off_t offset = 0;
            while (sent < limit && before(deadline)) {
                if (static_cast<std::uint64_t>(offset) >= file_bytes) {
                    offset = 0;  // Loop over the file, like many consumers reading the same segment.
                }
                const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(
                    {stream_chunk_bytes, file_bytes - static_cast<std::uint64_t>(offset), limit - sent}));
                const ssize_t result = ::sendfile(fd, file_fd, &offset, count);
                if (result < 0) {
                    if (errno == EINTR) {
                        check_interrupt("sendfile");
                        continue;
                    }
                    if (errno == EAGAIN || errno == EWOULDBLOCK) {
                        throw std::runtime_error("sendfile: timed out waiting for the receiver");
                    }
                    fail_errno("sendfile " + path);
                }
                if (result == 0) {
                    throw std::runtime_error("sendfile " + path + ": sent 0 bytes before the end of the file");
                }
                sent += static_cast<std::uint64_t>(result);
            }
        });
    char what[192];
    std::snprintf(what, sizeof what,
                  "sendfile() of a %.0f MiB page-cached file in 1 MiB calls over one TCP stream on 127.0.0.1, at "
                  "the receiver",
                  static_cast<double>(file_bytes) / static_cast<double>(mib));
    print_throughput("sendfile_loopback", received, watch, what);
}

// --- disk ------------------------------------------------------------------

void measure_write_buffered(const options& config) {
    temp_file file(config.directory, "buffered", O_WRONLY);
    const std::vector<char> buffer = make_buffer(stream_chunk_bytes);
    const clock_type::time_point deadline = deadline_after(config.seconds);
    std::uint64_t written = 0;
    stopwatch watch;
    while (written < config.bytes && before(deadline)) {
        const std::size_t chunk =
            static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), config.bytes - written));
        write_all(file.fd(), buffer.data(), chunk, file.path());
        written += chunk;
    }
    watch.stop();
    // Outside the timing: flush so the next measurement does not pay for this
    // one's writeback.
    data_sync(file.fd(), file.path());
    print_throughput("write_buffered", written, watch,
                     "sequential 1 MiB write()s to a new file, no sync in the timing (page cache)");
}

void measure_write_fsync(const options& config, std::string_view name, std::size_t write_bytes,
                         std::string_view size_text) {
    temp_file file(config.directory, name, O_WRONLY);
    const std::vector<char> buffer = make_buffer(write_bytes);
    const clock_type::time_point deadline = deadline_after(config.seconds);
    std::uint64_t written = 0;
    std::uint64_t writes = 0;
    stopwatch watch;
    while (written < config.bytes && before(deadline)) {
        write_all(file.fd(), buffer.data(), buffer.size(), file.path());
        data_sync(file.fd(), file.path());
        written += buffer.size();
        ++writes;
    }
    watch.stop();
    char what[160];
    std::snprintf(what, sizeof what, "appends of %.*s, fdatasync after each (%llu writes)",
                  static_cast<int>(size_text.size()), size_text.data(), static_cast<unsigned long long>(writes));
    print_throughput(name, written, watch, what);
}

void measure_fdatasync_latency(const options& config) {
    temp_file file(config.directory, "latency", O_WRONLY);
    const std::vector<char> buffer = make_buffer(latency_append_bytes);
    const clock_type::time_point deadline = deadline_after(config.seconds);
    std::vector<double> samples_ms;
    samples_ms.reserve(max_latency_samples);
    stopwatch watch;
    while (samples_ms.size() < static_cast<std::size_t>(max_latency_samples) && before(deadline)) {
        write_all(file.fd(), buffer.data(), buffer.size(), file.path());
        const clock_type::time_point start = clock_type::now();
        data_sync(file.fd(), file.path());
        samples_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
    }
    watch.stop();
    if (samples_ms.empty()) {
        throw std::runtime_error("fdatasync_latency: no sample within the time bound");
    }
    std::sort(samples_ms.begin(), samples_ms.end());
    const auto percentile = [&samples_ms](double fraction) {
        const auto index = static_cast<std::size_t>(fraction * static_cast<double>(samples_ms.size() - 1));
        return samples_ms[index];
    };
    char what[160];
    std::snprintf(what, sizeof what, "median fdatasync after a 4 KiB append, %zu samples; p99 %.3f ms, max %.3f ms",
                  samples_ms.size(), percentile(0.99), samples_ms.back());
    print_line("fdatasync_latency", percentile(0.5), "ms", what, watch.cpu_used_seconds());
}

// --- main ------------------------------------------------------------------

int run(int argc, char** argv) {
    const auto parsed = parse_options(argc, argv);
    if (!parsed) return 0;  // --help
    // SIGINT and SIGTERM set the stop flag (a blocked call returns EINTR);
    // a closed peer or stdout is an error, not a kill.
    brook::tools::install_stop_signals();
    brook::tools::ignore_broken_pipes();
    struct stat directory_status {};
    if (::stat(parsed->directory.c_str(), &directory_status) != 0) {
        fail_errno("--dir " + parsed->directory);
    }
    if (!S_ISDIR(directory_status.st_mode)) {
        throw std::runtime_error("--dir " + parsed->directory + ": not a directory");
    }
    const options& config = *parsed;
    const std::pair<std::string_view, void (*)(const options&)> measurements[] = {
        {"loopback_tcp", measure_loopback_tcp},
        {"sendfile_loopback", measure_sendfile_loopback},
        {"write_buffered", measure_write_buffered},
        {"write_fsync_16k", [](const options& c) { measure_write_fsync(c, "write_fsync_16k", 16 * kib, "16 KiB"); }},
        {"write_fsync_64k", [](const options& c) { measure_write_fsync(c, "write_fsync_64k", 64 * kib, "64 KiB"); }},
        {"write_fsync_1m", [](const options& c) { measure_write_fsync(c, "write_fsync_1m", 1 * mib, "1 MiB"); }},
        {"fdatasync_latency", measure_fdatasync_latency},
    };
    static_assert(sizeof measurements / sizeof measurements[0] == std::size(measurement_names));
    for (const auto& [name, measure] : measurements) {
        if (config.selected(name)) {
            measure(config);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return brook::tools::tool_main<ceilings_command>(argc, argv, "Error: ", run); }
