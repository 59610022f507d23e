#pragma once
// The cluster metadata log (__cluster_metadata-0): every metadata change is a
// KRaft metadata record, framed as Kafka frames them, stored as the value of
// a record in a record batch of an ordinary partition log.
//
// Owned by the controller's shard. With a single voter (this scope)
// a change is durable, and so committed, once its batch is fsynced; the
// multi-voter quorum replaces only the commit rule, not this format.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "brook/messages/metadata_records.h"
#include "brook/metadata/image.h"
#include "brook/storage/partition_log.h"

namespace brook::metadata {

class metadata_log {
public:
    // Opens (or creates) the log under `log_dir`, replays every record into a
    // new image and publishes it.
    static storage::result<std::unique_ptr<metadata_log>> open(const std::filesystem::path& log_dir,
                                                               image_publisher& publisher, std::int64_t now_ms);

    // Appends `records` as one batch, fsyncs it, applies it to the current
    // image and publishes the result. Returns the offset of the last record.
    // The records must already be validated against the current image: one
    // that does not apply is a controller bug and stops the process.
    storage::result<std::int64_t> append(const std::vector<messages::metadata_record>& records, std::int64_t now_ms);

    std::int64_t end_offset() const noexcept { return log_->log_end_offset(); }
    std::error_code close() { return log_->close(); }

private:
    metadata_log(std::unique_ptr<storage::partition_log> log, image_publisher& publisher)
        : log_(std::move(log)), publisher_(publisher) {}
    std::error_code replay();

    std::unique_ptr<storage::partition_log> log_;
    image_publisher& publisher_;
};

// Encodes one metadata record with its frame, at the record type's highest version.
wire::bytes frame_metadata_record(const messages::metadata_record& record);

}  // namespace brook::metadata
