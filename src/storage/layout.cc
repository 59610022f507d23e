#include "brook/storage/layout.h"

#include <charconv>
#include <cstdio>

#include "brook/storage/file.h"

namespace brook::storage {

namespace {

// A partition.metadata file is two short lines; anything much longer is not one.
constexpr std::size_t max_partition_metadata_bytes = 4096;
constexpr std::size_t segment_name_digits = 20;

}  // namespace

std::string partition_directory_name(std::string_view topic, std::int32_t partition) {
    std::string name(topic);
    name += '-';
    name += std::to_string(partition);
    return name;
}

std::string segment_file_name(std::int64_t base_offset, std::string_view suffix) {
    BROOK_ASSERT(base_offset >= 0, "segment base offsets are never negative");
    char digits[32];
    const int length = std::snprintf(digits, sizeof digits, "%020lld", static_cast<long long>(base_offset));
    BROOK_ASSERT(length == static_cast<int>(segment_name_digits), "an int64 offset has at most 19 digits");
    std::string name(digits, static_cast<std::size_t>(length));
    name += suffix;
    return name;
}

std::optional<std::int64_t> parse_segment_file_name(std::string_view file_name, std::string_view suffix) {
    if (file_name.size() != segment_name_digits + suffix.size()) return std::nullopt;
    if (file_name.substr(segment_name_digits) != suffix) return std::nullopt;
    std::int64_t value = 0;
    const char* first = file_name.data();
    const char* last = first + segment_name_digits;
    for (const char* c = first; c != last; ++c) {
        if (*c < '0' || *c > '9') return std::nullopt;
    }
    const auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc{} || end != last) return std::nullopt;
    return value;
}

std::error_code write_partition_metadata(const std::filesystem::path& directory, const wire::uuid& topic_id) {
    std::string contents = "version: 0\ntopic_id: ";
    contents += topic_id.to_base64();
    contents += '\n';
    return replace_file_atomically(directory / partition_metadata_file_name, contents);
}

result<wire::uuid> read_partition_metadata(const std::filesystem::path& directory) {
    auto contents = read_small_file(directory / partition_metadata_file_name, max_partition_metadata_bytes);
    if (!contents) return contents.error();
    std::string_view text = *contents;
    constexpr std::string_view version_line = "version: 0\n";
    constexpr std::string_view topic_id_prefix = "topic_id: ";
    if (!text.starts_with(version_line)) return errc::corrupt_file;
    text.remove_prefix(version_line.size());
    if (!text.starts_with(topic_id_prefix)) return errc::corrupt_file;
    text.remove_prefix(topic_id_prefix.size());
    if (text.ends_with('\n')) text.remove_suffix(1);
    auto id = wire::uuid::from_base64(text);
    if (!id) return errc::corrupt_file;
    return *id;
}

}  // namespace brook::storage
