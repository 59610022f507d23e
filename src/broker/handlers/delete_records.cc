// DeleteRecords (key 21): move a partition's log start offset forward.
//
// Version notes:
// - v0-v1: the same layout; v2: flexible.
// - Offset -1 means the high watermark. An offset above the high watermark
//   gets OFFSET_OUT_OF_RANGE; the answer's low watermark is the new log
//   start offset. Whole segments below it are deleted.

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/delete_records_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

using messages::error_code;

namespace {

struct deletion {
    std::size_t topic_position;
    std::size_t partition_position;
    wire::uuid topic_id;
    std::int32_t partition;
    std::int64_t offset;
};

struct deletion_result {
    error_code error = error_code::none;
    std::int64_t low_watermark = -1;
};

deletion_result delete_before(partition* hosted, const deletion& item) {
    if (hosted == nullptr) return {error_code::not_leader_or_follower};
    const std::int64_t high_watermark = hosted->high_watermark();
    const std::int64_t offset = item.offset == -1 ? high_watermark : item.offset;
    if (offset < 0 || offset > high_watermark) return {error_code::offset_out_of_range};
    if (const auto error = hosted->log().delete_records_before(offset)) return {error_code::kafka_storage_error};
    return {error_code::none, hosted->log().log_start_offset()};
}

}  // namespace

asio::awaitable<response> delete_records_handler::handle(request_context& context, request_type&& request) {
    auto& services = context.services;
    messages::DeleteRecordsResponse body;
    const auto image = services.image();
    std::vector<deletion> deletions;
    for (std::size_t t = 0; t < request.topics.size(); ++t) {
        const auto& wanted = request.topics[t];
        auto& out = body.topics.emplace_back();
        out.name = wanted.name;
        const auto topic = image->topic(wanted.name);
        for (std::size_t p = 0; p < wanted.partitions.size(); ++p) {
            const auto& partition = wanted.partitions[p];
            auto& result = out.partitions.emplace_back();
            result.partition_index = partition.partition_index;
            result.low_watermark = -1;
            if (!topic || !topic->has_partition(partition.partition_index)) {
                result.error_code = static_cast<std::int16_t>(error_code::unknown_topic_or_partition);
                continue;
            }
            deletions.push_back({t, p, topic->id, partition.partition_index, partition.offset});
        }
    }
    auto work = on_partition_owners(services, deletions, &delete_before);
    const auto results = co_await std::move(work);
    for (std::size_t i = 0; i < deletions.size(); ++i) {
        auto& result = body.topics[deletions[i].topic_position].partitions[deletions[i].partition_position];
        result.error_code = static_cast<std::int16_t>(results[i].error);
        result.low_watermark = results[i].low_watermark;
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
