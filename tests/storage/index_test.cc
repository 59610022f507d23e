#include "brook/storage/index.h"

#include <gtest/gtest.h>

#include "storage_test_support.h"

namespace brook::storage {
namespace {

using testing::temp_directory;

wire::bytes file_bytes(const std::filesystem::path& path) {
    auto text = read_small_file(path, 1 << 20);
    EXPECT_TRUE(text.ok());
    return wire::bytes(text->begin(), text->end());
}

TEST(offset_index, entries_are_kafkas_eight_big_endian_bytes) {
    // Proves an .index entry is int32 relative offset + int32 position,
    // big-endian, exactly as Kafka writes it.
    temp_directory dir;
    auto index = offset_index::open(dir.path() / "00000000000000000100.index", 100);
    ASSERT_TRUE(index.ok());
    ASSERT_FALSE(index->append(105, 4096));
    ASSERT_FALSE(index->append(0x01020304 + 100, 0x0A0B0C0D));
    // Entries reach the file when the index is synced, not one write each.
    EXPECT_TRUE(file_bytes(dir.path() / "00000000000000000100.index").empty());
    ASSERT_FALSE(index->sync());
    const wire::bytes expected = {0, 0, 0, 5, 0, 0, 0x10, 0, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D};
    EXPECT_EQ(file_bytes(dir.path() / "00000000000000000100.index"), expected);
    // A later sync adds only what the file lacks; a cut shortens the file.
    ASSERT_FALSE(index->append(0x01020304 + 200, 0x0A0B0C0E));
    ASSERT_FALSE(index->sync());
    EXPECT_EQ(file_bytes(dir.path() / "00000000000000000100.index").size(), 24u);
    ASSERT_FALSE(index->truncate_to_position(0x0A0B0C0D));
    EXPECT_EQ(file_bytes(dir.path() / "00000000000000000100.index"), wire::bytes(expected.begin(), expected.begin() + 8));
}

TEST(time_index, entries_are_kafkas_twelve_big_endian_bytes) {
    // Proves a .timeindex entry is int64 timestamp + int32 relative offset,
    // big-endian, and that only increasing timestamps are added.
    temp_directory dir;
    auto index = time_index::open(dir.path() / "00000000000000000100.timeindex", 100);
    ASSERT_TRUE(index.ok());
    ASSERT_FALSE(index->maybe_append(0x0102030405060708LL, 107));
    ASSERT_FALSE(index->maybe_append(0x0102030405060708LL, 109));  // not above the last: ignored
    ASSERT_FALSE(index->sync());
    const wire::bytes expected = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 7};
    EXPECT_EQ(file_bytes(dir.path() / "00000000000000000100.timeindex"), expected);
    EXPECT_EQ(index->entry_count(), 1u);
}

TEST(offset_index, lookup_returns_the_last_entry_at_or_below) {
    // Proves lookup finds the floor entry, and nothing below the first entry.
    temp_directory dir;
    auto index = offset_index::open(dir.path() / "x.index", 10);
    ASSERT_TRUE(index.ok());
    ASSERT_FALSE(index->append(20, 100));
    ASSERT_FALSE(index->append(30, 200));
    EXPECT_EQ(index->lookup(19), std::nullopt);
    EXPECT_EQ(index->lookup(20), (offset_position{20, 100}));
    EXPECT_EQ(index->lookup(29), (offset_position{20, 100}));
    EXPECT_EQ(index->lookup(1000), (offset_position{30, 200}));
}

TEST(offset_index, load_rejects_damaged_files) {
    // Proves a torn or disordered index is detected so the log rebuilds it.
    temp_directory dir;
    const auto path = dir.path() / "x.index";
    {
        auto index = offset_index::open(path, 0);
        ASSERT_TRUE(index.ok());
        ASSERT_FALSE(index->append(5, 100));
        ASSERT_FALSE(index->append(9, 300));
        ASSERT_FALSE(index->sync());
    }
    {
        auto index = offset_index::open(path, 0);
        ASSERT_TRUE(index.ok());
        EXPECT_FALSE(index->load(1000));
        EXPECT_EQ(index->entry_count(), 2u);
        EXPECT_EQ(index->load(300), errc::corrupt_file);  // a position past the log's end
    }
    ASSERT_FALSE(replace_file_atomically(path, std::string("\0\0\0\x09\0\0\x01\0\0\0\0\x05\0\0\x02\0", 16)));
    {
        auto index = offset_index::open(path, 0);
        ASSERT_TRUE(index.ok());
        EXPECT_EQ(index->load(1000), errc::corrupt_file);  // offsets going down
    }
    ASSERT_FALSE(replace_file_atomically(path, std::string("\0\0\0\x09\0", 5)));
    {
        auto index = offset_index::open(path, 0);
        ASSERT_TRUE(index.ok());
        EXPECT_EQ(index->load(1000), errc::corrupt_file);  // not whole entries
    }
}

TEST(time_index, lookup_below_is_strict) {
    // Proves the time lookup only returns entries strictly older than the
    // target, so no record at the target timestamp is skipped.
    temp_directory dir;
    auto index = time_index::open(dir.path() / "x.timeindex", 0);
    ASSERT_TRUE(index.ok());
    ASSERT_FALSE(index->maybe_append(1000, 4));
    ASSERT_FALSE(index->maybe_append(2000, 9));
    EXPECT_EQ(index->lookup_below(1000), std::nullopt);
    EXPECT_EQ(index->lookup_below(1001), (timestamp_offset{1000, 4}));
    EXPECT_EQ(index->lookup_below(2000), (timestamp_offset{1000, 4}));
    EXPECT_EQ(index->lookup_below(5000), (timestamp_offset{2000, 9}));
    ASSERT_FALSE(index->truncate_to_offset(9));
    EXPECT_EQ(index->last(), (timestamp_offset{1000, 4}));
}

}  // namespace
}  // namespace brook::storage
