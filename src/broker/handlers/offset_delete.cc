// OffsetDelete (key 47): remove a group's committed offsets for some partitions.
//
// Version notes: Kafka 4.0 serves v0. Partitions of topics the group's
// active members subscribe to are refused (GROUP_SUBSCRIBED_TO_TOPIC).

#include "brook/messages/offset_delete_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

asio::awaitable<response> offset_delete_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    const std::string group_id = request.group_id;
    auto step = [request = std::move(request), version](group::coordinator& coordinator, group::request_token token,
                                                       group::time_ms now) {
        return coordinator.delete_offsets(token, version, request, now);
    };
    auto round_trip = coordinator_round_trip<messages::OffsetDeleteResponse>(
        context, group_id, std::move(step), group_reply_bound, [](messages::error_code error) {
            messages::OffsetDeleteResponse body;
            body.error_code = static_cast<std::int16_t>(error);
            return body;
        });
    co_return co_await std::move(round_trip);
}

}  // namespace brook::broker::handlers
