// Heartbeat (key 12): a member is alive; REBALANCE_IN_PROGRESS tells it to rejoin.
//
// Version notes: Kafka 4.0 serves v0-4. v3: group instance id; v4: flexible.

#include "brook/messages/heartbeat_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

asio::awaitable<response> heartbeat_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    const std::string group_id = request.group_id;
    auto step = [request = std::move(request), version](group::coordinator& coordinator, group::request_token token,
                                                       group::time_ms now) {
        return coordinator.heartbeat(token, version, request, now);
    };
    auto round_trip = coordinator_round_trip<messages::HeartbeatResponse>(
        context, group_id, std::move(step), group_reply_bound, [](messages::error_code error) {
            messages::HeartbeatResponse body;
            body.error_code = static_cast<std::int16_t>(error);
            return body;
        });
    co_return co_await std::move(round_trip);
}

}  // namespace brook::broker::handlers
