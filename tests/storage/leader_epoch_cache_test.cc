#include "brook/storage/leader_epoch_cache.h"

#include <gtest/gtest.h>

#include "brook/storage/file.h"
#include "storage_test_support.h"

namespace brook::storage {
namespace {

using testing::temp_directory;

TEST(leader_epoch_cache, checkpoint_is_kafkas_text_and_round_trips) {
    // Proves leader-epoch-checkpoint holds version 0, the count and
    // "epoch offset" lines, and that a reload gives back the same entries.
    temp_directory dir;
    {
        auto cache = leader_epoch_cache::load(dir.path());
        ASSERT_TRUE(cache.ok());
        ASSERT_FALSE(cache->assign(0, 0));
        ASSERT_FALSE(cache->assign(3, 120));
        ASSERT_FALSE(cache->assign(3, 150));  // same epoch: ignored
        ASSERT_FALSE(cache->assign(5, 300));
    }
    auto text = read_small_file(dir.path() / "leader-epoch-checkpoint", 1024);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, "0\n3\n0 0\n3 120\n5 300\n");
    auto cache = leader_epoch_cache::load(dir.path());
    ASSERT_TRUE(cache.ok());
    EXPECT_EQ(cache->entries(), (std::vector<epoch_entry>{{0, 0}, {3, 120}, {5, 300}}));
}

TEST(leader_epoch_cache, end_offset_for_epoch_follows_kafka) {
    // Proves OffsetForLeaderEpoch answers as Kafka's cache does: the latest
    // epoch ends at the log end, older ones where the next begins, an epoch
    // between known ones maps to the one below, unknown ones are undefined.
    temp_directory dir;
    auto cache = leader_epoch_cache::load(dir.path());
    ASSERT_TRUE(cache.ok());
    EXPECT_EQ(cache->end_offset_for_epoch(0, 10), (epoch_end_offset{-1, -1}));
    ASSERT_FALSE(cache->assign(2, 10));
    ASSERT_FALSE(cache->assign(4, 50));
    ASSERT_FALSE(cache->assign(7, 90));
    EXPECT_EQ(cache->end_offset_for_epoch(7, 120), (epoch_end_offset{7, 120}));
    EXPECT_EQ(cache->end_offset_for_epoch(4, 120), (epoch_end_offset{4, 90}));
    EXPECT_EQ(cache->end_offset_for_epoch(5, 120), (epoch_end_offset{4, 90}));
    EXPECT_EQ(cache->end_offset_for_epoch(1, 120), (epoch_end_offset{1, 10}));
    EXPECT_EQ(cache->end_offset_for_epoch(8, 120), (epoch_end_offset{-1, -1}));
    EXPECT_EQ(cache->end_offset_for_epoch(-1, 120), (epoch_end_offset{-1, -1}));
}

TEST(leader_epoch_cache, truncation_from_both_ends) {
    // Proves truncation drops epochs past a new log end and folds epochs
    // before a new log start into one entry starting there.
    temp_directory dir;
    auto cache = leader_epoch_cache::load(dir.path());
    ASSERT_TRUE(cache.ok());
    ASSERT_FALSE(cache->assign(1, 0));
    ASSERT_FALSE(cache->assign(2, 10));
    ASSERT_FALSE(cache->assign(3, 20));
    ASSERT_FALSE(cache->truncate_from_end(20));
    EXPECT_EQ(cache->entries(), (std::vector<epoch_entry>{{1, 0}, {2, 10}}));
    ASSERT_FALSE(cache->truncate_from_start(15));
    EXPECT_EQ(cache->entries(), (std::vector<epoch_entry>{{2, 15}}));
    auto reloaded = leader_epoch_cache::load(dir.path());
    ASSERT_TRUE(reloaded.ok());
    EXPECT_EQ(reloaded->entries(), cache->entries());
}

TEST(leader_epoch_cache, malformed_checkpoints_are_rejected) {
    // Proves a damaged checkpoint is an error, never a silently wrong cache.
    for (const char* text : {"1\n0\n", "0\n2\n1 0\n", "0\n1\n1 x\n", "0\n2\n3 10\n2 20\n", "0\n1\n1 0\nextra"}) {
        auto parsed = leader_epoch_cache::parse(text);
        EXPECT_FALSE(parsed.ok()) << text;
    }
    EXPECT_TRUE(leader_epoch_cache::parse("0\n0\n").ok());
}

}  // namespace
}  // namespace brook::storage
