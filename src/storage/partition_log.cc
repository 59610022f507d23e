#include "brook/storage/partition_log.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>
#include <string>

#include "brook/storage/layout.h"

namespace brook::storage {

namespace {

using record::batch_header;

// offset_for_timestamp decodes one batch to find a record in it; a
// compressed batch may not expand beyond this.
constexpr std::size_t max_decoded_batch_bytes = 256 * 1024 * 1024;
// The log-start-offset and recovery-point files are two short lines.
constexpr std::size_t max_offset_file_bytes = 256;
constexpr std::string_view temporary_suffix = ".tmp";

bool ends_with(const std::string& name, std::string_view suffix) {
    return name.size() >= suffix.size() && std::string_view(name).substr(name.size() - suffix.size()) == suffix;
}

// Reads a "0\n<offset>\n" file; nothing when it does not exist.
result<std::optional<std::int64_t>> read_offset_file(const std::filesystem::path& path) {
    auto contents = read_small_file(path, max_offset_file_bytes);
    if (!contents) {
        if (contents.error() == std::errc::no_such_file_or_directory) return std::optional<std::int64_t>{};
        return contents.error();
    }
    std::string_view text = *contents;
    constexpr std::string_view version_line = "0\n";
    if (!text.starts_with(version_line) || !text.ends_with('\n')) return errc::corrupt_file;
    text.remove_prefix(version_line.size());
    text.remove_suffix(1);
    std::int64_t offset = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), offset);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || offset < 0) {
        return errc::corrupt_file;
    }
    return std::optional<std::int64_t>{offset};
}

std::error_code write_offset_file(const std::filesystem::path& path, std::int64_t offset) {
    std::string contents = "0\n";
    contents += std::to_string(offset);
    contents += '\n';
    return replace_file_atomically(path, contents);
}

}  // namespace

std::error_code log_config::validate() const noexcept {
    if (segment_bytes < record::batch_layout::header_size_bytes ||
        segment_bytes > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
        return errc::invalid_argument;
    }
    if (segment_ms < 1 || retention_ms < -1 || retention_bytes < -1) return errc::invalid_argument;
    if (index_interval_bytes > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) {
        return errc::invalid_argument;
    }
    return {};
}

partition_log::partition_log(std::filesystem::path directory, const log_config& config, leader_epoch_cache epochs)
    : directory_(std::move(directory)), config_(config), epochs_(std::move(epochs)) {}

result<std::unique_ptr<partition_log>> partition_log::open(const std::filesystem::path& directory,
                                                           const log_config& config, std::int64_t now_ms) {
    if (auto error = config.validate()) return error;
    std::error_code error;
    const bool created = std::filesystem::create_directories(directory, error);
    if (error) return error;
    // A new partition directory must survive a power loss like its files.
    if (created) {
        if (auto sync_error = sync_directory(parent_directory(directory))) return sync_error;
    }
    auto epochs = leader_epoch_cache::load(directory);
    if (!epochs) return epochs.error();
    std::unique_ptr<partition_log> log(new partition_log(directory, config, std::move(*epochs)));
    log->last_now_ms_ = now_ms;
    if (auto load_error = log->load(now_ms)) return load_error;
    return log;
}

std::error_code partition_log::load(std::int64_t now_ms) {
    const std::filesystem::path marker = directory_ / clean_shutdown_file_name;
    std::error_code error;
    report_.clean_shutdown = std::filesystem::exists(marker, error);
    if (error) return error;

    // Collect the segments; drop leftovers of interrupted atomic writes and
    // index files whose .log is gone (their segment was being deleted).
    // Files are removed after the listing, not while it runs.
    std::set<std::int64_t> bases;
    std::vector<std::filesystem::path> indexes;
    std::vector<std::filesystem::path> leftovers;
    for (std::filesystem::directory_iterator it(directory_, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (ends_with(name, temporary_suffix)) {
            leftovers.push_back(it->path());
        } else if (auto base = parse_segment_file_name(name, log_file_suffix)) {
            bases.insert(*base);
        } else if (parse_segment_file_name(name, index_file_suffix) ||
                   parse_segment_file_name(name, time_index_file_suffix)) {
            indexes.push_back(it->path());
        }
    }
    if (error) return error;
    for (const auto& path : indexes) {
        const std::string name = path.filename().string();
        auto base = parse_segment_file_name(name, index_file_suffix);
        if (!base) base = parse_segment_file_name(name, time_index_file_suffix);
        if (!bases.contains(*base)) leftovers.push_back(path);
    }
    for (const auto& path : leftovers) {
        if (auto remove_error = remove_file(path)) return remove_error;
    }

    auto persisted_start = read_offset_file(directory_ / log_start_offset_file_name);
    if (!persisted_start) return persisted_start.error();
    auto persisted_recovery_point = read_offset_file(directory_ / recovery_point_file_name);
    if (!persisted_recovery_point) return persisted_recovery_point.error();
    recovery_point_ = persisted_recovery_point->value_or(0);

    for (const std::int64_t base : bases) {
        auto segment = log_segment::open(directory_, base, now_ms);
        if (!segment) return segment.error();
        segments_.push_back(std::move(*segment));
    }
    if (segments_.empty()) {
        auto segment = log_segment::create(directory_, persisted_start->value_or(0), now_ms);
        if (!segment) return segment.error();
        segments_.push_back(std::move(*segment));
        directory_unsynced_ = true;
    }

    // Recovery. A batch's leader epoch also rebuilds the epoch cache, as the
    // checkpoint may be older than the data.
    auto on_batch = [this](const batch_header& header) -> std::error_code {
        const auto latest = epochs_.latest();
        if (header.partition_leader_epoch >= 0 && (!latest || header.partition_leader_epoch > latest->epoch)) {
            return epochs_.assign(header.partition_leader_epoch, header.base_offset);
        }
        return {};
    };
    std::vector<log_segment*> recovered;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        log_segment& segment = *segments_[i];
        const bool active = i + 1 == segments_.size();
        // Old segments are trusted (their indexes checked, not rebuilt) after
        // a clean shutdown, and after a crash when they lie wholly below the
        // recovery point, i.e. were flushed with their indexes.
        const bool durable = !active && segments_[i + 1]->base_offset() <= recovery_point_;
        if (!active && (report_.clean_shutdown || durable)) {
            if (!segment.load_indexes(segments_[i + 1]->base_offset())) continue;
        }
        // After a clean shutdown the active segment is trusted too; only its
        // tail after the last index entry is read, so a restart does not
        // scan (and checksum) up to a whole segment per partition.
        if (active && report_.clean_shutdown) {
            if (!segment.load_active(on_batch)) continue;
        }
        auto found = segment.recover(config_.index_interval_bytes, on_batch);
        if (!found) return found.error();
        recovered.push_back(&segment);
        ++report_.segments_recovered;
        report_.truncated_bytes += found->truncated_bytes;
        // A corrupt batch in an older segment, or one that no longer ends
        // where the next begins (after a power loss its unsynced tail can
        // vanish while the next segment's data survives): what follows cannot
        // continue it, so it goes too. Brook segments never end in a gap, as
        // a roll starts the next segment at the log end; compaction, when it
        // comes, will have to relax this.
        if (!active && (found->truncated_bytes > 0 || segment.next_offset() != segments_[i + 1]->base_offset())) {
            for (std::size_t j = i + 1; j < segments_.size(); ++j) {
                if (auto remove_error = segments_[j]->remove_files()) return remove_error;
                ++report_.segments_dropped;
            }
            segments_.resize(i + 1);
            directory_unsynced_ = true;
            break;
        }
        if (!active) {
            if (auto finish_error = segment.finish_active()) return finish_error;
        }
    }
    log_end_offset_ = segments_.back()->next_offset();
    log_start_offset_ = std::max(segments_.front()->base_offset(), persisted_start->value_or(0));
    if (log_start_offset_ > log_end_offset_) {
        // DeleteRecords moved the start past what survived the crash (the
        // tail it kept was never flushed). The deletion was acknowledged, so
        // the log restarts empty there rather than hand out offsets below it.
        recovered.clear();
        if (auto start_error = start_over_at(log_start_offset_)) return start_error;
    }
    report_.segments = segments_.size();
    if (auto epoch_error = epochs_.truncate_from_end(log_end_offset_)) return epoch_error;
    if (auto epoch_error = epochs_.truncate_from_start(log_start_offset_)) return epoch_error;

    // What recovery kept may still sit only in the page cache (the process
    // died, not the machine); sync it so flushed_offset starts out true.
    // Segments trusted after a clean shutdown were synced by close().
    for (log_segment* segment : recovered) {
        if (auto sync_error = segment->flush()) return sync_error;
    }
    if (report_.clean_shutdown) {
        if (auto remove_error = remove_file(marker)) return remove_error;
        directory_unsynced_ = true;
    }
    if (directory_unsynced_) {
        if (auto sync_error = sync_directory(directory_)) return sync_error;
        directory_unsynced_ = false;
    }
    flushed_offset_ = log_end_offset_;
    return {};
}

void partition_log::set_config(const log_config& config) {
    BROOK_ASSERT(!config.validate(), "set_config needs a validated config");
    config_ = config;
}

std::error_code partition_log::check_usable() const noexcept {
    if (closed_) return errc::log_closed;
    if (failed_) return errc::log_failed;
    return {};
}

std::error_code partition_log::mark_failed(std::error_code error) noexcept {
    failed_ = true;
    return error;
}

std::uint64_t partition_log::size_bytes() const noexcept {
    std::uint64_t total = 0;
    for (const auto& segment : segments_) total += segment->size_bytes();
    return total;
}

std::size_t partition_log::segment_index_for(std::int64_t offset) const noexcept {
    const auto above = std::upper_bound(segments_.begin(), segments_.end(), offset,
                                        [](std::int64_t value, const std::unique_ptr<log_segment>& segment) {
                                            return value < segment->base_offset();
                                        });
    if (above == segments_.begin()) return 0;
    return static_cast<std::size_t>(above - segments_.begin()) - 1;
}

bool partition_log::should_roll(std::uint64_t incoming_bytes, std::int64_t last_offset,
                                std::int64_t now_ms) const noexcept {
    const log_segment& active = *segments_.back();
    if (active.empty()) return false;
    if (active.size_bytes() + incoming_bytes > config_.segment_bytes) return true;
    if (now_ms - active.rolling_base_timestamp_ms() > config_.segment_ms) return true;
    return last_offset - active.base_offset() > std::numeric_limits<std::int32_t>::max();
}

std::error_code partition_log::roll(std::int64_t now_ms) {
    if (auto error = segments_.back()->finish_active()) return error;
    auto segment = log_segment::create(directory_, log_end_offset_, now_ms);
    if (!segment) return segment.error();
    segments_.push_back(std::move(*segment));
    directory_unsynced_ = true;
    return {};
}

result<append_result> partition_log::append(wire::bytes_view batches, std::int32_t leader_epoch,
                                            record::timestamp_type timestamp_type, std::int64_t now_ms) {
    scratch_copy_.assign(batches.begin(), batches.end());
    return append(std::span<wire::byte>(scratch_copy_), leader_epoch, timestamp_type, now_ms);
}

result<append_result> partition_log::append(std::span<wire::byte> batches, std::int32_t leader_epoch,
                                            record::timestamp_type timestamp_type, std::int64_t now_ms) {
    if (auto error = check_usable()) return error;

    // Frame the input and size it before touching anything.
    scratch_headers_.clear();
    std::uint64_t total_bytes = 0;
    std::int64_t offset_count = 0;
    record::batch_splitter splitter(batches);
    while (auto view = splitter.next()) {
        batch_header header;
        if (record::read_batch_header(*view, header) != wire::errc::ok || header.last_offset_delta < 0) {
            return errc::invalid_record_set;
        }
        if (header.size_bytes() > config_.max_message_bytes) return errc::record_batch_too_large;
        total_bytes += header.size_bytes();
        offset_count += std::int64_t{header.last_offset_delta} + 1;
        scratch_headers_.push_back(header);
    }
    if (splitter.error() != wire::errc::ok || scratch_headers_.empty()) return errc::invalid_record_set;
    if (total_bytes > config_.segment_bytes) return errc::record_batch_too_large;
    // One append goes to one segment, whose index holds int32 relative offsets.
    if (offset_count > std::numeric_limits<std::int32_t>::max() ||
        offset_count > std::numeric_limits<std::int64_t>::max() - log_end_offset_) {
        return errc::invalid_record_set;
    }
    last_now_ms_ = std::max(last_now_ms_, now_ms);
    const std::int64_t base_offset = log_end_offset_;
    const std::int64_t last_offset = base_offset + offset_count - 1;

    std::optional<record::timestamp_rewrite> timestamps;
    if (timestamp_type == record::timestamp_type::log_append_time) {
        timestamps = record::timestamp_rewrite{record::timestamp_type::log_append_time, now_ms};
    }
    std::size_t position = 0;
    std::int64_t next_offset = base_offset;
    for (batch_header& header : scratch_headers_) {
        const std::span<wire::byte> bytes = batches.subspan(position, header.size_bytes());
        const record::batch_rewrite rewrite{next_offset, leader_epoch, timestamps};
        if (record::rewrite_batch_in_place(bytes, rewrite) != wire::errc::ok) return errc::invalid_record_set;
        // Read the header back rather than patch the copy: the index must
        // describe exactly the bytes written.
        if (record::read_batch_header(bytes, header) != wire::errc::ok) return errc::invalid_record_set;
        next_offset = header.last_offset() + 1;
        position += header.size_bytes();
    }
    BROOK_ASSERT(next_offset == last_offset + 1, "offsets assigned must match the count taken");

    // Only now, with every batch rewritten, does the log change.
    if (should_roll(total_bytes, last_offset, now_ms)) {
        if (auto error = roll(now_ms)) return mark_failed(error);
    }
    if (leader_epoch >= 0) {
        if (auto error = epochs_.assign(leader_epoch, base_offset)) return mark_failed(error);
    }

    if (auto error = segments_.back()->append(batches, scratch_headers_, config_.index_interval_bytes)) {
        return mark_failed(error);
    }
    log_end_offset_ = last_offset + 1;
    append_result appended;
    appended.base_offset = base_offset;
    appended.last_offset = last_offset;
    appended.log_append_time_ms = timestamps ? now_ms : -1;
    return appended;
}

result<append_result> partition_log::append_as_follower(wire::bytes_view batches, std::int64_t now_ms) {
    if (auto error = check_usable()) return error;
    scratch_headers_.clear();
    std::uint64_t total_bytes = 0;
    std::int64_t next_offset = log_end_offset_;
    record::batch_splitter splitter(batches);
    while (auto view = splitter.next()) {
        record::batch_view batch;
        if (record::parse_batch(*view, batch) != wire::errc::ok) return errc::invalid_record_set;
        if (batch.header.base_offset < next_offset) return errc::offsets_out_of_order;
        total_bytes += batch.header.size_bytes();
        next_offset = batch.header.last_offset() + 1;
        scratch_headers_.push_back(batch.header);
    }
    if (splitter.error() != wire::errc::ok || scratch_headers_.empty()) return errc::invalid_record_set;
    if (total_bytes > config_.segment_bytes) return errc::record_batch_too_large;
    const std::int64_t last_offset = next_offset - 1;
    // A new segment starts at the log end, so the whole append must fit its
    // int32 relative offsets from there (only a huge compaction gap would not).
    if (last_offset - log_end_offset_ > std::numeric_limits<std::int32_t>::max()) {
        return errc::offsets_out_of_order;
    }
    last_now_ms_ = std::max(last_now_ms_, now_ms);

    if (should_roll(total_bytes, last_offset, now_ms)) {
        if (auto error = roll(now_ms)) return mark_failed(error);
    }
    for (const batch_header& header : scratch_headers_) {
        const auto latest = epochs_.latest();
        if (header.partition_leader_epoch >= 0 && (!latest || header.partition_leader_epoch > latest->epoch)) {
            if (auto error = epochs_.assign(header.partition_leader_epoch, header.base_offset)) {
                return mark_failed(error);
            }
        }
    }
    if (auto error = segments_.back()->append(batches, scratch_headers_, config_.index_interval_bytes)) {
        return mark_failed(error);
    }
    log_end_offset_ = last_offset + 1;
    append_result appended;
    appended.base_offset = scratch_headers_.front().base_offset;
    appended.last_offset = last_offset;
    return appended;
}

result<read_result> partition_log::read(std::int64_t start_offset, std::uint64_t max_bytes,
                                        std::int64_t max_offset_exclusive) const {
    if (auto error = check_usable()) return error;
    if (start_offset < log_start_offset_ || start_offset > log_end_offset_) return errc::offset_out_of_range;
    const std::int64_t limit = std::min(max_offset_exclusive, log_end_offset_);
    read_result out;
    if (start_offset >= limit) return out;

    for (std::size_t i = segment_index_for(start_offset); i < segments_.size(); ++i) {
        const log_segment& segment = *segments_[i];
        auto first = segment.locate(start_offset);
        if (!first) return first.error();
        if (!*first) continue;  // the segment ends before start_offset: try the next
        const located_batch& batch = **first;
        if (batch.header.last_offset() >= limit) return out;

        read_slice slice;
        slice.file = segment.log_file();
        slice.position = batch.position;
        slice.length_bytes = batch.header.size_bytes();
        slice.first_offset = batch.header.base_offset;
        slice.last_offset = batch.header.last_offset();
        batch_header_cursor cursor(segment.log_file()->fd(), batch.position + batch.header.size_bytes(),
                                   segment.size_bytes());
        // Bounded by the batches in the segment.
        while (true) {
            auto next = cursor.next();
            if (!next) return next.error();
            if (!*next) break;
            const batch_header& header = (*next)->header;
            if (header.last_offset() >= limit || slice.length_bytes + header.size_bytes() > max_bytes) break;
            slice.length_bytes += header.size_bytes();
            slice.last_offset = header.last_offset();
        }
        out.slice = std::move(slice);
        return out;
    }
    return out;
}

std::error_code partition_log::flush() {
    auto plan = begin_flush();
    if (!plan) return plan.error();
    return finish_flush(*plan, sync(*plan));
}

result<partition_log::flush_plan> partition_log::begin_flush() {
    if (auto error = check_usable()) return error;
    flush_plan plan;
    for (const auto& segment : segments_) {
        if (auto file = segment->take_unflushed()) plan.files.push_back(std::move(file));
    }
    if (directory_unsynced_) {
        plan.directory = directory_;
        directory_unsynced_ = false;
    }
    plan.up_to = log_end_offset_;
    plan.active_base = segments_.back()->base_offset();
    plan.truncations = truncations_;
    return plan;
}

std::error_code partition_log::sync(const flush_plan& plan) noexcept {
    for (const auto& file : plan.files) {
        if (auto error = sync_data(file->fd())) return error;
    }
    if (plan.directory) return sync_directory(*plan.directory);
    return {};
}

std::error_code partition_log::finish_flush(const flush_plan& plan, std::error_code sync_error) {
    if (auto error = check_usable()) return error;
    // A failed fdatasync may have dropped dirty pages (the kernel does not
    // retry), so the log's durable state is unknown from here on.
    if (sync_error) return mark_failed(sync_error);
    // A truncation during the sync rewrote the tail it covered, and what was
    // appended since is not synced: the next flush covers it.
    if (plan.truncations != truncations_) return {};
    flushed_offset_ = std::max(flushed_offset_, plan.up_to);
    // Every segment before the plan's active one is now complete and
    // durable; once their indexes are too, a crash restart need not validate
    // them. This costs two fsyncs once per roll, not per flush.
    if (plan.active_base > recovery_point_) {
        for (const auto& segment : segments_) {
            if (segment->base_offset() >= plan.active_base) break;
            if (auto error = segment->sync_indexes()) return mark_failed(error);
        }
        if (auto error = write_offset_file(directory_ / recovery_point_file_name, plan.active_base)) {
            return mark_failed(error);
        }
        recovery_point_ = plan.active_base;
    }
    return {};
}

result<std::optional<timestamp_and_offset>> partition_log::find_record_by_timestamp(
    const log_segment& segment, std::int64_t start, std::int64_t minimum_timestamp_ms, bool exact) const {
    start = std::max(start, log_start_offset_);
    auto first = segment.locate(start);
    if (!first) return first.error();
    if (!*first) return std::optional<timestamp_and_offset>{};
    wire::bytes batch_bytes;
    record::decoded_records records;
    const record::decode_options options{max_decoded_batch_bytes, false};
    batch_header_cursor cursor(segment.log_file()->fd(), (*first)->position, segment.size_bytes());
    // Bounded by the batches in the segment.
    while (true) {
        auto next = cursor.next();
        if (!next) return next.error();
        if (!*next) return std::optional<timestamp_and_offset>{};
        const located_batch& found = **next;
        if (found.header.max_timestamp < minimum_timestamp_ms || found.header.last_offset() < log_start_offset_) {
            continue;
        }
        batch_bytes.resize(found.header.size_bytes());
        if (auto error = read_exact_at(segment.log_file()->fd(), batch_bytes, found.position)) return error;
        record::batch_view batch;
        if (record::parse_batch(batch_bytes, batch) != wire::errc::ok) return errc::corrupt_file;
        if (record::decode_records(batch, options, records) != wire::errc::ok) return errc::corrupt_file;
        for (const record::record_view& record : records) {
            const std::int64_t offset = record.offset(batch.header);
            const std::int64_t record_timestamp = record.timestamp(batch.header);
            const bool matches =
                exact ? record_timestamp == minimum_timestamp_ms : record_timestamp >= minimum_timestamp_ms;
            if (matches && offset >= log_start_offset_) {
                return std::optional<timestamp_and_offset>{timestamp_and_offset{record_timestamp, offset}};
            }
        }
    }
}

result<std::optional<timestamp_and_offset>> partition_log::offset_for_timestamp(std::int64_t timestamp_ms) const {
    if (auto error = check_usable()) return error;
    for (const auto& segment : segments_) {
        if (segment->max_timestamp().timestamp_ms < timestamp_ms) continue;
        // Every record up to the time index entry's offset is older than the
        // target, so the search may start at the batch holding that offset.
        std::int64_t start = segment->base_offset();
        if (auto entry = segment->timestamps().lookup_below(timestamp_ms)) start = entry->offset;
        auto found = find_record_by_timestamp(*segment, start, timestamp_ms, false);
        if (!found || *found) return found;
    }
    return std::optional<timestamp_and_offset>{};
}

result<std::optional<timestamp_and_offset>> partition_log::max_timestamp() const {
    if (auto error = check_usable()) return error;
    const log_segment* best = nullptr;
    for (const auto& segment : segments_) {
        const std::int64_t candidate = segment->max_timestamp().timestamp_ms;
        if (candidate >= 0 && (!best || candidate > best->max_timestamp().timestamp_ms)) best = segment.get();
    }
    if (best == nullptr) return std::optional<timestamp_and_offset>{};
    // The segment knows the batch (by its last offset); the record is inside.
    auto found = find_record_by_timestamp(*best, best->max_timestamp().offset,
                                          best->max_timestamp().timestamp_ms, true);
    if (!found) return found.error();
    if (*found) return found;
    // Records below the log start were the only ones with that timestamp.
    return std::optional<timestamp_and_offset>{};
}

std::error_code partition_log::persist_log_start_offset() {
    return write_offset_file(directory_ / log_start_offset_file_name, log_start_offset_);
}

std::error_code partition_log::lower_recovery_point(std::int64_t offset) {
    if (offset >= recovery_point_) return {};
    // Lowered on disk first: a crash in the middle of what follows must not
    // leave segments trusted that are about to change.
    if (auto error = write_offset_file(directory_ / recovery_point_file_name, offset)) return error;
    recovery_point_ = offset;
    return {};
}

std::error_code partition_log::delete_front_segments(std::size_t count) {
    BROOK_ASSERT(count < segments_.size(), "the active segment is never deleted this way");
    std::size_t removed = 0;
    std::error_code first_error;
    for (; removed < count; ++removed) {
        if (auto error = segments_[removed]->remove_files()) {
            first_error = error;
            break;
        }
    }
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(removed));
    if (removed > 0) directory_unsynced_ = true;
    log_start_offset_ = std::max(log_start_offset_, segments_.front()->base_offset());
    return first_error;
}

std::error_code partition_log::start_over_at(std::int64_t offset) {
    if (auto error = lower_recovery_point(std::min(offset, segments_.front()->base_offset()))) return error;
    for (const auto& segment : segments_) {
        if (auto error = segment->remove_files()) return error;
    }
    segments_.clear();
    auto segment = log_segment::create(directory_, offset, last_now_ms_);
    if (!segment) return segment.error();
    segments_.push_back(std::move(*segment));
    directory_unsynced_ = true;
    log_start_offset_ = log_end_offset_ = offset;
    ++truncations_;
    flushed_offset_ = std::min(flushed_offset_, offset);
    if (auto error = persist_log_start_offset()) return error;
    return epochs_.truncate_from_end(std::numeric_limits<std::int64_t>::min());
}

std::error_code partition_log::truncate_to(std::int64_t offset) {
    if (auto error = check_usable()) return error;
    if (offset < 0) return errc::invalid_argument;
    if (offset >= log_end_offset_) return {};
    if (offset <= log_start_offset_) {
        if (auto error = start_over_at(offset)) return mark_failed(error);
        return {};
    }
    // The segment holding `offset` changes and later ones go: none of them
    // may be trusted without validation after a crash from here on.
    if (auto error = lower_recovery_point(segments_[segment_index_for(offset)]->base_offset())) {
        return mark_failed(error);
    }
    // The first segment's base is at or below the log start, so it survives.
    while (segments_.size() > 1 && segments_.back()->base_offset() >= offset) {
        if (auto error = segments_.back()->remove_files()) return mark_failed(error);
        segments_.pop_back();
        directory_unsynced_ = true;
    }
    log_segment& last = *segments_.back();
    if (auto error = last.truncate_to(offset, config_.index_interval_bytes)) return mark_failed(error);
    log_end_offset_ = last.next_offset();
    ++truncations_;
    flushed_offset_ = std::min(flushed_offset_, log_end_offset_);
    if (log_start_offset_ > log_end_offset_) {
        log_start_offset_ = log_end_offset_;
        if (auto error = persist_log_start_offset()) return mark_failed(error);
    }
    if (auto error = epochs_.truncate_from_end(log_end_offset_)) return mark_failed(error);
    return {};
}

std::error_code partition_log::delete_records_before(std::int64_t offset) {
    if (auto error = check_usable()) return error;
    if (offset < 0 || offset > log_end_offset_) return errc::offset_out_of_range;
    if (offset <= log_start_offset_) return {};
    log_start_offset_ = offset;
    // Persist first: once segments are gone a crash must not bring back a
    // start offset below what DeleteRecords acknowledged.
    if (auto error = persist_log_start_offset()) return mark_failed(error);
    if (auto error = epochs_.truncate_from_start(offset)) return mark_failed(error);
    std::size_t count = 0;
    while (count + 1 < segments_.size() && segments_[count + 1]->base_offset() <= offset) ++count;
    if (auto error = delete_front_segments(count)) return mark_failed(error);
    return {};
}

result<std::size_t> partition_log::apply_retention(std::int64_t now_ms, std::int64_t high_watermark) {
    if (auto error = check_usable()) return error;
    // A segment may go only when every offset in it is below the high
    // watermark, i.e. when the next segment starts at or below it.
    auto deletable = [&](std::size_t i) {
        return i + 1 < segments_.size() && segments_[i + 1]->base_offset() <= high_watermark;
    };
    std::size_t count = 0;
    if (config_.retention_ms >= 0) {
        while (deletable(count)) {
            auto largest = segments_[count]->largest_timestamp_for_retention();
            if (!largest) return largest.error();
            if (now_ms - *largest <= config_.retention_ms) break;
            ++count;
        }
    }
    if (config_.retention_bytes >= 0) {
        std::uint64_t remaining = 0;
        for (std::size_t i = count; i < segments_.size(); ++i) remaining += segments_[i]->size_bytes();
        const auto limit = static_cast<std::uint64_t>(config_.retention_bytes);
        while (deletable(count) && remaining > limit && remaining - limit >= segments_[count]->size_bytes()) {
            remaining -= segments_[count]->size_bytes();
            ++count;
        }
    }
    if (count == 0) return std::size_t{0};
    if (auto error = delete_front_segments(count)) return mark_failed(error);
    if (auto error = epochs_.truncate_from_start(log_start_offset_)) return mark_failed(error);
    return count;
}

std::error_code partition_log::close() {
    if (closed_) return errc::log_closed;
    std::error_code result_error = check_usable();
    if (!result_error) result_error = flush();
    if (!result_error) result_error = segments_.back()->finish_active();
    for (const auto& segment : segments_) {
        if (result_error) break;
        result_error = segment->sync_indexes();
    }
    // The marker promises that every segment but the active one and every
    // index is sound; write it only when that is true.
    if (!result_error) result_error = replace_file_atomically(directory_ / clean_shutdown_file_name, "0\n");
    segments_.clear();
    closed_ = true;
    return result_error;
}

std::error_code partition_log::remove() {
    segments_.clear();
    closed_ = true;
    std::error_code error;
    std::filesystem::remove_all(directory_, error);
    if (error) return error;
    return sync_directory(parent_directory(directory_));
}

}  // namespace brook::storage
