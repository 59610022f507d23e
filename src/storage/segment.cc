#include "brook/storage/segment.h"

#include <algorithm>
#include <limits>

#include "brook/storage/layout.h"

namespace brook::storage {

namespace {

using record::batch_header;
using record::batch_layout;

constexpr std::int64_t max_relative_offset = std::numeric_limits<std::int32_t>::max();

}  // namespace

// ---- batch_header_cursor ----

result<std::optional<located_batch>> batch_header_cursor::next() {
    if (position_ >= end_) return std::optional<located_batch>{};
    if (end_ - position_ < batch_layout::header_size_bytes) return errc::corrupt_file;
    const bool buffered = position_ >= buffer_start_ &&
                          position_ + batch_layout::header_size_bytes <= buffer_start_ + buffer_.size();
    if (!buffered) {
        const std::uint64_t length = std::min<std::uint64_t>(chunk_size_bytes, end_ - position_);
        buffer_.resize(static_cast<std::size_t>(length));
        if (auto error = read_exact_at(fd_, buffer_, position_)) return error;
        buffer_start_ = position_;
    }
    const wire::bytes_view header_bytes = wire::bytes_view(buffer_).subspan(
        static_cast<std::size_t>(position_ - buffer_start_), batch_layout::header_size_bytes);
    located_batch found;
    found.position = position_;
    if (record::read_batch_header(header_bytes, found.header) != wire::errc::ok) return errc::corrupt_file;
    if (found.header.magic != record::batch_magic_v2 ||
        found.header.batch_length < batch_layout::minimum_batch_length ||
        found.header.size_bytes() > end_ - position_ || found.header.last_offset_delta < 0) {
        return errc::corrupt_file;
    }
    position_ += found.header.size_bytes();
    return std::optional<located_batch>{found};
}

// ---- log_segment ----

log_segment::log_segment(std::filesystem::path directory, std::int64_t base_offset,
                         std::shared_ptr<file_handle> log, offset_index offsets, time_index times,
                         std::int64_t now_ms)
    : directory_(std::move(directory)),
      base_offset_(base_offset),
      log_(std::move(log)),
      offset_index_(std::move(offsets)),
      time_index_(std::move(times)),
      next_offset_(base_offset),
      created_ms_(now_ms),
      rolling_base_timestamp_ms_(now_ms) {}

std::filesystem::path log_segment::log_path() const {
    return directory_ / segment_file_name(base_offset_, log_file_suffix);
}
std::filesystem::path log_segment::index_path() const {
    return directory_ / segment_file_name(base_offset_, index_file_suffix);
}
std::filesystem::path log_segment::time_index_path() const {
    return directory_ / segment_file_name(base_offset_, time_index_file_suffix);
}

result<std::unique_ptr<log_segment>> log_segment::create(const std::filesystem::path& directory,
                                                         std::int64_t base_offset, std::int64_t now_ms) {
    auto log = open_read_write(directory / segment_file_name(base_offset, log_file_suffix), true, true);
    if (!log) return log.error();
    auto offsets = offset_index::open(directory / segment_file_name(base_offset, index_file_suffix), base_offset);
    if (!offsets) return offsets.error();
    if (auto error = offsets->reset()) return error;
    auto times = time_index::open(directory / segment_file_name(base_offset, time_index_file_suffix), base_offset);
    if (!times) return times.error();
    if (auto error = times->reset()) return error;
    return std::unique_ptr<log_segment>(new log_segment(directory, base_offset, std::move(*log),
                                                        std::move(*offsets), std::move(*times), now_ms));
}

result<std::unique_ptr<log_segment>> log_segment::open(const std::filesystem::path& directory,
                                                       std::int64_t base_offset, std::int64_t now_ms) {
    auto log = open_read_write(directory / segment_file_name(base_offset, log_file_suffix), false);
    if (!log) return log.error();
    // A missing index reads as an empty one; remember it so load_indexes
    // does not mistake it for a segment too small to need entries.
    std::error_code exists_error;
    const bool indexes_present =
        std::filesystem::exists(directory / segment_file_name(base_offset, index_file_suffix), exists_error) &&
        std::filesystem::exists(directory / segment_file_name(base_offset, time_index_file_suffix), exists_error);
    if (exists_error) return exists_error;
    auto offsets = offset_index::open(directory / segment_file_name(base_offset, index_file_suffix), base_offset);
    if (!offsets) return offsets.error();
    auto times = time_index::open(directory / segment_file_name(base_offset, time_index_file_suffix), base_offset);
    if (!times) return times.error();
    auto segment = std::unique_ptr<log_segment>(new log_segment(directory, base_offset, std::move(*log),
                                                                std::move(*offsets), std::move(*times), now_ms));
    auto size = file_size(segment->log_->fd());
    if (!size) return size.error();
    segment->size_bytes_ = *size;
    segment->indexes_missing_ = !indexes_present;
    return segment;
}

result<std::int64_t> log_segment::largest_timestamp_for_retention() const {
    if (max_timestamp_.timestamp_ms >= 0) return max_timestamp_.timestamp_ms;
    return file_modified_ms(log_->fd());
}

std::error_code log_segment::index_batch(const batch_header& header, std::uint64_t position,
                                         std::uint32_t index_interval_bytes) {
    if (position == 0) {
        rolling_base_timestamp_ms_ = header.max_timestamp >= 0 ? header.max_timestamp : created_ms_;
    }
    if (header.max_timestamp > max_timestamp_.timestamp_ms) {
        max_timestamp_ = {header.max_timestamp, header.last_offset()};
    }
    // As Kafka: the entry goes before a batch once more than an interval of
    // bytes passed since the last one, and names that batch's last offset.
    if (bytes_since_last_index_entry_ > index_interval_bytes) {
        indexes_unsynced_ = true;
        if (auto error = offset_index_.append(header.last_offset(), static_cast<std::uint32_t>(position))) {
            return error;
        }
        if (auto error = time_index_.maybe_append(max_timestamp_.timestamp_ms, max_timestamp_.offset)) return error;
        bytes_since_last_index_entry_ = 0;
    }
    bytes_since_last_index_entry_ += header.size_bytes();
    next_offset_ = header.last_offset() + 1;
    return {};
}

std::error_code log_segment::append(wire::bytes_view data, std::span<const batch_header> batches,
                                    std::uint32_t index_interval_bytes) {
    BROOK_ASSERT(size_bytes_ + data.size() <= std::numeric_limits<std::uint32_t>::max(),
                 "a segment must stay within the index's 32-bit positions");
    const std::uint64_t start = size_bytes_;
    unflushed_ = true;
    if (auto error = write_all_at(log_->fd(), data, start)) {
        // Part of the data may have reached the file; cut it back so the
        // segment still ends at a batch boundary.
        if (truncate_file(log_->fd(), start)) return errc::log_failed;
        return error;
    }
    size_bytes_ += data.size();
    std::uint64_t position = start;
    for (const batch_header& header : batches) {
        BROOK_ASSERT(header.last_offset() - base_offset_ <= max_relative_offset && header.base_offset >= next_offset_,
                     "appended offsets must increase and fit the segment");
        if (auto error = index_batch(header, position, index_interval_bytes)) return error;
        position += header.size_bytes();
    }
    BROOK_ASSERT(position == size_bytes_, "batch headers must cover the appended bytes exactly");
    return {};
}

std::error_code log_segment::reset_indexes() {
    indexes_unsynced_ = true;
    if (auto error = offset_index_.reset()) return error;
    if (auto error = time_index_.reset()) return error;
    bytes_since_last_index_entry_ = 0;
    max_timestamp_ = {};
    next_offset_ = base_offset_;
    rolling_base_timestamp_ms_ = created_ms_;
    return {};
}

result<segment_recovery> log_segment::recover(
    std::uint32_t index_interval_bytes, const std::function<std::error_code(const batch_header&)>& on_batch) {
    auto size = file_size(log_->fd());
    if (!size) return size.error();
    const std::uint64_t file_bytes = *size;
    if (auto error = reset_indexes()) return error;

    segment_recovery found;
    std::uint64_t position = 0;
    wire::bytes batch_bytes;
    std::uint8_t header_bytes[batch_layout::header_size_bytes];
    // Each pass either consumes one whole batch or stops, so the loop runs at
    // most once per batch in the file.
    while (position < file_bytes) {
        const std::uint64_t remaining = file_bytes - position;
        if (remaining < batch_layout::header_size_bytes) break;
        // The header is inside the file, so any read error is the disk's, not
        // a torn write: report it rather than cut good data.
        if (auto error = read_exact_at(log_->fd(), header_bytes, position)) return error;
        batch_header header;
        if (record::read_batch_header(header_bytes, header) != wire::errc::ok) break;
        if (header.magic != record::batch_magic_v2 || header.batch_length < batch_layout::minimum_batch_length ||
            header.size_bytes() > remaining) {
            break;
        }
        batch_bytes.resize(header.size_bytes());
        if (auto error = read_exact_at(log_->fd(), batch_bytes, position)) return error;
        record::batch_view batch;
        if (record::parse_batch(batch_bytes, batch) != wire::errc::ok) break;
        if (header.base_offset < next_offset_ || header.last_offset() - base_offset_ > max_relative_offset) break;
        if (auto error = index_batch(header, position, index_interval_bytes)) return error;
        if (on_batch) {
            if (auto error = on_batch(header)) return error;
        }
        position += header.size_bytes();
        ++found.batch_count;
    }
    found.valid_bytes = position;
    found.truncated_bytes = file_bytes - position;
    // What was found may sit only in the page cache (a process crash leaves
    // it there); the log's flush() makes it durable.
    unflushed_ = true;
    if (found.truncated_bytes > 0) {
        if (auto error = truncate_file(log_->fd(), position)) return error;
    }
    size_bytes_ = position;
    return found;
}

std::error_code log_segment::load_indexes(std::int64_t next_offset) {
    auto size = file_size(log_->fd());
    if (!size) return size.error();
    size_bytes_ = *size;
    next_offset_ = next_offset;
    if (indexes_missing_) return errc::corrupt_file;
    if (auto error = offset_index_.load(size_bytes_)) return error;
    if (auto error = time_index_.load(next_offset)) return error;
    // The last offset entry must name the batch that starts where it points.
    if (offset_index_.entry_count() > 0) {
        const offset_position last = offset_index_.entry(offset_index_.entry_count() - 1);
        batch_header_cursor cursor(log_->fd(), last.position, size_bytes_);
        auto batch = cursor.next();
        if (!batch) return batch.error();
        if (!*batch || (*batch)->header.last_offset() != last.offset) return errc::corrupt_file;
    }
    max_timestamp_ = time_index_.last().value_or(timestamp_offset{});
    // The segment is rolled: nothing will be appended, so interval
    // bookkeeping no longer matters.
    return {};
}

std::error_code log_segment::load_active(const std::function<std::error_code(const batch_header&)>& on_batch) {
    auto size = file_size(log_->fd());
    if (!size) return size.error();
    size_bytes_ = *size;
    if (indexes_missing_) return errc::corrupt_file;
    if (auto error = offset_index_.load(size_bytes_)) return error;
    next_offset_ = base_offset_;
    rolling_base_timestamp_ms_ = created_ms_;
    if (size_bytes_ > 0) {
        batch_header_cursor first(log_->fd(), 0, size_bytes_);
        auto batch = first.next();
        if (!batch) return batch.error();
        if (!*batch) return errc::corrupt_file;
        const auto& header = (*batch)->header;
        rolling_base_timestamp_ms_ = header.max_timestamp >= 0 ? header.max_timestamp : created_ms_;
    }
    // The tail: from the batch the last entry names (or the start) to the end.
    std::uint64_t start = 0;
    std::optional<std::int64_t> indexed_offset;
    if (offset_index_.entry_count() > 0) {
        const offset_position last = offset_index_.entry(offset_index_.entry_count() - 1);
        start = last.position;
        indexed_offset = last.offset;
    }
    std::vector<batch_header> tail;
    batch_header_cursor cursor(log_->fd(), start, size_bytes_);
    // Bounded by the batches in the tail.
    while (true) {
        auto batch = cursor.next();
        if (!batch) return batch.error();
        if (!*batch) break;
        const auto& header = (*batch)->header;
        if (indexed_offset && tail.empty() && header.last_offset() != *indexed_offset) return errc::corrupt_file;
        if (header.base_offset < next_offset_ || header.last_offset() - base_offset_ > max_relative_offset) {
            return errc::corrupt_file;
        }
        next_offset_ = header.last_offset() + 1;
        tail.push_back(header);
    }
    if (auto error = time_index_.load(next_offset_)) return error;
    max_timestamp_ = time_index_.last().value_or(timestamp_offset{});
    for (const auto& header : tail) {
        if (header.max_timestamp > max_timestamp_.timestamp_ms) {
            max_timestamp_ = {header.max_timestamp, header.last_offset()};
        }
        if (on_batch) {
            if (auto error = on_batch(header)) return error;
        }
    }
    // index_batch's bookkeeping: the bytes since the batch the last entry
    // named, that batch included (or since the start without entries).
    bytes_since_last_index_entry_ = size_bytes_ - start;
    unflushed_ = false;
    return {};
}

result<std::optional<located_batch>> log_segment::locate(std::int64_t offset) const {
    std::uint64_t start = 0;
    if (auto entry = offset_index_.lookup(offset)) start = entry->position;
    batch_header_cursor cursor(log_->fd(), start, size_bytes_);
    // Bounded by the batches in the segment.
    while (true) {
        auto batch = cursor.next();
        if (!batch) return batch.error();
        if (!*batch || (*batch)->header.last_offset() >= offset) return batch;
    }
}

std::error_code log_segment::truncate_to(std::int64_t offset, std::uint32_t index_interval_bytes) {
    auto found = locate(offset);
    if (!found) return found.error();
    if (!*found) return {};
    unflushed_ = true;
    if (auto error = truncate_file(log_->fd(), (*found)->position)) return error;
    size_bytes_ = (*found)->position;
    // Rebuild from the data: simpler and safer than patching every field, and
    // truncation is rare (a follower meeting a new leader).
    auto recovered = recover(index_interval_bytes, nullptr);
    if (!recovered) return recovered.error();
    return {};
}

std::error_code log_segment::finish_active() {
    indexes_unsynced_ = true;
    return time_index_.maybe_append(max_timestamp_.timestamp_ms, max_timestamp_.offset);
}

std::error_code log_segment::flush() {
    if (!unflushed_) return {};
    if (auto error = sync_data(log_->fd())) return error;
    unflushed_ = false;
    return {};
}

std::shared_ptr<file_handle> log_segment::take_unflushed() noexcept {
    if (!unflushed_) return nullptr;
    unflushed_ = false;
    return log_;
}

std::error_code log_segment::sync_indexes() {
    if (!indexes_unsynced_) return {};
    if (auto error = offset_index_.sync()) return error;
    if (auto error = time_index_.sync()) return error;
    indexes_unsynced_ = false;
    return {};
}

std::error_code log_segment::remove_files() {
    std::error_code first;
    for (const auto& path : {log_path(), index_path(), time_index_path()}) {
        if (auto error = remove_file(path); error && !first) first = error;
    }
    return first;
}

}  // namespace brook::storage
