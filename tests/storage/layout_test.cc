#include "brook/storage/layout.h"

#include <gtest/gtest.h>

#include "brook/storage/file.h"
#include "storage_test_support.h"

namespace brook::storage {
namespace {

using testing::temp_directory;

TEST(storage_layout, segment_names_are_twenty_zero_padded_digits) {
    // Proves segment files are named exactly as Kafka names them, so Kafka's
    // tools (kafka-dump-log, kafka-log-dirs) recognize the directory.
    EXPECT_EQ(segment_file_name(0, log_file_suffix), "00000000000000000000.log");
    EXPECT_EQ(segment_file_name(42, index_file_suffix), "00000000000000000042.index");
    EXPECT_EQ(segment_file_name(9223372036854775807LL, time_index_file_suffix), "09223372036854775807.timeindex");
    EXPECT_EQ(partition_directory_name("orders", 3), "orders-3");
}

TEST(storage_layout, segment_names_parse_back_and_reject_others) {
    // Proves open() only treats real segment files as segments.
    EXPECT_EQ(parse_segment_file_name("00000000000000000042.log", log_file_suffix), 42);
    EXPECT_EQ(parse_segment_file_name("00000000000000000042.index", log_file_suffix), std::nullopt);
    EXPECT_EQ(parse_segment_file_name("0000000000000000042.log", log_file_suffix), std::nullopt);
    EXPECT_EQ(parse_segment_file_name("0000000000000000004x.log", log_file_suffix), std::nullopt);
    EXPECT_EQ(parse_segment_file_name("-0000000000000000042.log", log_file_suffix), std::nullopt);
    EXPECT_EQ(parse_segment_file_name("00000000000000000042.log.tmp", log_file_suffix), std::nullopt);
}

TEST(storage_layout, partition_metadata_has_kafkas_text) {
    // Proves partition.metadata is byte-for-byte Kafka's format and reads back.
    temp_directory dir;
    auto id = wire::uuid::from_base64("vKSJ2tVQT0ifLRxPJSR3-A");
    ASSERT_TRUE(id.has_value());
    ASSERT_FALSE(write_partition_metadata(dir.path(), *id));
    auto text = read_small_file(dir.path() / "partition.metadata", 1024);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, "version: 0\ntopic_id: vKSJ2tVQT0ifLRxPJSR3-A\n");
    auto back = read_partition_metadata(dir.path());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, *id);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "partition.metadata.tmp"));
}

TEST(storage_layout, malformed_partition_metadata_is_an_error) {
    // Proves a damaged metadata file is reported, not misread.
    temp_directory dir;
    ASSERT_FALSE(replace_file_atomically(dir.path() / "partition.metadata", "version: 1\ntopic_id: x\n"));
    auto back = read_partition_metadata(dir.path());
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error(), errc::corrupt_file);
}

}  // namespace
}  // namespace brook::storage
