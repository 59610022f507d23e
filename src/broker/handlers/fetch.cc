// Fetch (key 1): read record batches from partition logs.
//
// Version notes:
// - Kafka 4.0 serves v4-17 (KIP-896). v4: isolation level, last stable
//   offset and aborted transactions; v5: log start offset; v7: fetch
//   sessions (KIP-227); v9: current leader epoch (KIP-320); v11: rack id and
//   preferred read replica (KIP-392); v12: flexible, diverging epoch for
//   followers; v13: topic ids instead of names; v15: replica state replaces
//   replica id; v16: node endpoints (KIP-951); v17: replica directory id.
// - Long poll: the answer waits up to max_wait_ms until min_bytes are
//   available; appends wake waiting fetches early.
// - max_bytes bounds the response and partition_max_bytes each partition,
//   except that the first batch found is returned whole even when larger, so
//   a consumer can always make progress (KIP-74).
// - Fetch sessions: Brook declines to create sessions (it answers with
//   session id 0, which KIP-227 allows), so every fetch is a full fetch; an
//   incremental fetch for an unknown session gets FETCH_SESSION_ID_NOT_FOUND
//   and the client falls back to a full fetch.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unistd.h>

#include <map>

#include "brook/broker/handlers/handlers.h"
#include "brook/broker/partition_manager.h"
#include "brook/messages/fetch_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

using messages::error_code;

namespace {

struct fetch_item {
    std::size_t topic_position;
    std::size_t partition_position;
    wire::uuid topic_id;
    std::int32_t partition;
    std::int64_t fetch_offset;
    std::int32_t current_leader_epoch;
    std::int32_t max_bytes;
};

struct fetch_read {
    error_code error = error_code::none;
    std::int64_t high_watermark = -1;
    std::int64_t log_start_offset = -1;
    wire::bytes records;
};

// Reads one partition on its owner shard, at most `budget` bytes unless
// nothing has been read for this response yet.
fetch_read read_partition(broker_services& services, const fetch_item& item, std::size_t budget, bool first) {
    fetch_read out;
    partition* hosted = services.partitions->find(item.topic_id, item.partition);
    if (hosted == nullptr) {
        out.error = error_code::not_leader_or_follower;
        return out;
    }
    out.high_watermark = hosted->high_watermark();
    out.log_start_offset = hosted->log().log_start_offset();
    if (item.current_leader_epoch >= 0 && item.current_leader_epoch != hosted->leader_epoch()) {
        out.error = item.current_leader_epoch > hosted->leader_epoch() ? error_code::unknown_leader_epoch
                                                                       : error_code::fenced_leader_epoch;
        return out;
    }
    const std::size_t limit = std::min<std::size_t>(budget, static_cast<std::size_t>(std::max(item.max_bytes, 0)));
    auto read = hosted->log().read(item.fetch_offset, std::max<std::size_t>(limit, 1), out.high_watermark);
    if (!read) {
        out.error = read.error() == storage::errc::offset_out_of_range ? error_code::offset_out_of_range
                                                                       : error_code::kafka_storage_error;
        return out;
    }
    if (!read.value().slice) return out;
    const storage::read_slice& slice = *read.value().slice;
    if (slice.length_bytes > limit && !first) return out;  // too large, and not the first batch
    out.records.resize(slice.length_bytes);
    const ssize_t n = ::pread(slice.file->fd(), out.records.data(), out.records.size(),
                              static_cast<off_t>(slice.position));
    if (n != static_cast<ssize_t>(out.records.size())) {
        out.records.clear();
        out.error = error_code::kafka_storage_error;
    }
    return out;
}

}  // namespace

asio::awaitable<response> fetch_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    messages::FetchResponse body;
    body.session_id = 0;

    if (request.session_id != 0) {
        // Brook keeps no fetch sessions, so an incremental fetch names a
        // session that does not exist.
        body.error_code = static_cast<std::int16_t>(error_code::fetch_session_id_not_found);
        co_return encode_response(context, body);
    }

    const auto image = services.image();
    std::vector<fetch_item> items;
    for (std::size_t t = 0; t < request.topics.size(); ++t) {
        const auto& wanted = request.topics[t];
        auto& out = body.responses.emplace_back();
        out.topic = wanted.topic;
        out.topic_id = wanted.topic_id;
        const auto topic = version >= 13 ? image->topic(wanted.topic_id) : image->topic(wanted.topic);
        for (std::size_t p = 0; p < wanted.partitions.size(); ++p) {
            const auto& partition = wanted.partitions[p];
            auto& data = out.partitions.emplace_back();
            data.partition_index = partition.partition;
            data.high_watermark = -1;
            data.last_stable_offset = -1;
            data.log_start_offset = -1;
            if (!topic) {
                data.error_code = static_cast<std::int16_t>(version >= 13 ? error_code::unknown_topic_id
                                                                          : error_code::unknown_topic_or_partition);
                continue;
            }
            if (partition.partition < 0 || static_cast<std::size_t>(partition.partition) >= topic->partitions.size()) {
                data.error_code = static_cast<std::int16_t>(error_code::unknown_topic_or_partition);
                continue;
            }
            items.push_back({t, p, topic->id, partition.partition, partition.fetch_offset,
                             version >= 9 ? partition.current_leader_epoch : -1, partition.partition_max_bytes});
        }
    }

    const auto my_executor = co_await asio::this_coro::executor;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(request.max_wait_ms, 0));
    const std::size_t response_limit =
        version >= 3 && request.max_bytes > 0 ? static_cast<std::size_t>(request.max_bytes) : 0x7fffffff;
    std::vector<fetch_read> reads(items.size());
    for (;;) {
        std::size_t total = 0;
        bool any_error = false;
        std::map<io::shard_id, std::vector<std::size_t>> by_shard;
        for (std::size_t i = 0; i < items.size(); ++i) {
            by_shard[services.partitions->owner(items[i].topic_id, items[i].partition)].push_back(i);
        }
        for (const auto& [shard, positions] : by_shard) {
            std::vector<fetch_item> shard_items;
            for (const auto i : positions) shard_items.push_back(items[i]);
            const std::size_t budget = response_limit > total ? response_limit - total : 0;
            const bool first = total == 0;
            auto hop = io::submit_to(services.shards->executor(shard), [&services, shard_items, budget, first] {
                std::vector<fetch_read> out;
                std::size_t used = 0;
                for (const auto& item : shard_items) {
                    out.push_back(read_partition(services, item, budget > used ? budget - used : 0, first && used == 0));
                    used += out.back().records.size();
                }
                return out;
            });
            auto shard_reads = co_await std::move(hop);
            for (std::size_t k = 0; k < positions.size(); ++k) {
                total += shard_reads[k].records.size();
                any_error = any_error || shard_reads[k].error != error_code::none;
                reads[positions[k]] = std::move(shard_reads[k]);
            }
        }
        const auto min_bytes = static_cast<std::size_t>(std::max(request.min_bytes, 0));
        if (total >= min_bytes || any_error || items.empty() ||
            std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        // Wait for an append to any of these partitions, or the deadline.
        auto wakeup = std::make_shared<asio::steady_timer>(my_executor, deadline);
        for (const auto& [shard, positions] : by_shard) {
            std::vector<fetch_item> shard_items;
            for (const auto i : positions) shard_items.push_back(items[i]);
            std::weak_ptr<asio::steady_timer> weak = wakeup;
            auto hop = io::submit_to(services.shards->executor(shard), [&services, shard_items, weak, my_executor] {
                auto wake = [weak, my_executor] {
                    asio::post(my_executor, [weak] {
                        if (auto timer = weak.lock()) timer->cancel();
                    });
                };
                for (const auto& item : shard_items) {
                    partition* hosted = services.partitions->find(item.topic_id, item.partition);
                    if (hosted == nullptr) continue;
                    // Data arrived since the read: no need to wait.
                    if (hosted->high_watermark() > item.fetch_offset) {
                        wake();
                        return;
                    }
                    hosted->add_waiter(weak, wake);
                }
            });
            co_await std::move(hop);
        }
        co_await wakeup->async_wait(asio::as_tuple(asio::use_awaitable));
        if (std::chrono::steady_clock::now() >= deadline) {
            // One last read so the answer carries what arrived at the deadline.
            continue;
        }
    }

    for (std::size_t i = 0; i < items.size(); ++i) {
        auto& data = body.responses[items[i].topic_position].partitions[items[i].partition_position];
        auto& read = reads[i];
        data.error_code = static_cast<std::int16_t>(read.error);
        data.high_watermark = read.high_watermark;
        data.last_stable_offset = read.high_watermark;
        data.log_start_offset = read.log_start_offset;
        data.records = wire::record_set::owning(std::move(read.records));
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
