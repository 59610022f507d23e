// ApiVersions (key 18): which APIs and versions this broker serves.
//
// Version notes:
// - v0-v2: the api_keys list (plus throttle_time_ms from v1).
// - v3 (KIP-511): flexible; the request names the client software; the
//   response gains supported and finalized features as tagged fields.
// - v4: same layout as v3; a client sending v4 tells the broker it handles
//   UNSUPPORTED_VERSION in the response body correctly.
// - A version the broker does not know is answered by the router with v0 and
//   UNSUPPORTED_VERSION (KIP-511), never by closing the connection.

#include <regex>

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/api_versions_request.h"
#include "brook/messages/api_versions_response.h"

namespace brook::broker::handlers {
namespace {

// Kafka's rule for client software names and versions (KIP-511).
bool valid_software_field(const std::string& text) {
    static const std::regex pattern("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");
    return std::regex_match(text, pattern);
}

}  // namespace

asio::awaitable<response> api_versions_handler::handle(request_context& context, request_type&& request) {
    messages::ApiVersionsResponse body;
    if (context.api_version >= 3 &&
        (!valid_software_field(request.client_software_name) || !valid_software_field(request.client_software_version))) {
        body.error_code = static_cast<std::int16_t>(messages::error_code::invalid_request);
        co_return encode_response(context, body);
    }
    const std::uint8_t listener = context.connection.listener_name == "CONTROLLER" ? messages::listener_controller
                                                                                    : messages::listener_broker;
    for (const handler_entry& entry : handler_table()) {
        if ((entry.listeners & listener) == 0) continue;
        auto& item = body.api_keys.emplace_back();
        item.api_key = entry.api_key;
        item.min_version = entry.lowest_version;
        item.max_version = entry.highest_version;
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
