// What the benchmark programs report rests on: latency percentiles from the
// log-linear histogram, and the broker's CPU and memory read from /proc.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <regex>

#include "perf_support.h"

namespace brook::perf {
namespace {

TEST(latency_histogram, percentiles_are_within_two_percent_and_never_understate) {
    latency_histogram histogram;
    // 1..100000 microseconds, one sample each: the p-th percentile is p * 1000.
    for (std::int64_t v = 1; v <= 100'000; ++v) histogram.record(v);
    EXPECT_EQ(histogram.count(), 100'000);
    EXPECT_EQ(histogram.max_micros(), 100'000);
    EXPECT_NEAR(histogram.mean_micros(), 50'000.5, 0.01);
    for (const double fraction : {0.5, 0.95, 0.99, 0.999}) {
        const double exact = fraction * 100'000;
        const auto reported = static_cast<double>(histogram.percentile_micros(fraction));
        EXPECT_GE(reported, exact) << fraction;
        EXPECT_LE(reported, exact * 1.02) << fraction;
    }
    EXPECT_EQ(histogram.percentile_micros(1.0), 100'000);
}

TEST(latency_histogram, small_values_are_exact_and_merging_adds_up) {
    latency_histogram a;
    latency_histogram b;
    for (int i = 0; i < 90; ++i) a.record(7);
    for (int i = 0; i < 10; ++i) b.record(40'000'000);  // 40 s
    a.record(-5);  // a clock step backwards counts as 0
    a.merge(b);
    EXPECT_EQ(a.count(), 101);
    EXPECT_EQ(a.percentile_micros(0.5), 7);
    EXPECT_EQ(a.percentile_micros(0.01), 0);
    EXPECT_EQ(a.max_micros(), 40'000'000);
    EXPECT_GE(a.percentile_micros(0.99), 40'000'000);
    EXPECT_LE(a.percentile_micros(0.99), 40'000'000);  // capped at the max seen
    latency_histogram empty;
    EXPECT_EQ(empty.percentile_micros(0.99), 0);
    EXPECT_EQ(empty.mean_micros(), 0);
}

TEST(process_usage, reads_this_process_and_nothing_for_a_missing_one) {
    const auto usage = read_process_usage(getpid());
    ASSERT_TRUE(usage.has_value());
    EXPECT_GT(usage->rss_bytes, 0u);
    EXPECT_GE(usage->cpu_seconds(), 0.0);
    EXPECT_FALSE(read_process_usage(-1).has_value());
    broker_meter meter(getpid());
    meter.start();
    const auto line = meter.report(2e9);
    ASSERT_TRUE(line.has_value());
    EXPECT_TRUE(std::regex_search(*line, std::regex(R"(^Broker CPU: [0-9.]+ core-seconds \(user [0-9.]+ s, system [0-9.]+ s\) over [0-9.]+ s = [0-9.]+ cores; [0-9.]+ core-seconds per GB; RSS [0-9.]+ MiB$)")))
        << *line;
    EXPECT_FALSE(broker_meter(std::nullopt).report(1).has_value());
}

TEST(kafka_timestamp, has_kafkas_layout) {
    const auto text = kafka_timestamp(std::chrono::system_clock::now());
    EXPECT_TRUE(std::regex_match(text, std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3})"))) << text;
}

}  // namespace
}  // namespace brook::perf
