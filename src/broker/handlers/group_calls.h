#pragma once
// What the group handlers share: a round trip to a group's coordinator that
// encodes its reply, or an error response when there is no coordinator.

#include <chrono>
#include <string>
#include <variant>

#include "brook/broker/group_manager.h"
#include "brook/broker/handler.h"
#include "brook/broker/services.h"

namespace brook::broker::handlers {

// Who a request came from, as DescribeGroups shows members ("/127.0.0.1").
inline group::client_info group_client(const request_context& context) {
    return {context.client_id.value_or(""), "/" + context.connection.client_host};
}

// Runs `step` on the coordinator of `group_id` and encodes the reply, which
// must be a `Response`. Without a coordinator (no __consumer_offsets yet, a
// failed write, shutdown, or no reply within `max_wait`) the answer is
// `on_error(COORDINATOR_NOT_AVAILABLE)`: retriable, and clients look the
// coordinator up again.
template <typename Response, typename OnError>
asio::awaitable<response> coordinator_round_trip(request_context& context, const std::string& group_id,
                                                 group_manager::step_function step,
                                                 std::chrono::milliseconds max_wait, OnError on_error) {
    auto call = context.services.groups->call(group_id, std::move(step), max_wait);
    auto result = co_await std::move(call);
    if (result.error != messages::error_code::none || !result.reply ||
        !std::holds_alternative<Response>(*result.reply)) {
        co_return encode_response(context, on_error(messages::error_code::coordinator_not_available));
    }
    co_return encode_response(context, std::get<Response>(*result.reply));
}

// Requests other than JoinGroup are answered at once or, for a SyncGroup
// waiting for its leader, within the rebalance timeout; this bounds the wait
// all the same.
inline constexpr std::chrono::milliseconds group_reply_bound = std::chrono::minutes(10);

}  // namespace brook::broker::handlers
