#pragma once
// broker::append_order: keeps the appends of one connection's pipelined
// Produce requests in the order the requests arrived.
//
// Kafka reads a connection's next request only after answering the previous
// one, so a client without idempotence may rely on a later request's batches
// landing after an earlier one's, partition by partition. Brook handles a
// connection's requests concurrently, and a Produce touching partitions on
// several shards hops to them one after another, so a later request for one
// of them could overtake it. Each request takes a ticket on arrival; a
// Produce appends only once every earlier request has released its ticket,
// and releases its own as soon as its batches are appended (before any
// fsync), so acks=all requests still share group commits. Other requests
// release their ticket when they start.
//
// Owned by the connection; used only on its shard.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <set>

namespace brook::broker {

class append_order {
public:
    explicit append_order(const boost::asio::any_io_executor& executor);

    // Called for every request, in arrival order.
    std::uint64_t take_ticket();
    // The ticket's request appends nothing more. Releasing twice is harmless.
    void release(std::uint64_t ticket);
    // Completes once every ticket taken before `ticket` is released.
    boost::asio::awaitable<void> wait_turn(std::uint64_t ticket);

private:
    std::uint64_t next_ = 0;
    std::set<std::uint64_t> outstanding_;
    boost::asio::steady_timer wakeup_;  // cancelled on every release
};

}  // namespace brook::broker
