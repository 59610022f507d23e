// LeaveGroup (key 13): members leave, and the group rebalances without them.
//
// Version notes: Kafka 4.0 serves v0-5. v3: a batch of members, each with an
// optional group instance id (KIP-345), answered per member; v4: flexible;
// v5: a reason per member.

#include "brook/messages/leave_group_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

asio::awaitable<response> leave_group_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    const std::string group_id = request.group_id;
    auto step = [request = std::move(request), version](group::coordinator& coordinator, group::request_token token,
                                                       group::time_ms now) {
        return coordinator.leave_group(token, version, request, now);
    };
    auto round_trip = coordinator_round_trip<messages::LeaveGroupResponse>(
        context, group_id, std::move(step), group_reply_bound, [](messages::error_code error) {
            messages::LeaveGroupResponse body;
            body.error_code = static_cast<std::int16_t>(error);
            return body;
        });
    co_return co_await std::move(round_trip);
}

}  // namespace brook::broker::handlers
