#include "perf_support.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace brook::perf {

// Values below 64 get a bucket each; above, a power of two [2^e, 2^(e+1))
// is split into 64 equal sub-buckets.
std::size_t latency_histogram::index_of(std::uint64_t value) noexcept {
    constexpr std::uint64_t sub = std::uint64_t{1} << sub_bucket_bits;
    if (value < sub) return static_cast<std::size_t>(value);
    const int exponent = std::bit_width(value) - 1;  // >= sub_bucket_bits
    const int shift = exponent - sub_bucket_bits;
    const std::uint64_t mantissa = (value >> shift) - sub;  // 0..63
    return static_cast<std::size_t>((static_cast<std::uint64_t>(shift + 1) << sub_bucket_bits) + mantissa);
}

std::uint64_t latency_histogram::value_of(std::size_t index) noexcept {
    constexpr std::uint64_t sub = std::uint64_t{1} << sub_bucket_bits;
    if (index < sub) return index;
    const std::uint64_t shift = (index >> sub_bucket_bits) - 1;
    const std::uint64_t mantissa = index & (sub - 1);
    // The bucket's upper edge, so percentiles never understate.
    return ((sub + mantissa + 1) << shift) - 1;
}

void latency_histogram::record(std::int64_t micros) noexcept {
    const std::uint64_t value = micros < 0 ? 0 : static_cast<std::uint64_t>(micros);
    const std::size_t index = std::min<std::size_t>(index_of(value), buckets - 1);
    ++counts_[index];
    ++count_;
    sum_ += static_cast<std::int64_t>(value);
    max_ = std::max<std::int64_t>(max_, static_cast<std::int64_t>(value));
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
}

std::int64_t latency_histogram::percentile_micros(double fraction) const noexcept {
    if (count_ == 0) return 0;
    const auto wanted = static_cast<std::int64_t>(std::max(1.0, fraction * static_cast<double>(count_) + 0.5));
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= wanted) return std::min<std::int64_t>(static_cast<std::int64_t>(value_of(i)), max_);
    }
    return max_;
}

std::optional<process_usage> read_process_usage(pid_t pid) {
    const std::string base = "/proc/" + std::to_string(pid);
    std::ifstream stat_file(base + "/stat");
    std::string stat;
    if (!stat_file || !std::getline(stat_file, stat)) return std::nullopt;
    // Field 2 (comm) may contain spaces; the fields after its ')' are fixed.
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(paren + 1));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    // After ')': state(3) ppid(4) ... utime(14) stime(15).
    for (int number = 3; number <= 15 && fields >> field; ++number) {
        if (number == 14) utime = std::stoull(field);
        if (number == 15) stime = std::stoull(field);
    }
    if (!fields) return std::nullopt;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    process_usage usage;
    usage.user_seconds = static_cast<double>(utime) / ticks;
    usage.system_seconds = static_cast<double>(stime) / ticks;
    std::ifstream status(base + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            usage.rss_bytes = std::stoull(line.substr(6)) * 1024;  // "VmRSS:   1234 kB"
            break;
        }
    }
    return usage;
}

void broker_meter::start() {
    started_ = std::chrono::steady_clock::now();
    if (pid_) at_start_ = read_process_usage(*pid_);
}

std::optional<std::string> broker_meter::report(double payload_bytes) const {
    if (!pid_) return std::nullopt;
    const auto now = read_process_usage(*pid_);
    if (!at_start_ || !now) return "Broker CPU: unknown (process " + std::to_string(*pid_) + " cannot be read)";
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const double user = now->user_seconds - at_start_->user_seconds;
    const double system = now->system_seconds - at_start_->system_seconds;
    const double cpu = user + system;
    char line[320];
    std::snprintf(line, sizeof line,
                  "Broker CPU: %.2f core-seconds (user %.2f s, system %.2f s) over %.2f s = %.2f cores; "
                  "%.2f core-seconds per GB; RSS %.1f MiB",
                  cpu, user, system, seconds, seconds > 0 ? cpu / seconds : 0.0,
                  payload_bytes > 0 ? cpu / (payload_bytes / 1e9) : 0.0,
                  static_cast<double>(now->rss_bytes) / bytes_per_mb);
    return std::string(line);
}

throttle::throttle(double per_second) : per_second_(per_second), start_(std::chrono::steady_clock::now()) {}

void throttle::pace(std::int64_t sent) {
    if (per_second_ <= 0) return;
    const auto due = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(sent) / per_second_));
    const auto now = std::chrono::steady_clock::now();
    if (due > now) {
        std::this_thread::sleep_until(due);
    } else if (now - due > std::chrono::seconds(1)) {
        // Far behind (a stall): do not burst to catch up; restart the schedule.
        start_ = now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(sent) / per_second_));
    }
}

std::string kafka_timestamp(std::chrono::system_clock::time_point when) {
    const auto since_epoch = when.time_since_epoch();
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[64];
    const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    std::snprintf(text + length, sizeof text - length, ":%03d", static_cast<int>(millis));
    return text;
}

}  // namespace brook::perf
