// DeleteGroups (key 42): delete empty groups and their committed offsets.
//
// Version notes: Kafka 4.0 serves v0-2. v2: flexible. A group with members
// gets NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.

#include "brook/messages/delete_groups_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

asio::awaitable<response> delete_groups_handler::handle(request_context& context, request_type&& request) {
    auto& services = context.services;
    messages::DeleteGroupsResponse body;
    for (const auto& group_id : request.groups_names) {
        auto step = [group_id](group::coordinator& coordinator, group::request_token token, group::time_ms now) {
            return coordinator.delete_group(token, group_id, now);
        };
        auto call = services.groups->call(group_id, std::move(step), group_reply_bound);
        const auto result = co_await std::move(call);
        using result_type = messages::DeleteGroupsResponse::DeletableGroupResult;
        if (result.error == messages::error_code::none && result.reply &&
            std::holds_alternative<result_type>(*result.reply)) {
            body.results.push_back(std::get<result_type>(*result.reply));
        } else {
            auto& failed = body.results.emplace_back();
            failed.group_id = group_id;
            failed.error_code = static_cast<std::int16_t>(messages::error_code::coordinator_not_available);
        }
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
