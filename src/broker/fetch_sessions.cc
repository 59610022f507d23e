#include "brook/broker/fetch_sessions.h"

#include <algorithm>
#include <limits>

#include "brook/base/assert.h"

namespace brook::broker {

using messages::error_code;

fetch_session_cache::fetch_session_cache(std::uint32_t shard, std::uint32_t shard_count, std::size_t max_sessions,
                                         std::uint64_t seed)
    : shard_(shard), shard_count_(shard_count), max_sessions_(max_sessions), random_(seed) {
    BROOK_ASSERT(shard_count > 0 && shard < shard_count, "a session cache belongs to one of the shards");
}

fetch_session_caches::fetch_session_caches(std::uint32_t shard_count, std::size_t total_slots) {
    // Round up so a small total still gives every shard a slot.
    const std::size_t per_shard = total_slots == 0 ? 0 : (total_slots + shard_count - 1) / shard_count;
    std::random_device seed;
    for (std::uint32_t shard = 0; shard < shard_count; ++shard) {
        caches_.push_back(std::make_unique<fetch_session_cache>(shard, shard_count, per_shard,
                                                                (std::uint64_t{seed()} << 32) | seed()));
    }
}

bool fetch_session_cache::same_partition(const fetch_partition& a, const fetch_partition& b, bool by_id) {
    if (a.partition != b.partition) return false;
    return by_id ? a.topic_id == b.topic_id : a.topic == b.topic;
}

std::int32_t fetch_session_cache::fresh_id() {
    // Positive, unused, and owned by this shard.
    std::uniform_int_distribution<std::int32_t> pick(1, std::numeric_limits<std::int32_t>::max());
    for (;;) {
        const std::int32_t raw = pick(random_);
        const std::int64_t id = static_cast<std::int64_t>(raw) - (raw % static_cast<std::int64_t>(shard_count_)) + shard_;
        if (id <= 0 || id > std::numeric_limits<std::int32_t>::max()) continue;
        if (!sessions_.contains(static_cast<std::int32_t>(id))) return static_cast<std::int32_t>(id);
    }
}

void fetch_session_cache::touch(session& s, std::int64_t now_ms) {
    s.last_used_ms = now_ms;
    lru_.splice(lru_.end(), lru_, s.lru_position);
}

std::int32_t fetch_session_cache::create(bool uses_topic_ids, std::vector<fetch_partition> partitions,
                                         const std::vector<fetch_partition_result>& results, std::int64_t now_ms) {
    BROOK_ASSERT(partitions.size() == results.size(), "one result per partition");
    if (max_sessions_ == 0) return 0;
    if (sessions_.size() >= max_sessions_) {
        const std::int32_t oldest = lru_.front();
        if (now_ms - sessions_.at(oldest).last_used_ms < fetch_session_eviction_ms) return 0;
        close(oldest);
    }
    const std::int32_t id = fresh_id();
    session& s = sessions_[id];
    s.id = id;
    s.uses_topic_ids = uses_topic_ids;
    s.last_used_ms = now_ms;
    for (std::size_t i = 0; i < partitions.size(); ++i) {
        s.partitions.push_back({std::move(partitions[i]), results[i].state});
    }
    s.lru_position = lru_.insert(lru_.end(), id);
    return id;
}

void fetch_session_cache::close(std::int32_t session_id) {
    const auto it = sessions_.find(session_id);
    if (it == sessions_.end()) return;
    lru_.erase(it->second.lru_position);
    sessions_.erase(it);
}

fetch_session_cache::incremental_begin fetch_session_cache::begin_incremental(
    std::int32_t session_id, std::int32_t epoch, bool uses_topic_ids, const std::vector<fetch_partition>& changed,
    const std::vector<fetch_partition>& forgotten, std::int64_t now_ms) {
    incremental_begin out;
    const auto it = sessions_.find(session_id);
    if (it == sessions_.end()) {
        out.error = error_code::fetch_session_id_not_found;
        return out;
    }
    session& s = it->second;
    if (epoch != s.next_epoch) {
        out.error = error_code::invalid_fetch_session_epoch;
        return out;
    }
    if (s.uses_topic_ids != uses_topic_ids) {
        out.error = error_code::fetch_session_topic_id_error;
        return out;
    }
    for (const auto& gone : forgotten) {
        s.partitions.remove_if([&](const cached_partition& c) { return same_partition(c.request, gone, s.uses_topic_ids); });
    }
    for (const auto& update : changed) {
        auto found = std::find_if(s.partitions.begin(), s.partitions.end(), [&](const cached_partition& c) {
            return same_partition(c.request, update, s.uses_topic_ids);
        });
        if (found != s.partitions.end()) {
            found->request = update;
        } else {
            s.partitions.push_back({update, {}});
        }
    }
    s.next_epoch = s.next_epoch == std::numeric_limits<std::int32_t>::max() ? 1 : s.next_epoch + 1;
    touch(s, now_ms);
    out.partitions.reserve(s.partitions.size());
    for (const auto& c : s.partitions) out.partitions.push_back(c.request);
    return out;
}

std::vector<bool> fetch_session_cache::finish_incremental(std::int32_t session_id,
                                                          const std::vector<fetch_partition>& partitions,
                                                          const std::vector<fetch_partition_result>& results) {
    BROOK_ASSERT(partitions.size() == results.size(), "one result per partition");
    std::vector<bool> include(partitions.size(), false);
    const auto it = sessions_.find(session_id);
    if (it == sessions_.end()) {
        // Evicted or closed while this fetch ran: answer everything.
        include.assign(partitions.size(), true);
        return include;
    }
    session& s = it->second;
    std::vector<std::list<cached_partition>::iterator> busy;
    for (std::size_t i = 0; i < partitions.size(); ++i) {
        const auto& result = results[i];
        auto found = std::find_if(s.partitions.begin(), s.partitions.end(), [&](const cached_partition& c) {
            return same_partition(c.request, partitions[i], s.uses_topic_ids);
        });
        const bool changed = found == s.partitions.end() || found->sent.high_watermark != result.state.high_watermark ||
                             found->sent.last_stable_offset != result.state.last_stable_offset ||
                             found->sent.log_start_offset != result.state.log_start_offset;
        include[i] = result.records_bytes > 0 || result.error != error_code::none || changed;
        if (found == s.partitions.end()) continue;
        if (include[i]) found->sent = result.state;
        if (result.records_bytes > 0) busy.push_back(found);
    }
    for (auto position : busy) s.partitions.splice(s.partitions.end(), s.partitions, position);
    return include;
}

}  // namespace brook::broker
