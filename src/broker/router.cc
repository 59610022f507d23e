#include "brook/broker/router.h"

#include <spdlog/spdlog.h>

#include "brook/broker/handler.h"
#include "brook/messages/api_versions_response.h"
#include "brook/messages/request_header.h"

namespace brook::broker {
namespace {

constexpr std::int16_t api_versions_key = static_cast<std::int16_t>(messages::api_key::api_versions);

// KIP-511: a client that sends an ApiVersions version the broker does not
// know gets a v0 response carrying UNSUPPORTED_VERSION and the range the
// broker does serve, and retries with a version from that range.
response unsupported_api_versions(const request_context& context) {
    messages::ApiVersionsResponse body;
    body.error_code = static_cast<std::int16_t>(messages::error_code::unsupported_version);
    const handler_entry* entry = find_handler(api_versions_key);
    BROOK_ASSERT(entry != nullptr, "ApiVersions has no handler");
    auto& item = body.api_keys.emplace_back();
    item.api_key = api_versions_key;
    item.min_version = entry->lowest_version;
    item.max_version = entry->highest_version;
    request_context v0 = context;
    v0.api_version = 0;
    return encode_response(v0, body);
}

}  // namespace

boost::asio::awaitable<response> route(broker_services& services, const connection_info& connection,
                                       wire::bytes_view frame, append_order* order, std::uint64_t ticket) {
    wire::reader peek(frame);
    const std::int16_t api_key = peek.read_int16();
    const std::int16_t api_version = peek.read_int16();
    const std::int32_t correlation_id = peek.read_int32();
    if (!peek.ok()) {
        spdlog::debug("connection {}: frame of {} bytes is too short for a request header", connection.id,
                      frame.size());
        co_return response::close();
    }
    request_context context{services, connection, api_key, api_version, correlation_id, std::nullopt, frame,
                            order, ticket};

    const handler_entry* entry = find_handler(api_key);
    if (entry == nullptr || api_version < entry->lowest_version || api_version > entry->highest_version) {
        if (api_key == api_versions_key) co_return unsupported_api_versions(context);
        const messages::api_descriptor* api = messages::find_api(api_key);
        spdlog::info("connection {} ({}:{}): closing, unsupported request {} (key {}) v{}", connection.id,
                     connection.client_host, connection.client_port, api != nullptr ? api->name : "unknown", api_key,
                     api_version);
        co_return response::close();
    }

    wire::reader body(frame);
    messages::RequestHeader header;
    if (header.decode(body, messages::request_header_version(api_key, api_version)) != wire::errc::ok) {
        spdlog::debug("connection {}: malformed request header", connection.id);
        co_return response::close();
    }
    context.client_id = std::move(header.client_id);
    co_return co_await entry->handle(context, body);
}

}  // namespace brook::broker
