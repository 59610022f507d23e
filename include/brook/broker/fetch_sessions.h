#pragma once
// Incremental fetch sessions (KIP-227).
//
// A consumer fetching hundreds of partitions would otherwise resend every
// partition in every Fetch and get every partition back. With a session the
// broker remembers the partitions and their fetch positions; an incremental
// request carries only what changed and the response only partitions with
// news (records, an error, or a moved high watermark, last stable offset or
// log start offset).
//
// Sessions are spread over the shards: a session id modulo the shard count
// names the shard that owns it, and only that shard's cache touches it, so
// the cache needs no lock. A fetch arriving on another shard hops there.
//
// Limits: `max.incremental.fetch.session.cache.slots` sessions in all
// (divided between the shards). When a shard's slots are full, the least
// recently used session is evicted if it has been idle for at least the
// eviction time (Kafka's `min.incremental.fetch.session.eviction.ms`,
// 120 s); otherwise no session is created and the client keeps doing full
// fetches, which KIP-227 allows (session id 0).

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "brook/messages/error_codes.h"
#include "brook/wire/uuid.h"

namespace brook::broker {

inline constexpr std::int32_t fetch_initial_epoch = 0;
inline constexpr std::int32_t fetch_final_epoch = -1;
inline constexpr std::int64_t fetch_session_eviction_ms = 120'000;

// One partition as a fetch names it, with the position it asks for.
struct fetch_partition {
    wire::uuid topic_id;      // zero when the request names topics
    std::string topic;        // empty when the request uses topic ids
    std::int32_t partition = 0;
    std::int64_t fetch_offset = 0;
    std::int32_t max_bytes = 0;
    std::int32_t current_leader_epoch = -1;
};

// What a partition's answer told the client, so an incremental response can
// leave out partitions with nothing new.
struct fetch_partition_state {
    std::int64_t high_watermark = -1;
    std::int64_t last_stable_offset = -1;
    std::int64_t log_start_offset = -1;
};

// A partition's answer as the handler computed it.
struct fetch_partition_result {
    messages::error_code error = messages::error_code::none;
    fetch_partition_state state;
    std::size_t records_bytes = 0;
};

// The sessions owned by one shard. Not thread-safe: only its shard calls it.
class fetch_session_cache {
public:
    // Session ids this cache hands out are congruent to `shard` modulo
    // `shard_count`. `max_sessions` 0 means never create one.
    fetch_session_cache(std::uint32_t shard, std::uint32_t shard_count, std::size_t max_sessions,
                        std::uint64_t seed);

    // Creates a session over `partitions` (in fetch order) after a full
    // fetch answered them with `results`. Returns the new session id, or 0
    // when there is no room. The session's next epoch is 1.
    std::int32_t create(bool uses_topic_ids, std::vector<fetch_partition> partitions,
                        const std::vector<fetch_partition_result>& results, std::int64_t now_ms);

    // Removes a session; unknown ids are ignored.
    void close(std::int32_t session_id);

    // Starts an incremental fetch: checks the session and epoch, applies the
    // request's added or changed partitions and its forgotten ones, and
    // returns every partition of the session in answering order.
    struct incremental_begin {
        messages::error_code error = messages::error_code::none;
        std::vector<fetch_partition> partitions;
    };
    incremental_begin begin_incremental(std::int32_t session_id, std::int32_t epoch, bool uses_topic_ids,
                                        const std::vector<fetch_partition>& changed,
                                        const std::vector<fetch_partition>& forgotten, std::int64_t now_ms);

    // Finishes an incremental fetch whose partitions (as begin_incremental
    // returned them) were answered with `results`: returns, per partition,
    // whether the response carries it, and remembers what was sent. Partitions
    // that returned records move to the end of the session's order, so a busy
    // partition cannot starve the others of response space.
    std::vector<bool> finish_incremental(std::int32_t session_id, const std::vector<fetch_partition>& partitions,
                                         const std::vector<fetch_partition_result>& results);

    std::size_t size() const noexcept { return sessions_.size(); }
    bool contains(std::int32_t session_id) const { return sessions_.contains(session_id); }

private:
    struct cached_partition {
        fetch_partition request;
        fetch_partition_state sent;
    };
    struct session {
        std::int32_t id = 0;
        std::int32_t next_epoch = 1;
        bool uses_topic_ids = false;
        std::int64_t last_used_ms = 0;
        std::list<cached_partition> partitions;  // answering order
        std::list<std::int32_t>::iterator lru_position;
    };

    static bool same_partition(const fetch_partition& a, const fetch_partition& b, bool by_id);
    std::int32_t fresh_id();
    void touch(session& s, std::int64_t now_ms);

    std::uint32_t shard_;
    std::uint32_t shard_count_;
    std::size_t max_sessions_;
    std::mt19937_64 random_;
    std::unordered_map<std::int32_t, session> sessions_;
    std::list<std::int32_t> lru_;  // least recently used first
};

// Every shard's cache. Each cache is touched only by its own shard.
class fetch_session_caches {
public:
    fetch_session_caches(std::uint32_t shard_count, std::size_t total_slots);
    std::uint32_t shard_count() const noexcept { return static_cast<std::uint32_t>(caches_.size()); }
    fetch_session_cache& on(std::uint32_t shard) { return *caches_.at(shard); }

private:
    std::vector<std::unique_ptr<fetch_session_cache>> caches_;
};

// The shard that owns `session_id`.
inline std::uint32_t fetch_session_owner(std::int32_t session_id, std::uint32_t shard_count) noexcept {
    return static_cast<std::uint32_t>(session_id) % shard_count;
}

}  // namespace brook::broker
