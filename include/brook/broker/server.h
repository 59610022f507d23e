#pragma once
// Brook's Kafka listener: accepts TCP connections and serves the Kafka
// protocol on them.
//
// The acceptor runs on shard 0 and hands each new connection to the next
// shard in turn; a connection then lives on that shard for good. Within a
// connection requests may be handled concurrently, but responses leave in
// request order (a reader coroutine and a writer coroutine around an ordered
// queue).

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "brook/broker/request.h"
#include "brook/io/shards.h"

namespace brook::broker {

// Every connection-level limit, explicit.
struct connection_limits {
    std::size_t max_frame_bytes = 104857600;        // socket.request.max.bytes
    std::size_t max_in_flight_requests = 64;         // per connection; reading pauses beyond it
    std::chrono::milliseconds idle_timeout{600000};  // connections.max.idle.ms
    std::size_t max_connections = 100000;           // max.connections
};

struct listener_options {
    std::string name = "PLAINTEXT";
    std::string host = "127.0.0.1";
    std::uint16_t port = 9092;  // 0 picks a free port
    connection_limits limits;
};

class server {
public:
    server(io::shard_set& shards, broker_services& services, listener_options options);
    ~server();

    // Binds and starts accepting; throws std::system_error when it cannot bind.
    void start();
    // The port actually bound (useful with port 0).
    std::uint16_t port() const noexcept { return bound_port_; }
    // Staged shutdown: stop accepting, stop reading, let in-flight requests
    // finish and their responses leave (bounded by `grace`), then close.
    // Called from a non-shard thread; returns when every connection is closed.
    void stop(std::chrono::milliseconds grace);

    std::size_t open_connections() const noexcept { return open_connections_.load(); }

private:
    class connection;
    boost::asio::awaitable<void> accept_loop();

    io::shard_set& shards_;
    broker_services& services_;
    listener_options options_;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
    std::uint16_t bound_port_ = 0;
    std::atomic<std::size_t> open_connections_{0};
    std::atomic<std::uint64_t> next_connection_id_{1};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> accept_loop_done_{false};
    // One registry per shard, touched only on that shard.
    struct shard_connections;
    std::vector<std::unique_ptr<shard_connections>> connections_;
};

}  // namespace brook::broker
