#pragma once
// The handler table: each Kafka API Brook serves, the versions it serves, and
// the function that handles it. Handlers live one per file under
// src/broker/handlers/; each declares its API and versions once, next to its
// code, and handlers.cc lists them. The table is also what ApiVersions
// advertises, so what is advertised and what is served cannot drift apart.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <span>

#include "brook/base/assert.h"
#include "brook/broker/request.h"
#include "brook/messages/api_table.h"
#include "brook/messages/error_codes.h"
#include "brook/messages/response_header.h"
#include "brook/wire/reader.h"

namespace brook::broker {

namespace asio = boost::asio;

using handler_function = asio::awaitable<response> (*)(request_context&, wire::reader& body);

struct handler_entry {
    std::int16_t api_key;
    std::int16_t lowest_version;   // advertised and served
    std::int16_t highest_version;
    std::uint8_t listeners;        // messages::listener_bits
    handler_function handle;
};

// Every handler Brook has, sorted by API key.
std::span<const handler_entry> handler_table() noexcept;
const handler_entry* find_handler(std::int16_t api_key) noexcept;

void report_unencodable_response(const request_context& context, std::string_view message, wire::errc error);

// Encodes a typed response with its header for the request in `context`.
template <typename Response>
response encode_response(const request_context& context, const Response& body) {
    messages::ResponseHeader header;
    header.correlation_id = context.correlation_id;
    const std::int16_t header_version = messages::response_header_version(context.api_key, context.api_version);
    wire::writer w(header.size(header_version) + body.size(context.api_version));
    header.write(w, header_version);
    // A handler that builds a response its version cannot carry is a bug in
    // Brook, not in the client. Sending wrong bytes is never an option; the
    // one connection is closed and the error logged, and everyone else is
    // still served.
    if (const wire::errc error = body.encode(w, context.api_version); error != wire::errc::ok) {
        report_unencodable_response(context, Response::message_name, error);
        return response::close();
    }
    response out;
    out.splices = w.take_splices();
    out.payload = w.take();
    return out;
}

// Adapts a handler type to the table. A Handler declares:
//   using request_type = messages::XRequest;
//   static constexpr std::int16_t lowest_version, highest_version;
//   static asio::awaitable<response> handle(request_context&, request_type&&);
template <typename Handler>
asio::awaitable<response> decode_and_handle(request_context& context, wire::reader& body) {
    typename Handler::request_type request;
    if (request.decode(body, context.api_version) != wire::errc::ok) {
        // Kafka closes the connection on a request it cannot parse.
        co_return response::close();
    }
    co_return co_await Handler::handle(context, std::move(request));
}

template <typename Handler>
handler_entry make_handler_entry() {
    using request_type = typename Handler::request_type;
    static_assert(Handler::lowest_version >= request_type::lowest_version);
    static_assert(Handler::highest_version <= request_type::highest_version);
    const auto* api = messages::find_api(request_type::api_key);
    return {request_type::api_key, Handler::lowest_version, Handler::highest_version,
            api != nullptr ? api->listeners : std::uint8_t{0}, &decode_and_handle<Handler>};
}

}  // namespace brook::broker
