#pragma once
// The log of one partition replica: a directory of segments in Kafka's
// layout (see layout.h), appended to by the leader (or a follower copying
// it), read by Fetch, trimmed by retention and DeleteRecords.
//
// Ownership: exactly one shard owns a partition_log and is the only caller of
// every method; there are no locks inside. All I/O is synchronous and
// blocking on the owner's thread (pwrite, pread, fdatasync), so the owner
// batches flushes (group commit) instead of flushing per request. The only
// state that leaves the shard is a read_slice's file handle, which keeps its
// segment file open for a sendfile even after the segment is deleted.
//
// Errors are values: every method returns a result or an error_code. After
// an I/O error whose effect on the files is unknown, the log refuses further
// appends with errc::log_failed (Kafka takes the log dir offline likewise).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "brook/record/record_batch.h"
#include "brook/storage/errc.h"
#include "brook/storage/file.h"
#include "brook/storage/index.h"
#include "brook/storage/leader_epoch_cache.h"
#include "brook/storage/segment.h"
#include "brook/wire/bytes.h"

namespace brook::storage {

// Kafka's topic configs that shape the log, with Kafka's defaults.
struct log_config {
    std::uint64_t segment_bytes = 1024ULL * 1024 * 1024;          // segment.bytes
    std::int64_t segment_ms = 7LL * 24 * 60 * 60 * 1000;           // segment.ms
    std::int64_t retention_ms = 7LL * 24 * 60 * 60 * 1000;         // retention.ms, -1 = unlimited
    std::int64_t retention_bytes = -1;                             // retention.bytes, -1 = unlimited
    std::uint32_t index_interval_bytes = 4096;                     // index.interval.bytes
    std::uint32_t max_message_bytes = 1024 * 1024 + 12;           // max.message.bytes (1048588)

    // errc::invalid_argument when a value is out of range: segment_bytes must
    // hold at least one batch header and stay below 2 GiB (the index stores
    // 32-bit positions).
    std::error_code validate() const noexcept;
};

struct append_result {
    std::int64_t base_offset = -1;
    std::int64_t last_offset = -1;
    // The broker time written into the batches for LogAppendTime topics, -1
    // for CreateTime (Produce responses carry it).
    std::int64_t log_append_time_ms = -1;
};

// A run of whole batches in one segment file, to hand to sendfile. The
// handle keeps the file open as long as the slice lives.
struct read_slice {
    std::shared_ptr<const file_handle> file;
    std::uint64_t position = 0;
    std::uint64_t length_bytes = 0;
    std::int64_t first_offset = -1;   // base offset of the first batch
    std::int64_t last_offset = -1;    // last offset of the last batch
};

struct read_result {
    // Empty when there is nothing to read yet (start at the log end or at the
    // bound); otherwise one slice, from a single segment as Kafka does.
    std::optional<read_slice> slice;
};

// A record found by timestamp (ListOffsets).
struct timestamp_and_offset {
    std::int64_t timestamp_ms = -1;
    std::int64_t offset = -1;

    friend bool operator==(const timestamp_and_offset&, const timestamp_and_offset&) = default;
};

// What open() found and repaired, for the startup log line.
struct open_report {
    bool clean_shutdown = false;
    std::size_t segments = 0;
    std::size_t segments_recovered = 0;   // validated batch by batch
    std::uint64_t truncated_bytes = 0;    // torn or corrupt bytes cut off
    std::size_t segments_dropped = 0;     // after a corrupt or short older segment
};

class partition_log {
public:
    // Opens the partition directory (creating it when missing), loads its
    // segments and recovers them: after a clean shutdown only the active
    // segment is validated, after a crash every segment from the recovery
    // point on (the start of the active segment at the last flush after a
    // roll); torn or corrupt tails are cut off and indexes rebuilt from the
    // .log. Old segments that are not validated still have their indexes
    // checked against the .log, and rebuilt when they do not hold up.
    static result<std::unique_ptr<partition_log>> open(const std::filesystem::path& directory,
                                                       const log_config& config, std::int64_t now_ms = 0);

    partition_log(const partition_log&) = delete;
    partition_log& operator=(const partition_log&) = delete;
    partition_log(partition_log&&) = delete;
    partition_log& operator=(partition_log&&) = delete;
    ~partition_log() = default;

    // Appends one or more producer batches, already validated (CRC, record
    // counts). Assigns offsets from the log end by rewriting each batch in
    // place (base offset, partition leader epoch, and for LogAppendTime the
    // timestamp with its CRC), rolls first when the active segment would
    // pass segment_bytes or is older than segment_ms, writes everything with
    // one pwrite and indexes it. A new leader_epoch is recorded (and
    // checkpointed) before the data is written. Errors: record_batch_too_large,
    // invalid_record_set, log_failed, or the I/O error.
    result<append_result> append(std::span<wire::byte> batches, std::int32_t leader_epoch,
                                 record::timestamp_type timestamp_type, std::int64_t now_ms);
    // The same for a buffer that must not change: the bytes are copied first.
    result<append_result> append(wire::bytes_view batches, std::int32_t leader_epoch,
                                 record::timestamp_type timestamp_type, std::int64_t now_ms);

    // Appends batches copied from the leader as they are: offsets, epochs and
    // timestamps were assigned there. Each batch is validated in full (CRC
    // included, since the bytes crossed the network) and must start at or
    // after the log end and after the batch before it (offsets_out_of_order);
    // batch leader epochs above the cache's latest are recorded. Errors as
    // append().
    result<append_result> append_as_follower(wire::bytes_view batches, std::int64_t now_ms);

    // Whole batches from the one holding start_offset, up to max_bytes but at
    // least one batch, never a batch reaching max_offset_exclusive (the high
    // watermark). errc::offset_out_of_range below the log start or above
    // the log end.
    result<read_result> read(std::int64_t start_offset, std::uint64_t max_bytes,
                             std::int64_t max_offset_exclusive) const;

    // fdatasync of every segment with unsynced data, and of the directory
    // when segments were created; then flushed_offset() == log_end_offset().
    std::error_code flush();

    // The same flush in three steps, so the fdatasyncs can run on another
    // thread while the owner goes on appending (group commit: appends made
    // during a sync wait for the next one). begin_flush() and finish_flush()
    // run on the owner; sync() anywhere. Appends between begin and finish
    // are not covered; flushed_offset() moves to the log end at begin.
    struct flush_plan {
        std::vector<std::shared_ptr<file_handle>> files;  // .log files with unsynced data
        std::optional<std::filesystem::path> directory;   // when segments were created
        std::int64_t up_to = 0;                           // the log end at begin
        std::int64_t active_base = 0;                     // the active segment's base at begin
        std::uint64_t truncations = 0;                    // the log's truncation count at begin
        bool empty() const noexcept { return files.empty() && !directory; }
    };
    result<flush_plan> begin_flush();
    static std::error_code sync(const flush_plan& plan) noexcept;
    // Records the outcome; a failed sync fails the log (mark_failed).
    std::error_code finish_flush(const flush_plan& plan, std::error_code sync_error);

    std::int64_t log_start_offset() const noexcept { return log_start_offset_; }
    std::int64_t log_end_offset() const noexcept { return log_end_offset_; }
    // Everything below this offset is on disk (fdatasynced).
    std::int64_t flushed_offset() const noexcept { return flushed_offset_; }
    std::uint64_t size_bytes() const noexcept;
    std::size_t segment_count() const noexcept { return segments_.size(); }
    const log_segment& segment(std::size_t i) const noexcept { return *segments_[i]; }
    const std::filesystem::path& directory() const noexcept { return directory_; }
    const log_config& config() const noexcept { return config_; }
    void set_config(const log_config& config);

    // ListOffsets by timestamp: the first record (at or above the log start)
    // whose timestamp is at or after `timestamp_ms`; nothing when none is.
    result<std::optional<timestamp_and_offset>> offset_for_timestamp(std::int64_t timestamp_ms) const;
    // ListOffsets MAX_TIMESTAMP: the largest timestamp in the log and the
    // offset of the first record carrying it (the batch is decoded to find
    // it: Kafka answers with the record's offset, not its batch's); nothing
    // for an empty log or one without timestamps.
    result<std::optional<timestamp_and_offset>> max_timestamp() const;

    // Removes every batch from the one holding `offset` on (a follower
    // matching its leader); the log end becomes that batch's base offset. An
    // offset below the log start empties the log and restarts it there.
    std::error_code truncate_to(std::int64_t offset);

    // DeleteRecords: moves the log start offset up to `offset` (at most the
    // log end) and deletes the segments wholly below it.
    std::error_code delete_records_before(std::int64_t offset);

    // Deletes whole old segments, never the active one and never one holding
    // offsets at or above `high_watermark`: first by time (largest timestamp
    // older than retention_ms), then by size (while the log is over
    // retention_bytes by at least the oldest segment). Returns how many went.
    result<std::size_t> apply_retention(std::int64_t now_ms, std::int64_t high_watermark);

    const leader_epoch_cache& epochs() const noexcept { return epochs_; }
    // OffsetForLeaderEpoch.
    epoch_end_offset end_offset_for_epoch(std::int32_t epoch) const noexcept {
        return epochs_.end_offset_for_epoch(epoch, log_end_offset_);
    }

    // Flushes, syncs the indexes and leaves the clean-shutdown marker so the
    // next open skips validating old segments. The log is unusable after.
    std::error_code close();
    // Deletes the partition directory and everything in it (topic deletion).
    std::error_code remove();

    const open_report& report() const noexcept { return report_; }

private:
    partition_log(std::filesystem::path directory, const log_config& config, leader_epoch_cache epochs);

    std::error_code load(std::int64_t now_ms);
    std::error_code check_usable() const noexcept;
    std::error_code roll(std::int64_t now_ms);
    bool should_roll(std::uint64_t incoming_bytes, std::int64_t last_offset, std::int64_t now_ms) const noexcept;
    // The index of the segment that holds `offset` (the last one whose base
    // offset is at or below it).
    std::size_t segment_index_for(std::int64_t offset) const noexcept;
    std::error_code delete_front_segments(std::size_t count);
    std::error_code persist_log_start_offset();
    // Persists a recovery point at or below `offset` before segments from
    // there on change.
    std::error_code lower_recovery_point(std::int64_t offset);
    // Deletes every segment and restarts the log, empty, at `offset`.
    std::error_code start_over_at(std::int64_t offset);
    std::error_code mark_failed(std::error_code error) noexcept;
    // Scans `segment` from the batch holding `start` for the first record at
    // or above the log start whose timestamp is at least (or, with `exact`,
    // equal to) `minimum_timestamp_ms`; batches whose max timestamp is below
    // it are skipped without being decoded.
    result<std::optional<timestamp_and_offset>> find_record_by_timestamp(const log_segment& segment,
                                                                         std::int64_t start,
                                                                         std::int64_t minimum_timestamp_ms,
                                                                         bool exact) const;

    std::filesystem::path directory_;
    log_config config_;
    leader_epoch_cache epochs_;
    std::vector<std::unique_ptr<log_segment>> segments_;  // by base offset; the last is active
    std::int64_t log_start_offset_ = 0;
    std::int64_t log_end_offset_ = 0;
    std::int64_t flushed_offset_ = 0;
    // Segments wholly below this offset were flushed with their indexes, so a
    // crash restart trusts them as a clean one would (Kafka's recovery point).
    std::int64_t recovery_point_ = 0;
    std::int64_t last_now_ms_ = 0;  // the latest clock value seen, for segments created without one
    bool directory_unsynced_ = false;
    std::uint64_t truncations_ = 0;  // truncate_to and start_over_at calls, for finish_flush
    bool failed_ = false;
    bool closed_ = false;
    open_report report_;
    std::vector<record::batch_header> scratch_headers_;
    wire::bytes scratch_copy_;
};

}  // namespace brook::storage
