#pragma once
// client::kafka_client: Brook's one internal Kafka client (DESIGN.md, "One
// internal client"). It keeps a connection per node (opened lazily, reopened
// after a failure), a cached view of the cluster from Metadata, and routes
// requests to a node, any node, the controller or a partition's leader.
//
// Connection failures (connect_failed, connection_broken) are retried with
// exponential backoff, at most max_attempts times in all; nothing else is.
// Kafka error codes inside responses are the caller's to interpret. A
// request whose connection broke after it was written may have been applied,
// so a retried Produce can duplicate records (no idempotent producer here).
//
// Threading: like connection, every member must be used from the client's
// executor, which must not run handlers concurrently. Requests take their
// body by reference; it must live until the returned awaitable completes.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "brook/client/connection.h"
#include "brook/client/errc.h"
#include "brook/client/response_for.h"
#include "brook/client/result.h"
#include "brook/wire/uuid.h"

namespace brook::client {

struct client_options {
    // "host:port,host:port"; the nodes asked first, before Metadata names any.
    std::string bootstrap_servers;
    std::string client_id = "brook";
    std::chrono::milliseconds request_timeout{30'000};
    std::chrono::milliseconds connect_timeout{10'000};
    // The wait before the second attempt; doubled for each further attempt
    // up to retry_backoff_max.
    std::chrono::milliseconds retry_backoff{100};
    std::chrono::milliseconds retry_backoff_max{2'000};
    // Attempts per request, the first included (at least 1).
    int max_attempts = 5;
    std::size_t max_in_flight = 64;
    std::size_t max_response_bytes = std::size_t{128} << 20;
};

struct host_port {
    std::string host;
    std::uint16_t port = 0;
    friend bool operator==(const host_port&, const host_port&) = default;
};

// Parses "host:port,host:port" (whitespace around entries is ignored;
// "[v6addr]:port" is accepted).
result<std::vector<host_port>> parse_bootstrap_servers(std::string_view servers);

// What Metadata said about the cluster.
struct broker_node {
    std::int32_t node_id = -1;
    std::string host;
    std::uint16_t port = 0;
    std::optional<std::string> rack;
};
struct partition_view {
    std::int32_t partition = -1;
    std::int16_t error_code = 0;
    std::int32_t leader_id = -1;
    std::int32_t leader_epoch = -1;
    std::vector<std::int32_t> replicas;
    std::vector<std::int32_t> isr;
};
struct topic_view {
    std::string name;
    wire::uuid topic_id;
    std::int16_t error_code = 0;
    bool is_internal = false;
    std::vector<partition_view> partitions;
};
struct cluster_view {
    std::string cluster_id;
    std::int32_t controller_id = -1;
    std::vector<broker_node> brokers;
    std::map<std::string, topic_view> topics;

    const broker_node* find_broker(std::int32_t node_id) const;
    const topic_view* find_topic(const std::string& name) const;
    // The partition's leader when Metadata named one.
    std::optional<std::int32_t> leader_of(const std::string& topic, std::int32_t partition) const;
};

class kafka_client {
public:
    kafka_client(asio::any_io_executor executor, client_options options);
    ~kafka_client();
    kafka_client(const kafka_client&) = delete;
    kafka_client& operator=(const kafka_client&) = delete;

    // Refreshes the cached view from any node: brokers, controller, cluster
    // id, and `topics` (all topics when nothing is given; an empty list asks
    // for none). Topics the broker reports with an error are returned with
    // that error but not cached.
    asio::awaitable<result<cluster_view>> metadata(std::optional<std::vector<std::string>> topics = std::nullopt);
    // The view as of the last refresh (empty before the first).
    const cluster_view& cached_metadata() const noexcept { return cluster_; }

    // A healthy connection to some node: an open one if there is one, else
    // the first of the known brokers and bootstrap servers that accepts.
    asio::awaitable<result<std::shared_ptr<connection>>> any_node();
    // The connection to `node_id`, opened if needed (refreshing metadata when
    // the node is unknown; errc::no_such_node if it stays unknown).
    asio::awaitable<result<std::shared_ptr<connection>>> node(std::int32_t node_id);

    // Requests at the negotiated version, or at `version` when given.
    template <typename Request>
    asio::awaitable<result<response_for_t<Request>>> send_to_node(std::int32_t node_id, const Request& body,
                                                                  std::optional<std::int16_t> version = {});
    template <typename Request>
    asio::awaitable<result<response_for_t<Request>>> send_to_any(const Request& body,
                                                                 std::optional<std::int16_t> version = {});
    // To Metadata's controller id (which KRaft brokers set to some broker),
    // or any node when it names no known broker.
    template <typename Request>
    asio::awaitable<result<response_for_t<Request>>> send_to_controller(const Request& body,
                                                                        std::optional<std::int16_t> version = {});
    // To the partition's leader, refreshing the topic's metadata when the
    // leader is unknown or a connection to it failed; errc::no_leader when
    // Metadata names none.
    template <typename Request>
    asio::awaitable<result<response_for_t<Request>>> send_to_leader(const std::string& topic,
                                                                    std::int32_t partition, const Request& body,
                                                                    std::optional<std::int16_t> version = {});

    // Sends a request the broker does not answer (Produce with acks=0) to the
    // partition's leader; succeeds once it is written.
    template <typename Request>
    asio::awaitable<result<done>> send_to_leader_without_response(const std::string& topic, std::int32_t partition,
                                                                  const Request& body,
                                                                  std::optional<std::int16_t> version = {});

    // Closes every connection; outstanding requests fail with errc::closed
    // and later ones at once (a closed client stays closed).
    void close();
    const client_options& options() const noexcept { return options_; }
    const asio::any_io_executor& executor() const noexcept { return executor_; }

private:
    enum class target_kind { node, any, controller, leader };
    struct target {
        target_kind kind = target_kind::any;
        std::int32_t node_id = -1;
        std::string topic;
        std::int32_t partition = -1;
    };

    // Response = done sends without expecting a response.
    template <typename Response, typename Request>
    asio::awaitable<result<Response>> send_with_retries(target where, const Request& body,
                                                        std::optional<std::int16_t> version);
    asio::awaitable<result<std::shared_ptr<connection>>> connect_to(const target& where);
    asio::awaitable<result<std::shared_ptr<connection>>> open(const host_port& address);
    // Waits before attempt `attempt` (1-based; none before the first).
    asio::awaitable<void> back_off(int attempt);
    static bool worth_retrying(const client::error& why);
    void forget_leaders() { leaders_stale_ = true; }

    asio::any_io_executor executor_;
    client_options options_;
    std::vector<host_port> bootstrap_;
    std::optional<client::error> bootstrap_error_;
    cluster_view cluster_;
    bool leaders_stale_ = false;
    bool closed_ = false;
    // Keyed by "host:port", so a bootstrap server and the node it turns out
    // to be share one connection.
    std::map<std::string, std::shared_ptr<connection>> connections_;
};

// ---------------------------------------------------------------------------
// Template definitions.

template <typename Response, typename Request>
asio::awaitable<result<Response>> kafka_client::send_with_retries(target where, const Request& body,
                                                                  std::optional<std::int16_t> version) {
    client::error last(errc::connect_failed, "no attempt made");
    const int attempts = std::max(options_.max_attempts, 1);
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        if (attempt > 1) {
            auto pause = back_off(attempt);
            co_await std::move(pause);
        }
        if (closed_) co_return client::error(errc::closed, "the client was closed");
        auto open_op = connect_to(where);
        auto opened = co_await std::move(open_op);
        if (!opened) {
            if (!worth_retrying(opened.error())) co_return std::move(opened).error();
            last = std::move(opened).error();
            forget_leaders();
            continue;
        }
        std::shared_ptr<connection> link = std::move(*opened);
        const auto chosen = version ? version : link->template pick_version<Request>();
        if (!chosen) {
            co_return client::error(errc::unsupported_version, std::string(Request::message_name) +
                                                                   " is unsupported by the broker at " +
                                                                   link->host() + ":" + std::to_string(link->port()));
        }
        std::optional<client::error> failed;
        if constexpr (std::is_same_v<Response, done>) {
            auto send_op = link->send(body, *chosen, options_.request_timeout);
            auto sent = co_await std::move(send_op);
            if (sent || !worth_retrying(sent.error())) co_return sent;
            failed = std::move(sent).error();
        } else {
            auto request_op = link->template request<Response>(body, *chosen, options_.request_timeout);
            auto reply = co_await std::move(request_op);
            if (reply || !worth_retrying(reply.error())) co_return reply;
            failed = std::move(reply).error();
        }
        last = std::move(*failed);
        forget_leaders();
    }
    last.detail += " (after " + std::to_string(attempts) + " attempts)";
    co_return last;
}

template <typename Request>
asio::awaitable<result<response_for_t<Request>>> kafka_client::send_to_node(std::int32_t node_id,
                                                                            const Request& body,
                                                                            std::optional<std::int16_t> version) {
    target where{target_kind::node, node_id, {}, -1};
    auto op = send_with_retries<response_for_t<Request>>(std::move(where), body, version);
    co_return co_await std::move(op);
}

template <typename Request>
asio::awaitable<result<response_for_t<Request>>> kafka_client::send_to_any(const Request& body,
                                                                           std::optional<std::int16_t> version) {
    target where{target_kind::any, -1, {}, -1};
    auto op = send_with_retries<response_for_t<Request>>(std::move(where), body, version);
    co_return co_await std::move(op);
}

template <typename Request>
asio::awaitable<result<response_for_t<Request>>> kafka_client::send_to_controller(
    const Request& body, std::optional<std::int16_t> version) {
    target where{target_kind::controller, -1, {}, -1};
    auto op = send_with_retries<response_for_t<Request>>(std::move(where), body, version);
    co_return co_await std::move(op);
}

template <typename Request>
asio::awaitable<result<response_for_t<Request>>> kafka_client::send_to_leader(const std::string& topic,
                                                                              std::int32_t partition,
                                                                              const Request& body,
                                                                              std::optional<std::int16_t> version) {
    target where{target_kind::leader, -1, topic, partition};
    auto op = send_with_retries<response_for_t<Request>>(std::move(where), body, version);
    co_return co_await std::move(op);
}

template <typename Request>
asio::awaitable<result<done>> kafka_client::send_to_leader_without_response(const std::string& topic,
                                                                           std::int32_t partition,
                                                                           const Request& body,
                                                                           std::optional<std::int16_t> version) {
    target where{target_kind::leader, -1, topic, partition};
    auto op = send_with_retries<done>(std::move(where), body, version);
    co_return co_await std::move(op);
}

}  // namespace brook::client
