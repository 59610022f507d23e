// OffsetForLeaderEpoch (key 23): where a leader epoch ended in a log, so a
// consumer or follower can detect and cut a diverged tail (KIP-101, KIP-320).
//
// Version notes:
// - Kafka 4.0 serves v2-4 (KIP-896). v1: the answer carries the epoch it
//   used; v2: current leader epoch for fencing, and throttle time; v3:
//   replica id (-1 consumer, -2 debug consumer); v4: flexible.
// - The answer is the end offset of the largest epoch at or below the one
//   asked for, and that epoch; an epoch above the leader's current one gets
//   UNDEFINED (-1, -1), as Kafka does.

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/offset_for_leader_epoch_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

using messages::error_code;

namespace {

struct epoch_query {
    std::size_t topic_position;
    std::size_t partition_position;
    wire::uuid topic_id;
    std::int32_t partition;
    std::int32_t current_leader_epoch;
    std::int32_t leader_epoch;
};

struct epoch_answer {
    error_code error = error_code::none;
    std::int32_t leader_epoch = -1;
    std::int64_t end_offset = -1;
};

epoch_answer answer(partition* hosted, const epoch_query& query) {
    if (hosted == nullptr) return {error_code::not_leader_or_follower};
    if (query.current_leader_epoch >= 0 && query.current_leader_epoch != hosted->leader_epoch()) {
        return {query.current_leader_epoch > hosted->leader_epoch() ? error_code::unknown_leader_epoch
                                                                    : error_code::fenced_leader_epoch};
    }
    const auto end = hosted->log().end_offset_for_epoch(query.leader_epoch);
    return {error_code::none, end.epoch, end.end_offset};
}

}  // namespace

asio::awaitable<response> offset_for_leader_epoch_handler::handle(request_context& context, request_type&& request) {
    auto& services = context.services;
    messages::OffsetForLeaderEpochResponse body;
    const auto image = services.image();
    std::vector<epoch_query> queries;
    for (std::size_t t = 0; t < request.topics.size(); ++t) {
        const auto& wanted = request.topics[t];
        auto& out = body.topics.emplace_back();
        out.topic = wanted.topic;
        const auto topic = image->topic(wanted.topic);
        for (std::size_t p = 0; p < wanted.partitions.size(); ++p) {
            const auto& partition = wanted.partitions[p];
            auto& result = out.partitions.emplace_back();
            result.partition = partition.partition;
            result.leader_epoch = -1;
            result.end_offset = -1;
            if (!topic || !topic->has_partition(partition.partition)) {
                result.error_code = static_cast<std::int16_t>(error_code::unknown_topic_or_partition);
                continue;
            }
            queries.push_back({t, p, topic->id, partition.partition, partition.current_leader_epoch,
                               partition.leader_epoch});
        }
    }
    auto work = on_partition_owners(services, queries, &answer);
    const auto answers = co_await std::move(work);
    for (std::size_t i = 0; i < queries.size(); ++i) {
        auto& result = body.topics[queries[i].topic_position].partitions[queries[i].partition_position];
        result.error_code = static_cast<std::int16_t>(answers[i].error);
        result.leader_epoch = answers[i].leader_epoch;
        result.end_offset = answers[i].end_offset;
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
