#pragma once
// The leader epoch cache of one partition: for each leader epoch that
// appended to the log, the first offset it wrote. Followers ask for
// end_offset_for_epoch (OffsetForLeaderEpoch) to find where their log
// diverges from the leader's.
//
// Owned by the partition_log, on the partition's shard. Every change is
// persisted to `leader-epoch-checkpoint` in Kafka's text format (version
// line "0", the entry count, then one "epoch start_offset" line per entry)
// through a temporary file and a rename, before the call returns.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "brook/storage/errc.h"

namespace brook::storage {

struct epoch_entry {
    std::int32_t epoch = -1;
    std::int64_t start_offset = -1;

    friend bool operator==(const epoch_entry&, const epoch_entry&) = default;
};

// What OffsetForLeaderEpoch answers: the largest epoch at or below the one
// asked for, and the offset where the next epoch starts (or the log end).
// Both are -1 (Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET) when the
// cache cannot say.
struct epoch_end_offset {
    std::int32_t epoch = -1;
    std::int64_t end_offset = -1;

    friend bool operator==(const epoch_end_offset&, const epoch_end_offset&) = default;
};

class leader_epoch_cache {
public:
    // Loads the checkpoint in `directory`, or starts empty when there is
    // none; errc::corrupt_file when it does not parse.
    static result<leader_epoch_cache> load(const std::filesystem::path& directory);

    const std::vector<epoch_entry>& entries() const noexcept { return entries_; }
    std::optional<epoch_entry> latest() const noexcept {
        if (entries_.empty()) return std::nullopt;
        return entries_.back();
    }

    // Records that `epoch` starts at `start_offset`. An epoch not above the
    // latest one is ignored (a stale leader's call), as Kafka does; entries
    // starting at or after start_offset are dropped first, since the new
    // epoch replaces what they claimed. Persists when anything changed.
    std::error_code assign(std::int32_t epoch, std::int64_t start_offset);

    // Drops entries starting at or after `end_offset` (the log was truncated
    // there). Persists when anything changed.
    std::error_code truncate_from_end(std::int64_t end_offset);

    // The log now starts at `start_offset`: entries before it collapse into
    // one that starts there. Persists when anything changed.
    std::error_code truncate_from_start(std::int64_t start_offset);

    // OffsetForLeaderEpoch, as Kafka's LeaderEpochFileCache.endOffsetFor.
    epoch_end_offset end_offset_for_epoch(std::int32_t epoch, std::int64_t log_end_offset) const noexcept;

    // Kafka's text format for `entries`.
    static std::string format(const std::vector<epoch_entry>& entries);
    static result<std::vector<epoch_entry>> parse(std::string_view text);

private:
    explicit leader_epoch_cache(std::filesystem::path directory) : directory_(std::move(directory)) {}
    std::error_code persist() const;

    std::filesystem::path directory_;
    std::vector<epoch_entry> entries_;  // increasing in epoch and in start offset
};

}  // namespace brook::storage
