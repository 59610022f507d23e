#pragma once
// The value of a Kafka `records` field: a nullable run of record batches.
//
// Decoding never copies record data: a decoded record_set is a view into the
// request buffer, so whoever decodes keeps that buffer alive while the message
// is in use. A record_set may instead own its bytes (built by a producer or a
// test); copies then share them. Equality compares contents.

#include <algorithm>
#include <memory>

#include "brook/wire/bytes.h"

namespace brook::wire {

class record_set {
public:
    // Null, which is also the default of every records field.
    record_set() noexcept = default;

    static record_set view_of(bytes_view data) noexcept {
        record_set out;
        out.null_ = false;
        out.view_ = data;
        return out;
    }
    static record_set owning(bytes data) {
        record_set out;
        out.null_ = false;
        out.owner_ = std::make_shared<const bytes>(std::move(data));
        out.view_ = *out.owner_;
        return out;
    }

    bool is_null() const noexcept { return null_; }
    std::size_t size_bytes() const noexcept { return view_.size(); }
    bytes_view data() const noexcept { return view_; }

    friend bool operator==(const record_set& a, const record_set& b) noexcept {
        if (a.null_ || b.null_) return a.null_ == b.null_;
        return std::ranges::equal(a.view_, b.view_);
    }

private:
    bool null_ = true;
    bytes_view view_{};
    std::shared_ptr<const bytes> owner_;
};

}  // namespace brook::wire
