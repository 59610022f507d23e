#pragma once
// What Brook's benchmark programs share (docs/benchmarks.md): a latency
// histogram with percentiles, the broker's CPU time and RSS read from /proc
// (so a run can say what it cost the broker, not just how fast it went), and
// Kafka's perf-tool units (MB = 2^20 bytes, as ProducerPerformance counts).

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace brook::perf {

inline constexpr double bytes_per_mb = 1024.0 * 1024.0;

// Latencies in microseconds, kept in log-linear buckets (64 per power of
// two, so any percentile is within 1.6 % of the true value) instead of one
// entry per sample, so a run of a billion records needs a fixed 30 KiB.
class latency_histogram {
public:
    void record(std::int64_t micros) noexcept;
    void merge(const latency_histogram& other) noexcept;
    std::int64_t count() const noexcept { return count_; }
    double mean_micros() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }
    std::int64_t max_micros() const noexcept { return max_; }
    // The smallest bucket value with at least `fraction` of the samples at
    // or below it (0 without samples).
    std::int64_t percentile_micros(double fraction) const noexcept;
    void reset() noexcept { *this = latency_histogram{}; }

private:
    static constexpr int sub_bucket_bits = 6;
    static constexpr int buckets = (64 - sub_bucket_bits + 1) << sub_bucket_bits;
    static std::size_t index_of(std::uint64_t value) noexcept;
    static std::uint64_t value_of(std::size_t index) noexcept;

    std::array<std::int64_t, buckets> counts_{};
    std::int64_t count_ = 0;
    std::int64_t sum_ = 0;
    std::int64_t max_ = 0;
};

// A process's CPU time (user and system, its threads included) and resident
// memory, from /proc/<pid>/stat and /proc/<pid>/status.
struct process_usage {
    double user_seconds = 0;
    double system_seconds = 0;
    std::uint64_t rss_bytes = 0;
    double cpu_seconds() const noexcept { return user_seconds + system_seconds; }
};
// Nothing when the process does not exist or /proc cannot be read.
std::optional<process_usage> read_process_usage(pid_t pid);

// The broker's CPU over a run: start() when the load begins, report() when
// it ends. `--broker-pid` in every load tool.
class broker_meter {
public:
    explicit broker_meter(std::optional<pid_t> pid) : pid_(pid) {}
    void start();
    // "Broker CPU: 1.23 core-seconds (user 0.80 s, system 0.43 s) over 2.00 s
    // = 0.62 cores; 1.05 core-seconds per GB; RSS 85.2 MiB" -- or nothing
    // without a pid. GB here is 10^9 bytes of record payload moved.
    std::optional<std::string> report(double payload_bytes) const;

private:
    std::optional<pid_t> pid_;
    std::optional<process_usage> at_start_;
    std::chrono::steady_clock::time_point started_{};
};

// Paces a load at `per_second` events (unlimited when <= 0), the way Kafka's
// ThroughputThrottler does: sleep when ahead of schedule, never burst to
// catch up by more than one interval's worth.
class throttle {
public:
    explicit throttle(double per_second);
    // Waits if `sent` events `elapsed` after the start are ahead of the rate.
    void pace(std::int64_t sent);
    bool unlimited() const noexcept { return per_second_ <= 0; }

private:
    double per_second_;
    std::chrono::steady_clock::time_point start_;
};

// Kafka's "yyyy-MM-dd HH:mm:ss:SSS" in local time, as ConsumerPerformance prints.
std::string kafka_timestamp(std::chrono::system_clock::time_point when);

}  // namespace brook::perf
