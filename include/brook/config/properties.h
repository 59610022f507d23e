#pragma once
// Java .properties files as Kafka reads server.properties: `key=value`,
// `key: value` and `key value`; `#` and `!` comment lines; backslash line
// continuation; the escapes \t \n \r \f \uXXXX, and a backslash before any
// other character stands for that character (so `\=`, `\:`, `\ ` and `\\`).
//
// Java reads the bytes as ISO-8859-1; Brook passes bytes through unchanged,
// so a UTF-8 file keeps its text, and \uXXXX escapes are written as UTF-8.
// As in Java, a value keeps its trailing whitespace; typed parsing in
// broker_config trims it, as Kafka's ConfigDef does.
//
// Parsing runs once at startup on the main thread, before any shard exists.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brook/config/parse_result.h"

namespace brook::config {

struct property {
    std::string key;
    std::string value;
    int line = 0;  // 1-based line where the (last) definition starts; 0 = set in code
};

// A key defined more than once in one file; the last definition wins.
struct duplicate_definition {
    std::string key;
    int first_line = 0;
    int line = 0;  // the line of the later definition
};

// The keys of one properties file in the order of their first definition.
class properties {
public:
    // Parses file text. Errors (a malformed \u escape) name the line.
    static parse_result<properties> parse(std::string_view text);

    // Reads and parses a file of at most max_bytes; errors name the path.
    static parse_result<properties> load(const std::filesystem::path& path,
                                         std::size_t max_bytes = 16 * 1024 * 1024);

    // Sets a key as if defined on `line` (0 = not from a file). A key already
    // present keeps its position, takes the new value and is recorded as a
    // duplicate when both definitions come from the file.
    void set(std::string key, std::string value, int line = 0);

    const property* find(std::string_view key) const noexcept;
    std::optional<std::string_view> get(std::string_view key) const noexcept;
    bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }

    const std::vector<property>& entries() const noexcept { return entries_; }
    const std::vector<duplicate_definition>& duplicates() const noexcept { return duplicates_; }
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }

    // Duplicate definitions as issues, for callers that report them together
    // with the issues of typed parsing.
    std::vector<config_issue> duplicate_issues() const;

private:
    std::vector<property> entries_;
    std::vector<duplicate_definition> duplicates_;
};

}  // namespace brook::config
