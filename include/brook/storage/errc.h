#pragma once
// Errors of the storage layer, and the result<T> its functions return.
//
// Operating-system failures travel as std::error_code in the system category
// (the errno of the failed call); the conditions storage itself decides are
// storage::errc values. The broker maps both to Kafka error codes at the wire
// boundary (offset_out_of_range to OFFSET_OUT_OF_RANGE, record_batch_too_large
// to MESSAGE_TOO_LARGE / RECORD_BATCH_TOO_LARGE, an I/O error to
// KAFKA_STORAGE_ERROR).

#include <optional>
#include <system_error>
#include <utility>

#include "brook/base/assert.h"

namespace brook::storage {

enum class errc {
    ok = 0,
    offset_out_of_range,     // an offset below the log start offset or above the log end offset
    record_batch_too_large,  // a batch over max_message_bytes or segment_bytes
    invalid_record_set,      // appended bytes that are not whole v2 batches
    offsets_out_of_order,    // a follower append whose offsets do not continue the log
    corrupt_file,            // a checkpoint or metadata file that does not parse
    short_read,              // a file ended before the bytes the log expected there
    log_failed,              // an earlier I/O error left the log in an unknown state
    log_closed,              // the log was closed or removed
    invalid_argument,        // a configuration value or argument out of range
};

const std::error_category& storage_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), storage_category()}; }

// The errno of the last failed system call as an error_code.
std::error_code last_system_error() noexcept;

// A value or the error that prevented it. Holding an error is the only way to
// fail; value() on an error is a programmer error and stops the process.
template <typename T>
class [[nodiscard]] result {
public:
    result(T value) : value_(std::move(value)) {}                     // NOLINT: implicit on purpose
    result(std::error_code error) : error_(error) {                     // NOLINT
        BROOK_ASSERT(error_, "a result built from an error needs a non-zero error");
    }
    result(errc error) : result(make_error_code(error)) {}              // NOLINT

    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    std::error_code error() const noexcept { return error_; }

    T& value() & {
        BROOK_ASSERT(value_.has_value(), "value() of a failed result");
        return *value_;
    }
    const T& value() const& {
        BROOK_ASSERT(value_.has_value(), "value() of a failed result");
        return *value_;
    }
    T&& value() && {
        BROOK_ASSERT(value_.has_value(), "value() of a failed result");
        return std::move(*value_);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::optional<T> value_;
    std::error_code error_;
};

}  // namespace brook::storage

template <>
struct std::is_error_code_enum<brook::storage::errc> : std::true_type {};
