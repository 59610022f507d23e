// Integration harness: real `brook` processes on loopback ports, each with a
// fresh temporary directory, and the librdkafka and raw-socket clients the
// tests talk to them with.
//
// Rules the harness enforces for every test: no mocks, no sleeps used as
// synchronisation (waits poll a condition until a bounded deadline), every
// process is killed when its broker_process goes out of scope, and the
// temporary directory is removed unless the test failed (then its path is
// printed so the broker's log and data can be inspected).

#pragma once

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "brook/messages/api_table.h"
#include "brook/messages/request_header.h"
#include "brook/messages/response_header.h"
#include "brook/wire/bytes.h"
#include "brook/wire/reader.h"
#include "brook/wire/uuid.h"
#include "brook/wire/writer.h"

namespace brook::integration {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Deadlines are generous: the tests run on a loaded two-core machine, maybe
// under AddressSanitizer. Nothing asserts on how long anything took.
inline constexpr std::chrono::milliseconds startup_timeout = 60s;
inline constexpr std::chrono::milliseconds shutdown_timeout = 30s;
inline constexpr std::chrono::milliseconds request_timeout = 30s;

// Polls `condition` every `interval` until it holds or `timeout` passes;
// returns whether it held. The interval only paces the polling.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = request_timeout,
                std::chrono::milliseconds interval = 50ms);

// A loopback port nobody listened on a moment ago (bind port 0, read, close).
std::uint16_t pick_free_port();

// ---------------------------------------------------------------------------
// broker_process

struct broker_options {
    broker_options() = default;
    explicit broker_options(std::map<std::string, std::string> extra, bool wait = true)
        : properties(std::move(extra)), wait_until_ready(wait) {}

    // Extra server.properties lines, written after the harness's own keys.
    std::map<std::string, std::string> properties;
    // Whether start() waits for the PLAINTEXT port to accept connections
    // (false for brokers that are expected to refuse to start).
    bool wait_until_ready = true;
};

class broker_process {
public:
    // Creates the temporary directory and writes server.properties; does not start.
    explicit broker_process(broker_options options = {});
    ~broker_process();
    broker_process(const broker_process&) = delete;
    broker_process& operator=(const broker_process&) = delete;

    // Picks ports (first start only), starts brook and, unless told not to,
    // waits (bounded) until the PLAINTEXT listener accepts connections and
    // brook has logged "... started: node N". Retries with new ports when the
    // chosen ones were taken in the meantime. On restart the ports stay.
    ::testing::AssertionResult start();
    // SIGTERM, then waits (bounded) for the exit; SIGKILL if it does not come.
    // Succeeds only when brook exited by itself with code 0.
    ::testing::AssertionResult stop(std::chrono::milliseconds timeout = shutdown_timeout);
    // SIGKILL and reap.
    void kill9();
    // Starts again with the same data directory and ports (stops it first if running).
    ::testing::AssertionResult restart();
    // Waits (bounded) for the process to exit by itself; its exit code, or
    // nothing when it is still running at the deadline.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout = shutdown_timeout);

    bool running();
    // The exit code of the last run (128 + signal for a signal), if it ended.
    std::optional<int> exit_code() const { return exit_code_; }

    std::string bootstrap() const;  // "127.0.0.1:P"
    std::uint16_t port() const { return port_; }
    std::uint16_t controller_port() const { return controller_port_; }
    // The running process's id (-1 when not started), for tools that watch it.
    pid_t pid() const { return pid_; }
    const std::filesystem::path& directory() const { return directory_; }
    std::filesystem::path data_directory() const { return directory_ / "data"; }
    // Everything brook printed so far, on stdout and stderr, in all runs.
    std::string log() const;
    // The last `max_bytes` of log(), for failure messages.
    std::string log_tail(std::size_t max_bytes = 4000) const;

private:
    void write_properties();
    bool launch();
    bool accepts_connections() const;
    void reap(bool block);

    broker_options options_;
    std::filesystem::path directory_;
    std::uint16_t port_ = 0;
    std::uint16_t controller_port_ = 0;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    int runs_ = 0;
};

// ---------------------------------------------------------------------------
// librdkafka clients

struct rd_kafka_deleter {
    void operator()(rd_kafka_t* client) const;
};
using kafka_handle = std::unique_ptr<rd_kafka_t, rd_kafka_deleter>;

// A librdkafka client of `type` for `bootstrap`, with extra configuration
// properties; fails the current test (and returns null) on a bad property.
kafka_handle make_client(const std::string& bootstrap, rd_kafka_type_t type,
                         const std::map<std::string, std::string>& properties = {});

struct broker_info {
    std::int32_t id = -1;
    std::string host;
    int port = 0;
};
struct partition_info {
    std::int32_t id = -1;
    std::int32_t leader = -1;
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::vector<std::int32_t> replicas;
    std::vector<std::int32_t> isrs;
};
struct topic_info {
    std::string name;
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::vector<partition_info> partitions;
};
struct cluster_metadata {
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // of the request itself
    std::int32_t answering_broker = -1;
    std::vector<broker_info> brokers;
    std::vector<topic_info> topics;

    const topic_info* find(const std::string& name) const;
    bool has_topic(const std::string& name) const;  // present without an error
};

// rd_kafka_metadata for all topics (no topic given) or for one topic through a
// topic handle; for a producer with allow.auto.create.topics=true asking for
// one topic lets the broker create it.
cluster_metadata fetch_metadata(rd_kafka_t* client, const std::optional<std::string>& topic = std::nullopt,
                                std::chrono::milliseconds timeout = request_timeout);

struct new_topic {
    new_topic(std::string topic, int partition_count = 1, int replication = 1,
              std::map<std::string, std::string> topic_configs = {})
        : name(std::move(topic)),
          partitions(partition_count),
          replication_factor(replication),
          configs(std::move(topic_configs)) {}

    std::string name;
    int partitions = 1;
    int replication_factor = 1;
    std::map<std::string, std::string> configs;
};
struct topic_result {
    std::string name;
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string message;  // the broker's error message, empty without one
};
struct admin_result {
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // of the whole request
    std::string message;
    std::vector<topic_result> topics;

    const topic_result* find(const std::string& name) const;
};

// librdkafka's admin API (rd_kafka_CreateTopics & co.), one call at a time,
// each bounded by `timeout`.
class admin_client {
public:
    explicit admin_client(const std::string& bootstrap);

    admin_result create_topics(const std::vector<new_topic>& topics, bool validate_only = false,
                               std::chrono::milliseconds timeout = request_timeout);
    admin_result create_topic(const new_topic& topic, bool validate_only = false) {
        return create_topics({topic}, validate_only);
    }
    admin_result delete_topics(const std::vector<std::string>& names,
                               std::chrono::milliseconds timeout = request_timeout);
    admin_result create_partitions(const std::string& topic, int total_partitions,
                                   std::chrono::milliseconds timeout = request_timeout);

    rd_kafka_t* handle() const { return client_.get(); }

private:
    admin_result run(rd_kafka_event_type_t expected, std::chrono::milliseconds timeout,
                     const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& submit);

    kafka_handle client_;
};

// Creates a topic through admin_client, failing the current test (fatally,
// so call it under ASSERT_NO_FATAL_FAILURE) if the broker refuses.
void create_topic(const broker_process& broker, const std::string& name, int partitions,
                  std::map<std::string, std::string> configs = {});

// Produce/consume helpers for the data path (Produce/Fetch).

// Produces `count` messages "<prefix>-<i>" (key "k<i>") to `topic`
// (partition -1 = partitioner's choice) and waits until all are delivered;
// returns how many were acknowledged without error.
struct produce_outcome {
    int delivered = 0;
    std::vector<std::string> errors;
};
produce_outcome produce_messages(const std::string& bootstrap, const std::string& topic, int count,
                                 const std::string& prefix = "message", std::int32_t partition = -1,
                                 const std::map<std::string, std::string>& properties = {},
                                 std::chrono::milliseconds timeout = request_timeout);

// Consumes from the beginning of every partition of `topic` (assign, no group)
// until `count` messages arrived or `timeout` passed; returns their payloads.
std::vector<std::string> consume_messages(const std::string& bootstrap, const std::string& topic,
                                          int partition_count, int count,
                                          std::chrono::milliseconds timeout = request_timeout);

// ---------------------------------------------------------------------------
// Raw connections, for what librdkafka cannot express.

class raw_connection {
public:
    // Connects to 127.0.0.1:port (bounded); check connected().
    explicit raw_connection(std::uint16_t port, std::chrono::milliseconds timeout = request_timeout);
    ~raw_connection();
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;

    bool connected() const { return fd_ >= 0; }
    // Sends bytes as they are (no framing); false if the peer is gone.
    bool send_raw(wire::bytes_view data);
    // Sends a size-prefixed frame.
    bool send_frame(wire::bytes_view frame);
    // Reads one size-prefixed frame; nothing on close, error or timeout.
    std::optional<wire::bytes> read_frame(std::chrono::milliseconds timeout = request_timeout);
    // Waits (bounded) until the peer closes the connection, discarding any
    // bytes that arrive; false if it is still open at the deadline.
    bool wait_closed(std::chrono::milliseconds timeout = request_timeout);

private:
    bool read_exact(wire::byte* out, std::size_t count, clock_type::time_point deadline);

    int fd_ = -1;
};

// A request frame (header + body) encoded with the generated codecs.
template <typename Request>
wire::bytes encode_request(const Request& body, std::int16_t version, std::int32_t correlation_id,
                           const std::string& client_id = "brook-integration");

// Sends `body` on `connection` and decodes the response; nothing (with a
// failure recorded in the test) when the exchange or decoding fails.
//
// A decoded `records` field points into the response frame, which exchange()
// frees: use exchange_keeping_frame() for responses with records (Fetch).
template <typename Response, typename Request>
std::optional<Response> exchange(raw_connection& connection, const Request& body, std::int16_t version,
                                 std::int32_t correlation_id = 1);

// A response with the frame its record views point into.
template <typename Response>
struct framed_response {
    std::unique_ptr<const wire::bytes> frame;
    Response body;
};
template <typename Response, typename Request>
std::optional<framed_response<Response>> exchange_keeping_frame(raw_connection& connection, const Request& body,
                                                                std::int16_t version, std::int32_t correlation_id = 1);

// Metadata v12 over a raw connection: what librdkafka 2.0.2 does not show
// (topic ids, cluster id).
struct topic_identity {
    std::string name;
    wire::uuid id;
    std::size_t partitions = 0;
    std::int16_t error = 0;
};
struct raw_metadata {
    std::string cluster_id;
    std::int32_t controller_id = -1;
    std::vector<topic_identity> topics;
    const topic_identity* find(const std::string& name) const;
};
std::optional<raw_metadata> fetch_raw_metadata(std::uint16_t port,
                                               const std::optional<std::vector<std::string>>& topics = std::nullopt,
                                               bool allow_auto_topic_creation = false);

// DescribeCluster v0 over a raw connection (librdkafka 2.0.2 has no
// rd_kafka_DescribeCluster).
struct cluster_description {
    std::int16_t error = 0;
    std::string cluster_id;
    std::int32_t controller_id = -1;
    std::vector<broker_info> brokers;
};
std::optional<cluster_description> describe_cluster(std::uint16_t port);

// ---------------------------------------------------------------------------
// Template definitions.

template <typename Request>
wire::bytes encode_request(const Request& body, std::int16_t version, std::int32_t correlation_id,
                           const std::string& client_id) {
    wire::writer out;
    messages::RequestHeader header;
    header.request_api_key = Request::api_key;
    header.request_api_version = version;
    header.correlation_id = correlation_id;
    header.client_id = client_id;
    if (header.encode(out, messages::request_header_version(Request::api_key, version)) != wire::errc::ok) {
        ADD_FAILURE() << "cannot encode the request header of " << Request::message_name << " v" << version;
    }
    if (body.encode(out, version) != wire::errc::ok) {
        ADD_FAILURE() << "cannot encode " << Request::message_name << " v" << version;
    }
    return out.take();
}

template <typename Response, typename Request>
std::optional<framed_response<Response>> exchange_keeping_frame(raw_connection& connection, const Request& body,
                                                                std::int16_t version, std::int32_t correlation_id) {
    if (!connection.connected()) {
        ADD_FAILURE() << "not connected";
        return std::nullopt;
    }
    const wire::bytes frame = encode_request(body, version, correlation_id);
    if (!connection.send_frame(frame)) {
        ADD_FAILURE() << "sending " << Request::message_name << " failed";
        return std::nullopt;
    }
    auto answer = connection.read_frame();
    if (!answer) {
        ADD_FAILURE() << "no response to " << Request::message_name << " v" << version;
        return std::nullopt;
    }
    framed_response<Response> out{std::make_unique<const wire::bytes>(std::move(*answer)), Response{}};
    wire::reader in(*out.frame);
    messages::ResponseHeader header;
    if (header.decode(in, messages::response_header_version(Request::api_key, version)) != wire::errc::ok) {
        ADD_FAILURE() << "malformed response header for " << Request::message_name;
        return std::nullopt;
    }
    if (header.correlation_id != correlation_id) {
        ADD_FAILURE() << "correlation id " << header.correlation_id << ", expected " << correlation_id;
        return std::nullopt;
    }
    if (out.body.decode(in, version) != wire::errc::ok) {
        ADD_FAILURE() << "malformed " << Response::message_name << " v" << version;
        return std::nullopt;
    }
    return out;
}

template <typename Response, typename Request>
std::optional<Response> exchange(raw_connection& connection, const Request& body, std::int16_t version,
                                 std::int32_t correlation_id) {
    auto framed = exchange_keeping_frame<Response>(connection, body, version, correlation_id);
    if (!framed) return std::nullopt;
    return std::move(framed->body);
}

}  // namespace brook::integration
