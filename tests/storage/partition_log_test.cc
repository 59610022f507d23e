#include "brook/storage/partition_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "brook/storage/layout.h"
#include "storage_test_support.h"

namespace brook::storage {
namespace {

using testing::append_ok;
using testing::make_batch;
using testing::open_log;
using testing::parse_batches;
using testing::read_slice_bytes;
using testing::temp_directory;

constexpr std::uint64_t unlimited_bytes = 1ULL << 40;
constexpr std::int64_t no_bound = std::numeric_limits<std::int64_t>::max();

wire::bytes concat(std::initializer_list<const wire::bytes*> parts) {
    wire::bytes out;
    for (const wire::bytes* part : parts) out.insert(out.end(), part->begin(), part->end());
    return out;
}

// Everything from `start` on, read slice by slice as a consumer would.
wire::bytes read_all(const partition_log& log, std::int64_t start) {
    wire::bytes out;
    std::int64_t next = start;
    // At most one slice per segment per pass; bounded by the log's size.
    for (int guard = 0; guard < 100000 && next < log.log_end_offset(); ++guard) {
        auto read = log.read(next, unlimited_bytes, no_bound);
        EXPECT_TRUE(read.ok());
        if (!read || !read->slice) break;
        const wire::bytes bytes = read_slice_bytes(*read->slice);
        out.insert(out.end(), bytes.begin(), bytes.end());
        next = read->slice->last_offset + 1;
    }
    return out;
}

log_config small_config() {
    log_config config;
    config.segment_bytes = 2048;
    config.index_interval_bytes = 256;
    return config;
}

TEST(partition_log, append_assigns_offsets_and_reads_back_byte_identical) {
    // Proves appended batches get consecutive offsets and the leader epoch,
    // are stored exactly as rewritten, and read back byte for byte.
    temp_directory dir;
    auto log = open_log(dir.partition(), log_config{});
    ASSERT_TRUE(log);
    wire::bytes first = make_batch(3, 50, 1000);
    wire::bytes second = make_batch(5, 10, 1001);
    wire::bytes third = make_batch(1, 0, 1002);
    wire::bytes both = concat({&second, &third});

    auto a = log->append(std::span<wire::byte>(first), 7, record::timestamp_type::create_time, 5000);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->base_offset, 0);
    EXPECT_EQ(a->last_offset, 2);
    EXPECT_EQ(a->log_append_time_ms, -1);
    // Two batches in one append, as one Produce request carries them.
    auto b = log->append(std::span<wire::byte>(both), 7, record::timestamp_type::create_time, 5000);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->base_offset, 3);
    EXPECT_EQ(b->last_offset, 8);
    EXPECT_EQ(log->log_end_offset(), 9);
    EXPECT_EQ(log->log_start_offset(), 0);

    const wire::bytes stored = read_all(*log, 0);
    EXPECT_EQ(stored, concat({&first, &both}));  // `first` and `both` were rewritten in place
    const auto headers = parse_batches(stored);
    ASSERT_EQ(headers.size(), 3u);
    EXPECT_EQ(headers[0].base_offset, 0);
    EXPECT_EQ(headers[1].base_offset, 3);
    EXPECT_EQ(headers[2].base_offset, 8);
    for (const auto& header : headers) EXPECT_EQ(header.partition_leader_epoch, 7);
}

TEST(partition_log, reads_return_whole_batches_at_least_one_and_stop_at_the_bound) {
    // Proves Fetch semantics: whole batches only, max_bytes honoured except
    // that one batch always goes, the high watermark bound is never crossed,
    // and offsets outside the log are OFFSET_OUT_OF_RANGE.
    temp_directory dir;
    auto log = open_log(dir.partition(), log_config{});
    ASSERT_TRUE(log);
    const wire::bytes batch = make_batch(2, 100, 1000);
    const std::uint64_t size = batch.size();
    for (int i = 0; i < 10; ++i) append_ok(*log, batch, 1000);  // offsets 2i, 2i+1

    auto one = log->read(0, 1, no_bound);
    ASSERT_TRUE(one.ok() && one->slice);
    EXPECT_EQ(one->slice->length_bytes, size);
    EXPECT_EQ(one->slice->last_offset, 1);

    auto two = log->read(0, 3 * size - 1, no_bound);
    ASSERT_TRUE(two.ok() && two->slice);
    EXPECT_EQ(two->slice->length_bytes, 2 * size);
    EXPECT_EQ(parse_batches(read_slice_bytes(*two->slice)).size(), 2u);

    // A start inside a batch returns that whole batch.
    auto inside = log->read(5, unlimited_bytes, no_bound);
    ASSERT_TRUE(inside.ok() && inside->slice);
    EXPECT_EQ(inside->slice->first_offset, 4);
    EXPECT_EQ(inside->slice->position, 2 * size);
    EXPECT_EQ(inside->slice->last_offset, 19);

    // The bound (high watermark) stops before any batch reaching it.
    auto bounded = log->read(5, unlimited_bytes, 8);
    ASSERT_TRUE(bounded.ok() && bounded->slice);
    EXPECT_EQ(bounded->slice->first_offset, 4);
    EXPECT_EQ(bounded->slice->last_offset, 7);
    auto mid_batch_bound = log->read(4, unlimited_bytes, 5);
    ASSERT_TRUE(mid_batch_bound.ok());
    EXPECT_FALSE(mid_batch_bound->slice);
    auto at_bound = log->read(8, unlimited_bytes, 8);
    ASSERT_TRUE(at_bound.ok());
    EXPECT_FALSE(at_bound->slice);

    auto at_end = log->read(20, unlimited_bytes, no_bound);
    ASSERT_TRUE(at_end.ok());
    EXPECT_FALSE(at_end->slice);
    auto past_end = log->read(21, unlimited_bytes, no_bound);
    ASSERT_FALSE(past_end.ok());
    EXPECT_EQ(past_end.error(), errc::offset_out_of_range);
    auto negative = log->read(-1, unlimited_bytes, no_bound);
    EXPECT_EQ(negative.error(), errc::offset_out_of_range);
}

TEST(partition_log, rolls_by_size) {
    // Proves a segment never grows past segment_bytes (a batch that would
    // overflow it starts a new segment) and segments are named by base offset.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(4, 100, 1000);
    config.segment_bytes = 3 * batch.size() + 10;
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    for (int i = 0; i < 10; ++i) append_ok(*log, batch, 1000);
    ASSERT_EQ(log->segment_count(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(log->segment(i).base_offset(), static_cast<std::int64_t>(i * 12));
        EXPECT_LE(log->segment(i).size_bytes(), config.segment_bytes);
    }
    EXPECT_TRUE(std::filesystem::exists(dir.partition() / "00000000000000000012.log"));
    EXPECT_TRUE(std::filesystem::exists(dir.partition() / "00000000000000000024.index"));
    EXPECT_TRUE(std::filesystem::exists(dir.partition() / "00000000000000000036.timeindex"));
    EXPECT_EQ(parse_batches(read_all(*log, 0)).size(), 10u);
}

TEST(partition_log, rolls_by_time) {
    // Proves segment_ms rolls a segment once its first batch is older than
    // segment_ms, measured with the injected clock (no sleeping).
    temp_directory dir;
    log_config config;
    config.segment_ms = 1000;
    auto log = open_log(dir.partition(), config, 0);
    ASSERT_TRUE(log);
    append_ok(*log, make_batch(1, 10, 0), 0);
    append_ok(*log, make_batch(1, 10, 600), 600);
    append_ok(*log, make_batch(1, 10, 1000), 1000);
    EXPECT_EQ(log->segment_count(), 1u);
    append_ok(*log, make_batch(1, 10, 1001), 1001);
    ASSERT_EQ(log->segment_count(), 2u);
    EXPECT_EQ(log->segment(1).base_offset(), 3);
    append_ok(*log, make_batch(1, 10, 1500), 1500);
    EXPECT_EQ(log->segment_count(), 2u);
    append_ok(*log, make_batch(1, 10, 2002), 2002);
    EXPECT_EQ(log->segment_count(), 3u);
}

TEST(partition_log, index_lookup_lands_on_the_right_batch_for_every_offset) {
    // Proves that for every offset in a multi-segment log with sparse
    // indexes the read starts at the batch holding that offset.
    for (const std::uint32_t interval : {0u, 200u, 1000u, 4096u}) {
        temp_directory dir;
        log_config config;
        config.segment_bytes = 3000;
        config.index_interval_bytes = interval;
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        std::map<std::int64_t, std::int64_t> batch_of;  // offset -> base offset
        for (int i = 0; i < 40; ++i) {
            const auto appended = append_ok(*log, make_batch(1 + i % 5, 20 + (i * 37) % 200, 1000 + i), 1000);
            for (std::int64_t o = appended.base_offset; o <= appended.last_offset; ++o) {
                batch_of[o] = appended.base_offset;
            }
        }
        ASSERT_GT(log->segment_count(), 3u);
        if (interval == 0) {
            EXPECT_GT(log->segment(0).index().entry_count(), 0u);
        }
        for (const auto& [offset, base] : batch_of) {
            auto read = log->read(offset, 1, no_bound);
            ASSERT_TRUE(read.ok() && read->slice) << offset;
            EXPECT_EQ(read->slice->first_offset, base) << "offset " << offset << " interval " << interval;
            const auto headers = parse_batches(read_slice_bytes(*read->slice));
            ASSERT_EQ(headers.size(), 1u);
            EXPECT_EQ(headers[0].base_offset, base);
        }
    }
}

// Every record's (offset, timestamp), for brute-force expectations.
struct record_time {
    std::int64_t offset;
    std::int64_t timestamp;
};

TEST(partition_log, offset_for_timestamp_finds_the_first_record_at_or_after) {
    // Proves ListOffsets by timestamp matches a brute-force scan, across
    // segments, with compressed batches and timestamps that go backwards.
    temp_directory dir;
    log_config config;
    config.segment_bytes = 2000;
    config.index_interval_bytes = 100;
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    std::vector<record_time> all;
    for (int i = 0; i < 30; ++i) {
        // Mostly rising, with every seventh batch stamped in the past.
        const std::int64_t first = (i % 7 == 6) ? 1000 + i * 10 : 1000 + i * 100;
        const auto codec = (i % 3 == 0) ? record::compression::lz4 : record::compression::none;
        const int count = 1 + i % 4;
        const auto appended = append_ok(*log, make_batch(count, 30, first, codec), 0);
        for (int r = 0; r < count; ++r) all.push_back({appended.base_offset + r, first + r});
    }
    ASSERT_GT(log->segment_count(), 2u);
    for (std::int64_t target = 900; target <= 4100; target += 7) {
        std::optional<timestamp_and_offset> expected;
        for (const auto& r : all) {
            if (r.timestamp >= target) {
                expected = timestamp_and_offset{r.timestamp, r.offset};
                break;
            }
        }
        auto found = log->offset_for_timestamp(target);
        ASSERT_TRUE(found.ok());
        EXPECT_EQ(*found, expected) << "target " << target;
    }
    // The largest timestamp and the first record carrying it.
    const auto max = log->max_timestamp();
    ASSERT_TRUE(max.ok() && max->has_value());
    const auto best = std::max_element(all.begin(), all.end(),
                                       [](const auto& a, const auto& b) { return a.timestamp < b.timestamp; });
    EXPECT_EQ(**max, (timestamp_and_offset{best->timestamp, best->offset}));
}

TEST(partition_log, max_timestamp_names_the_record_not_just_its_batch) {
    // Proves ListOffsets MAX_TIMESTAMP gets the offset of the first record
    // with the largest timestamp even when it sits mid-batch, also after a
    // clean restart (when old segments come from their time index), and
    // that offset_for_timestamp does not stop at a batch's first record.
    temp_directory dir;
    log_config config;
    config.segment_bytes = 150;  // one batch per segment
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        append_ok(*log, testing::make_batch_with_timestamps({100, 200}), 0);                 // 0-1
        append_ok(*log, testing::make_batch_with_timestamps({5000, 9000, 7000, 9000}), 0);   // 2-5
        append_ok(*log, testing::make_batch_with_timestamps({300, 400}), 0);                 // 6-7
        ASSERT_EQ(log->segment_count(), 3u);
        auto max = log->max_timestamp();
        ASSERT_TRUE(max.ok() && max->has_value());
        EXPECT_EQ(**max, (timestamp_and_offset{9000, 3}));
        ASSERT_FALSE(log->close());
    }
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    auto max = log->max_timestamp();
    ASSERT_TRUE(max.ok() && max->has_value());
    EXPECT_EQ(**max, (timestamp_and_offset{9000, 3}));
    auto found = log->offset_for_timestamp(6000);
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ(**found, (timestamp_and_offset{9000, 3}));
    auto none = log->offset_for_timestamp(9001);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
}

TEST(partition_log, log_append_time_rewrites_timestamps_with_a_valid_crc) {
    // Proves LogAppendTime topics store the broker's time in every batch,
    // with the attribute bit set and the CRC recomputed.
    temp_directory dir;
    auto log = open_log(dir.partition(), log_config{});
    ASSERT_TRUE(log);
    const auto appended = append_ok(*log, make_batch(3, 10, 5), 777, 0, record::timestamp_type::log_append_time);
    EXPECT_EQ(appended.log_append_time_ms, 777);
    const auto headers = parse_batches(read_all(*log, 0));  // checks the CRC
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(headers[0].timestamp_type(), record::timestamp_type::log_append_time);
    EXPECT_EQ(headers[0].max_timestamp, 777);
    auto found = log->offset_for_timestamp(700);
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ(**found, (timestamp_and_offset{777, 0}));
}

TEST(partition_log, bad_appends_are_refused_without_changing_the_log) {
    // Proves oversized batches and bytes that are not whole batches are
    // errors, and the log stays as it was.
    temp_directory dir;
    log_config config;
    config.max_message_bytes = 500;
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    const wire::bytes big = make_batch(1, 600, 0);
    EXPECT_EQ(log->append(wire::bytes_view(big), 0, record::timestamp_type::create_time, 0).error(),
              errc::record_batch_too_large);
    wire::bytes partial = make_batch(1, 10, 0);
    partial.pop_back();
    EXPECT_EQ(log->append(wire::bytes_view(partial), 0, record::timestamp_type::create_time, 0).error(),
              errc::invalid_record_set);
    EXPECT_EQ(log->append(wire::bytes_view(), 0, record::timestamp_type::create_time, 0).error(),
              errc::invalid_record_set);
    wire::bytes garbage(100, 0xFF);
    EXPECT_EQ(log->append(wire::bytes_view(garbage), 0, record::timestamp_type::create_time, 0).error(),
              errc::invalid_record_set);
    EXPECT_EQ(log->log_end_offset(), 0);
    EXPECT_EQ(log->size_bytes(), 0u);
    append_ok(*log, make_batch(2, 10, 0), 0);
    EXPECT_EQ(log->log_end_offset(), 2);
}

TEST(partition_log, flush_advances_the_durable_offset) {
    // Proves flushed_offset trails appends until flush() and then equals the
    // log end, including after a roll created a new segment file.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(2, 100, 0);
    config.segment_bytes = batch.size();
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->flushed_offset(), 0);
    append_ok(*log, batch, 0);
    append_ok(*log, batch, 0);
    EXPECT_EQ(log->segment_count(), 2u);
    EXPECT_EQ(log->flushed_offset(), 0);
    ASSERT_FALSE(log->flush());
    EXPECT_EQ(log->flushed_offset(), 4);
    EXPECT_FALSE(log->segment(0).has_unflushed_data());
    EXPECT_FALSE(log->segment(1).has_unflushed_data());
}

TEST(partition_log, clean_restart_trusts_the_active_segment_and_keeps_its_indexes_consistent) {
    // One big segment with many index entries: after a clean close the
    // reopened log knows its end, max timestamp and epochs without a scan,
    // appends go on at the right offset and position, and a later crash
    // recovery (which rebuilds every index) agrees with what it served.
    temp_directory dir;
    log_config config;
    config.segment_bytes = 1 << 20;
    config.index_interval_bytes = 512;
    wire::bytes before;
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        for (int i = 0; i < 40; ++i) append_ok(*log, make_batch(4, 100, 10'000 + 10 * i), 1000, i / 20);
        ASSERT_EQ(log->segment_count(), 1u);
        ASSERT_FALSE(log->close());
    }
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        EXPECT_TRUE(log->report().clean_shutdown);
        EXPECT_EQ(log->report().segments_recovered, 0u);
        EXPECT_EQ(log->log_end_offset(), 160);
        EXPECT_EQ(log->epochs().entries(), (std::vector<epoch_entry>{{0, 0}, {1, 80}}));
        const auto max = log->max_timestamp();
        ASSERT_TRUE(max.ok());
        ASSERT_TRUE(max->has_value());
        EXPECT_EQ((*max)->timestamp_ms, 10'000 + 390 + 3);
        EXPECT_EQ((*max)->offset, 159);
        for (int i = 0; i < 20; ++i) {
            EXPECT_EQ(append_ok(*log, make_batch(4, 100, 20'000 + 10 * i), 1000, 2).base_offset, 160 + 4 * i);
        }
        // Reads from every offset start at the batch that holds it.
        for (std::int64_t offset = 0; offset < 240; offset += 7) {
            const auto bytes = read_all(*log, offset);
            const auto batches = parse_batches(bytes);
            ASSERT_FALSE(batches.empty()) << offset;
            EXPECT_LE(batches.front().base_offset, offset);
            EXPECT_GE(batches.front().last_offset(), offset);
        }
        const auto found = log->offset_for_timestamp(20'000 + 55);
        ASSERT_TRUE(found.ok());
        ASSERT_TRUE(found->has_value());
        EXPECT_EQ((*found)->offset, 160 + 4 * 6);
        before = read_all(*log, 0);
        // Dropped without close(): the next open recovers and rebuilds.
    }
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        EXPECT_FALSE(log->report().clean_shutdown);
        EXPECT_EQ(log->report().truncated_bytes, 0u);
        EXPECT_EQ(log->log_end_offset(), 240);
        EXPECT_EQ(read_all(*log, 0), before);
        ASSERT_FALSE(log->close());
    }
    // A damaged index after a clean close: the segment is recovered instead.
    const auto index = dir.partition() / "00000000000000000000.index";
    ASSERT_TRUE(std::filesystem::exists(index));
    std::filesystem::resize_file(index, std::filesystem::file_size(index) - 3);
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        EXPECT_TRUE(log->report().clean_shutdown);
        EXPECT_EQ(log->report().segments_recovered, 1u);
        EXPECT_EQ(log->log_end_offset(), 240);
        EXPECT_EQ(read_all(*log, 0), before);
        EXPECT_EQ(append_ok(*log, make_batch(1, 10, 30'000), 1000, 2).base_offset, 240);
    }
}

TEST(partition_log, restart_after_clean_close_and_after_a_crash_reads_everything) {
    // Proves a reopened log (after close() and after being dropped without
    // one) holds the same batches, offsets and epochs, and appends go on at
    // the right offset; a clean restart validates only the active segment,
    // and so does a crash restart when older segments were flushed.
    temp_directory dir;
    log_config config = small_config();
    wire::bytes before;
    std::size_t segments = 0;
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        for (int i = 0; i < 30; ++i) append_ok(*log, make_batch(3, 90, 1000 + i), 1000, i / 10);
        before = read_all(*log, 0);
        segments = log->segment_count();
        ASSERT_GT(segments, 3u);
        ASSERT_FALSE(log->close());
        EXPECT_EQ(log->read(0, 1, no_bound).error(), errc::log_closed);
    }
    EXPECT_TRUE(std::filesystem::exists(dir.partition() / ".clean-shutdown"));
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        EXPECT_FALSE(std::filesystem::exists(dir.partition() / ".clean-shutdown"));
        EXPECT_TRUE(log->report().clean_shutdown);
        EXPECT_EQ(log->report().segments_recovered, 0u);
        EXPECT_EQ(log->segment_count(), segments);
        EXPECT_EQ(log->log_end_offset(), 90);
        EXPECT_EQ(read_all(*log, 0), before);
        EXPECT_EQ(log->epochs().entries(), (std::vector<epoch_entry>{{0, 0}, {1, 30}, {2, 60}}));
        const auto appended = append_ok(*log, make_batch(1, 5, 5000), 5000, 2);
        EXPECT_EQ(appended.base_offset, 90);
        before = read_all(*log, 0);
        // Dropped without close(): as after kill -9.
    }
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        EXPECT_FALSE(log->report().clean_shutdown);
        // close() flushed everything up to the active segment, so the crash
        // restart trusts the older segments through the recovery point.
        EXPECT_EQ(log->report().segments_recovered, 1u);
        EXPECT_EQ(log->report().truncated_bytes, 0u);
        EXPECT_EQ(log->log_end_offset(), 91);
        EXPECT_EQ(read_all(*log, 0), before);
        EXPECT_EQ(log->end_offset_for_epoch(1), (epoch_end_offset{1, 60}));
        EXPECT_EQ(log->end_offset_for_epoch(2), (epoch_end_offset{2, 91}));
    }
}

TEST(partition_log, retention_by_time_deletes_whole_old_segments_below_the_high_watermark) {
    // Proves time retention deletes the oldest whole segments whose newest
    // timestamp is older than retention_ms, never past the high watermark
    // and never the active segment, and moves the log start offset.
    temp_directory dir;
    log_config config;
    config.retention_ms = 2500;
    const wire::bytes probe = make_batch(2, 50, 0);
    config.segment_bytes = probe.size();  // one batch per segment
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    for (int i = 1; i <= 5; ++i) append_ok(*log, make_batch(2, 50, i * 1000), i * 1000);
    ASSERT_EQ(log->segment_count(), 5u);  // newest timestamps 1001, 2001, ..., 5001

    auto bounded = log->apply_retention(6000, 2);  // only the first segment lies below the watermark
    ASSERT_TRUE(bounded.ok());
    EXPECT_EQ(*bounded, 1u);
    EXPECT_EQ(log->log_start_offset(), 2);
    EXPECT_FALSE(std::filesystem::exists(dir.partition() / "00000000000000000000.log"));

    auto deleted = log->apply_retention(6000, log->log_end_offset());
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(*deleted, 2u);  // newest 2001 and 3001 are older than 6000 - 2500
    EXPECT_EQ(log->log_start_offset(), 6);
    EXPECT_EQ(log->read(5, 1, no_bound).error(), errc::offset_out_of_range);

    auto everything = log->apply_retention(100000, log->log_end_offset());
    ASSERT_TRUE(everything.ok());
    EXPECT_EQ(*everything, 1u);  // the active segment stays
    EXPECT_EQ(log->segment_count(), 1u);
    EXPECT_EQ(log->log_start_offset(), 8);
}

TEST(partition_log, retention_by_size_keeps_the_log_under_retention_bytes) {
    // Proves size retention deletes oldest whole segments only while the log
    // stays at or above retention_bytes after the deletion.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(2, 50, 1000);
    config.segment_bytes = batch.size();
    config.retention_ms = -1;
    config.retention_bytes = static_cast<std::int64_t>(2 * batch.size() + 1);
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    for (int i = 0; i < 6; ++i) append_ok(*log, batch, 1000);
    auto deleted = log->apply_retention(1000, log->log_end_offset());
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(*deleted, 3u);  // 6 segments, keep 3 (2 would be under the limit)
    EXPECT_EQ(log->segment_count(), 3u);
    EXPECT_EQ(log->log_start_offset(), 6);
    EXPECT_GE(log->size_bytes(), 2 * batch.size() + 1);
}

TEST(partition_log, delete_records_before_moves_the_start_and_survives_restarts) {
    // Proves DeleteRecords moves the log start (even inside a segment),
    // deletes whole segments below it, refuses offsets past the end, and the
    // new start survives both a clean and a crash restart.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(5, 50, 1000);
    config.segment_bytes = 2 * batch.size();
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        for (int i = 0; i < 6; ++i) append_ok(*log, batch, 1000);  // segments at 0, 10, 20
        ASSERT_EQ(log->segment_count(), 3u);
        EXPECT_EQ(log->delete_records_before(31), errc::offset_out_of_range);
        ASSERT_FALSE(log->delete_records_before(13));
        EXPECT_EQ(log->log_start_offset(), 13);
        EXPECT_EQ(log->segment_count(), 2u);
        EXPECT_EQ(log->read(12, 1, no_bound).error(), errc::offset_out_of_range);
        auto read = log->read(13, 1, no_bound);
        ASSERT_TRUE(read.ok() && read->slice);
        EXPECT_EQ(read->slice->first_offset, 10);  // the batch holding 13, whole
        ASSERT_FALSE(log->delete_records_before(2));  // below the start: nothing to do
        EXPECT_EQ(log->log_start_offset(), 13);
    }
    {
        auto log = open_log(dir.partition(), config);
        ASSERT_TRUE(log);
        EXPECT_EQ(log->log_start_offset(), 13);
        ASSERT_FALSE(log->close());
    }
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_start_offset(), 13);
    EXPECT_EQ(log->log_end_offset(), 30);
}

TEST(partition_log, truncate_to_removes_the_tail_at_a_batch_boundary) {
    // Proves truncate_to cuts whole batches from the one holding the offset,
    // drops later segments and epochs, and appends continue from there, also
    // after a restart; truncating below the start empties the log there.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(4, 50, 1000);
    config.segment_bytes = 2 * batch.size();
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    for (int i = 0; i < 6; ++i) append_ok(*log, batch, 1000, i < 3 ? 1 : 2);  // segments at 0, 8, 16
    ASSERT_EQ(log->segment_count(), 3u);
    ASSERT_FALSE(log->flush());
    ASSERT_FALSE(log->truncate_to(14));  // inside the batch 12..15
    EXPECT_EQ(log->log_end_offset(), 12);
    EXPECT_EQ(log->flushed_offset(), 12);
    EXPECT_EQ(log->segment_count(), 2u);
    EXPECT_EQ(log->epochs().entries(), (std::vector<epoch_entry>{{1, 0}}));
    EXPECT_EQ(parse_batches(read_all(*log, 0)).size(), 3u);
    EXPECT_EQ(append_ok(*log, batch, 1000, 3).base_offset, 12);
    EXPECT_EQ(log->epochs().entries(), (std::vector<epoch_entry>{{1, 0}, {3, 12}}));
    const wire::bytes before = read_all(*log, 0);
    log.reset();
    log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 16);
    EXPECT_EQ(read_all(*log, 0), before);

    ASSERT_FALSE(log->truncate_to(8));  // exactly a segment's base
    EXPECT_EQ(log->log_end_offset(), 8);
    EXPECT_EQ(log->segment_count(), 1u);

    ASSERT_FALSE(log->delete_records_before(4));
    ASSERT_FALSE(log->truncate_to(2));  // below the start: start over there
    EXPECT_EQ(log->log_start_offset(), 2);
    EXPECT_EQ(log->log_end_offset(), 2);
    EXPECT_EQ(log->segment_count(), 1u);
    EXPECT_EQ(append_ok(*log, batch, 1000, 4).base_offset, 2);
    EXPECT_TRUE(std::filesystem::exists(dir.partition() / "00000000000000000002.log"));
}

TEST(partition_log, leader_epochs_are_recorded_on_append_and_checkpointed) {
    // Proves a new epoch's first append is recorded with its start offset in
    // leader-epoch-checkpoint, in Kafka's text format.
    temp_directory dir;
    auto log = open_log(dir.partition(), log_config{});
    ASSERT_TRUE(log);
    append_ok(*log, make_batch(2, 5, 0), 0, 0);
    append_ok(*log, make_batch(2, 5, 0), 0, 0);
    append_ok(*log, make_batch(3, 5, 0), 0, 4);
    auto text = read_small_file(dir.partition() / "leader-epoch-checkpoint", 1024);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, "0\n2\n0 0\n4 4\n");
    EXPECT_EQ(log->end_offset_for_epoch(0), (epoch_end_offset{0, 4}));
    EXPECT_EQ(log->end_offset_for_epoch(4), (epoch_end_offset{4, 7}));
}

TEST(partition_log, a_follower_copies_the_leaders_batches_unchanged) {
    // Proves append_as_follower stores the leader's bytes as they are, in
    // chunks that roll on their own schedule, rebuilds the same epochs, and
    // refuses batches that do not continue its log or fail their CRC.
    temp_directory dir;
    log_config config = small_config();
    auto leader = open_log(dir.path() / "leader", config);
    auto follower = open_log(dir.path() / "follower", config);
    ASSERT_TRUE(leader && follower);
    for (int i = 0; i < 20; ++i) append_ok(*leader, make_batch(1 + i % 3, 70, 1000 + i), 1000, i / 7);
    const wire::bytes all = read_all(*leader, 0);
    // Copy in chunks of up to three batches, as Fetch responses would bring them.
    record::batch_splitter splitter(all);
    std::vector<wire::bytes_view> batches;
    while (auto view = splitter.next()) batches.push_back(*view);
    for (std::size_t i = 0; i < batches.size(); i += 3) {
        const std::size_t end = std::min(batches.size(), i + 3);
        const std::size_t from = static_cast<std::size_t>(batches[i].data() - all.data());
        const std::size_t to = static_cast<std::size_t>(batches[end - 1].data() - all.data()) + batches[end - 1].size();
        auto appended = follower->append_as_follower(wire::bytes_view(all).subspan(from, to - from), 1000);
        ASSERT_TRUE(appended.ok()) << appended.error().message();
    }
    EXPECT_EQ(follower->log_end_offset(), leader->log_end_offset());
    EXPECT_EQ(read_all(*follower, 0), all);
    EXPECT_EQ(follower->epochs().entries(), leader->epochs().entries());

    // Offsets already in the log, and a corrupted copy, are refused.
    EXPECT_EQ(follower->append_as_follower(batches.back(), 1000).error(), errc::offsets_out_of_order);
    wire::bytes next = make_batch(2, 10, 0);
    ASSERT_EQ(record::rewrite_batch_in_place(next, {follower->log_end_offset(), 9, std::nullopt}), wire::errc::ok);
    wire::bytes tampered = next;
    tampered.back() ^= 0x01;
    EXPECT_EQ(follower->append_as_follower(tampered, 1000).error(), errc::invalid_record_set);
    auto appended = follower->append_as_follower(next, 1000);
    ASSERT_TRUE(appended.ok());
    EXPECT_EQ(appended->base_offset, leader->log_end_offset());
    EXPECT_EQ(follower->epochs().latest(), (epoch_entry{9, leader->log_end_offset()}));
}

TEST(partition_log, slices_stay_readable_after_their_segment_is_deleted) {
    // Proves an in-flight read slice keeps its file open, so a sendfile that
    // races retention still sends the bytes it was promised.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(2, 50, 1000);
    config.segment_bytes = batch.size();
    auto log = open_log(dir.partition(), config);
    ASSERT_TRUE(log);
    append_ok(*log, batch, 1000);
    append_ok(*log, batch, 1000);
    auto read = log->read(0, unlimited_bytes, no_bound);
    ASSERT_TRUE(read.ok() && read->slice);
    const wire::bytes expected = read_slice_bytes(*read->slice);
    ASSERT_FALSE(log->delete_records_before(2));
    EXPECT_FALSE(std::filesystem::exists(dir.partition() / "00000000000000000000.log"));
    EXPECT_EQ(read_slice_bytes(*read->slice), expected);
}

TEST(partition_log, remove_deletes_the_partition_directory) {
    // Proves topic deletion removes every file of the partition.
    temp_directory dir;
    auto log = open_log(dir.partition(), log_config{});
    ASSERT_TRUE(log);
    append_ok(*log, make_batch(2, 5, 0), 0);
    ASSERT_FALSE(write_partition_metadata(dir.partition(), wire::uuid{}));
    ASSERT_FALSE(log->remove());
    EXPECT_FALSE(std::filesystem::exists(dir.partition()));
    EXPECT_EQ(log->append(wire::bytes_view(make_batch(1, 1, 0)), 0, record::timestamp_type::create_time, 0).error(),
              errc::log_closed);
}

TEST(partition_log, config_is_validated) {
    // Proves out-of-range configs are refused at open.
    temp_directory dir;
    log_config config;
    config.segment_bytes = 3ULL << 30;  // positions are 32-bit signed in Kafka's index
    auto log = partition_log::open(dir.partition(), config);
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.error(), errc::invalid_argument);
}

}  // namespace
}  // namespace brook::storage

namespace brook::storage {
namespace {

TEST(partition_log, a_flush_in_three_steps_covers_what_was_there_at_its_start) {
    // Group commit syncs off the owner thread: begin_flush() names the files,
    // appends go on, finish_flush() records only what the sync covered; a
    // truncation in between leaves flushed_offset() for the next flush.
    temp_directory dir;
    auto log = testing::open_log(dir.partition(), small_config());
    ASSERT_TRUE(log);
    append_ok(*log, make_batch(3, 50, 1000), 1000);
    auto plan = log->begin_flush();
    ASSERT_TRUE(plan.ok());
    EXPECT_FALSE(plan->empty());
    EXPECT_EQ(plan->up_to, 3);
    append_ok(*log, make_batch(2, 50, 2000), 1000);
    EXPECT_FALSE(partition_log::sync(*plan));
    EXPECT_FALSE(log->finish_flush(*plan, {}));
    EXPECT_EQ(log->flushed_offset(), 3);
    EXPECT_EQ(log->log_end_offset(), 5);
    // The appended batch is left for the next flush.
    auto next = log->begin_flush();
    ASSERT_TRUE(next.ok());
    EXPECT_FALSE(next->empty());
    EXPECT_FALSE(log->finish_flush(*next, partition_log::sync(*next)));
    EXPECT_EQ(log->flushed_offset(), 5);

    append_ok(*log, make_batch(2, 50, 3000), 1000);
    auto cut = log->begin_flush();
    ASSERT_TRUE(cut.ok());
    ASSERT_FALSE(log->truncate_to(5));
    append_ok(*log, make_batch(4, 50, 4000), 1000);
    EXPECT_FALSE(log->finish_flush(*cut, partition_log::sync(*cut)));
    EXPECT_EQ(log->flushed_offset(), 5);  // not 7: offsets 5.. were rewritten since
    EXPECT_FALSE(log->flush());
    EXPECT_EQ(log->flushed_offset(), 9);

    // A failed sync fails the log.
    append_ok(*log, make_batch(1, 50, 5000), 1000);
    auto failing = log->begin_flush();
    ASSERT_TRUE(failing.ok());
    EXPECT_TRUE(log->finish_flush(*failing, std::make_error_code(std::errc::io_error)));
    EXPECT_TRUE(log->append(wire::bytes_view(make_batch(1, 5, 6000)), 0, record::timestamp_type::create_time, 1000)
                    .error());
}

}  // namespace
}  // namespace brook::storage

namespace brook::storage {
namespace {

std::size_t open_descriptors() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
    return count;
}

TEST(partition_log, holds_one_file_descriptor_per_segment) {
    // Indexes keep no file open (their files are written when synced), so
    // a node's descriptors go one per segment: 10,000 partitions fit a
    // limit of 20,000, as they do in Kafka with its memory-mapped indexes.
    temp_directory dir;
    const std::size_t before = open_descriptors();
    {
        auto log = open_log(dir.partition(), small_config());
        ASSERT_TRUE(log);
        for (int i = 0; i < 30; ++i) append_ok(*log, make_batch(3, 90, 1000 + i), 1000);
        ASSERT_GT(log->segment_count(), 3u);
        EXPECT_EQ(open_descriptors() - before, log->segment_count());
        ASSERT_FALSE(log->close());
    }
    auto log = open_log(dir.partition(), small_config());
    ASSERT_TRUE(log);
    EXPECT_EQ(open_descriptors() - before, log->segment_count());
    EXPECT_EQ(log->log_end_offset(), 90);
}

}  // namespace
}  // namespace brook::storage
