// The fetch session cache's rules that the wire tests cannot reach cheaply:
// ids belong to their shard, slots are bounded with idle-only eviction, and
// partitions that returned data move to the back of the answering order.

#include <gtest/gtest.h>

#include "brook/broker/fetch_sessions.h"

namespace brook::broker {
namespace {

using messages::error_code;

fetch_partition named(const std::string& topic, std::int32_t partition, std::int64_t offset = 0) {
    return {wire::uuid{}, topic, partition, offset, 1 << 20, -1};
}

std::vector<fetch_partition_result> quiet(std::size_t count) { return std::vector<fetch_partition_result>(count); }

TEST(FetchSessionCache, IdsAreOwnedByTheirShard) {
    fetch_session_cache cache(2, 3, 100, 7);
    for (int i = 0; i < 50; ++i) {
        const auto id = cache.create(false, {named("t", 0)}, quiet(1), 0);
        ASSERT_GT(id, 0);
        EXPECT_EQ(fetch_session_owner(id, 3), 2u);
    }
    EXPECT_EQ(cache.size(), 50u);
}

TEST(FetchSessionCache, FullCacheEvictsOnlyIdleSessions) {
    fetch_session_cache cache(0, 1, 2, 1);
    const auto first = cache.create(false, {named("t", 0)}, quiet(1), 1'000);
    const auto second = cache.create(false, {named("t", 1)}, quiet(1), 2'000);
    ASSERT_NE(first, 0);
    ASSERT_NE(second, 0);
    // Both busy: no room, the client keeps doing full fetches.
    EXPECT_EQ(cache.create(false, {named("t", 2)}, quiet(1), 3'000), 0);
    // Using the first makes the second the least recently used; once it has
    // been idle long enough it gives way.
    ASSERT_EQ(cache.begin_incremental(first, 1, false, {}, {}, 5'000).error, error_code::none);
    const auto third = cache.create(false, {named("t", 2)}, quiet(1), 2'000 + fetch_session_eviction_ms);
    EXPECT_NE(third, 0);
    EXPECT_TRUE(cache.contains(first));
    EXPECT_FALSE(cache.contains(second));
}

TEST(FetchSessionCache, EpochsAndTopicIdsAreChecked) {
    fetch_session_cache cache(0, 1, 10, 1);
    const auto id = cache.create(false, {named("t", 0)}, quiet(1), 0);
    EXPECT_EQ(cache.begin_incremental(id + 1, 1, false, {}, {}, 0).error, error_code::fetch_session_id_not_found);
    EXPECT_EQ(cache.begin_incremental(id, 2, false, {}, {}, 0).error, error_code::invalid_fetch_session_epoch);
    EXPECT_EQ(cache.begin_incremental(id, 1, true, {}, {}, 0).error, error_code::fetch_session_topic_id_error);
    EXPECT_EQ(cache.begin_incremental(id, 1, false, {}, {}, 0).error, error_code::none);
    EXPECT_EQ(cache.begin_incremental(id, 1, false, {}, {}, 0).error, error_code::invalid_fetch_session_epoch);
    EXPECT_EQ(cache.begin_incremental(id, 2, false, {}, {}, 0).error, error_code::none);
}

TEST(FetchSessionCache, BusyPartitionsMoveToTheBack) {
    fetch_session_cache cache(0, 1, 10, 1);
    const std::vector<fetch_partition> partitions{named("t", 0), named("t", 1), named("t", 2)};
    const auto id = cache.create(false, partitions, quiet(3), 0);
    auto begun = cache.begin_incremental(id, 1, false, {}, {}, 0);
    ASSERT_EQ(begun.partitions.size(), 3u);
    auto results = quiet(3);
    results[0].records_bytes = 100;  // partition 0 had data
    const auto include = cache.finish_incremental(id, begun.partitions, results);
    EXPECT_EQ(include, (std::vector<bool>{true, false, false}));
    begun = cache.begin_incremental(id, 2, false, {}, {}, 0);
    ASSERT_EQ(begun.partitions.size(), 3u);
    EXPECT_EQ(begun.partitions[0].partition, 1);
    EXPECT_EQ(begun.partitions[1].partition, 2);
    EXPECT_EQ(begun.partitions[2].partition, 0);
}

TEST(FetchSessionCache, ChangedWatermarksAreAnsweredOnce) {
    fetch_session_cache cache(0, 1, 10, 1);
    const auto id = cache.create(false, {named("t", 0)}, quiet(1), 0);
    auto begun = cache.begin_incremental(id, 1, false, {}, {}, 0);
    auto results = quiet(1);
    results[0].state = {5, 5, 0};
    EXPECT_EQ(cache.finish_incremental(id, begun.partitions, results), std::vector<bool>{true});
    begun = cache.begin_incremental(id, 2, false, {}, {}, 0);
    EXPECT_EQ(cache.finish_incremental(id, begun.partitions, results), std::vector<bool>{false});
    results[0].error = error_code::not_leader_or_follower;
    begun = cache.begin_incremental(id, 3, false, {}, {}, 0);
    EXPECT_EQ(cache.finish_incremental(id, begun.partitions, results), std::vector<bool>{true});
}

}  // namespace
}  // namespace brook::broker
