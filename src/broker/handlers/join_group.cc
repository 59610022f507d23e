// JoinGroup (key 11): join a group, or rejoin it for a rebalance.
//
// Version notes: Kafka 4.x serves v0-9 (v0-1 were dropped in 4.0 and
// restored in 4.1). v1: rebalance timeout; v4: a first join without a member
// id gets MEMBER_ID_REQUIRED and a member id (KIP-394); v5: static
// membership (group.instance.id, KIP-345); v6: flexible; v7: protocol type in
// the response; v8: a join reason; v9: skip_assignment for a static leader.
// The rules live in group/coordinator.h; this handler only waits for the
// answer, which comes when the rebalance completes.

#include "brook/messages/join_group_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

asio::awaitable<response> join_group_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    const std::string group_id = request.group_id;
    const std::string member_id = request.member_id;
    const auto client = group_client(context);
    // The answer may take the whole rebalance timeout, and the initial delay.
    const auto longest = std::max(request.rebalance_timeout_ms, request.session_timeout_ms);
    const auto max_wait = std::chrono::milliseconds(std::max(longest, 0)) + std::chrono::seconds(30) +
                          std::chrono::milliseconds(context.services.config->group_initial_rebalance_delay_ms);
    auto step = [request = std::move(request), version, client](group::coordinator& coordinator,
                                                              group::request_token token, group::time_ms now) {
        return coordinator.join_group(token, version, request, client, now);
    };
    auto round_trip = coordinator_round_trip<messages::JoinGroupResponse>(
        context, group_id, std::move(step), max_wait, [member_id, version](messages::error_code error) {
            messages::JoinGroupResponse body;
            body.error_code = static_cast<std::int16_t>(error);
            body.member_id = member_id;
            if (version < 7) body.protocol_name = std::string();
            return body;
        });
    co_return co_await std::move(round_trip);
}

}  // namespace brook::broker::handlers
