#include "brook/config/properties.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <system_error>

namespace brook::config {
namespace {

// Java's Properties treats only these three as whitespace around keys.
bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\f'; }

// One logical line: natural lines joined by continuation, escapes still in.
struct logical_line {
    std::string text;
    int line = 0;  // the natural line where it starts
};

// Splits text into logical lines, dropping blank and comment lines. Java
// drops a continuation line's leading whitespace, does not continue comment
// lines, and ends a logical line at a blank continuation line.
std::vector<logical_line> split_logical_lines(std::string_view text) {
    std::vector<logical_line> lines;
    std::size_t position = 0;
    int line_number = 0;
    logical_line current;
    bool continuing = false;
    while (position < text.size()) {
        // One natural line: up to \n, \r or \r\n.
        std::size_t end = position;
        while (end < text.size() && text[end] != '\n' && text[end] != '\r') {
            ++end;
        }
        std::string_view natural = text.substr(position, end - position);
        position = end;
        if (position < text.size() && text[position] == '\r') {
            ++position;
            if (position < text.size() && text[position] == '\n') {
                ++position;  // \r\n is one line ending
            }
        } else if (position < text.size()) {
            ++position;
        }
        ++line_number;

        std::size_t first = 0;
        while (first < natural.size() && is_blank(natural[first])) {
            ++first;
        }
        natural.remove_prefix(first);
        if (!continuing) {
            if (natural.empty() || natural.front() == '#' || natural.front() == '!') {
                continue;
            }
            current = logical_line{std::string(), line_number};
        } else if (natural.empty()) {
            lines.push_back(std::move(current));
            continuing = false;
            continue;
        }
        // An odd run of trailing backslashes escapes the line break.
        const auto trailing = static_cast<std::size_t>(
            std::distance(natural.rbegin(), std::find_if(natural.rbegin(), natural.rend(),
                                                         [](char c) { return c != '\\'; })));
        if (trailing % 2 == 1) {
            current.text.append(natural.substr(0, natural.size() - 1));
            continuing = true;
            continue;
        }
        current.text.append(natural);
        lines.push_back(std::move(current));
        continuing = false;
    }
    if (continuing) {
        lines.push_back(std::move(current));  // a continuation at the end of the file
    }
    return lines;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

// The four hex digits after "\u" at `at`, or nothing when malformed.
std::optional<std::uint32_t> read_hex4(std::string_view text, std::size_t at) {
    if (at + 4 > text.size()) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
        const char c = text[i];
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint32_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint32_t>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<std::uint32_t>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        value = value * 16 + digit;
    }
    return value;
}

// Resolves the escapes of a key or value; an error message on a malformed
// \u escape or a surrogate that is not half of a pair.
std::optional<std::string> unescape(std::string_view text, std::string& out) {
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i == text.size()) {
            break;  // a lone backslash at the very end of the file stands for nothing
        }
        switch (text[i]) {
            case 't': out.push_back('\t'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 'f': out.push_back('\f'); break;
            case 'u': {
                const auto unit = read_hex4(text, i + 1);
                if (!unit) {
                    return fmt::format("malformed \\uXXXX escape \"{}\": expected four hex digits",
                                       text.substr(i - 1, std::min<std::size_t>(6, text.size() - i + 1)));
                }
                i += 4;
                std::uint32_t code_point = *unit;
                if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
                    return fmt::format("\\u{:04X} is a low surrogate without a high surrogate before it", code_point);
                }
                if (code_point >= 0xD800 && code_point <= 0xDBFF) {
                    const bool has_pair = i + 2 < text.size() && text[i + 1] == '\\' && text[i + 2] == 'u';
                    const auto low = has_pair ? read_hex4(text, i + 3) : std::nullopt;
                    if (!low || *low < 0xDC00 || *low > 0xDFFF) {
                        return fmt::format("\\u{:04X} is a high surrogate without a \\uDC00-\\uDFFF escape after it",
                                           code_point);
                    }
                    code_point = 0x10000 + ((code_point - 0xD800) << 10) + (*low - 0xDC00);
                    i += 6;
                }
                append_utf8(out, code_point);
                break;
            }
            default: out.push_back(text[i]); break;  // \\ \= \: \# \! \space and any other
        }
    }
    return std::nullopt;
}

}  // namespace

parse_result<properties> properties::parse(std::string_view text) {
    properties result;
    std::string key;
    std::string value;
    for (const logical_line& line : split_logical_lines(text)) {
        const std::string_view raw = line.text;
        // The key ends at the first unescaped '=', ':' or whitespace.
        std::size_t key_end = 0;
        bool escaped = false;
        for (; key_end < raw.size(); ++key_end) {
            const char c = raw[key_end];
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '=' || c == ':' || is_blank(c)) {
                break;
            }
        }
        // Whitespace, then at most one '=' or ':', then whitespace again.
        std::size_t value_start = key_end;
        while (value_start < raw.size() && is_blank(raw[value_start])) {
            ++value_start;
        }
        if (value_start < raw.size() && (raw[value_start] == '=' || raw[value_start] == ':')) {
            ++value_start;
            while (value_start < raw.size() && is_blank(raw[value_start])) {
                ++value_start;
            }
        }
        if (auto error = unescape(raw.substr(0, key_end), key)) {
            return parse_result<properties>::failure(fmt::format("line {}: {}", line.line, *error));
        }
        if (auto error = unescape(raw.substr(value_start), value)) {
            return parse_result<properties>::failure(fmt::format("line {}: {}", line.line, *error));
        }
        result.set(key, value, line.line);
    }
    return parse_result<properties>::success(std::move(result));
}

parse_result<properties> properties::load(const std::filesystem::path& path, std::size_t max_bytes) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        const std::error_code error(errno, std::generic_category());
        return parse_result<properties>::failure(
            fmt::format("cannot open configuration file {}: {}", path.string(), error.message()));
    }
    std::string text;
    char buffer[64 * 1024];
    while (file.read(buffer, sizeof(buffer)) || file.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (text.size() > max_bytes) {
            return parse_result<properties>::failure(
                fmt::format("configuration file {} is larger than {} bytes", path.string(), max_bytes));
        }
    }
    if (file.bad()) {
        return parse_result<properties>::failure(fmt::format("cannot read configuration file {}", path.string()));
    }
    auto parsed = parse(text);
    if (!parsed) {
        return parse_result<properties>::failure(fmt::format("{}: {}", path.string(), parsed.error()));
    }
    return parsed;
}

void properties::set(std::string key, std::string value, int line) {
    const auto existing = std::find_if(entries_.begin(), entries_.end(),
                                       [&](const property& entry) { return entry.key == key; });
    if (existing == entries_.end()) {
        entries_.push_back(property{std::move(key), std::move(value), line});
        return;
    }
    if (existing->line > 0 && line > 0) {
        duplicates_.push_back(duplicate_definition{existing->key, existing->line, line});
    }
    existing->value = std::move(value);
    existing->line = line;
}

const property* properties::find(std::string_view key) const noexcept {
    const auto found =
        std::find_if(entries_.begin(), entries_.end(), [&](const property& entry) { return entry.key == key; });
    return found == entries_.end() ? nullptr : &*found;
}

std::optional<std::string_view> properties::get(std::string_view key) const noexcept {
    const property* entry = find(key);
    if (entry == nullptr) {
        return std::nullopt;
    }
    return std::string_view(entry->value);
}

std::vector<config_issue> properties::duplicate_issues() const {
    std::vector<config_issue> issues;
    issues.reserve(duplicates_.size());
    for (const duplicate_definition& duplicate : duplicates_) {
        issues.push_back(config_issue{
            config_issue::duplicate, duplicate.key, duplicate.line,
            fmt::format("{} is set on line {} and again on line {}; the value on line {} is used", duplicate.key,
                        duplicate.first_line, duplicate.line, duplicate.line)});
    }
    return issues;
}

}  // namespace brook::config
