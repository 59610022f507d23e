#pragma once
// Private to the config module: the declarative definition of a key (type,
// default, validator, doc) and the typed parsing both broker_config and
// topic_config use, so a value is checked and reported the same way for both.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "brook/config/config_key.h"

namespace brook::config::detail {

using null_value = std::monostate;
using list_value = std::vector<std::string>;
// Integers of every width are held as int64 after their range check.
using typed_value = std::variant<null_value, bool, std::int64_t, double, std::string, list_value>;

inline constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();
inline constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

// A key with its validator. Integers: [min, max]; doubles: [min_double,
// max_double]; strings: one of `choices` when given; lists: each element one
// of `choices` when given. `allowed_text` replaces the generated description
// for keys whose format a resolver checks (listeners, voters, ...).
struct definition {
    std::string_view name{};
    config_type type = config_type::string;
    std::optional<std::string_view> default_value{};
    std::int64_t min = std::numeric_limits<std::int64_t>::min();
    std::int64_t max = std::numeric_limits<std::int64_t>::max();
    double min_double = -std::numeric_limits<double>::infinity();
    double max_double = std::numeric_limits<double>::infinity();
    std::span<const std::string_view> choices{};
    bool non_empty_list = false;
    std::string_view allowed_text{};
    bool dynamic = false;
    std::string_view doc{};
};

// "an integer >= 1", "one of: CreateTime, LogAppendTime", ...
std::string describe_allowed(const definition& key);

// The public description of a definition.
config_key to_config_key(const definition& key);

// Parses and validates text (trimmed first, as Kafka does). On failure, the
// "expected ..." sentence.
std::variant<typed_value, std::string> parse_value(const definition& key, std::string_view text);

// The canonical text of a value, as DescribeConfigs shows it; nothing for null.
std::optional<std::string> to_text(const typed_value& value);

std::string_view trim(std::string_view text) noexcept;

// Splits on commas, trimming each element; an empty text is an empty list.
list_value split_list(std::string_view text);

}  // namespace brook::config::detail
