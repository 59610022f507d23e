#pragma once
// A bounded reader over a byte view, for Kafka's big-endian and varint
// encodings.
//
// Errors are sticky: the first failure (say, reading past the end) is recorded,
// every later read returns a zero value, and the caller checks ok() or error()
// once at the end. That keeps the generated decoders straight-line while
// guaranteeing no read ever leaves the view. The reader never owns the bytes;
// views it returns point into the caller's buffer and live as long as it does.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

#include "brook/wire/bytes.h"
#include "brook/wire/errc.h"
#include "brook/wire/uuid.h"

namespace brook::wire {

class reader {
public:
    reader() noexcept = default;
    explicit reader(bytes_view data) noexcept : data_(data) {}

    bool ok() const noexcept { return error_ == errc::ok; }
    errc error() const noexcept { return error_; }
    // Records the first error; later ones are ignored so the root cause stays visible.
    void fail(errc e) noexcept {
        if (error_ == errc::ok) error_ = e;
        position_ = data_.size();
    }

    std::size_t position() const noexcept { return position_; }
    std::size_t remaining() const noexcept { return data_.size() - position_; }
    bool at_end() const noexcept { return position_ == data_.size(); }
    bytes_view buffer() const noexcept { return data_; }

    std::int8_t read_int8() noexcept { return static_cast<std::int8_t>(read_big_endian<std::uint8_t>()); }
    std::int16_t read_int16() noexcept { return static_cast<std::int16_t>(read_big_endian<std::uint16_t>()); }
    std::uint16_t read_uint16() noexcept { return read_big_endian<std::uint16_t>(); }
    std::int32_t read_int32() noexcept { return static_cast<std::int32_t>(read_big_endian<std::uint32_t>()); }
    std::uint32_t read_uint32() noexcept { return read_big_endian<std::uint32_t>(); }
    std::int64_t read_int64() noexcept { return static_cast<std::int64_t>(read_big_endian<std::uint64_t>()); }
    double read_float64() noexcept { return std::bit_cast<double>(read_big_endian<std::uint64_t>()); }
    // Kafka treats any non-zero byte as true.
    bool read_bool() noexcept { return read_big_endian<std::uint8_t>() != 0; }

    uuid read_uuid() noexcept {
        uuid out;
        if (const auto view = read_view(out.value.size()); !view.empty()) {
            std::memcpy(out.value.data(), view.data(), view.size());
        }
        return out;
    }

    // Unsigned LEB128 of at most 5 bytes (32 bits), as Kafka's flexible versions use.
    std::uint32_t read_unsigned_varint() noexcept {
        std::uint32_t value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (position_ >= data_.size()) {
                fail(errc::truncated);
                return 0;
            }
            const byte b = data_[position_++];
            if (shift == 28 && (b & 0xf0) != 0) {
                fail(errc::varint_too_long);
                return 0;
            }
            value |= static_cast<std::uint32_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        fail(errc::varint_too_long);
        return 0;
    }

    // Unsigned LEB128 of at most 10 bytes (64 bits).
    std::uint64_t read_unsigned_varlong() noexcept {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (position_ >= data_.size()) {
                fail(errc::truncated);
                return 0;
            }
            const byte b = data_[position_++];
            if (shift == 63 && (b & 0xfe) != 0) {
                fail(errc::varint_too_long);
                return 0;
            }
            value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        fail(errc::varint_too_long);
        return 0;
    }

    // Zig-zag signed varints, as record batch v2 uses for record fields.
    std::int32_t read_varint() noexcept {
        const std::uint32_t raw = read_unsigned_varint();
        return static_cast<std::int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
    }
    std::int64_t read_varlong() noexcept {
        const std::uint64_t raw = read_unsigned_varlong();
        return static_cast<std::int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    }

    // A view of the next `count` bytes; empty (and failed) when fewer remain.
    bytes_view read_view(std::size_t count) noexcept {
        if (count > remaining()) {
            fail(errc::truncated);
            return {};
        }
        const bytes_view out = data_.subspan(position_, count);
        position_ += count;
        return out;
    }

    void skip(std::size_t count) noexcept { (void)read_view(count); }

    // A reader over the next `count` bytes, for a nested value of known size
    // (a tagged field); this reader moves past them.
    reader sub_reader(std::size_t count) noexcept {
        const bytes_view view = read_view(count);
        reader child(view);
        if (!ok()) child.fail(error_);
        return child;
    }

private:
    template <typename T>
    T read_big_endian() noexcept {
        if (sizeof(T) > remaining()) {
            fail(errc::truncated);
            return 0;
        }
        T value;
        std::memcpy(&value, data_.data() + position_, sizeof(T));
        position_ += sizeof(T);
        if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) {
            if constexpr (sizeof(T) == 2) value = __builtin_bswap16(value);
            if constexpr (sizeof(T) == 4) value = __builtin_bswap32(value);
            if constexpr (sizeof(T) == 8) value = __builtin_bswap64(value);
        }
        return value;
    }

    bytes_view data_{};
    std::size_t position_ = 0;
    errc error_ = errc::ok;
};

}  // namespace brook::wire
