// brook-lean-bench: load on Brook's own client, lean enough that the broker,
// not the load, is what runs out first (docs/benchmarks.md). librdkafka
// spends about 1.4 cores to push 1 GB/s, which on a 2-core machine leaves the
// broker starved; this tool builds one record batch per partition up front and
// sends it again and again, with many requests in flight on each connection,
// so its own cost is a memcpy per request.
//
//   brook-lean-bench produce --topic t --partitions 6 --record-size 1024
//       --batch-bytes 1048576 --acks 1 --bytes 4294967296 --in-flight 8
//   brook-lean-bench fetch --topic t --partitions 6 --bytes 1073741824
//   brook-lean-bench metadata --requests 20
//
// produce: every request carries one batch for one partition, partitions in
// turn; --connections connections each keep --in-flight requests outstanding.
// The batch's base offset, timestamps and CRC are the client's; the broker
// assigns offsets, as it does for any producer.
// fetch: one connection, one Fetch in flight per partition group, reading
// every partition from offset 0 (or --from) until --bytes of records arrived
// or the partitions are read to their high watermark.
//
// metadata: times Metadata requests for every topic (what a client does on
// start and on every refresh), and counts the topics and partitions named.
// produce and fetch print what moved, the request latency percentiles and, with
// --broker-pid, the broker's CPU (perf_support.h).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "brook/client/connection.h"
#include "brook/messages/fetch_request.h"
#include "brook/messages/fetch_response.h"
#include "brook/messages/produce_request.h"
#include "brook/messages/produce_response.h"
#include "brook/record/record_batch.h"
#include "perf_support.h"
#include "tool.h"

namespace brook::tools {
namespace {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

struct lean_command {
    common_options common;
    std::string mode;  // produce | fetch | metadata
    std::string topic;
    std::int32_t partitions = 1;
    std::int64_t record_size = 1024;
    std::int64_t batch_bytes = 1 << 20;
    std::int16_t acks = 1;
    std::int64_t bytes = std::int64_t{1} << 30;
    double seconds = 60;
    std::int64_t in_flight = 8;
    std::int64_t connections = 1;
    std::int64_t fetch_bytes = 8 << 20;
    std::int64_t from = 0;
    std::int64_t requests = 10;
    std::optional<pid_t> broker_pid;
};

po::options_description describe_options(lean_command& command) {
    po::options_description options(
        "brook-lean-bench: produce or fetch as fast as the broker allows, with pre-built batches on Brook's "
        "own client.\nUsage: brook-lean-bench produce|fetch --topic T [options]\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("mode", po::value(&command.mode)->value_name("produce|fetch|metadata"),
         "What to do (also the first argument).")
        ("topic", po::value(&command.topic)->value_name("topic"), "The topic; it must exist.")
        ("partitions", po::value(&command.partitions)->value_name("n"),
         "Use partitions 0..n-1 (default 1).")
        ("record-size", po::value(&command.record_size)->value_name("bytes"),
         "produce: the value size of each record (default 1024).")
        ("batch-bytes", po::value(&command.batch_bytes)->value_name("bytes"),
         "produce: records per batch fill about this many bytes (default 1 MiB).")
        ("acks", po::value(&command.acks)->value_name("0|1|-1"), "produce: acks (default 1; all = -1).")
        ("bytes", po::value(&command.bytes)->value_name("n"),
         "Stop after this many record bytes (default 1 GiB).")
        ("seconds", po::value(&command.seconds)->value_name("s"), "Stop after this long at most (default 60).")
        ("in-flight", po::value(&command.in_flight)->value_name("n"),
         "produce: requests outstanding per connection (default 8).")
        ("connections", po::value(&command.connections)->value_name("n"),
         "produce: connections to the broker (default 1).")
        ("fetch-bytes", po::value(&command.fetch_bytes)->value_name("bytes"),
         "fetch: max bytes per partition per Fetch (default 8 MiB).")
        ("from", po::value(&command.from)->value_name("offset"), "fetch: the first offset (default 0).")
        ("requests", po::value(&command.requests)->value_name("n"),
         "metadata: how many Metadata requests for all topics to time (default 10).")
        ("broker-pid", po::value<pid_t>()->value_name("pid"),
         "Report this process's CPU time and RSS over the run.");
    return options;
}

// One pre-built batch per partition: `records` records of `record_size`
// random bytes, no key.
std::vector<wire::bytes> build_batches(std::int32_t partitions, std::int64_t record_size, std::int32_t records) {
    std::mt19937_64 random(42);
    std::vector<unsigned char> value(static_cast<std::size_t>(record_size));
    for (auto& b : value) b = static_cast<unsigned char>('A' + random() % 26);
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::vector<wire::bytes> batches;
    for (std::int32_t p = 0; p < partitions; ++p) {
        record::batch_builder builder(record::batch_options{});
        for (std::int32_t i = 0; i < records; ++i) {
            record::new_record entry;
            entry.timestamp_ms = now_ms;
            entry.value = wire::bytes_view(value);
            if (builder.append(entry) != wire::errc::ok) throw tool_error("cannot build a record batch");
        }
        wire::bytes out;
        if (builder.build(out) != wire::errc::ok) throw tool_error("cannot build a record batch");
        batches.push_back(std::move(out));
    }
    return batches;
}

struct run_totals {
    std::int64_t requests = 0;
    std::int64_t records = 0;
    std::int64_t bytes = 0;  // record values
    std::int64_t errors = 0;
    std::string first_error;
    perf::latency_histogram latency;
};

// Shared by the workers of one run (all on the one client thread).
struct produce_state {
    const lean_command* command = nullptr;
    std::vector<wire::bytes> batches;
    std::int32_t records_per_batch = 0;
    steady::time_point deadline;
    std::int64_t next_request = 0;  // picks the partition
    std::int64_t bytes_started = 0;
    run_totals totals;
    int workers_left = 0;
    asio::steady_timer* all_done = nullptr;
    std::int16_t version = -1;
};

// Closes the connections when a run ends, by an error too: an open
// connection's reader keeps the client's thread running, and the
// blocking_client's destructor would wait for it for ever.
struct close_on_exit {
    std::vector<std::shared_ptr<client::connection>>& links;
    ~close_on_exit() {
        for (const auto& link : links) link->close();
    }
};

asio::awaitable<void> produce_worker(std::shared_ptr<client::connection> link, produce_state& state) {
    const auto& command = *state.command;
    const std::int64_t batch_value_bytes = std::int64_t{state.records_per_batch} * command.record_size;
    while (state.bytes_started < command.bytes && steady::now() < state.deadline && !stop_requested() &&
           !link->is_broken()) {
        state.bytes_started += batch_value_bytes;
        const auto partition = static_cast<std::int32_t>(state.next_request++ % command.partitions);
        messages::ProduceRequest request;
        request.acks = command.acks;
        request.timeout_ms = 30'000;
        auto& topic = request.topic_data.emplace_back();
        topic.name = command.topic;
        auto& data = topic.partition_data.emplace_back();
        data.index = partition;
        data.records = wire::record_set::view_of(state.batches[static_cast<std::size_t>(partition)]);
        const auto sent_at = steady::now();
        bool ok = true;
        std::string why;
        if (command.acks == 0) {
            auto op = link->send(request, state.version, std::chrono::milliseconds(30'000));
            auto sent = co_await std::move(op);
            if (!sent) ok = false, why = sent.message();
        } else {
            auto op = link->request(request, state.version, std::chrono::milliseconds(30'000));
            auto reply = co_await std::move(op);
            if (!reply) {
                ok = false, why = reply.message();
            } else {
                for (const auto& t : reply->responses) {
                    for (const auto& p : t.partition_responses) {
                        if (p.error_code != 0) ok = false, why = kafka_error_text(p.error_code, p.error_message);
                    }
                }
            }
        }
        const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - sent_at).count();
        ++state.totals.requests;
        if (ok) {
            state.totals.records += state.records_per_batch;
            state.totals.bytes += batch_value_bytes;
            state.totals.latency.record(micros);
        } else {
            if (state.totals.errors++ == 0) state.totals.first_error = why;
            if (link->is_broken()) break;
        }
    }
    if (--state.workers_left == 0) state.all_done->cancel();
}

asio::awaitable<void> run_produce(asio::any_io_executor executor, client::host_port leader, produce_state& state) {
    const auto& command = *state.command;
    client::connection_options options;
    options.client_id = "brook-lean-bench";
    options.max_in_flight = static_cast<std::size_t>(command.in_flight);
    std::vector<std::shared_ptr<client::connection>> links;
    const close_on_exit closer{links};
    for (std::int64_t c = 0; c < command.connections; ++c) {
        auto op = client::connection::connect(executor, leader.host, leader.port, options);
        auto link = co_await std::move(op);
        if (!link) throw tool_error("cannot connect to " + leader.host + ": " + link.message());
        links.push_back(std::move(*link));
    }
    const auto version = links.front()->pick_version<messages::ProduceRequest>();
    if (!version) throw tool_error("the broker does not support Produce");
    state.version = *version;
    asio::steady_timer all_done(executor, steady::time_point::max());
    state.all_done = &all_done;
    state.workers_left = static_cast<int>(command.connections * command.in_flight);
    for (const auto& link : links) {
        for (std::int64_t i = 0; i < command.in_flight; ++i) {
            asio::co_spawn(executor, produce_worker(link, state), asio::detached);
        }
    }
    boost::system::error_code ignored;
    auto wait = all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_await std::move(wait);
}

struct fetch_result {
    run_totals totals;
    std::int64_t batches = 0;
    std::string stopped_because;
};

asio::awaitable<fetch_result> run_fetch(asio::any_io_executor executor, client::host_port leader,
                                        const lean_command& command, wire::uuid topic_id) {
    client::connection_options options;
    options.client_id = "brook-lean-bench";
    options.max_response_bytes = static_cast<std::size_t>(command.fetch_bytes) *
                                     static_cast<std::size_t>(command.partitions) +
                                 (std::size_t{1} << 20);
    auto connect = client::connection::connect(executor, leader.host, leader.port, options);
    auto opened = co_await std::move(connect);
    if (!opened) throw tool_error("cannot connect to " + leader.host + ": " + opened.message());
    std::vector<std::shared_ptr<client::connection>> links{std::move(*opened)};
    const close_on_exit closer{links};
    const auto& link = links.front();
    const auto version = link->pick_version<messages::FetchRequest>();
    if (!version) throw tool_error("the broker does not support Fetch");

    std::vector<std::int64_t> next(static_cast<std::size_t>(command.partitions), command.from);
    std::vector<bool> done(static_cast<std::size_t>(command.partitions), false);
    fetch_result out;
    const auto deadline = steady::now() + std::chrono::duration_cast<steady::duration>(
                                              std::chrono::duration<double>(command.seconds));
    while (out.totals.bytes < command.bytes) {
        if (steady::now() >= deadline) {
            out.stopped_because = "time limit";
            break;
        }
        if (stop_requested()) {
            out.stopped_because = "interrupted";
            break;
        }
        messages::FetchRequest request;
        request.max_wait_ms = 0;
        request.min_bytes = 1;
        request.max_bytes = static_cast<std::int32_t>(
            std::min<std::int64_t>(command.fetch_bytes * command.partitions, std::numeric_limits<std::int32_t>::max()));
        auto& topic = request.topics.emplace_back();
        if (*version >= 13) {
            topic.topic_id = topic_id;
        } else {
            topic.topic = command.topic;
        }
        for (std::int32_t p = 0; p < command.partitions; ++p) {
            if (done[static_cast<std::size_t>(p)]) continue;
            auto& entry = topic.partitions.emplace_back();
            entry.partition = p;
            entry.fetch_offset = next[static_cast<std::size_t>(p)];
            entry.partition_max_bytes = static_cast<std::int32_t>(command.fetch_bytes);
        }
        if (topic.partitions.empty()) {
            out.stopped_because = "every partition read to its high watermark";
            break;
        }
        const auto sent_at = steady::now();
        auto op = link->request(request, *version, std::chrono::milliseconds(30'000));
        auto reply = co_await std::move(op);
        if (!reply) throw tool_error("Fetch failed: " + reply.message());
        out.totals.latency.record(
            std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - sent_at).count());
        ++out.totals.requests;
        if (reply->error_code != 0) throw tool_error("Fetch failed: " + kafka_error_text(reply->error_code));
        for (const auto& t : reply->responses) {
            for (const auto& p : t.partitions) {
                if (p.partition_index < 0 || p.partition_index >= command.partitions) continue;
                const auto index = static_cast<std::size_t>(p.partition_index);
                if (p.error_code != 0) {
                    throw tool_error("Fetch of partition " + std::to_string(p.partition_index) +
                                     " failed: " + kafka_error_text(p.error_code));
                }
                record::batch_splitter batches(p.records.data());
                while (const auto bytes = batches.next()) {
                    record::batch_view batch;
                    if (record::parse_batch(*bytes, batch) != wire::errc::ok) {
                        throw tool_error("a fetched batch does not parse");
                    }
                    if (batch.header.last_offset() < next[index]) continue;
                    ++out.batches;
                    out.totals.records += batch.header.record_count;
                    out.totals.bytes += static_cast<std::int64_t>(batch.records_section().size());
                    next[index] = batch.header.last_offset() + 1;
                }
                if (next[index] >= p.high_watermark) done[index] = true;
            }
        }
    }
    if (out.stopped_because.empty()) out.stopped_because = "byte limit";
    co_return out;
}

void print_latency(const char* what, const perf::latency_histogram& latency) {
    std::printf("%s latency: %.2f ms avg, %.2f ms 50th, %.2f ms 99th, %.2f ms 99.9th, %.2f ms max.\n", what,
                latency.mean_micros() / 1000.0, static_cast<double>(latency.percentile_micros(0.50)) / 1000.0,
                static_cast<double>(latency.percentile_micros(0.99)) / 1000.0,
                static_cast<double>(latency.percentile_micros(0.999)) / 1000.0,
                static_cast<double>(latency.max_micros()) / 1000.0);
}

int time_metadata(const lean_command& command) {
    client::blocking_client client(make_client_options(command.common));
    perf::broker_meter meter(command.broker_pid);
    perf::latency_histogram latency;
    std::size_t topics = 0, partitions = 0;
    meter.start();
    for (std::int64_t i = 0; i < command.requests && !stop_requested(); ++i) {
        const auto sent_at = steady::now();
        auto metadata = client.metadata();
        latency.record(std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - sent_at).count());
        const auto& cluster = require(metadata, "Metadata");
        topics = cluster.topics.size();
        partitions = 0;
        for (const auto& [name, topic] : cluster.topics) partitions += topic.partitions.size();
    }
    std::printf("Metadata for all topics: %zu topics, %zu partitions, %lld requests.\n", topics, partitions,
                static_cast<long long>(latency.count()));
    print_latency("Metadata", latency);
    if (const auto line = meter.report(0)) std::printf("%s\n", line->c_str());
    return 0;
}

int run(int argc, char** argv) {
    lean_command command;
    auto options = describe_options(command);
    po::positional_options_description positional;
    positional.add("mode", 1);
    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), values);
        po::notify(values);
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    if (command.common.help) {
        std::cout << options << "\n";
        return 0;
    }
    if (values.count("broker-pid")) command.broker_pid = values["broker-pid"].as<pid_t>();
    if (command.mode != "produce" && command.mode != "fetch" && command.mode != "metadata") {
        throw usage_error("Say produce, fetch or metadata.");
    }
    if (command.mode == "metadata") {
        if (command.requests < 1) throw usage_error("--requests must be positive.");
        install_stop_signals();
        return time_metadata(command);
    }
    if (command.topic.empty()) throw usage_error("Missing required argument \"[topic]\"");
    if (command.partitions < 1 || command.record_size < 1 || command.batch_bytes < 1 || command.in_flight < 1 ||
        command.connections < 1 || command.bytes < 1 || command.seconds <= 0 || command.fetch_bytes < 1) {
        throw usage_error("--partitions, --record-size, --batch-bytes, --in-flight, --connections, --bytes, "
                          "--seconds and --fetch-bytes must be positive.");
    }
    if (command.acks != 0 && command.acks != 1 && command.acks != -1) throw usage_error("--acks is 0, 1 or -1.");
    install_stop_signals();

    client::blocking_client client(make_client_options(command.common));
    // Metadata for every topic: a request naming topics must say "do not
    // create them", which brokers before Metadata v4 (librdkafka's mock
    // among them) cannot be told, and the client then refuses to send it.
    auto metadata = client.metadata();
    const auto& cluster = require(metadata, "Metadata");
    const auto* topic = cluster.find_topic(command.topic);
    if (topic == nullptr || topic->error_code != 0) {
        throw tool_error("Topic '" + command.topic + "' is not available: " +
                         kafka_error_text(topic ? topic->error_code : 3));
    }
    if (static_cast<std::int32_t>(topic->partitions.size()) < command.partitions) {
        throw tool_error("Topic '" + command.topic + "' has " + std::to_string(topic->partitions.size()) +
                         " partitions, fewer than --partitions " + std::to_string(command.partitions));
    }
    // Single-node load: every partition must be led by the same broker.
    std::int32_t leader_id = -1;
    for (std::int32_t p = 0; p < command.partitions; ++p) {
        const auto leader = cluster.leader_of(command.topic, p);
        if (!leader) throw tool_error("partition " + std::to_string(p) + " has no leader");
        if (leader_id >= 0 && *leader != leader_id) {
            throw tool_error("the partitions have different leaders; this tool loads one broker");
        }
        leader_id = *leader;
    }
    const auto* node = cluster.find_broker(leader_id);
    if (node == nullptr) throw tool_error("the leader is not among the brokers Metadata named");
    const client::host_port leader{node->host, node->port};

    perf::broker_meter meter(command.broker_pid);
    if (command.mode == "produce") {
        produce_state state;
        state.command = &command;
        // A record costs its value plus at most 16 bytes of varints and
        // attributes; the batch header is 61 bytes. So the batch stays within
        // --batch-bytes (and under max.message.bytes for the 1 MiB default).
        state.records_per_batch = static_cast<std::int32_t>(std::clamp<std::int64_t>(
            (command.batch_bytes - record::batch_layout::header_size_bytes) / (command.record_size + 16), 1,
            1'000'000));
        state.batches = build_batches(command.partitions, command.record_size, state.records_per_batch);
        state.deadline = steady::now() + std::chrono::duration_cast<steady::duration>(
                                             std::chrono::duration<double>(command.seconds));
        meter.start();
        const auto started = steady::now();
        client.run(run_produce(client.context().get_executor(), leader, state));
        const double elapsed = std::chrono::duration<double>(steady::now() - started).count();
        const auto& t = state.totals;
        std::printf("%lld records sent, %.1f records/sec (%.2f MB/sec) in %lld requests of %d records (%zu bytes), "
                    "%lld in flight on %lld connections, acks=%d, %.2f s.\n",
                    static_cast<long long>(t.records), static_cast<double>(t.records) / elapsed,
                    static_cast<double>(t.bytes) / perf::bytes_per_mb / elapsed, static_cast<long long>(t.requests),
                    state.records_per_batch, state.batches.front().size(),
                    static_cast<long long>(command.in_flight), static_cast<long long>(command.connections),
                    command.acks, elapsed);
        print_latency("Request", t.latency);
        if (const auto line = meter.report(static_cast<double>(t.bytes))) std::printf("%s\n", line->c_str());
        if (t.errors != 0) {
            std::fprintf(stderr, "%lld requests failed; the first: %s\n", static_cast<long long>(t.errors),
                         t.first_error.c_str());
            return 1;
        }
        return 0;
    }
    meter.start();
    const auto started = steady::now();
    const auto result = client.run(run_fetch(client.context().get_executor(), leader, command, topic->topic_id));
    const double elapsed = std::chrono::duration<double>(steady::now() - started).count();
    const auto& t = result.totals;
    std::printf("%lld records fetched, %.1f records/sec (%.2f MB/sec) in %lld requests (%lld batches), %.2f s; "
                "stopped: %s.\n",
                static_cast<long long>(t.records), static_cast<double>(t.records) / elapsed,
                static_cast<double>(t.bytes) / perf::bytes_per_mb / elapsed, static_cast<long long>(t.requests),
                static_cast<long long>(result.batches), elapsed, result.stopped_because.c_str());
    print_latency("Fetch", t.latency);
    if (const auto line = meter.report(static_cast<double>(t.bytes))) std::printf("%s\n", line->c_str());
    return 0;
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    return brook::tools::tool_main<brook::tools::lean_command>(argc, argv, "Error: ", brook::tools::run);
}
