#include "brook/storage/leader_epoch_cache.h"

#include <charconv>

#include "brook/storage/file.h"
#include "brook/storage/layout.h"

namespace brook::storage {

namespace {

// A checkpoint holds one line per leader epoch; a partition with millions of
// leader changes is not plausible, so a larger file is treated as corrupt.
constexpr std::size_t max_checkpoint_bytes = 16 * 1024 * 1024;

// Splits off the next '\n'-terminated line; nothing when no full line is left.
std::optional<std::string_view> next_line(std::string_view& text) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    return line;
}

template <typename T>
bool parse_number(std::string_view text, T& value) {
    if (text.empty()) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

result<leader_epoch_cache> leader_epoch_cache::load(const std::filesystem::path& directory) {
    leader_epoch_cache cache(directory);
    auto contents = read_small_file(directory / leader_epoch_checkpoint_file_name, max_checkpoint_bytes);
    if (!contents) {
        if (contents.error() == std::errc::no_such_file_or_directory) return cache;
        return contents.error();
    }
    auto entries = parse(*contents);
    if (!entries) return entries.error();
    cache.entries_ = std::move(*entries);
    return cache;
}

std::string leader_epoch_cache::format(const std::vector<epoch_entry>& entries) {
    std::string text = "0\n";
    text += std::to_string(entries.size());
    text += '\n';
    for (const epoch_entry& entry : entries) {
        text += std::to_string(entry.epoch);
        text += ' ';
        text += std::to_string(entry.start_offset);
        text += '\n';
    }
    return text;
}

result<std::vector<epoch_entry>> leader_epoch_cache::parse(std::string_view text) {
    const auto version = next_line(text);
    if (!version || *version != "0") return errc::corrupt_file;
    const auto count_line = next_line(text);
    std::size_t count = 0;
    if (!count_line || !parse_number(*count_line, count)) return errc::corrupt_file;
    // Each entry needs at least four bytes ("0 0\n"), which bounds the count
    // by the text before anything is reserved.
    if (count > text.size() / 4 + 1) return errc::corrupt_file;
    std::vector<epoch_entry> entries;
    entries.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto line = next_line(text);
        if (!line) return errc::corrupt_file;
        const auto space = line->find(' ');
        if (space == std::string_view::npos) return errc::corrupt_file;
        epoch_entry entry;
        if (!parse_number(line->substr(0, space), entry.epoch) ||
            !parse_number(line->substr(space + 1), entry.start_offset)) {
            return errc::corrupt_file;
        }
        if (entry.epoch < 0 || entry.start_offset < 0) return errc::corrupt_file;
        if (!entries.empty() &&
            (entry.epoch <= entries.back().epoch || entry.start_offset < entries.back().start_offset)) {
            return errc::corrupt_file;
        }
        entries.push_back(entry);
    }
    if (!text.empty()) return errc::corrupt_file;
    return entries;
}

std::error_code leader_epoch_cache::persist() const {
    return replace_file_atomically(directory_ / leader_epoch_checkpoint_file_name, format(entries_));
}

std::error_code leader_epoch_cache::assign(std::int32_t epoch, std::int64_t start_offset) {
    BROOK_ASSERT(epoch >= 0 && start_offset >= 0, "leader epochs and their offsets are never negative");
    if (!entries_.empty() && epoch <= entries_.back().epoch) return {};
    while (!entries_.empty() && entries_.back().start_offset >= start_offset) entries_.pop_back();
    entries_.push_back({epoch, start_offset});
    return persist();
}

std::error_code leader_epoch_cache::truncate_from_end(std::int64_t end_offset) {
    bool changed = false;
    while (!entries_.empty() && entries_.back().start_offset >= end_offset) {
        entries_.pop_back();
        changed = true;
    }
    return changed ? persist() : std::error_code{};
}

std::error_code leader_epoch_cache::truncate_from_start(std::int64_t start_offset) {
    // The last entry starting at or before start_offset covers it; the ones
    // before that describe offsets the log no longer holds.
    std::size_t covering = 0;
    bool found = false;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].start_offset <= start_offset) {
            covering = i;
            found = true;
        }
    }
    if (!found) return {};
    bool changed = covering > 0 || entries_[covering].start_offset != start_offset;
    if (!changed) return {};
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(covering));
    entries_.front().start_offset = start_offset;
    return persist();
}

epoch_end_offset leader_epoch_cache::end_offset_for_epoch(std::int32_t epoch,
                                                         std::int64_t log_end_offset) const noexcept {
    if (epoch < 0 || entries_.empty()) return {};
    if (epoch == entries_.back().epoch) return {epoch, log_end_offset};
    // The first entry with a higher epoch ends the requested one.
    std::size_t higher = 0;
    while (higher < entries_.size() && entries_[higher].epoch <= epoch) ++higher;
    if (higher == entries_.size()) return {};
    if (higher == 0) return {epoch, entries_[0].start_offset};
    return {entries_[higher - 1].epoch, entries_[higher].start_offset};
}

}  // namespace brook::storage
