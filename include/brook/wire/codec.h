#pragma once
// The runtime that generated message codecs call: Kafka's length-prefixed
// strings, bytes, arrays and records in both encodings, and tagged fields.
//
// "compact" selects the flexible-version encoding (KIP-482): an unsigned
// varint holding length + 1, with 0 for null. Otherwise strings carry an int16
// length, bytes, records and arrays an int32 length, and -1 means null.
// Every length read is checked against the bytes left, so a hostile length can
// never cause a large allocation or an out-of-bounds read.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brook/wire/reader.h"
#include "brook/wire/record_set.h"
#include "brook/wire/writer.h"

namespace brook::wire {

// A tagged field this version of the schema does not know; kept so a message
// passes through unchanged.
struct raw_tagged_field {
    std::uint32_t tag = 0;
    bytes data;
    friend bool operator==(const raw_tagged_field&, const raw_tagged_field&) = default;
};
using unknown_tagged_fields = std::vector<raw_tagged_field>;

namespace codec {

inline constexpr std::int64_t null_length = -1;

// Reads a length prefix; returns -1 for null, or a length known to fit in the
// remaining input (each counted item needing at least `min_item_size` bytes).
inline std::int64_t read_length(reader& r, bool compact, bool is_int16, std::size_t min_item_size) noexcept {
    std::int64_t length;
    if (compact) {
        length = static_cast<std::int64_t>(r.read_unsigned_varint()) - 1;
    } else {
        length = is_int16 ? r.read_int16() : r.read_int32();
    }
    if (!r.ok()) return null_length;
    if (length < null_length) {
        r.fail(errc::negative_length);
        return null_length;
    }
    if (length > 0) {
        // Items of zero size (empty structs in old versions) are still bounded,
        // by the largest count Kafka's int32 arrays can express in a frame.
        const std::uint64_t needed = min_item_size == 0 ? 0 : static_cast<std::uint64_t>(length) * min_item_size;
        if (needed > r.remaining() || (min_item_size == 0 && length > (1 << 20))) {
            r.fail(errc::length_too_large);
            return null_length;
        }
    }
    return length;
}

inline void write_length(writer& w, std::int64_t length, bool compact, bool is_int16) {
    if (compact) {
        w.write_unsigned_varint(static_cast<std::uint32_t>(length + 1));
    } else if (is_int16) {
        w.write_int16(static_cast<std::int16_t>(length));
    } else {
        w.write_int32(static_cast<std::int32_t>(length));
    }
}

inline std::size_t length_size(std::int64_t length, bool compact, bool is_int16) noexcept {
    if (compact) return unsigned_varint_size(static_cast<std::uint64_t>(length + 1));
    return is_int16 ? 2 : 4;
}

// Checks a length against what its encoding can express before writing it.
inline bool length_fits(writer& w, std::size_t length, bool compact, bool is_int16) noexcept {
    const std::size_t limit = compact ? std::numeric_limits<std::uint32_t>::max() - 1
                              : is_int16 ? std::numeric_limits<std::int16_t>::max()
                                         : std::numeric_limits<std::int32_t>::max();
    if (length > limit) {
        w.fail(errc::length_too_large);
        return false;
    }
    return true;
}

// --- strings ---------------------------------------------------------------

inline std::optional<std::string> read_nullable_string(reader& r, bool compact) {
    const std::int64_t length = read_length(r, compact, /*is_int16=*/true, 1);
    if (length < 0) return std::nullopt;
    const bytes_view view = r.read_view(static_cast<std::size_t>(length));
    return std::string(reinterpret_cast<const char*>(view.data()), view.size());
}
inline std::string read_string(reader& r, bool compact) {
    auto value = read_nullable_string(r, compact);
    if (!value) {
        if (r.ok()) r.fail(errc::unexpected_null);
        return {};
    }
    return std::move(*value);
}
inline void write_string(writer& w, std::string_view value, bool compact) {
    if (!length_fits(w, value.size(), compact, true)) return;
    write_length(w, static_cast<std::int64_t>(value.size()), compact, true);
    w.write_text(value);
}
inline void write_nullable_string(writer& w, const std::optional<std::string>& value, bool compact) {
    if (!value) {
        write_length(w, null_length, compact, true);
    } else {
        write_string(w, *value, compact);
    }
}
inline std::size_t string_size(std::string_view value, bool compact) noexcept {
    return length_size(static_cast<std::int64_t>(value.size()), compact, true) + value.size();
}
inline std::size_t nullable_string_size(const std::optional<std::string>& value, bool compact) noexcept {
    return value ? string_size(*value, compact) : length_size(null_length, compact, true);
}

// --- bytes -----------------------------------------------------------------

inline std::optional<bytes> read_nullable_bytes(reader& r, bool compact) {
    const std::int64_t length = read_length(r, compact, false, 1);
    if (length < 0) return std::nullopt;
    const bytes_view view = r.read_view(static_cast<std::size_t>(length));
    return bytes(view.begin(), view.end());
}
inline bytes read_bytes(reader& r, bool compact) {
    auto value = read_nullable_bytes(r, compact);
    if (!value) {
        if (r.ok()) r.fail(errc::unexpected_null);
        return {};
    }
    return std::move(*value);
}
inline void write_bytes(writer& w, bytes_view value, bool compact) {
    if (!length_fits(w, value.size(), compact, false)) return;
    write_length(w, static_cast<std::int64_t>(value.size()), compact, false);
    w.write_bytes(value);
}
inline void write_nullable_bytes(writer& w, const std::optional<bytes>& value, bool compact) {
    if (!value) {
        write_length(w, null_length, compact, false);
    } else {
        write_bytes(w, *value, compact);
    }
}
inline std::size_t bytes_size(bytes_view value, bool compact) noexcept {
    return length_size(static_cast<std::int64_t>(value.size()), compact, false) + value.size();
}
inline std::size_t nullable_bytes_size(const std::optional<bytes>& value, bool compact) noexcept {
    return value ? bytes_size(*value, compact) : length_size(null_length, compact, false);
}

// --- records ---------------------------------------------------------------

// A view into the reader's buffer: no record byte is copied.
inline record_set read_records(reader& r, bool compact) {
    const std::int64_t length = read_length(r, compact, false, 1);
    if (length < 0) return {};
    return record_set::view_of(r.read_view(static_cast<std::size_t>(length)));
}
inline void write_records(writer& w, const record_set& value, bool compact) {
    if (value.is_null()) {
        write_length(w, null_length, compact, false);
        return;
    }
    if (value.is_file()) {
        if (!length_fits(w, value.size_bytes(), compact, false)) return;
        write_length(w, static_cast<std::int64_t>(value.size_bytes()), compact, false);
        w.write_file_range(value.file());
        return;
    }
    write_bytes(w, value.data(), compact);
}
inline std::size_t records_size(const record_set& value, bool compact) noexcept {
    if (value.is_null()) return length_size(null_length, compact, false);
    return length_size(static_cast<std::int64_t>(value.size_bytes()), compact, false) + value.size_bytes();
}

// --- arrays ----------------------------------------------------------------

inline std::int64_t read_array_length(reader& r, bool compact, std::size_t min_item_size) noexcept {
    return read_length(r, compact, false, min_item_size);
}
inline bool write_array_length(writer& w, std::size_t count, bool compact) {
    if (!length_fits(w, count, compact, false)) return false;
    write_length(w, static_cast<std::int64_t>(count), compact, false);
    return true;
}
inline void write_null_array(writer& w, bool compact) { write_length(w, null_length, compact, false); }
inline std::size_t array_length_size(std::size_t count, bool compact) noexcept {
    return length_size(static_cast<std::int64_t>(count), compact, false);
}
inline std::size_t null_array_size(bool compact) noexcept { return length_size(null_length, compact, false); }

// --- tagged fields ---------------------------------------------------------

// Writes a struct's unknown tagged fields interleaved with its known ones so
// the section stays in ascending tag order, as Kafka requires.
class tagged_field_writer {
public:
    tagged_field_writer(writer& w, const unknown_tagged_fields& unknown) noexcept : w_(w), unknown_(unknown) {}

    // Writes every unknown field whose tag is below `tag`.
    void before(std::uint32_t tag) {
        while (next_ < unknown_.size() && unknown_[next_].tag < tag) write_unknown(unknown_[next_++]);
    }
    void finish() {
        while (next_ < unknown_.size()) write_unknown(unknown_[next_++]);
    }

private:
    void write_unknown(const raw_tagged_field& field) {
        w_.write_unsigned_varint(field.tag);
        w_.write_unsigned_varint(static_cast<std::uint32_t>(field.data.size()));
        w_.write_bytes(field.data);
    }

    writer& w_;
    const unknown_tagged_fields& unknown_;
    std::size_t next_ = 0;
};

inline std::size_t unknown_tagged_fields_size(const unknown_tagged_fields& fields) noexcept {
    std::size_t total = 0;
    for (const auto& field : fields) {
        total += unsigned_varint_size(field.tag) + unsigned_varint_size(field.data.size()) + field.data.size();
    }
    return total;
}

inline void keep_unknown_tagged_field(unknown_tagged_fields& fields, std::uint32_t tag, const reader& value) {
    const bytes_view data = value.buffer();
    fields.push_back({tag, bytes(data.begin(), data.end())});
}

// After a known tagged field was read from its own sub-reader: the value must
// have used exactly the bytes its size announced.
inline void finish_tagged_value(reader& outer, const reader& value) noexcept {
    if (!value.ok()) {
        outer.fail(value.error());
    } else if (!value.at_end()) {
        outer.fail(errc::invalid_tagged_fields);
    }
}

}  // namespace codec
}  // namespace brook::wire
