#pragma once
// The router: one version gate in front of every handler.
//
// Runs on the shard of the connection the request arrived on. It reads the
// request header, refuses APIs and versions the handler table does not serve
// (ApiVersions answers those with v0 + UNSUPPORTED_VERSION so that clients
// fall back; anything else closes the connection, as Kafka does), decodes the
// body and hands it to the handler.

#include <boost/asio/awaitable.hpp>

#include "brook/broker/request.h"

namespace brook::broker {

// `order` and `ticket` keep pipelined Produce appends in arrival order
// (append_order.h); the caller releases the ticket when route() returns.
boost::asio::awaitable<response> route(broker_services& services, const connection_info& connection,
                                       wire::bytes_view frame, append_order* order = nullptr,
                                       std::uint64_t ticket = 0);

}  // namespace brook::broker
