#pragma once
// client::blocking_client: a synchronous facade over kafka_client for tools
// (CLI, benchmarks' setup). It owns an io_context and the one thread that
// runs it; each call runs the asynchronous operation there and waits for it.
// Calls may come from any thread except the client's own.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "brook/client/kafka_client.h"

namespace brook::client {

class blocking_client {
public:
    explicit blocking_client(client_options options);
    // Closes every connection and joins the thread.
    ~blocking_client();
    blocking_client(const blocking_client&) = delete;
    blocking_client& operator=(const blocking_client&) = delete;

    result<cluster_view> metadata(std::optional<std::vector<std::string>> topics = std::nullopt) {
        return run(client_->metadata(std::move(topics)));
    }
    // A copy of the client's cached view of the cluster.
    cluster_view cached_metadata() { return run(copy_cached_metadata()); }

    template <typename Request>
    result<response_for_t<Request>> send_to_node(std::int32_t node_id, const Request& body,
                                                 std::optional<std::int16_t> version = {}) {
        return run(client_->send_to_node(node_id, body, version));
    }
    template <typename Request>
    result<response_for_t<Request>> send_to_any(const Request& body, std::optional<std::int16_t> version = {}) {
        return run(client_->send_to_any(body, version));
    }
    template <typename Request>
    result<response_for_t<Request>> send_to_controller(const Request& body,
                                                       std::optional<std::int16_t> version = {}) {
        return run(client_->send_to_controller(body, version));
    }
    template <typename Request>
    result<response_for_t<Request>> send_to_leader(const std::string& topic, std::int32_t partition,
                                                   const Request& body, std::optional<std::int16_t> version = {}) {
        return run(client_->send_to_leader(topic, partition, body, version));
    }

    template <typename Request>
    result<done> send_to_leader_without_response(const std::string& topic, std::int32_t partition,
                                                 const Request& body, std::optional<std::int16_t> version = {}) {
        return run(client_->send_to_leader_without_response(topic, partition, body, version));
    }

    // Runs any operation on the client's thread and waits for its value;
    // exceptions it throws are rethrown here. The operation may use client().
    template <typename T>
    T run(asio::awaitable<T> operation) {
        auto future = asio::co_spawn(context_, std::move(operation), asio::use_future);
        return future.get();
    }

    // The asynchronous client; touch it only from operations given to run().
    kafka_client& client() noexcept { return *client_; }
    asio::io_context& context() noexcept { return context_; }

private:
    asio::awaitable<cluster_view> copy_cached_metadata() { co_return client_->cached_metadata(); }

    asio::io_context context_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::unique_ptr<kafka_client> client_;
    std::thread thread_;
};

}  // namespace brook::client
