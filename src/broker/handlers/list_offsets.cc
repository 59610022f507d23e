// ListOffsets (key 2): offsets by time, and the earliest and latest offsets.
//
// Version notes:
// - Kafka 4.0 serves v1-9 (KIP-896). v1: one offset and its timestamp per
//   partition; v2: isolation level and throttle time; v4: current leader
//   epoch in, leader epoch out (KIP-320); v6: flexible; v7: timestamp -3
//   asks for the record with the largest timestamp (KIP-734); v8: -4 for
//   the earliest local offset (tiered storage, KIP-405); v9: -5 for the
//   earliest tiered offset (KIP-1005).
// - Timestamps: -1 latest (the high watermark, or the last stable offset for
//   read_committed), -2 earliest (the log start offset), otherwise the first
//   offset whose timestamp is at or after the one asked for (-1 / -1 when
//   there is none).

#include "brook/broker/handlers/handlers.h"
#include "brook/broker/partition_manager.h"
#include "brook/messages/list_offsets_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

using messages::error_code;

namespace {

constexpr std::int64_t latest_timestamp = -1;
constexpr std::int64_t earliest_timestamp = -2;
constexpr std::int64_t max_timestamp = -3;
constexpr std::int64_t earliest_local_timestamp = -4;
constexpr std::int64_t earliest_tiered_timestamp = -5;

struct lookup {
    std::size_t topic_position;
    std::size_t partition_position;
    wire::uuid topic_id;
    std::int32_t partition;
    std::int32_t current_leader_epoch;
    std::int64_t timestamp;
};

struct lookup_result {
    error_code error = error_code::none;
    std::int64_t timestamp = -1;
    std::int64_t offset = -1;
    std::int32_t leader_epoch = -1;
};

lookup_result find_offset(partition* hosted, const lookup& item, std::int16_t version) {
    lookup_result out;
    if (hosted == nullptr) {
        out.error = error_code::not_leader_or_follower;
        return out;
    }
    if (item.current_leader_epoch >= 0 && item.current_leader_epoch != hosted->leader_epoch()) {
        out.error = item.current_leader_epoch > hosted->leader_epoch() ? error_code::unknown_leader_epoch
                                                                       : error_code::fenced_leader_epoch;
        return out;
    }
    storage::partition_log& log = hosted->log();
    out.leader_epoch = hosted->leader_epoch();
    switch (item.timestamp) {
    case latest_timestamp:
        out.offset = hosted->high_watermark();
        return out;
    case earliest_timestamp:
    case earliest_local_timestamp:
    case earliest_tiered_timestamp:
        // Brook keeps no tiered storage: the local log is the whole log.
        if (item.timestamp != earliest_timestamp && version < 8) break;
        out.offset = log.log_start_offset();
        return out;
    case max_timestamp: {
        if (version < 7) break;
        auto found = log.max_timestamp();
        if (!found) {
            out.error = error_code::kafka_storage_error;
        } else if (found.value()) {
            out.timestamp = found.value()->timestamp_ms;
            out.offset = found.value()->offset;
        }
        return out;
    }
    default:
        break;
    }
    if (item.timestamp < 0) {
        out.error = error_code::invalid_request;  // a negative timestamp this version does not define
        return out;
    }
    auto found = log.offset_for_timestamp(item.timestamp);
    if (!found) {
        out.error = error_code::kafka_storage_error;
    } else if (found.value() && found.value()->offset < hosted->high_watermark()) {
        out.timestamp = found.value()->timestamp_ms;
        out.offset = found.value()->offset;
    }
    return out;
}

}  // namespace

asio::awaitable<response> list_offsets_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    messages::ListOffsetsResponse body;
    const auto image = services.image();
    std::vector<lookup> lookups;
    for (std::size_t t = 0; t < request.topics.size(); ++t) {
        const auto& wanted = request.topics[t];
        auto& out = body.topics.emplace_back();
        out.name = wanted.name;
        const auto topic = image->topic(wanted.name);
        for (std::size_t p = 0; p < wanted.partitions.size(); ++p) {
            const auto& partition = wanted.partitions[p];
            auto& result = out.partitions.emplace_back();
            result.partition_index = partition.partition_index;
            result.timestamp = -1;
            result.offset = -1;
            if (!topic || !topic->has_partition(partition.partition_index)) {
                result.error_code = static_cast<std::int16_t>(error_code::unknown_topic_or_partition);
                continue;
            }
            lookups.push_back({t, p, topic->id, partition.partition_index,
                               version >= 4 ? partition.current_leader_epoch : -1, partition.timestamp});
        }
    }
    auto work = on_partition_owners(services, lookups, [version](partition* hosted, const lookup& item) {
        return find_offset(hosted, item, version);
    });
    const auto results = co_await std::move(work);
    for (std::size_t i = 0; i < lookups.size(); ++i) {
        auto& result = body.topics[lookups[i].topic_position].partitions[lookups[i].partition_position];
        result.error_code = static_cast<std::int16_t>(results[i].error);
        result.timestamp = results[i].timestamp;
        result.offset = results[i].offset;
        if (version >= 4) result.leader_epoch = results[i].leader_epoch;
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
