// brook-producer-perf-test: Kafka's kafka-producer-perf-test.sh on librdkafka,
// so numbers compare with what Kafka users know (docs/benchmarks.md). Same
// flags, same report lines: every --reporting-interval a window line, and at
// the end
//
//   1000000 records sent, 412371.1 records/sec (39.33 MB/sec), 3.12 ms avg
//   latency, 41.00 ms max latency, 2.10 ms 50th, 7.20 ms 95th, 12.40 ms 99th,
//   30.10 ms 99.9th.
//
// A record's latency runs from the produce call (including any wait for room
// in the client's queue, as Kafka's send() blocks) to its delivery report.
// Percentiles are printed with two decimals (Kafka prints whole milliseconds,
// which hides everything that matters on loopback).
//
// Beyond Kafka's flags: --keys N gives records the keys key-0..key-(N-1) in
// turn (Kafka's tool sends no keys); --embed-send-time writes the send time
// into each value's first 8 bytes for brook-consumer-perf-test
// --end-to-end-latency; --broker-pid reports the broker's CPU over the run.
// Exit code 1 when any record was not delivered.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "perf_support.h"
#include "rdkafka_support.h"
#include "tool.h"

namespace brook::tools {
namespace {

using steady = std::chrono::steady_clock;

struct producer_perf_command {
    common_options common;
    std::string topic;
    std::int64_t num_records = -1;
    std::int64_t record_size = -1;
    double throughput = 0;
    bool throughput_given = false;
    std::vector<std::string> producer_props;
    std::string producer_config;
    std::int64_t keys = 0;
    bool embed_send_time = false;
    std::int64_t reporting_interval_ms = 5000;
};

po::options_description describe_options(producer_perf_command& command) {
    po::options_description options(
        "brook-producer-perf-test: produce records as fast as asked (Kafka's kafka-producer-perf-test.sh).\n"
        "Usage: brook-producer-perf-test --topic T --num-records N --record-size B --throughput R "
        "[--producer-props k=v ...]\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("topic", po::value(&command.topic)->value_name("topic"), "The topic to produce to.")
        ("num-records", po::value(&command.num_records)->value_name("n"), "Number of records to produce.")
        ("record-size", po::value(&command.record_size)->value_name("bytes"), "Size of each record's value.")
        ("throughput", po::value(&command.throughput)->value_name("records/s"),
         "Throttle to about this many records per second; -1 for no limit.")
        ("producer-props", po::value(&command.producer_props)->multitoken()->value_name("k=v ..."),
         "Producer properties, e.g. acks=all linger.ms=5 compression.type=lz4 bootstrap.servers=host:port.")
        ("producer.config", po::value(&command.producer_config)->value_name("file"),
         "A properties file of producer settings (--producer-props win).")
        ("keys", po::value(&command.keys)->value_name("n"),
         "Give records the keys key-0 .. key-<n-1> in turn (default: no keys, as Kafka's tool).")
        ("embed-send-time", po::bool_switch(&command.embed_send_time),
         "Write each record's send time (microseconds since the epoch, little-endian) into its first 8 bytes, "
         "for brook-consumer-perf-test --end-to-end-latency.")
        ("reporting-interval", po::value(&command.reporting_interval_ms)->value_name("ms"),
         "How often to print a window line (default 5000).")
        ("broker-pid", po::value<pid_t>()->value_name("pid"),
         "Report this process's CPU time and RSS over the run.");
    return options;
}

std::int64_t micros_since(steady::time_point origin) {
    return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - origin).count();
}

// Delivery reports, counted on the poller thread only (Kafka's Stats class):
// the whole run and the current reporting window.
struct delivery_stats {
    steady::time_point origin = steady::now();
    std::int64_t reporting_interval_us = 5'000'000;
    perf::latency_histogram all;
    std::int64_t bytes = 0;
    std::int64_t window_start_us = 0;
    std::int64_t window_count = 0;
    std::int64_t window_bytes = 0;
    std::int64_t window_max_us = 0;
    std::int64_t window_total_us = 0;
    std::int64_t failed = 0;
    std::string first_error;
    std::atomic<std::int64_t> completed{0};  // delivered or failed; read by the sending thread

    void record(const rd_kafka_message_t& message) {
        const std::int64_t now = micros_since(origin);
        if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (failed++ == 0) first_error = rd_kafka_err2str(message.err);
        } else {
            const auto sent = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(message._private));
            const std::int64_t latency = now - sent;
            all.record(latency);
            bytes += static_cast<std::int64_t>(message.len);
            ++window_count;
            window_bytes += static_cast<std::int64_t>(message.len);
            window_total_us += latency;
            window_max_us = std::max(window_max_us, latency);
        }
        if (now - window_start_us >= reporting_interval_us) print_window(now);
        completed.fetch_add(1, std::memory_order_release);
    }

    // "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency."
    void print_window(std::int64_t now) {
        const double seconds = static_cast<double>(now - window_start_us) / 1e6;
        if (window_count > 0 && seconds > 0) {
            std::printf("%lld records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.\n",
                        static_cast<long long>(window_count), static_cast<double>(window_count) / seconds,
                        static_cast<double>(window_bytes) / perf::bytes_per_mb / seconds,
                        static_cast<double>(window_total_us) / static_cast<double>(window_count) / 1000.0,
                        static_cast<double>(window_max_us) / 1000.0);
            std::fflush(stdout);
        }
        window_start_us = now;
        window_count = window_bytes = window_max_us = window_total_us = 0;
    }
};

extern "C" void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    static_cast<delivery_stats*>(opaque)->record(*message);
}

int run(int argc, char** argv) {
    producer_perf_command command;
    const auto description = describe_options(command);
    const auto parsed =
        parse_or_help(argc, argv, description, command.common, "Produce records and report throughput and latency.");
    if (!parsed) return 0;
    const auto& values = *parsed;
    if (command.topic.empty()) throw usage_error("Missing required argument: --topic");
    if (values.count("num-records") == 0) throw usage_error("Missing required argument: --num-records");
    if (values.count("throughput") == 0) throw usage_error("Missing required argument: --throughput");
    if (values.count("record-size") == 0) throw usage_error("Missing required argument: --record-size");
    if (command.num_records < 0) throw usage_error("--num-records must not be negative");
    if (command.record_size < 0 || command.record_size > (std::int64_t{1} << 30)) {
        throw usage_error("--record-size must be between 0 and 1073741824");
    }
    if (command.embed_send_time && command.record_size < 8) {
        throw usage_error("--embed-send-time needs a --record-size of at least 8");
    }
    if (command.keys < 0) throw usage_error("--keys must not be negative");
    if (command.reporting_interval_ms <= 0) throw usage_error("--reporting-interval must be positive");

    client_properties properties = merged_properties(command.producer_config, command.producer_props);
    if (properties.count("bootstrap.servers") == 0) properties["bootstrap.servers"] = command.common.bootstrap_server;
    if (properties.count("client.id") == 0) properties["client.id"] = "perf-producer-client";
    // Java-only settings with no librdkafka counterpart.
    for (const char* ignored : {"key.serializer", "value.serializer", "buffer.memory", "max.block.ms"}) {
        properties.erase(ignored);
    }

    delivery_stats stats;
    stats.reporting_interval_us = command.reporting_interval_ms * 1000;
    kafka_handle producer = make_kafka_client(RD_KAFKA_PRODUCER, properties, [&](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_opaque(conf, &stats);
    });

    // Kafka's payload: random upper-case letters, the same for every record.
    std::mt19937 random{std::random_device{}()};
    std::vector<char> payload(static_cast<std::size_t>(command.record_size));
    for (auto& c : payload) c = static_cast<char>('A' + std::uniform_int_distribution<int>(0, 25)(random));
    std::vector<std::string> keys;
    for (std::int64_t k = 0; k < command.keys; ++k) keys.push_back("key-" + std::to_string(k));

    install_stop_signals();
    perf::broker_meter meter(values.count("broker-pid") ? std::optional<pid_t>(values["broker-pid"].as<pid_t>())
                                                         : std::nullopt);
    meter.start();
    const auto started = steady::now();
    stats.origin = started;
    // Delivery reports are served on their own thread, so a record's latency
    // ends when its acknowledgement arrives, not when the throttled sender
    // next looks.
    std::atomic<bool> sending{true};
    std::thread poller([&] {
        while (sending.load(std::memory_order_acquire) || rd_kafka_outq_len(producer.get()) > 0) {
            rd_kafka_poll(producer.get(), 50);
        }
    });

    perf::throttle throttle(command.throughput);
    std::int64_t sent = 0;
    std::string produce_error;
    std::vector<char> stamped;
    for (; sent < command.num_records && !stop_requested() && !kafka_fatal_error(); ++sent) {
        throttle.pace(sent);
        const std::int64_t send_us = micros_since(started);
        const char* value = payload.data();
        int flags = 0;  // the payload outlives the producer: no copy
        if (command.embed_send_time) {
            stamped = payload;
            const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
            for (int i = 0; i < 8; ++i) stamped[static_cast<std::size_t>(i)] = static_cast<char>(wall >> (8 * i));
            value = stamped.data();
            flags = RD_KAFKA_MSG_F_COPY;
        }
        const std::string* key = keys.empty() ? nullptr : &keys[static_cast<std::size_t>(sent % command.keys)];
        for (;;) {
            const auto error = rd_kafka_producev(
                producer.get(), RD_KAFKA_V_TOPIC(command.topic.c_str()),
                RD_KAFKA_V_VALUE(const_cast<char*>(value), payload.size()), RD_KAFKA_V_MSGFLAGS(flags),
                RD_KAFKA_V_KEY(key ? key->data() : nullptr, key ? key->size() : 0),
                RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::intptr_t>(send_us))), RD_KAFKA_V_END);
            if (error == RD_KAFKA_RESP_ERR_NO_ERROR) break;
            if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                produce_error = rd_kafka_err2str(error);
                break;
            }
            // The client's queue is full: wait for deliveries to make room,
            // as Kafka's send() blocks on buffer.memory.
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        if (!produce_error.empty()) break;
    }
    // Every record sent gets its delivery report (or fails by message.timeout.ms).
    while (stats.completed.load(std::memory_order_acquire) < sent) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double seconds = std::chrono::duration<double>(steady::now() - started).count();
    sending.store(false, std::memory_order_release);
    poller.join();

    const auto delivered = stats.all.count();
    const auto ms = [](std::int64_t micros) { return static_cast<double>(micros) / 1000.0; };
    std::printf("%lld records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, "
                "%.2f ms 50th, %.2f ms 95th, %.2f ms 99th, %.2f ms 99.9th.\n",
                static_cast<long long>(delivered), seconds > 0 ? static_cast<double>(delivered) / seconds : 0.0,
                seconds > 0 ? static_cast<double>(stats.bytes) / perf::bytes_per_mb / seconds : 0.0,
                stats.all.mean_micros() / 1000.0, ms(stats.all.max_micros()), ms(stats.all.percentile_micros(0.5)),
                ms(stats.all.percentile_micros(0.95)), ms(stats.all.percentile_micros(0.99)),
                ms(stats.all.percentile_micros(0.999)));
    if (const auto cpu = meter.report(static_cast<double>(stats.bytes))) std::printf("%s\n", cpu->c_str());
    std::fflush(stdout);

    int exit_code = 0;
    if (!produce_error.empty()) {
        std::cerr << "ERROR Cannot produce to " << command.topic << ": " << produce_error << std::endl;
        exit_code = 1;
    }
    if (stats.failed > 0) {
        std::cerr << "ERROR " << stats.failed << " records were not delivered: " << stats.first_error << std::endl;
        exit_code = 1;
    }
    if (kafka_fatal_error()) exit_code = 1;
    return exit_code;
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    return brook::tools::tool_main<brook::tools::producer_perf_command>(argc, argv, "Error: ", brook::tools::run);
}
