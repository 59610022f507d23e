#pragma once
// Kafka's on-disk names and small state files for one partition:
//
//   <log_dir>/<topic>-<partition>/
//       00000000000000000000.log          record batches, byte for byte
//       00000000000000000000.index        sparse offset index (8-byte entries)
//       00000000000000000000.timeindex    sparse time index (12-byte entries)
//       leader-epoch-checkpoint           "0", count, then "epoch start_offset" lines
//       partition.metadata                "version: 0" and "topic_id: <base64 uuid>"
//
// Brook adds three files Kafka keeps per log directory (which would need
// every shard to share them), in Kafka's checkpoint style ("0", then the
// value): `log-start-offset` (where DeleteRecords moved the start),
// `recovery-point` (segments below it were flushed with their indexes and
// skip validation after a crash), and `.clean-shutdown` (present only while
// the partition is closed cleanly).
//
// Pure functions (names and parsing) run anywhere; the file functions do
// synchronous I/O on the calling thread.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "brook/storage/errc.h"
#include "brook/wire/uuid.h"

namespace brook::storage {

inline constexpr std::string_view log_file_suffix = ".log";
inline constexpr std::string_view index_file_suffix = ".index";
inline constexpr std::string_view time_index_file_suffix = ".timeindex";
inline constexpr std::string_view leader_epoch_checkpoint_file_name = "leader-epoch-checkpoint";
inline constexpr std::string_view partition_metadata_file_name = "partition.metadata";
inline constexpr std::string_view log_start_offset_file_name = "log-start-offset";
inline constexpr std::string_view recovery_point_file_name = "recovery-point";
inline constexpr std::string_view clean_shutdown_file_name = ".clean-shutdown";

// "<topic>-<partition>", the partition's directory under a log dir.
std::string partition_directory_name(std::string_view topic, std::int32_t partition);

// The base offset as 20 zero-padded digits plus the suffix:
// segment_file_name(42, ".log") == "00000000000000000042.log".
std::string segment_file_name(std::int64_t base_offset, std::string_view suffix);

// The base offset of a file named like segment_file_name(..., suffix), or
// nothing for any other name.
std::optional<std::int64_t> parse_segment_file_name(std::string_view file_name, std::string_view suffix);

// partition.metadata: written once when the partition is created.
std::error_code write_partition_metadata(const std::filesystem::path& directory, const wire::uuid& topic_id);
result<wire::uuid> read_partition_metadata(const std::filesystem::path& directory);

}  // namespace brook::storage
