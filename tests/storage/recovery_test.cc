#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "brook/storage/layout.h"
#include "brook/storage/partition_log.h"
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

wire::bytes read_all(const partition_log& log) {
    wire::bytes out;
    std::int64_t next = log.log_start_offset();
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

void copy_directory(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::filesystem::remove_all(to);
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

void write_at(const std::filesystem::path& path, std::uint64_t position, const wire::bytes& data) {
    auto file = open_read_write(path, false);
    ASSERT_TRUE(file.ok());
    ASSERT_FALSE(write_all_at((*file)->fd(), data, position));
}

struct crashed_log {
    wire::bytes whole_batches;        // what the log held before its last batch
    std::uint64_t good_size = 0;      // .log size before the last batch
    std::uint64_t full_size = 0;
    std::int64_t good_end_offset = 0;
};

// Builds a log in `directory` and drops it without close(), as kill -9 would.
crashed_log build_crashed_log(const std::filesystem::path& directory, const log_config& config) {
    crashed_log out;
    auto log = open_log(directory, config);
    EXPECT_TRUE(log);
    for (int i = 0; i < 4; ++i) append_ok(*log, make_batch(3, 40, 1000 + i), 1000, 1);
    out.whole_batches = read_all(*log);
    out.good_size = log->segment(log->segment_count() - 1).size_bytes();
    out.good_end_offset = log->log_end_offset();
    // The batch that gets torn: small, so cutting at each of its bytes stays
    // quick, yet it has a header, records and a value to cut into.
    append_ok(*log, make_batch(2, 20, 2000), 2000, 2);
    out.full_size = log->segment(log->segment_count() - 1).size_bytes();
    return out;
}

TEST(log_recovery, a_log_cut_at_any_byte_of_its_last_batch_recovers_to_the_last_whole_batch) {
    // Proves kill -9 during a write (the .log ending anywhere inside the last
    // batch) loses only that batch: the log reopens at the previous batch
    // boundary, reads back what it held, and appends continue at the right
    // offset; the epoch of the lost batch is forgotten too.
    temp_directory dir;
    const log_config config;
    const auto pristine = dir.path() / "pristine";
    const crashed_log built = build_crashed_log(pristine, config);
    const auto segment = std::filesystem::path(segment_file_name(0, log_file_suffix));
    for (std::uint64_t cut = built.good_size; cut < built.full_size; ++cut) {
        const auto copy = dir.path() / "copy";
        copy_directory(pristine, copy);
        std::filesystem::resize_file(copy / segment, cut);
        auto log = open_log(copy, config);
        ASSERT_TRUE(log) << "cut " << cut;
        EXPECT_EQ(log->report().truncated_bytes, cut - built.good_size) << "cut " << cut;
        EXPECT_EQ(log->log_end_offset(), built.good_end_offset) << "cut " << cut;
        EXPECT_EQ(std::filesystem::file_size(copy / segment), built.good_size);
        EXPECT_EQ(read_all(*log), built.whole_batches) << "cut " << cut;
        EXPECT_EQ(log->epochs().entries(), (std::vector<epoch_entry>{{1, 0}}));
        const auto appended = append_ok(*log, make_batch(2, 10, 3000), 3000, 3);
        EXPECT_EQ(appended.base_offset, built.good_end_offset);
        EXPECT_EQ(parse_batches(read_all(*log)).size(), 5u);
    }
}

TEST(log_recovery, garbage_after_the_last_batch_is_cut_off) {
    // Proves bytes that are not a valid batch at the tail (zeros from a
    // preallocated file, random bytes, or a well-framed batch whose CRC is
    // wrong) are removed, and the good batches before them kept.
    temp_directory dir;
    const log_config config;
    const auto pristine = dir.path() / "pristine";
    const crashed_log built = build_crashed_log(pristine, config);
    const auto segment = std::filesystem::path(segment_file_name(0, log_file_suffix));

    std::vector<wire::bytes> tails;
    tails.push_back(wire::bytes(4096, 0));
    tails.push_back(wire::bytes(100, 0xFF));
    wire::bytes bad_crc = make_batch(2, 30, 0);
    bad_crc.back() ^= 0x01;
    tails.push_back(bad_crc);
    for (const wire::bytes& tail : tails) {
        const auto copy = dir.path() / "copy";
        copy_directory(pristine, copy);
        write_at(copy / segment, built.full_size, tail);
        auto log = open_log(copy, config);
        ASSERT_TRUE(log);
        EXPECT_EQ(log->report().truncated_bytes, tail.size());
        EXPECT_EQ(log->log_end_offset(), built.good_end_offset + 2);
        EXPECT_EQ(std::filesystem::file_size(copy / segment), built.full_size);
    }
}

TEST(log_recovery, a_corrupt_byte_inside_the_last_batch_is_caught_by_the_crc) {
    // Proves a flipped bit inside a stored batch (not just a short file) is
    // found by the CRC check and the log is cut before that batch.
    temp_directory dir;
    const log_config config;
    const auto pristine = dir.path() / "pristine";
    const crashed_log built = build_crashed_log(pristine, config);
    const auto segment = std::filesystem::path(segment_file_name(0, log_file_suffix));
    write_at(pristine / segment, built.good_size + 100, wire::bytes{0x5A});
    auto log = open_log(pristine, config);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), built.good_end_offset);
    EXPECT_EQ(read_all(*log), built.whole_batches);
}

TEST(log_recovery, the_active_segment_is_validated_even_after_a_clean_shutdown) {
    // Proves the clean-shutdown marker never lets a damaged active segment
    // through: it skips old segments only.
    temp_directory dir;
    log_config config;
    config.segment_bytes = 800;
    const auto path = dir.partition();
    std::int64_t end = 0;
    std::uint64_t active_size = 0;
    std::int64_t active_base = 0;
    {
        auto log = open_log(path, config);
        ASSERT_TRUE(log);
        for (int i = 0; i < 10; ++i) append_ok(*log, make_batch(3, 60, 1000 + i), 1000);
        end = log->log_end_offset();
        active_size = log->segment(log->segment_count() - 1).size_bytes();
        active_base = log->segment(log->segment_count() - 1).base_offset();
        ASSERT_GT(log->segment_count(), 2u);
        ASSERT_FALSE(log->close());
    }
    std::filesystem::resize_file(path / segment_file_name(active_base, log_file_suffix), active_size - 1);
    auto log = open_log(path, config);
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->report().clean_shutdown);
    EXPECT_EQ(log->report().segments_recovered, 1u);
    EXPECT_EQ(log->report().truncated_bytes, make_batch(3, 60, 1000).size() - 1);
    EXPECT_EQ(log->log_end_offset(), end - 3);
}

TEST(log_recovery, damaged_or_missing_index_files_are_rebuilt_from_the_log) {
    // Proves indexes are derived state: garbage, torn or missing .index and
    // .timeindex files of old segments are rebuilt after a clean shutdown,
    // after a crash that followed a flush (old segments below the recovery
    // point are trusted, but their indexes are still checked) and after a
    // crash with nothing flushed, and every offset and timestamp lookup is
    // right again.
    enum class ending { clean, crash_after_flush, crash };
    for (const ending how : {ending::clean, ending::crash_after_flush, ending::crash}) {
        const bool clean = how == ending::clean;
        temp_directory dir;
        log_config config;
        config.segment_bytes = 2000;
        config.index_interval_bytes = 200;
        const auto path = dir.partition();
        std::vector<std::size_t> index_entries;
        wire::bytes before;
        {
            auto log = open_log(path, config);
            ASSERT_TRUE(log);
            for (int i = 0; i < 30; ++i) append_ok(*log, make_batch(2, 80, 1000 + 10 * i), 1000);
            ASSERT_GE(log->segment_count(), 4u);
            for (std::size_t i = 0; i < log->segment_count(); ++i) {
                index_entries.push_back(log->segment(i).index().entry_count());
            }
            before = read_all(*log);
            if (how == ending::clean) {
                ASSERT_FALSE(log->close());
            }
            if (how == ending::crash_after_flush) {
                ASSERT_FALSE(log->flush());
            }
        }
        // Segment 0: garbage; segment 1: torn mid-entry; segment 2: missing.
        const auto name = [&](std::int64_t base, std::string_view suffix) {
            return path / segment_file_name(base, suffix);
        };
        std::vector<std::int64_t> bases;
        for (const auto& entry : std::filesystem::directory_iterator(path)) {
            if (auto base = parse_segment_file_name(entry.path().filename().string(), log_file_suffix)) {
                bases.push_back(*base);
            }
        }
        std::sort(bases.begin(), bases.end());
        ASSERT_FALSE(replace_file_atomically(name(bases[0], index_file_suffix), std::string(64, '\x7F')));
        ASSERT_FALSE(replace_file_atomically(name(bases[0], time_index_file_suffix), std::string(24, '\x7F')));
        // (An index not yet synced before the crash is empty: torn is then
        // a lone partial entry.)
        if (const auto size = std::filesystem::file_size(name(bases[1], index_file_suffix)); size >= 8) {
            std::filesystem::resize_file(name(bases[1], index_file_suffix), size - 3);
        } else {
            ASSERT_FALSE(replace_file_atomically(name(bases[1], index_file_suffix), std::string(5, '\x01')));
        }
        std::filesystem::remove(name(bases[2], index_file_suffix));
        std::filesystem::remove(name(bases[2], time_index_file_suffix));

        auto log = open_log(path, config);
        ASSERT_TRUE(log);
        EXPECT_EQ(log->report().clean_shutdown, clean);
        for (std::size_t i = 0; i < 3; ++i) {
            EXPECT_EQ(log->segment(i).index().entry_count(), index_entries[i]) << "segment " << i;
            EXPECT_GT(log->segment(i).timestamps().entry_count(), 0u) << "segment " << i;
        }
        EXPECT_EQ(read_all(*log), before);
        for (std::int64_t offset = 0; offset < log->log_end_offset(); ++offset) {
            auto read = log->read(offset, 1, no_bound);
            ASSERT_TRUE(read.ok() && read->slice);
            EXPECT_EQ(read->slice->first_offset, offset - offset % 2);
        }
        for (int i = 0; i < 30; ++i) {
            auto found = log->offset_for_timestamp(1000 + 10 * i);
            ASSERT_TRUE(found.ok() && found->has_value());
            EXPECT_EQ((*found)->offset, 2 * i);
        }
    }
}

TEST(log_recovery, a_corrupt_batch_in_an_older_segment_drops_what_follows) {
    // Proves that after a crash every segment is validated, and a corrupt
    // batch in an older segment cuts the log there: later segments cannot
    // continue a log with a hole, so they are removed, as Kafka does.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(2, 50, 1000);
    config.segment_bytes = 2 * batch.size();
    const auto path = dir.partition();
    {
        auto log = open_log(path, config);
        ASSERT_TRUE(log);
        for (int i = 0; i < 6; ++i) append_ok(*log, batch, 1000);  // segments at 0, 4, 8
        ASSERT_EQ(log->segment_count(), 3u);
    }
    write_at(path / segment_file_name(4, log_file_suffix), batch.size() + 70, wire::bytes{0x00, 0x11});
    auto log = open_log(path, config);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->report().segments_dropped, 1u);
    EXPECT_EQ(log->segment_count(), 2u);
    EXPECT_EQ(log->log_end_offset(), 6);
    EXPECT_FALSE(std::filesystem::exists(path / segment_file_name(8, log_file_suffix)));
    EXPECT_EQ(append_ok(*log, batch, 1000).base_offset, 6);
}

TEST(log_recovery, an_older_segment_that_lost_its_tail_drops_what_follows) {
    // Proves that an older segment cut cleanly at a batch boundary (a power
    // loss dropped its unsynced tail but kept the next segment) is not glued
    // to the next segment across the hole: the log ends where it ends.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(2, 50, 1000);
    config.segment_bytes = 2 * batch.size();
    const auto path = dir.partition();
    {
        auto log = open_log(path, config);
        ASSERT_TRUE(log);
        for (int i = 0; i < 6; ++i) append_ok(*log, batch, 1000);  // segments at 0, 4, 8
    }
    std::filesystem::resize_file(path / segment_file_name(4, log_file_suffix), batch.size());
    auto log = open_log(path, config);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->report().truncated_bytes, 0u);
    EXPECT_EQ(log->report().segments_dropped, 1u);
    EXPECT_EQ(log->log_end_offset(), 6);
    EXPECT_EQ(append_ok(*log, batch, 1000).base_offset, 6);
    EXPECT_EQ(parse_batches(read_all(*log)).size(), 4u);
}

TEST(log_recovery, a_crash_below_an_acknowledged_log_start_restarts_the_log_there) {
    // Proves that when DeleteRecords moved the start past data that then
    // died with the process (never flushed), the reopened log keeps the
    // acknowledged start: it is empty there and appends continue from it.
    temp_directory dir;
    const auto path = dir.partition();
    const wire::bytes batch = make_batch(5, 20, 1000);
    {
        auto log = open_log(path, log_config{});
        ASSERT_TRUE(log);
        for (int i = 0; i < 4; ++i) append_ok(*log, batch, 1000);
        ASSERT_FALSE(log->delete_records_before(17));
    }
    std::filesystem::resize_file(path / segment_file_name(0, log_file_suffix), 2 * batch.size() + 7);
    auto log = open_log(path, log_config{});
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_start_offset(), 17);
    EXPECT_EQ(log->log_end_offset(), 17);
    EXPECT_EQ(log->segment_count(), 1u);
    EXPECT_TRUE(std::filesystem::exists(path / segment_file_name(17, log_file_suffix)));
    EXPECT_EQ(append_ok(*log, batch, 1000).base_offset, 17);
}

TEST(log_recovery, a_crash_restart_validates_segments_from_the_recovery_point) {
    // Proves the recovery point: after a flush that followed a roll, a crash
    // restart validates only segments from the then-active one on; a
    // truncation lowers the point first, so changed segments are validated.
    temp_directory dir;
    log_config config;
    const wire::bytes batch = make_batch(2, 50, 1000);
    config.segment_bytes = batch.size();  // one batch per segment
    const auto path = dir.partition();
    {
        auto log = open_log(path, config);
        ASSERT_TRUE(log);
        for (int i = 0; i < 3; ++i) append_ok(*log, batch, 1000);
        ASSERT_FALSE(log->flush());  // recovery point: 4, the active segment's base
        for (int i = 0; i < 3; ++i) append_ok(*log, batch, 1000);
        ASSERT_EQ(log->segment_count(), 6u);
    }
    {
        auto log = open_log(path, config);
        ASSERT_TRUE(log);
        EXPECT_EQ(log->report().segments_recovered, 4u);  // bases 4, 6, 8, 10
        EXPECT_EQ(log->log_end_offset(), 12);
        ASSERT_FALSE(log->flush());  // recovery point: 10
        ASSERT_FALSE(log->truncate_to(3));  // into segment 2: the point drops to 2
        EXPECT_EQ(log->log_end_offset(), 2);
        append_ok(*log, batch, 1000);
    }
    auto point = read_small_file(path / "recovery-point", 64);
    ASSERT_TRUE(point.ok());
    EXPECT_EQ(*point, "0\n2\n");
    auto log = open_log(path, config);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->report().segments_recovered, 1u);  // base 2, which now holds offsets 2-3 again
    EXPECT_EQ(log->segment_count(), 2u);
    EXPECT_EQ(log->log_end_offset(), 4);
    EXPECT_EQ(parse_batches(read_all(*log)).size(), 2u);
}

TEST(log_recovery, leftover_temporary_and_orphan_index_files_are_removed) {
    // Proves an interrupted checkpoint write (a .tmp file) and index files
    // without a .log do not survive a restart or confuse it.
    temp_directory dir;
    const auto path = dir.partition();
    {
        auto log = open_log(path, log_config{});
        ASSERT_TRUE(log);
        append_ok(*log, make_batch(2, 5, 0), 0);
    }
    ASSERT_FALSE(replace_file_atomically(path / "leader-epoch-checkpoint.tmp.tmp", "junk"));
    ASSERT_FALSE(replace_file_atomically(path / "00000000000000000077.index", ""));
    auto log = open_log(path, log_config{});
    ASSERT_TRUE(log);
    EXPECT_FALSE(std::filesystem::exists(path / "leader-epoch-checkpoint.tmp.tmp"));
    EXPECT_FALSE(std::filesystem::exists(path / "00000000000000000077.index"));
    EXPECT_EQ(log->log_end_offset(), 2);
}


// One batch the model expects in the log: where it was written and its bytes.
struct model_batch {
    std::int64_t segment_base = 0;
    std::uint64_t position = 0;
    std::int64_t base_offset = 0;
    std::int64_t last_offset = 0;
    wire::bytes bytes;
};

TEST(log_recovery, random_histories_with_crashes_match_a_model) {
    // Proves, over many seeded random histories of appends, rolls, flushes,
    // clean restarts, truncations, DeleteRecords, size retention and crashes
    // that tear the active segment at a random byte, that the log always
    // holds exactly the batches a simple model says survived, with the
    // model's log start and end offsets. A failure prints the seed and step.
    // BROOK_STORAGE_SEEDS runs more histories for a soak; CI runs a few.
    const char* seeds_text = std::getenv("BROOK_STORAGE_SEEDS");
    const std::uint64_t seeds = seeds_text != nullptr ? std::strtoull(seeds_text, nullptr, 10) : 12;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        std::mt19937_64 random(seed);
        const auto below = [&](std::uint64_t n) { return random() % n; };
        temp_directory dir;
        log_config config;
        config.segment_bytes = 1000 + below(3000);
        config.index_interval_bytes = static_cast<std::uint32_t>(below(800));
        config.retention_ms = -1;
        config.retention_bytes = static_cast<std::int64_t>(config.segment_bytes * (2 + below(4)));
        const auto path = dir.partition();
        auto log = open_log(path, config);
        ASSERT_TRUE(log);
        std::vector<model_batch> model;  // every batch not truncated away, below the start or not
        std::int64_t model_start = 0;
        std::int64_t model_end = 0;
        std::int64_t now_ms = 1000;
        for (int step = 0; step < 150; ++step) {
            SCOPED_TRACE("step " + std::to_string(step));
            const auto action = below(24);
            SCOPED_TRACE("action " + std::to_string(action));
            if (action < 15) {
                now_ms += static_cast<std::int64_t>(below(50));
                const auto codec = below(4) == 0 ? record::compression::lz4 : record::compression::none;
                wire::bytes batch = make_batch(1 + static_cast<int>(below(5)), below(120), now_ms, codec);
                auto appended = log->append(std::span<wire::byte>(batch), 0, record::timestamp_type::create_time, now_ms);
                ASSERT_TRUE(appended.ok()) << appended.error().message();
                ASSERT_EQ(appended->base_offset, model_end);
                const log_segment& active = log->segment(log->segment_count() - 1);
                model.push_back({active.base_offset(), active.size_bytes() - batch.size(), appended->base_offset,
                                 appended->last_offset, std::move(batch)});
                model_end = appended->last_offset + 1;
            } else if (action == 15) {
                ASSERT_FALSE(log->flush());
                ASSERT_EQ(log->flushed_offset(), model_end);
            } else if (action == 16) {
                ASSERT_FALSE(log->close());
                log = open_log(path, config, now_ms);
                ASSERT_TRUE(log);
            } else if (action == 17 && !model.empty()) {
                const auto& target = model[below(model.size())];
                const std::int64_t offset =
                    target.base_offset +
                    static_cast<std::int64_t>(below(static_cast<std::uint64_t>(target.last_offset - target.base_offset + 1)));
                ASSERT_FALSE(log->truncate_to(offset));
                if (offset <= model_start) {
                    model.clear();
                    model_start = model_end = offset;
                } else {
                    while (!model.empty() && model.back().last_offset >= offset) {
                        model_end = model.back().base_offset;
                        model.pop_back();
                    }
                    // Cutting the batch that holds the start leaves the log
                    // ending below it; the start follows the end down.
                    model_start = std::min(model_start, model_end);
                }
            } else if (action == 18 || action == 19) {
                const std::int64_t offset =
                    model_start + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(model_end - model_start + 1)));
                ASSERT_FALSE(log->delete_records_before(offset));
                model_start = std::max(model_start, offset);
            } else if (action == 20) {
                auto deleted = log->apply_retention(now_ms, model_end);
                ASSERT_TRUE(deleted.ok());
                ASSERT_GE(log->log_start_offset(), model_start);
                model_start = log->log_start_offset();
                ASSERT_LE(log->segment(0).base_offset(), model_start);
                if (log->segment_count() > 1) {
                    ASSERT_LE(log->size_bytes() - log->segment(0).size_bytes(),
                              static_cast<std::uint64_t>(config.retention_bytes));
                }
            } else {
                // Crash, tearing the active segment at a random byte.
                const log_segment& active = log->segment(log->segment_count() - 1);
                const std::int64_t active_base = active.base_offset();
                const std::uint64_t cut = below(active.size_bytes() + 1);
                log.reset();
                std::filesystem::resize_file(path / segment_file_name(active_base, log_file_suffix), cut);
                while (!model.empty() && model.back().segment_base == active_base &&
                       model.back().position + model.back().bytes.size() > cut) {
                    model.pop_back();
                }
                model_end = model.empty() || model.back().last_offset < active_base ? active_base
                                                                                    : model.back().last_offset + 1;
                if (model_end < model_start) {
                    // The start DeleteRecords acknowledged holds: the log
                    // restarts empty there.
                    model.clear();
                    model_end = model_start;
                }
                log = open_log(path, config, now_ms);
                ASSERT_TRUE(log);
            }
            if (std::getenv("BROOK_DEBUG_MODEL")) {
                std::fprintf(stderr, "seed %llu step %d action %llu: start %lld/%lld end %lld/%lld segments",
                             static_cast<unsigned long long>(seed), step, static_cast<unsigned long long>(action),
                             static_cast<long long>(model_start), static_cast<long long>(log->log_start_offset()),
                             static_cast<long long>(model_end), static_cast<long long>(log->log_end_offset()));
                for (std::size_t i = 0; i < log->segment_count(); ++i) {
                    std::fprintf(stderr, " %lld", static_cast<long long>(log->segment(i).base_offset()));
                }
                std::fprintf(stderr, "\n");
            }
            wire::bytes expected;
            for (const auto& batch : model) {
                if (batch.last_offset >= model_start) expected.insert(expected.end(), batch.bytes.begin(), batch.bytes.end());
            }
            ASSERT_EQ(log->log_start_offset(), model_start);
            ASSERT_EQ(log->log_end_offset(), model_end);
            ASSERT_EQ(read_all(*log), expected);
        }
    }
}

}  // namespace
}  // namespace brook::storage
