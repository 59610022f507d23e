// brook-consumer-perf-test: Kafka's kafka-consumer-perf-test.sh on librdkafka
// (docs/benchmarks.md). Same flags and the same CSV report:
//
//   start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,
//   nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
//
// It reads --messages records and stops, or stops when no record came for
// --timeout ms (with Kafka's warning). With --group it joins that group and
// subscribes, and rebalance.time.ms is the time until its first assignment;
// without, it assigns itself every partition of the topic (no group, no
// commits), which is what a pure read benchmark wants. MB are 2^20 bytes of
// keys and values, as Kafka counts them.
//
// Beyond Kafka's flags: --end-to-end-latency reports how long records took
// from their send to here, from the send time brook-producer-perf-test
// --embed-send-time writes into each value (else the record's timestamp, to
// the millisecond); --rewind starts a partition again from its beginning
// whenever it is read to its end (for a peer that keeps only the newest few
// MiB); --broker-pid reports the broker's CPU over the run.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "perf_support.h"
#include "rdkafka_support.h"
#include "tool.h"

namespace brook::tools {
namespace {

using steady = std::chrono::steady_clock;
using wall = std::chrono::system_clock;

struct consumer_perf_command {
    common_options common;
    std::string topic;
    std::int64_t messages = -1;
    std::string group;
    bool from_latest = false;
    std::int64_t timeout_ms = 10000;
    std::int64_t fetch_size = 1048576;
    std::string consumer_config;
    bool hide_header = false;
    bool show_detailed_stats = false;
    std::int64_t reporting_interval_ms = 5000;
    bool end_to_end_latency = false;
    bool rewind = false;
};

po::options_description describe_options(consumer_perf_command& command) {
    po::options_description options(
        "brook-consumer-perf-test: consume records as fast as possible (Kafka's kafka-consumer-perf-test.sh).\n"
        "Usage: brook-consumer-perf-test --bootstrap-server HOST:PORT --topic T --messages N [options]\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("topic", po::value(&command.topic)->value_name("topic"), "The topic to consume from.")
        ("messages", po::value(&command.messages)->value_name("n"), "The number of messages to consume.")
        ("group", po::value(&command.group)->value_name("group"),
         "Join this consumer group (default: no group; every partition is assigned directly).")
        ("from-latest", po::bool_switch(&command.from_latest),
         "Start from the end of the log when there is no committed offset, instead of the beginning.")
        ("timeout", po::value(&command.timeout_ms)->value_name("ms"),
         "Stop when no record came for this long (default 10000).")
        ("fetch-size", po::value(&command.fetch_size)->value_name("bytes"),
         "The most bytes fetched from one partition in one request (default 1048576).")
        ("consumer.config", po::value(&command.consumer_config)->value_name("file"),
         "A properties file of consumer settings.")
        ("hide-header", po::bool_switch(&command.hide_header), "Do not print the header line.")
        ("show-detailed-stats", po::bool_switch(&command.show_detailed_stats),
         "Print a line every --reporting-interval instead of one summary.")
        ("reporting-interval", po::value(&command.reporting_interval_ms)->value_name("ms"),
         "The interval of --show-detailed-stats lines (default 5000).")
        ("end-to-end-latency", po::bool_switch(&command.end_to_end_latency),
         "Report the latency from each record's send to its arrival here.")
        ("rewind", po::bool_switch(&command.rewind),
         "Read a partition again from its beginning whenever it is read to its end.")
        ("broker-pid", po::value<pid_t>()->value_name("pid"),
         "Report this process's CPU time and RSS over the run.");
    return options;
}

struct progress {
    std::int64_t messages = 0;
    std::int64_t bytes = 0;
};

double mb(std::int64_t bytes) { return static_cast<double>(bytes) / perf::bytes_per_mb; }

double per_second(double amount, double millis) { return millis > 0 ? amount * 1000.0 / millis : 0.0; }

// Kafka's result columns after the two times: MB, MB/s, messages, messages/s,
// rebalance ms, fetch ms, fetch MB/s, fetch messages/s.
void print_row(const std::string& first, const std::string& second, const progress& done, double elapsed_ms,
               std::int64_t rebalance_ms) {
    const double fetch_ms = elapsed_ms - static_cast<double>(rebalance_ms);
    std::printf("%s, %s, %.4f, %.4f, %lld, %.4f, %lld, %.0f, %.4f, %.4f\n", first.c_str(), second.c_str(),
                mb(done.bytes), per_second(mb(done.bytes), elapsed_ms), static_cast<long long>(done.messages),
                per_second(static_cast<double>(done.messages), elapsed_ms), static_cast<long long>(rebalance_ms),
                fetch_ms, per_second(mb(done.bytes), fetch_ms), per_second(static_cast<double>(done.messages), fetch_ms));
    std::fflush(stdout);
}

// The rebalance callback: assigns what the group hands out and remembers
// when the first assignment came.
struct group_state {
    steady::time_point started;
    std::optional<std::int64_t> first_assignment_ms;
};

extern "C" void on_rebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t error,
                             rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* state = static_cast<group_state*>(opaque);
    if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (!state->first_assignment_ms) {
            state->first_assignment_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - state->started).count();
        }
        if (std::string(rd_kafka_rebalance_protocol(consumer)) == "COOPERATIVE") {
            if (auto* failure = rd_kafka_incremental_assign(consumer, partitions)) rd_kafka_error_destroy(failure);
        } else {
            rd_kafka_assign(consumer, partitions);
        }
    } else if (std::string(rd_kafka_rebalance_protocol(consumer)) == "COOPERATIVE") {
        if (auto* failure = rd_kafka_incremental_unassign(consumer, partitions)) rd_kafka_error_destroy(failure);
    } else {
        rd_kafka_assign(consumer, nullptr);
    }
}

struct partition_list_deleter {
    void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

// Every partition of `topic`, starting at `offset` (a logical offset).
partition_list all_partitions(rd_kafka_t* consumer, const std::string& topic, std::int64_t offset,
                              std::int64_t timeout_ms) {
    const auto deadline = steady::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const rd_kafka_metadata_t* metadata = nullptr;
        rd_kafka_topic_t* handle = rd_kafka_topic_new(consumer, topic.c_str(), nullptr);
        const auto error = rd_kafka_metadata(consumer, 0, handle, &metadata, 5000);
        rd_kafka_topic_destroy(handle);
        std::string problem = rd_kafka_err2str(error);
        if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> owned(
                metadata, rd_kafka_metadata_destroy);
            if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                metadata->topics[0].partition_cnt > 0) {
                partition_list list(rd_kafka_topic_partition_list_new(metadata->topics[0].partition_cnt));
                for (int p = 0; p < metadata->topics[0].partition_cnt; ++p) {
                    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), metadata->topics[0].partitions[p].id)
                        ->offset = offset;
                }
                return list;
            }
            problem = metadata->topic_cnt == 1 ? rd_kafka_err2str(metadata->topics[0].err) : "no such topic";
        }
        if (steady::now() >= deadline) throw tool_error("Cannot read the partitions of " + topic + ": " + problem);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

// When a record left its producer, in microseconds since the epoch: the send
// time brook-producer-perf-test --embed-send-time wrote, else the record's
// timestamp.
std::optional<std::int64_t> sent_at_micros(const rd_kafka_message_t& message, std::int64_t now_micros) {
    if (message.len >= 8) {
        const auto* bytes = static_cast<const unsigned char*>(message.payload);
        std::uint64_t value = 0;
        for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
        const auto stamp = static_cast<std::int64_t>(value);
        // A plausible send time: within the last hour, and not ahead of us by
        // more than clock jitter.
        if (stamp > now_micros - 3'600'000'000 && stamp < now_micros + 1'000'000) return stamp;
    }
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const auto timestamp = rd_kafka_message_timestamp(&message, &type);
    if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0) return std::nullopt;
    return timestamp * 1000;
}

int run(int argc, char** argv) {
    consumer_perf_command command;
    const auto description = describe_options(command);
    const auto parsed =
        parse_or_help(argc, argv, description, command.common, "Consume records and report the throughput.");
    if (!parsed) return 0;
    const auto& values = *parsed;
    if (command.topic.empty()) throw usage_error("Missing required argument: --topic");
    if (values.count("messages") == 0) throw usage_error("Missing required argument: --messages");
    if (command.messages < 0) throw usage_error("--messages must not be negative");
    if (command.timeout_ms <= 0) throw usage_error("--timeout must be positive");
    if (command.fetch_size <= 0) throw usage_error("--fetch-size must be positive");
    if (command.reporting_interval_ms <= 0) throw usage_error("--reporting-interval must be positive");

    client_properties properties = merged_properties(command.consumer_config, {});
    properties["bootstrap.servers"] = command.common.bootstrap_server;
    if (properties.count("client.id") == 0) properties["client.id"] = "perf-consumer-client";
    properties["max.partition.fetch.bytes"] = std::to_string(command.fetch_size);
    if (properties.count("auto.offset.reset") == 0) properties["auto.offset.reset"] = command.from_latest ? "latest" : "earliest";
    if (command.rewind) properties["enable.partition.eof"] = "true";
    if (!command.group.empty()) {
        properties["group.id"] = command.group;
    } else {
        // librdkafka wants a group.id for its consumer API; with no
        // subscription and no commits nothing is ever sent for it.
        std::mt19937 random{std::random_device{}()};
        properties["group.id"] = "perf-consumer-" + std::to_string(std::uniform_int_distribution<int>(0, 99999)(random));
        properties["enable.auto.commit"] = "false";
        properties["enable.auto.offset.store"] = "false";
    }
    for (const char* ignored : {"key.deserializer", "value.deserializer", "exclude.internal.topics"}) {
        properties.erase(ignored);
    }

    group_state group;
    kafka_handle consumer = make_kafka_client(RD_KAFKA_CONSUMER, properties, [&](rd_kafka_conf_t* conf) {
        if (!command.group.empty()) {
            rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
            rd_kafka_conf_set_opaque(conf, &group);
        }
    });
    rd_kafka_poll_set_consumer(consumer.get());

    install_stop_signals();
    perf::broker_meter meter(values.count("broker-pid") ? std::optional<pid_t>(values["broker-pid"].as<pid_t>())
                                                         : std::nullopt);
    meter.start();
    const auto start_wall = wall::now();
    const auto started = steady::now();
    group.started = started;
    const std::int64_t start_offset = command.from_latest ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
    if (command.group.empty()) {
        const auto partitions = all_partitions(consumer.get(), command.topic, start_offset, command.timeout_ms);
        if (const auto error = rd_kafka_assign(consumer.get(), partitions.get())) {
            throw tool_error(std::string("Cannot assign the partitions: ") + rd_kafka_err2str(error));
        }
    } else {
        partition_list topics(rd_kafka_topic_partition_list_new(1));
        rd_kafka_topic_partition_list_add(topics.get(), command.topic.c_str(), RD_KAFKA_PARTITION_UA);
        if (const auto error = rd_kafka_subscribe(consumer.get(), topics.get())) {
            throw tool_error(std::string("Cannot subscribe: ") + rd_kafka_err2str(error));
        }
    }

    if (!command.hide_header) {
        std::printf(command.show_detailed_stats
                        ? "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
                          "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n"
                        : "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
                          "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
    }

    progress done;
    progress at_last_report;
    auto last_report = started;
    auto last_record = started;
    perf::latency_histogram latency;
    bool timed_out = false;
    int exit_code = 0;
    const auto rebalance_ms = [&] { return group.first_assignment_ms.value_or(0); };
    while (done.messages < command.messages && !stop_requested()) {
        rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
        const auto now = steady::now();
        if (message == nullptr) {
            if (now - last_record > std::chrono::milliseconds(command.timeout_ms)) {
                timed_out = true;
                break;
            }
        } else {
            std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(message, rd_kafka_message_destroy);
            if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (command.rewind) {
                    partition_list again(rd_kafka_topic_partition_list_new(1));
                    rd_kafka_topic_partition_list_add(again.get(), rd_kafka_topic_name(message->rkt), message->partition)
                        ->offset = RD_KAFKA_OFFSET_BEGINNING;
                    if (auto* failure = rd_kafka_seek_partitions(consumer.get(), again.get(), 5000)) {
                        rd_kafka_error_destroy(failure);
                    }
                }
            } else if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                // Not-yet conditions (no leader yet, topic being created) are
                // retried by librdkafka; say each problem once.
                warn_once(rd_kafka_message_errstr(message));
                if (message->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                    message->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
                    exit_code = 1;
                    break;
                }
            } else {
                last_record = now;
                ++done.messages;
                done.bytes += static_cast<std::int64_t>(message->len + message->key_len);
                if (command.end_to_end_latency) {
                    const auto here = std::chrono::duration_cast<std::chrono::microseconds>(
                                          wall::now().time_since_epoch())
                                          .count();
                    if (const auto sent = sent_at_micros(*message, here)) latency.record(here - *sent);
                }
            }
        }
        if (kafka_fatal_error()) {
            exit_code = 1;
            break;
        }
        if (command.show_detailed_stats &&
            now - last_report >= std::chrono::milliseconds(command.reporting_interval_ms)) {
            const double window_ms = std::chrono::duration<double, std::milli>(now - last_report).count();
            const progress window{done.messages - at_last_report.messages, done.bytes - at_last_report.bytes};
            print_row(perf::kafka_timestamp(wall::now()), "0", window, window_ms, 0);
            at_last_report = done;
            last_report = now;
        }
    }
    const auto end_wall = wall::now();
    const double elapsed_ms = std::chrono::duration<double, std::milli>(steady::now() - started).count();
    if (timed_out) {
        std::cerr << "WARNING: Exiting before consuming the expected number of messages: timeout (" << command.timeout_ms
                  << " ms) exceeded. You can use the --timeout option to increase the timeout." << std::endl;
    }
    if (!command.show_detailed_stats) {
        print_row(perf::kafka_timestamp(start_wall), perf::kafka_timestamp(end_wall), done, elapsed_ms, rebalance_ms());
    }
    if (command.end_to_end_latency) {
        const auto ms = [](std::int64_t micros) { return static_cast<double>(micros) / 1000.0; };
        std::printf("End-to-end latency: %.2f ms avg, %.2f ms 50th, %.2f ms 99th, %.2f ms 99.9th, %.2f ms max.\n",
                    latency.mean_micros() / 1000.0, ms(latency.percentile_micros(0.5)),
                    ms(latency.percentile_micros(0.99)), ms(latency.percentile_micros(0.999)),
                    ms(latency.max_micros()));
    }
    if (const auto cpu = meter.report(static_cast<double>(done.bytes))) std::printf("%s\n", cpu->c_str());
    std::fflush(stdout);
    rd_kafka_consumer_close(consumer.get());
    return exit_code;
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    return brook::tools::tool_main<brook::tools::consumer_perf_command>(argc, argv, "Error: ", brook::tools::run);
}
