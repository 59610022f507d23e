#include "brook/storage/index.h"

#include <algorithm>
#include <limits>

namespace brook::storage {

namespace {

void put_uint32(std::uint8_t* out, std::uint32_t value) noexcept {
    out[0] = static_cast<std::uint8_t>(value >> 24);
    out[1] = static_cast<std::uint8_t>(value >> 16);
    out[2] = static_cast<std::uint8_t>(value >> 8);
    out[3] = static_cast<std::uint8_t>(value);
}

void put_uint64(std::uint8_t* out, std::uint64_t value) noexcept {
    put_uint32(out, static_cast<std::uint32_t>(value >> 32));
    put_uint32(out + 4, static_cast<std::uint32_t>(value));
}

std::uint32_t get_uint32(const std::uint8_t* in) noexcept {
    return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) |
           std::uint32_t{in[3]};
}

std::uint64_t get_uint64(const std::uint8_t* in) noexcept {
    return (std::uint64_t{get_uint32(in)} << 32) | get_uint32(in + 4);
}

std::uint32_t relative_offset(std::int64_t base_offset, std::int64_t offset) noexcept {
    BROOK_ASSERT(offset >= base_offset && offset - base_offset <= std::numeric_limits<std::int32_t>::max(),
                 "index offsets must fit an int32 relative to the segment's base offset");
    return static_cast<std::uint32_t>(offset - base_offset);
}

}  // namespace

// ---- index_file ----

result<index_file> index_file::open(const std::filesystem::path& path) {
    auto file = open_read_write(path, /*create=*/true);
    if (!file) return file.error();
    auto size = file_size((*file)->fd());
    if (!size) return size.error();
    return index_file(path, *size);
}

result<wire::bytes> index_file::read(std::size_t entry_size_bytes) {
    auto file = open_read_write(path_, /*create=*/true);
    if (!file) return file.error();
    auto size = file_size((*file)->fd());
    if (!size) return size.error();
    bytes_on_disk_ = *size;
    if (*size % entry_size_bytes != 0) return errc::corrupt_file;
    // An index has one entry per index interval of a segment below 2 GiB, so a
    // file over 2 GiB cannot be one.
    if (*size > std::numeric_limits<std::int32_t>::max()) return errc::corrupt_file;
    wire::bytes data(static_cast<std::size_t>(*size));
    if (auto error = read_exact_at((*file)->fd(), data, 0)) return error;
    return data;
}

std::error_code index_file::write_and_sync(std::size_t first, std::size_t entry_size_bytes, wire::bytes_view tail) {
    auto file = open_read_write(path_, /*create=*/true);
    if (!file) return file.error();
    const std::uint64_t at = static_cast<std::uint64_t>(first) * entry_size_bytes;
    if (bytes_on_disk_ > at) {
        // A partial entry past the whole ones (a torn write) goes first.
        if (auto error = truncate_file((*file)->fd(), at)) return error;
        bytes_on_disk_ = at;
    }
    if (!tail.empty()) {
        if (auto error = write_all_at((*file)->fd(), tail, at)) return error;
        bytes_on_disk_ = at + tail.size();
    }
    if (auto error = sync_data((*file)->fd())) return error;
    matching_ = first + tail.size() / entry_size_bytes;
    return {};
}

std::error_code index_file::cut_to(std::size_t count, std::size_t entry_size_bytes) {
    const std::uint64_t size = static_cast<std::uint64_t>(count) * entry_size_bytes;
    matching_ = std::min(matching_, count);
    if (bytes_on_disk_ <= size) return {};
    auto file = open_read_write(path_, /*create=*/true);
    if (!file) return file.error();
    if (auto error = truncate_file((*file)->fd(), size)) return error;
    bytes_on_disk_ = size;
    matching_ = std::min(matching_, count);
    return {};
}

// ---- offset_index ----

result<offset_index> offset_index::open(const std::filesystem::path& path, std::int64_t base_offset) {
    auto file = index_file::open(path);
    if (!file) return file.error();
    return offset_index(std::move(*file), base_offset);
}

void offset_index::encode_entry(std::int64_t base_offset, const offset_position& entry, std::uint8_t* out) noexcept {
    put_uint32(out, relative_offset(base_offset, entry.offset));
    put_uint32(out + 4, entry.position);
}

offset_position offset_index::entry(std::size_t i) const noexcept {
    BROOK_ASSERT(i < entries_.size(), "offset index entry out of range");
    return {base_offset_ + entries_[i].relative_offset, entries_[i].position};
}

std::error_code offset_index::load(std::uint64_t log_size_bytes) {
    auto data = file_.read(entry_size_bytes);
    if (!data) return data.error();
    std::vector<packed_entry> loaded;
    loaded.reserve(data->size() / entry_size_bytes);
    for (std::size_t at = 0; at < data->size(); at += entry_size_bytes) {
        const packed_entry entry{get_uint32(data->data() + at), get_uint32(data->data() + at + 4)};
        if (entry.relative_offset > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()) ||
            entry.position >= log_size_bytes) {
            return errc::corrupt_file;
        }
        if (!loaded.empty() &&
            (entry.relative_offset <= loaded.back().relative_offset || entry.position <= loaded.back().position)) {
            return errc::corrupt_file;
        }
        loaded.push_back(entry);
    }
    entries_ = std::move(loaded);
    file_.loaded(entries_.size());
    return {};
}

std::error_code offset_index::append(std::int64_t offset, std::uint32_t position) {
    const packed_entry entry{relative_offset(base_offset_, offset), position};
    BROOK_ASSERT(entries_.empty() ||
                     (entry.relative_offset > entries_.back().relative_offset && position > entries_.back().position),
                 "offset index entries must increase");
    entries_.push_back(entry);
    return {};
}

std::optional<offset_position> offset_index::lookup(std::int64_t offset) const noexcept {
    if (offset < base_offset_) return std::nullopt;
    const std::int64_t relative = offset - base_offset_;
    // The first entry above the target; the one before it is the answer.
    const auto above = std::upper_bound(entries_.begin(), entries_.end(), relative,
                                        [](std::int64_t value, const packed_entry& entry) {
                                            return value < static_cast<std::int64_t>(entry.relative_offset);
                                        });
    if (above == entries_.begin()) return std::nullopt;
    const packed_entry& found = *(above - 1);
    return offset_position{base_offset_ + found.relative_offset, found.position};
}

std::error_code offset_index::shrink_to(std::size_t count) {
    if (auto error = file_.cut_to(count, entry_size_bytes)) return error;
    entries_.resize(count);
    return {};
}

std::error_code offset_index::sync() {
    const std::size_t first = std::min(file_.matching(), entries_.size());
    wire::bytes tail((entries_.size() - first) * entry_size_bytes);
    for (std::size_t i = first; i < entries_.size(); ++i) {
        std::uint8_t* out = tail.data() + (i - first) * entry_size_bytes;
        put_uint32(out, entries_[i].relative_offset);
        put_uint32(out + 4, entries_[i].position);
    }
    return file_.write_and_sync(first, entry_size_bytes, tail);
}

std::error_code offset_index::truncate_to_position(std::uint64_t log_size_bytes) {
    std::size_t keep = entries_.size();
    while (keep > 0 && entries_[keep - 1].position >= log_size_bytes) --keep;
    return shrink_to(keep);
}

std::error_code offset_index::reset() { return shrink_to(0); }

// ---- time_index ----

result<time_index> time_index::open(const std::filesystem::path& path, std::int64_t base_offset) {
    auto file = index_file::open(path);
    if (!file) return file.error();
    return time_index(std::move(*file), base_offset);
}

void time_index::encode_entry(std::int64_t base_offset, const timestamp_offset& entry, std::uint8_t* out) noexcept {
    put_uint64(out, static_cast<std::uint64_t>(entry.timestamp_ms));
    put_uint32(out + 8, relative_offset(base_offset, entry.offset));
}

timestamp_offset time_index::entry(std::size_t i) const noexcept {
    BROOK_ASSERT(i < entries_.size(), "time index entry out of range");
    return {entries_[i].timestamp_ms, base_offset_ + entries_[i].relative_offset};
}

std::error_code time_index::load(std::int64_t next_offset_bound) {
    auto data = file_.read(entry_size_bytes);
    if (!data) return data.error();
    std::vector<packed_entry> loaded;
    loaded.reserve(data->size() / entry_size_bytes);
    for (std::size_t at = 0; at < data->size(); at += entry_size_bytes) {
        const packed_entry entry{static_cast<std::int64_t>(get_uint64(data->data() + at)),
                                 get_uint32(data->data() + at + 8)};
        if (entry.relative_offset > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()) ||
            base_offset_ + entry.relative_offset >= next_offset_bound || entry.timestamp_ms < 0) {
            return errc::corrupt_file;
        }
        if (!loaded.empty() && (entry.timestamp_ms <= loaded.back().timestamp_ms ||
                                entry.relative_offset < loaded.back().relative_offset)) {
            return errc::corrupt_file;
        }
        loaded.push_back(entry);
    }
    entries_ = std::move(loaded);
    file_.loaded(entries_.size());
    return {};
}

std::error_code time_index::maybe_append(std::int64_t timestamp_ms, std::int64_t offset) {
    if (timestamp_ms < 0) return {};
    if (!entries_.empty() && timestamp_ms <= entries_.back().timestamp_ms) return {};
    const packed_entry entry{timestamp_ms, relative_offset(base_offset_, offset)};
    BROOK_ASSERT(entries_.empty() || entry.relative_offset >= entries_.back().relative_offset,
                 "time index offsets must not decrease");
    entries_.push_back(entry);
    return {};
}

std::optional<timestamp_offset> time_index::lookup_below(std::int64_t timestamp_ms) const noexcept {
    // The first entry at or above the target; the one before it is the answer.
    const auto at_or_above = std::lower_bound(entries_.begin(), entries_.end(), timestamp_ms,
                                              [](const packed_entry& entry, std::int64_t value) {
                                                  return entry.timestamp_ms < value;
                                              });
    if (at_or_above == entries_.begin()) return std::nullopt;
    const packed_entry& found = *(at_or_above - 1);
    return timestamp_offset{found.timestamp_ms, base_offset_ + found.relative_offset};
}

std::optional<timestamp_offset> time_index::last() const noexcept {
    if (entries_.empty()) return std::nullopt;
    return timestamp_offset{entries_.back().timestamp_ms, base_offset_ + entries_.back().relative_offset};
}

std::error_code time_index::shrink_to(std::size_t count) {
    if (auto error = file_.cut_to(count, entry_size_bytes)) return error;
    entries_.resize(count);
    return {};
}

std::error_code time_index::sync() {
    const std::size_t first = std::min(file_.matching(), entries_.size());
    wire::bytes tail((entries_.size() - first) * entry_size_bytes);
    for (std::size_t i = first; i < entries_.size(); ++i) {
        std::uint8_t* out = tail.data() + (i - first) * entry_size_bytes;
        put_uint64(out, static_cast<std::uint64_t>(entries_[i].timestamp_ms));
        put_uint32(out + 8, entries_[i].relative_offset);
    }
    return file_.write_and_sync(first, entry_size_bytes, tail);
}

std::error_code time_index::truncate_to_offset(std::int64_t end_offset) {
    std::size_t keep = entries_.size();
    while (keep > 0 && base_offset_ + entries_[keep - 1].relative_offset >= end_offset) --keep;
    return shrink_to(keep);
}

std::error_code time_index::reset() { return shrink_to(0); }

}  // namespace brook::storage
