#pragma once
// Declarations of every API handler. Each handler's code, with its version
// notes, is in the file of the same name; handlers.cc builds the table.

#include "brook/broker/handler.h"
#include "brook/broker/services.h"
#include "brook/messages/api_versions_request.h"

namespace brook::broker::handlers {

struct api_versions {
    using request_type = messages::ApiVersionsRequest;
    static constexpr std::int16_t lowest_version = 0;
    static constexpr std::int16_t highest_version = 4;
    static asio::awaitable<response> handle(request_context& context, request_type&& request);
};

}  // namespace brook::broker::handlers
