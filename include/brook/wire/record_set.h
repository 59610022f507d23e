#pragma once
// The value of a Kafka `records` field: a nullable run of record batches.
//
// Decoding never copies record data: a decoded record_set is a view into the
// request buffer, so whoever decodes keeps that buffer alive while the message
// is in use. A record_set may instead own its bytes (built by a producer or a
// test); copies then share them. Equality compares contents.
//
// A broker answering a Fetch uses a third form: a range of a segment file.
// Its bytes are never in memory; the writer notes where they go and the
// connection sends them with sendfile(2).

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>

#include "brook/wire/bytes.h"

namespace brook::wire {

// Bytes [position, position + length) of an open file. `owner` keeps the
// descriptor open for as long as the range is in use.
struct file_range {
    std::shared_ptr<const void> owner;
    int fd = -1;
    std::uint64_t position = 0;
    std::size_t length = 0;

    friend bool operator==(const file_range& a, const file_range& b) noexcept {
        return a.fd == b.fd && a.position == b.position && a.length == b.length;
    }
};

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

    static record_set of_file(file_range range) {
        record_set out;
        out.null_ = false;
        out.file_ = std::move(range);
        return out;
    }

    bool is_null() const noexcept { return null_; }
    bool is_file() const noexcept { return file_.has_value(); }
    std::size_t size_bytes() const noexcept { return file_ ? file_->length : view_.size(); }
    // The bytes in memory; empty for a file range.
    bytes_view data() const noexcept { return view_; }
    const file_range& file() const noexcept { return *file_; }

    friend bool operator==(const record_set& a, const record_set& b) noexcept {
        if (a.null_ || b.null_) return a.null_ == b.null_;
        if (a.file_ || b.file_) return a.file_ == b.file_;
        return std::ranges::equal(a.view_, b.view_);
    }

private:
    bool null_ = true;
    bytes_view view_{};
    std::shared_ptr<const bytes> owner_;
    std::optional<file_range> file_;
};

}  // namespace brook::wire
