// OffsetCommit (key 8): store a group's positions in __consumer_offsets.
//
// Version notes: Kafka 4.0 serves v2-9 (KIP-896); Brook keeps v0-1 because
// clients still in use send them (sarama 1.22, Debian's, commits with v1
// unless a retention is set). v0: no generation or member (a simple commit);
// v1: generation, member id and a per-partition commit timestamp (ignored,
// as the retention time is). v2-4: retention time
// (ignored, as Kafka 2.1+ does: offsets.retention.minutes applies); v6:
// committed leader epoch; v7: group instance id; v8: flexible; v9: member
// epoch for KIP-848 groups (a classic group reads it as the generation).
// The answer comes after the commit records are fsynced.

#include "brook/messages/offset_commit_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

asio::awaitable<response> offset_commit_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    const std::string group_id = request.group_id;
    // Every partition gets the error when there is no coordinator.
    messages::OffsetCommitResponse failed;
    for (const auto& topic : request.topics) {
        auto& out = failed.topics.emplace_back();
        out.name = topic.name;
        for (const auto& partition : topic.partitions) out.partitions.emplace_back().partition_index = partition.partition_index;
    }
    auto step = [request = std::move(request), version](group::coordinator& coordinator, group::request_token token,
                                                       group::time_ms now) {
        return coordinator.commit_offsets(token, version, request, now);
    };
    auto round_trip = coordinator_round_trip<messages::OffsetCommitResponse>(
        context, group_id, std::move(step), group_reply_bound, [failed](messages::error_code error) {
            auto body = failed;
            for (auto& topic : body.topics) {
                for (auto& partition : topic.partitions) partition.error_code = static_cast<std::int16_t>(error);
            }
            return body;
        });
    co_return co_await std::move(round_trip);
}

}  // namespace brook::broker::handlers
