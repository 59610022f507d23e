#pragma once
// One segment of a partition's log: the .log file holding record batches byte
// for byte, and its .index and .timeindex. Owned by the partition_log, on the
// partition's shard; the .log file handle is shared with read slices so a
// deleted segment stays readable until the last in-flight sendfile is done.
//
// A segment is either the active one (appends go there) or rolled (read
// only). Positions are uint32 as in Kafka's index, so a segment stays below
// 2 GiB (log_config enforces it through segment_bytes).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "brook/record/record_batch.h"
#include "brook/storage/errc.h"
#include "brook/storage/file.h"
#include "brook/storage/index.h"
#include "brook/wire/bytes.h"

namespace brook::storage {

// A batch header and where its batch starts in the .log.
struct located_batch {
    std::uint64_t position = 0;
    record::batch_header header;
};

// Walks the batch headers of a .log from a batch boundary, reading the file in
// chunks so a scan costs a few reads rather than one per batch. It checks the
// framing only (magic, length within the file); CRCs are the recovery's job.
class batch_header_cursor {
public:
    batch_header_cursor(int fd, std::uint64_t position, std::uint64_t end) noexcept
        : fd_(fd), position_(position), end_(end) {}

    // The next header, nothing at `end`; errc::corrupt_file when the bytes at
    // the position are not a v2 batch that fits before `end`.
    result<std::optional<located_batch>> next();

    std::uint64_t position() const noexcept { return position_; }

private:
    static constexpr std::size_t chunk_size_bytes = 16 * 1024;

    int fd_;
    std::uint64_t position_;
    std::uint64_t end_;
    wire::bytes buffer_;
    std::uint64_t buffer_start_ = 0;
};

// What recovery found in a segment.
struct segment_recovery {
    std::uint64_t valid_bytes = 0;      // the .log now ends here
    std::uint64_t truncated_bytes = 0;  // bytes cut off as torn or corrupt
    std::size_t batch_count = 0;
};

class log_segment {
public:
    // Creates an empty segment, emptying any files left with its names.
    static result<std::unique_ptr<log_segment>> create(const std::filesystem::path& directory,
                                                       std::int64_t base_offset, std::int64_t now_ms);
    // Opens an existing segment's files without reading them; call recover()
    // or load_indexes() next.
    static result<std::unique_ptr<log_segment>> open(const std::filesystem::path& directory,
                                                     std::int64_t base_offset, std::int64_t now_ms);

    log_segment(const log_segment&) = delete;
    log_segment& operator=(const log_segment&) = delete;
    log_segment(log_segment&&) = delete;
    log_segment& operator=(log_segment&&) = delete;
    ~log_segment() = default;

    std::int64_t base_offset() const noexcept { return base_offset_; }
    std::uint64_t size_bytes() const noexcept { return size_bytes_; }
    bool empty() const noexcept { return size_bytes_ == 0; }
    // The offset after the last batch; known after recover() and appends. For a
    // segment loaded with load_indexes() it is what the log told set_next_offset.
    std::int64_t next_offset() const noexcept { return next_offset_; }
    void set_next_offset(std::int64_t offset) noexcept { next_offset_ = offset; }
    // The largest batch max_timestamp and the last offset of its batch; -1 when
    // no batch carries a timestamp.
    timestamp_offset max_timestamp() const noexcept { return max_timestamp_; }
    // segment_ms counts from this: the first batch's max_timestamp, or the time
    // the segment was created or opened when that batch has none.
    std::int64_t rolling_base_timestamp_ms() const noexcept { return rolling_base_timestamp_ms_; }
    // The time retention compares against: the max timestamp, or the file's
    // modification time when no batch has one.
    result<std::int64_t> largest_timestamp_for_retention() const;

    const std::shared_ptr<file_handle>& log_file() const noexcept { return log_; }
    const offset_index& index() const noexcept { return offset_index_; }
    const time_index& timestamps() const noexcept { return time_index_; }
    bool has_unflushed_data() const noexcept { return unflushed_; }

    std::filesystem::path log_path() const;
    std::filesystem::path index_path() const;
    std::filesystem::path time_index_path() const;

    // Writes `data` (whole batches, offsets assigned) at the end of the .log
    // and indexes each batch; `batches` are their headers, in order. On a
    // write error the .log is cut back to its old size; if that fails too the
    // error says so through errc::log_failed.
    std::error_code append(wire::bytes_view data, std::span<const record::batch_header> batches,
                           std::uint32_t index_interval_bytes);

    // Validates every batch from the start (framing, CRC, increasing offsets,
    // offsets that fit the index), cuts the .log at the first bad byte, and
    // rebuilds both indexes from what remains. `on_batch` sees each valid batch
    // (the log uses it to rebuild the leader epoch cache). The segment is left
    // marked unflushed: the data it kept may exist only in the page cache, and
    // the cut is not durable until flush().
    result<segment_recovery> recover(std::uint32_t index_interval_bytes,
                                     const std::function<std::error_code(const record::batch_header&)>& on_batch);

    // Trusts a cleanly closed segment: reads the .log size and loads both
    // indexes, checking them; errc::corrupt_file when they do not hold up
    // (the caller then recovers the segment instead). `next_offset` is the next
    // segment's base offset.
    std::error_code load_indexes(std::int64_t next_offset);

    // Trusts the active segment of a cleanly closed log, as Kafka does: loads
    // both indexes and reads only the batch headers from the last offset-index
    // entry on (at most about an index interval of bytes), to learn the next
    // offset, where the next index entry goes and the max timestamp. `on_batch`
    // sees those tail batches. errc::corrupt_file when anything does not hold
    // up; the caller then recovers the segment instead.
    std::error_code load_active(const std::function<std::error_code(const record::batch_header&)>& on_batch);

    // The first batch whose last offset is at or above `offset`, starting the
    // scan at the offset index's entry for it; nothing when the segment ends
    // first.
    result<std::optional<located_batch>> locate(std::int64_t offset) const;

    // Removes every batch from the one holding `offset` on, so the segment ends
    // at a batch boundary at or below `offset`, and rebuilds the indexes.
    std::error_code truncate_to(std::int64_t offset, std::uint32_t index_interval_bytes);

    // The segment stops being active: add the final time index entry so a
    // clean reload finds the segment's max timestamp.
    std::error_code finish_active();

    std::error_code flush();           // fdatasync of the .log when it has unsynced data
    // For a flush done elsewhere (partition_log::begin_flush): the .log when
    // it has unsynced data, which from now on counts as synced (a later
    // append marks it again); null when there is nothing to sync.
    std::shared_ptr<file_handle> take_unflushed() noexcept;
    std::error_code sync_indexes();    // fsync of both indexes when they changed
    std::error_code remove_files();    // unlinks the three files; open handles stay readable

private:
    log_segment(std::filesystem::path directory, std::int64_t base_offset, std::shared_ptr<file_handle> log,
                offset_index offsets, time_index times, std::int64_t now_ms);
    std::error_code index_batch(const record::batch_header& header, std::uint64_t position,
                                std::uint32_t index_interval_bytes);
    std::error_code reset_indexes();

    std::filesystem::path directory_;
    std::int64_t base_offset_;
    std::shared_ptr<file_handle> log_;
    offset_index offset_index_;
    time_index time_index_;
    std::uint64_t size_bytes_ = 0;
    std::int64_t next_offset_;
    timestamp_offset max_timestamp_;
    std::int64_t created_ms_;
    std::int64_t rolling_base_timestamp_ms_;
    std::uint64_t bytes_since_last_index_entry_ = 0;
    bool unflushed_ = false;
    bool indexes_unsynced_ = false;
    bool indexes_missing_ = false;  // open() found no index files
};

}  // namespace brook::storage
