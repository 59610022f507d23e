#include "value.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace brook::config {

std::string_view type_name(config_type type) noexcept {
    switch (type) {
        case config_type::boolean: return "boolean";
        case config_type::string: return "string";
        case config_type::int32: return "int";
        case config_type::int16: return "short";
        case config_type::int64: return "long";
        case config_type::float64: return "double";
        case config_type::list: return "list";
        case config_type::class_name: return "class";
        case config_type::password: return "password";
    }
    return "unknown";
}

}  // namespace brook::config

namespace brook::config::detail {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::pair<std::int64_t, std::int64_t> type_bounds(config_type type) noexcept {
    switch (type) {
        case config_type::int16:
            return {std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max()};
        case config_type::int32:
            return {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
        default: return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
    }
}

std::string join_choices(std::span<const std::string_view> choices) {
    return fmt::format("{}", fmt::join(choices, ", "));
}

bool is_choice(std::span<const std::string_view> choices, std::string_view value) {
    return std::find(choices.begin(), choices.end(), value) != choices.end();
}

// Double in a form that reads back exactly and drops a needless ".0".
std::string format_double(double value) { return fmt::format("{}", value); }

}  // namespace

std::string_view trim(std::string_view text) noexcept {
    // Java's String.trim() drops every character <= ' '.
    while (!text.empty() && static_cast<unsigned char>(text.front()) <= ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') {
        text.remove_suffix(1);
    }
    return text;
}

list_value split_list(std::string_view text) {
    list_value items;
    text = trim(text);
    if (text.empty()) {
        return items;
    }
    while (true) {
        const auto comma = text.find(',');
        items.emplace_back(trim(text.substr(0, comma)));
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return items;
}

std::string describe_allowed(const definition& key) {
    if (!key.allowed_text.empty()) {
        return std::string(key.allowed_text);
    }
    switch (key.type) {
        case config_type::boolean: return "true or false";
        case config_type::int16:
        case config_type::int32:
        case config_type::int64: {
            const auto [lowest, highest] = type_bounds(key.type);
            const std::int64_t min = std::max(key.min, lowest);
            const std::int64_t max = std::min(key.max, highest);
            if (min == lowest && max == highest) {
                return key.type == config_type::int64 ? std::string("an integer")
                                                      : fmt::format("an integer in [{}, {}]", lowest, highest);
            }
            // A short's upper bound is low enough to matter, so it is always shown.
            if (max == highest && key.type != config_type::int16) {
                return fmt::format("an integer >= {}", min);
            }
            if (min == lowest) {
                return fmt::format("an integer <= {}", max);
            }
            return fmt::format("an integer in [{}, {}]", min, max);
        }
        case config_type::float64:
            if (std::isinf(key.min_double) && std::isinf(key.max_double)) {
                return "a number";
            }
            return fmt::format("a number in [{}, {}]", format_double(key.min_double), format_double(key.max_double));
        case config_type::list:
            if (!key.choices.empty()) {
                return fmt::format("a comma-separated list of {}: {}",
                                   key.non_empty_list ? "one or more of" : "zero or more of",
                                   join_choices(key.choices));
            }
            return key.non_empty_list ? "a non-empty comma-separated list" : "a comma-separated list";
        case config_type::string:
        case config_type::password:
        case config_type::class_name:
            if (!key.choices.empty()) {
                return fmt::format("one of: {}", join_choices(key.choices));
            }
            return "a string";
    }
    return "a valid value";
}

config_key to_config_key(const definition& key) {
    return config_key{key.name, key.type, key.default_value, describe_allowed(key), key.doc, !key.dynamic};
}

std::variant<typed_value, std::string> parse_value(const definition& key, std::string_view text) {
    const std::string_view value = trim(text);
    const auto expected = [&] { return fmt::format("expected {}", describe_allowed(key)); };
    switch (key.type) {
        case config_type::boolean:
            if (equals_ignoring_case(value, "true")) {
                return typed_value(true);
            }
            if (equals_ignoring_case(value, "false")) {
                return typed_value(false);
            }
            return expected();
        case config_type::int16:
        case config_type::int32:
        case config_type::int64: {
            // Java's parseInt accepts a leading '+'; from_chars does not.
            std::string_view digits = value;
            if (digits.size() > 1 && digits.front() == '+') {
                digits.remove_prefix(1);
            }
            std::int64_t number = 0;
            const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
            const auto [lowest, highest] = type_bounds(key.type);
            if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || number < lowest ||
                number > highest || number < key.min || number > key.max) {
                return expected();
            }
            return typed_value(number);
        }
        case config_type::float64: {
            // strtod needs a terminated string; Java also accepts a trailing 'd' or 'f', which Brook does not.
            const std::string copy(value);
            char* end = nullptr;
            const double number = copy.empty() ? 0.0 : std::strtod(copy.c_str(), &end);
            if (copy.empty() || end != copy.c_str() + copy.size() || std::isnan(number) || number < key.min_double ||
                number > key.max_double) {
                return expected();
            }
            return typed_value(number);
        }
        case config_type::list: {
            list_value items = split_list(value);
            if (key.non_empty_list && items.empty()) {
                return expected();
            }
            for (const std::string& item : items) {
                if (item.empty() || (!key.choices.empty() && !is_choice(key.choices, item))) {
                    return expected();
                }
            }
            return typed_value(std::move(items));
        }
        case config_type::string:
        case config_type::password:
        case config_type::class_name:
            if (!key.choices.empty() && !is_choice(key.choices, value)) {
                return expected();
            }
            return typed_value(std::string(value));
    }
    return expected();
}

std::optional<std::string> to_text(const typed_value& value) {
    struct visitor {
        std::optional<std::string> operator()(null_value) const { return std::nullopt; }
        std::optional<std::string> operator()(bool b) const { return std::string(b ? "true" : "false"); }
        std::optional<std::string> operator()(std::int64_t n) const { return std::to_string(n); }
        std::optional<std::string> operator()(double d) const { return format_double(d); }
        std::optional<std::string> operator()(const std::string& s) const { return s; }
        std::optional<std::string> operator()(const list_value& items) const {
            return fmt::format("{}", fmt::join(items, ","));
        }
    };
    return std::visit(visitor{}, value);
}

}  // namespace brook::config::detail
