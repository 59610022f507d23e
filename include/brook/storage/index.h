#pragma once
// The two sparse indexes of a segment, in Kafka's file formats:
//
//   .index      8-byte entries: int32 offset relative to the segment's base
//               offset, int32 position of a batch in the .log (big-endian).
//   .timeindex  12-byte entries: int64 timestamp, int32 relative offset
//               (big-endian); timestamps strictly increase.
//
// As in Kafka, an offset entry names the last offset of a batch and the
// position where that batch starts, and a time entry names the largest
// timestamp seen so far in the segment and the last offset of the batch
// that carried it. One entry of each is added per index_interval_bytes of
// log data.
//
// Indexes are derived state: the log rebuilds them from the .log whenever it
// doubts them, and never trusts them over the .log. Each index keeps all its
// entries in memory; its file gets the entries it lacks when the index is
// synced (at a roll, when the recovery point moves, at a clean close), and
// is open only for that moment. So an index holds no file descriptor: a
// node with 10,000 partitions needs one per segment (its .log), as Kafka's
// memory-mapped indexes do, not three.
// Owned by one log_segment, on the partition's shard.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "brook/storage/errc.h"
#include "brook/storage/file.h"

namespace brook::storage {

struct offset_position {
    std::int64_t offset = 0;      // absolute
    std::uint32_t position = 0;   // byte position in the .log

    friend bool operator==(const offset_position&, const offset_position&) = default;
};

struct timestamp_offset {
    std::int64_t timestamp_ms = -1;
    std::int64_t offset = -1;     // absolute

    friend bool operator==(const timestamp_offset&, const timestamp_offset&) = default;
};

// The file behind an index: how much of it is on disk, and the moments it
// is opened (to read it, to add what it lacks, to cut it short).
class index_file {
public:
    // Creates the file when missing.
    static result<index_file> open(const std::filesystem::path& path);
    // The whole file; errc::corrupt_file unless it is whole entries.
    result<wire::bytes> read(std::size_t entry_size_bytes);
    // Writes `tail` (the encoded entries from `first` on) at entry `first`
    // and fdatasyncs the file.
    std::error_code write_and_sync(std::size_t first, std::size_t entry_size_bytes, wire::bytes_view tail);
    // Cuts the file to `count` entries when it holds more.
    std::error_code cut_to(std::size_t count, std::size_t entry_size_bytes);
    // The file's first `count` entries are the index's (it loaded them).
    void loaded(std::size_t count) noexcept { matching_ = count; }
    // How many of the file's first entries are known to be the index's own;
    // sync rewrites from there (a file left by someone else is rewritten whole).
    std::size_t matching() const noexcept { return matching_; }

private:
    index_file(std::filesystem::path path, std::uint64_t bytes) : path_(std::move(path)), bytes_on_disk_(bytes) {}
    std::filesystem::path path_;
    std::uint64_t bytes_on_disk_ = 0;
    std::size_t matching_ = 0;
};

class offset_index {
public:
    static constexpr std::size_t entry_size_bytes = 8;

    // Opens (creating it when missing) the index file without reading it.
    static result<offset_index> open(const std::filesystem::path& path, std::int64_t base_offset);

    // Reads the file and checks it against the segment: whole entries,
    // offsets and positions strictly increasing, positions inside the log.
    // errc::corrupt_file when it does not hold; the caller then rebuilds.
    std::error_code load(std::uint64_t log_size_bytes);

    // Adds an entry; the caller guarantees it is beyond the last one.
    std::error_code append(std::int64_t offset, std::uint32_t position);

    // The last entry whose offset is at or below `offset`.
    std::optional<offset_position> lookup(std::int64_t offset) const noexcept;

    // Drops every entry pointing at or beyond `log_size_bytes`.
    std::error_code truncate_to_position(std::uint64_t log_size_bytes);
    // Drops everything (before a rebuild).
    std::error_code reset();
    // Writes the entries the file lacks, then fdatasyncs it.
    std::error_code sync();

    std::size_t entry_count() const noexcept { return entries_.size(); }
    offset_position entry(std::size_t i) const noexcept;

    // One entry's bytes, as they are in the file.
    static void encode_entry(std::int64_t base_offset, const offset_position& entry, std::uint8_t* out) noexcept;

private:
    struct packed_entry {
        std::uint32_t relative_offset;
        std::uint32_t position;
    };

    offset_index(index_file file, std::int64_t base_offset) : file_(std::move(file)), base_offset_(base_offset) {}
    std::error_code shrink_to(std::size_t count);

    index_file file_;
    std::int64_t base_offset_;
    std::vector<packed_entry> entries_;
};

class time_index {
public:
    static constexpr std::size_t entry_size_bytes = 12;

    static result<time_index> open(const std::filesystem::path& path, std::int64_t base_offset);

    // Reads and checks the file: whole entries, timestamps strictly and
    // offsets weakly increasing, offsets below `next_offset_bound`.
    std::error_code load(std::int64_t next_offset_bound);

    // Adds an entry when its timestamp is above the last one's (Kafka's
    // maybeAppend); otherwise does nothing.
    std::error_code maybe_append(std::int64_t timestamp_ms, std::int64_t offset);

    // The last entry whose timestamp is strictly below `timestamp_ms`: every
    // record up to its offset is older than the target, so a search for the
    // first record at or after the target may start at that offset.
    std::optional<timestamp_offset> lookup_below(std::int64_t timestamp_ms) const noexcept;
    std::optional<timestamp_offset> last() const noexcept;

    // Drops every entry whose offset is at or beyond `end_offset`.
    std::error_code truncate_to_offset(std::int64_t end_offset);
    std::error_code reset();
    // Writes the entries the file lacks, then fdatasyncs it.
    std::error_code sync();

    std::size_t entry_count() const noexcept { return entries_.size(); }
    timestamp_offset entry(std::size_t i) const noexcept;

    static void encode_entry(std::int64_t base_offset, const timestamp_offset& entry, std::uint8_t* out) noexcept;

private:
    struct packed_entry {
        std::int64_t timestamp_ms;
        std::uint32_t relative_offset;
    };

    time_index(index_file file, std::int64_t base_offset) : file_(std::move(file)), base_offset_(base_offset) {}
    std::error_code shrink_to(std::size_t count);

    index_file file_;
    std::int64_t base_offset_;
    std::vector<packed_entry> entries_;
};

}  // namespace brook::storage
