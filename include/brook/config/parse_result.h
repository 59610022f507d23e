#pragma once
// What parsing configuration produces: a value plus the non-fatal issues met
// on the way, or one error that stops startup.
//
// Configuration errors are shown to a person, not mapped to Kafka error codes
// or retried, so the error is a complete sentence (naming the key, the value,
// the line and what is allowed) rather than an error_code.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "brook/base/assert.h"

namespace brook::config {

// A problem that does not stop startup; the broker logs each one.
struct config_issue {
    enum kind {
        ignored,    // a Kafka key Brook knows but does not use (logged at info)
        unknown,    // a key neither Brook nor Kafka defines (logged as a warning)
        duplicate,  // a key set twice in one file; the last value wins (warning)
    };
    kind what = unknown;
    std::string key;
    int line = 0;  // 1-based line in the file; 0 when the key came from elsewhere
    std::string message;
};

// A parsed value with its issues, or the error that prevented it. Reading the
// value of a failed result is a programmer error and stops the process.
template <typename T>
class [[nodiscard]] parse_result {
public:
    static parse_result success(T value, std::vector<config_issue> issues = {}) {
        parse_result result;
        result.value_ = std::move(value);
        result.issues_ = std::move(issues);
        return result;
    }
    static parse_result failure(std::string error) {
        BROOK_ASSERT(!error.empty(), "a failed parse_result needs an error message");
        parse_result result;
        result.error_ = std::move(error);
        return result;
    }

    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    const std::string& error() const noexcept { return error_; }
    const std::vector<config_issue>& issues() const noexcept { return issues_; }

    T& value() & {
        BROOK_ASSERT(value_.has_value(), "value() of a failed parse_result");
        return *value_;
    }
    const T& value() const& {
        BROOK_ASSERT(value_.has_value(), "value() of a failed parse_result");
        return *value_;
    }
    T&& value() && {
        BROOK_ASSERT(value_.has_value(), "value() of a failed parse_result");
        return std::move(*value_);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    parse_result() = default;

    std::optional<T> value_;
    std::vector<config_issue> issues_;
    std::string error_;
};

}  // namespace brook::config
