#pragma once
// A growable big-endian writer for Kafka's encodings.
//
// Like the reader, errors are sticky: an encoder that meets a value the target
// version cannot carry calls fail() and the caller checks once at the end. The
// writer owns its buffer; take() hands it over. Callers that know the encoded
// size (every generated message has size(version)) reserve it first, so
// encoding does one allocation.
//
// File ranges (records a Fetch answers from segment files) are not copied:
// write_file_range notes where in the output they belong, and the sender
// interleaves them with the buffer (see spliced_range).

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "brook/wire/bytes.h"
#include "brook/wire/errc.h"
#include "brook/wire/record_set.h"
#include "brook/wire/uuid.h"

namespace brook::wire {

// A file range that belongs in the output just before buffer byte `at`.
struct spliced_range {
    std::size_t at = 0;
    file_range range;
};

class writer {
public:
    writer() = default;
    explicit writer(std::size_t reserve_bytes) { buffer_.reserve(reserve_bytes); }

    bool ok() const noexcept { return error_ == errc::ok; }
    errc error() const noexcept { return error_; }
    void fail(errc e) noexcept {
        if (error_ == errc::ok) error_ = e;
    }

    std::size_t size() const noexcept { return buffer_.size(); }
    void reserve(std::size_t bytes_count) { buffer_.reserve(bytes_count); }
    bytes_view view() const noexcept { return buffer_; }
    bytes take() noexcept { return std::move(buffer_); }
    std::vector<spliced_range> take_splices() noexcept { return std::move(splices_); }
    // Bytes written including file ranges: what a size prefix must count.
    std::size_t total_size() const noexcept { return buffer_.size() + spliced_bytes_; }

    void write_file_range(const file_range& range) {
        splices_.push_back({buffer_.size(), range});
        spliced_bytes_ += range.length;
    }

    void write_int8(std::int8_t v) { buffer_.push_back(static_cast<byte>(v)); }
    void write_int16(std::int16_t v) { write_big_endian(static_cast<std::uint16_t>(v)); }
    void write_uint16(std::uint16_t v) { write_big_endian(v); }
    void write_int32(std::int32_t v) { write_big_endian(static_cast<std::uint32_t>(v)); }
    void write_uint32(std::uint32_t v) { write_big_endian(v); }
    void write_int64(std::int64_t v) { write_big_endian(static_cast<std::uint64_t>(v)); }
    void write_float64(double v) { write_big_endian(std::bit_cast<std::uint64_t>(v)); }
    void write_bool(bool v) { buffer_.push_back(v ? 1 : 0); }
    void write_uuid(const uuid& v) { write_bytes(v.value); }

    void write_unsigned_varint(std::uint32_t v) {
        while (v >= 0x80) {
            buffer_.push_back(static_cast<byte>(v | 0x80));
            v >>= 7;
        }
        buffer_.push_back(static_cast<byte>(v));
    }
    void write_unsigned_varlong(std::uint64_t v) {
        while (v >= 0x80) {
            buffer_.push_back(static_cast<byte>(v | 0x80));
            v >>= 7;
        }
        buffer_.push_back(static_cast<byte>(v));
    }
    void write_varint(std::int32_t v) {
        write_unsigned_varint((static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31));
    }
    void write_varlong(std::int64_t v) {
        write_unsigned_varlong((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }

    void write_bytes(bytes_view data) { buffer_.insert(buffer_.end(), data.begin(), data.end()); }
    void write_text(std::string_view text) {
        write_bytes({reinterpret_cast<const byte*>(text.data()), text.size()});
    }

    // Reserves `count` bytes to be filled later (a length or CRC known only
    // after what follows is written) and returns their position.
    std::size_t write_placeholder(std::size_t count) {
        const std::size_t at = buffer_.size();
        buffer_.resize(at + count);
        return at;
    }
    void patch_int32(std::size_t at, std::int32_t v) noexcept { patch_big_endian(at, static_cast<std::uint32_t>(v)); }
    void patch_uint32(std::size_t at, std::uint32_t v) noexcept { patch_big_endian(at, v); }
    byte* data_at(std::size_t at) noexcept { return buffer_.data() + at; }

private:
    template <typename T>
    static T to_big_endian(T v) noexcept {
        if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) {
            if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
            if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
            if constexpr (sizeof(T) == 8) return __builtin_bswap64(v);
        }
        return v;
    }
    template <typename T>
    void write_big_endian(T v) {
        const T be = to_big_endian(v);
        const std::size_t at = buffer_.size();
        buffer_.resize(at + sizeof(T));
        std::memcpy(buffer_.data() + at, &be, sizeof(T));
    }
    template <typename T>
    void patch_big_endian(std::size_t at, T v) noexcept {
        const T be = to_big_endian(v);
        std::memcpy(buffer_.data() + at, &be, sizeof(T));
    }

    bytes buffer_;
    std::vector<spliced_range> splices_;
    std::size_t spliced_bytes_ = 0;
    errc error_ = errc::ok;
};

// Encoded sizes of varints, for size() computations that must match the writer.
constexpr std::size_t unsigned_varint_size(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}
constexpr std::size_t varint_size(std::int32_t v) noexcept {
    return unsigned_varint_size((static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31));
}
constexpr std::size_t varlong_size(std::int64_t v) noexcept {
    return unsigned_varint_size((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

}  // namespace brook::wire
