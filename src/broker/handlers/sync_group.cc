// SyncGroup (key 14): the leader hands out assignments; every member gets its own.
//
// Version notes: Kafka 4.0 serves v0-5. v3: group instance id; v4:
// flexible; v5: protocol type and name, checked against the group's.
// A follower's request waits until the leader's arrives (bounded by the
// rebalance timeout, after which the group rebalances).

#include "brook/messages/sync_group_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

asio::awaitable<response> sync_group_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    const std::string group_id = request.group_id;
    auto step = [request = std::move(request), version](group::coordinator& coordinator, group::request_token token,
                                                       group::time_ms now) {
        return coordinator.sync_group(token, version, request, now);
    };
    auto round_trip = coordinator_round_trip<messages::SyncGroupResponse>(
        context, group_id, std::move(step), group_reply_bound, [](messages::error_code error) {
            messages::SyncGroupResponse body;
            body.error_code = static_cast<std::int16_t>(error);
            return body;
        });
    co_return co_await std::move(round_trip);
}

}  // namespace brook::broker::handlers
