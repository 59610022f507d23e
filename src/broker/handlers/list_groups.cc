// ListGroups (key 16): every group this broker coordinates.
//
// Version notes: Kafka 4.0 serves v0-5. v3: flexible; v4: group state and
// a states filter (KIP-518); v5: group type and a types filter (KIP-848).
// Filters match case-insensitively; an empty filter matches everything.

#include "brook/messages/list_groups_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

using messages::error_code;

asio::awaitable<response> list_groups_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    messages::ListGroupsResponse body;
    if (!services.image()->topic(offsets_topic_name)) co_return encode_response(context, body);
    const auto states = version >= 4 ? request.states_filter : std::vector<std::string>{};
    const auto types = version >= 5 ? request.types_filter : std::vector<std::string>{};
    for (std::int32_t partition = 0; partition < services.groups->partition_count(); ++partition) {
        auto listed = std::make_shared<std::vector<messages::ListGroupsResponse::ListedGroup>>();
        auto query = services.groups->query(partition, [listed, states, types](const group::coordinator& c) {
            *listed = c.list_groups(states, types);
        });
        if (const error_code error = co_await std::move(query); error != error_code::none) {
            body.error_code = static_cast<std::int16_t>(error);
            continue;
        }
        for (auto& group : *listed) {
            if (version < 4) group.group_state.clear();
            if (version < 5) group.group_type.clear();
            body.groups.push_back(std::move(group));
        }
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
