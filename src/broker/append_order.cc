#include "brook/broker/append_order.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace brook::broker {

namespace asio = boost::asio;

append_order::append_order(const asio::any_io_executor& executor)
    : wakeup_(executor, asio::steady_timer::time_point::max()) {}

std::uint64_t append_order::take_ticket() {
    const std::uint64_t ticket = next_++;
    outstanding_.insert(ticket);
    return ticket;
}

void append_order::release(std::uint64_t ticket) {
    if (outstanding_.erase(ticket) != 0) wakeup_.cancel();
}

asio::awaitable<void> append_order::wait_turn(std::uint64_t ticket) {
    while (!outstanding_.empty() && *outstanding_.begin() < ticket) {
        co_await wakeup_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace brook::broker
