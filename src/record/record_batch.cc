#include "brook/record/record_batch.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

#include "brook/base/assert.h"
#include "brook/wire/crc32c.h"
#include "brook/wire/reader.h"

namespace brook::record {
namespace {

using wire::byte;
using wire::bytes_view;
using wire::errc;

constexpr std::size_t int32_max = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

// The smallest record on the wire: a one-byte length, then six one-byte
// fields (attributes, timestamp delta, offset delta, key length, value
// length, header count). It bounds how many records a section can hold, so a
// forged record_count cannot make the decoder reserve memory for billions.
constexpr std::size_t minimum_record_size_bytes = 7;
constexpr std::int32_t minimum_record_body_bytes = 6;
// The smallest header: an empty key and a null value, one byte each.
constexpr std::size_t minimum_header_size_bytes = 2;

template <typename T>
void store_big_endian(byte* at, T value) noexcept {
    static_assert(std::is_unsigned_v<T>);
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        at[sizeof(T) - 1 - i] = static_cast<byte>(value & 0xffu);
        value = static_cast<T>(value >> 8);
    }
}

void store_int16(byte* at, std::int16_t value) noexcept { store_big_endian(at, static_cast<std::uint16_t>(value)); }
void store_int32(byte* at, std::int32_t value) noexcept { store_big_endian(at, static_cast<std::uint32_t>(value)); }
void store_uint32(byte* at, std::uint32_t value) noexcept { store_big_endian(at, value); }
void store_int64(byte* at, std::int64_t value) noexcept { store_big_endian(at, static_cast<std::uint64_t>(value)); }

std::uint32_t batch_crc(bytes_view batch) noexcept {
    return wire::crc32c(batch.subspan(batch_layout::crc_covered_from));
}

// The checks parse_batch and rewrite_batch_in_place share: a view holding
// exactly one v2 batch whose length field agrees with the view.
errc read_framed_header(bytes_view data, batch_header& header) noexcept {
    if (data.size() <= batch_layout::magic) return errc::truncated;
    if (static_cast<std::int8_t>(data[batch_layout::magic]) != batch_magic_v2) return errc::unsupported_magic;
    if (const errc result = read_batch_header(data, header); result != errc::ok) return result;
    if (header.batch_length < batch_layout::minimum_batch_length) return errc::invalid_batch_length;
    if (header.size_bytes() > data.size()) return errc::truncated;
    if (header.size_bytes() < data.size()) return errc::trailing_bytes;
    return errc::ok;
}

// A nullable length-prefixed field: -1 is null, other negatives are invalid.
errc read_nullable_bytes(wire::reader& in, std::optional<bytes_view>& out) noexcept {
    const std::int32_t length = in.read_varint();
    if (!in.ok()) return in.error();
    if (length == -1) {
        out.reset();
        return errc::ok;
    }
    if (length < -1) return errc::negative_length;
    const bytes_view view = in.read_view(static_cast<std::size_t>(length));
    if (!in.ok()) return in.error();
    out = view;
    return errc::ok;
}

struct record_context {
    const batch_header& header;
    const decode_options& options;
    std::int32_t index;
    std::int64_t previous_offset_delta;
};

// Decodes one record from `in` (positioned at its length) into `record`,
// appending its headers to `headers`; record.headers is filled in later,
// once the headers vector has stopped moving.
errc decode_record(wire::reader& in, const record_context& context, record_view& record,
                   std::size_t& header_count, std::vector<header_view>& headers) {
    const std::int32_t length = in.read_varint();
    if (!in.ok()) return in.error();
    if (length < 0) return errc::negative_length;
    if (length < minimum_record_body_bytes) return errc::truncated;
    if (static_cast<std::size_t>(length) > in.remaining()) return errc::truncated;
    wire::reader body = in.sub_reader(static_cast<std::size_t>(length));

    record.attributes = body.read_int8();
    record.timestamp_delta = body.read_varlong();
    record.offset_delta = body.read_varint();
    if (!body.ok()) return body.error();

    std::int64_t timestamp = 0;
    if (__builtin_add_overflow(context.header.base_timestamp, record.timestamp_delta, &timestamp)) {
        return errc::invalid_value;
    }
    if (record.offset_delta <= context.previous_offset_delta ||
        record.offset_delta > context.header.last_offset_delta) {
        return errc::invalid_offset_delta;
    }
    if (context.options.require_contiguous_offset_deltas && record.offset_delta != context.index) {
        return errc::invalid_offset_delta;
    }

    if (const errc result = read_nullable_bytes(body, record.key); result != errc::ok) return result;
    if (const errc result = read_nullable_bytes(body, record.value); result != errc::ok) return result;

    const std::int32_t count = body.read_varint();
    if (!body.ok()) return body.error();
    if (count < 0) return errc::negative_length;
    if (static_cast<std::size_t>(count) > body.remaining() / minimum_header_size_bytes) {
        return errc::truncated;
    }
    for (std::int32_t i = 0; i < count; ++i) {
        header_view header;
        const std::int32_t key_length = body.read_varint();
        if (!body.ok()) return body.error();
        // Header keys are strings that Kafka never allows to be null.
        if (key_length < 0) return errc::negative_length;
        header.key = body.read_view(static_cast<std::size_t>(key_length));
        if (!body.ok()) return body.error();
        if (const errc result = read_nullable_bytes(body, header.value); result != errc::ok) return result;
        headers.push_back(header);
    }
    header_count = static_cast<std::size_t>(count);
    if (!body.at_end()) return errc::trailing_bytes;
    return errc::ok;
}

// Encoded size of a nullable length-prefixed field.
std::size_t nullable_size_bytes(const std::optional<bytes_view>& field) noexcept {
    if (!field) return wire::varint_size(-1);
    return wire::varint_size(static_cast<std::int32_t>(field->size())) + field->size();
}

void write_nullable(wire::writer& out, const std::optional<bytes_view>& field) {
    if (!field) {
        out.write_varint(-1);
        return;
    }
    out.write_varint(static_cast<std::int32_t>(field->size()));
    out.write_bytes(*field);
}

}  // namespace

wire::errc read_batch_header(wire::bytes_view data, batch_header& header) noexcept {
    if (data.size() < batch_layout::header_size_bytes) return errc::truncated;
    wire::reader in(data.first(batch_layout::header_size_bytes));
    batch_header out;
    out.base_offset = in.read_int64();
    out.batch_length = in.read_int32();
    out.partition_leader_epoch = in.read_int32();
    out.magic = in.read_int8();
    out.crc = in.read_uint32();
    out.attributes = in.read_int16();
    out.last_offset_delta = in.read_int32();
    out.base_timestamp = in.read_int64();
    out.max_timestamp = in.read_int64();
    out.producer_id = in.read_int64();
    out.producer_epoch = in.read_int16();
    out.base_sequence = in.read_int32();
    out.record_count = in.read_int32();
    BROOK_ASSERT(in.ok() && in.at_end(), "the header fields must add up to the header size");
    header = out;
    return errc::ok;
}

wire::errc parse_batch(wire::bytes_view data, batch_view& batch) noexcept {
    batch_header header;
    if (const errc result = read_framed_header(data, header); result != errc::ok) return result;
    if (batch_crc(data) != header.crc) return errc::crc_mismatch;
    if ((header.attributes & batch_attribute_bits::codec_mask) > static_cast<int>(compression::zstd)) {
        return errc::unsupported_compression;
    }
    if (header.record_count < 0) return errc::record_count_mismatch;
    // Offsets inside a batch are distinct, so its records need at least
    // record_count offsets; compaction may leave fewer records than offsets,
    // and even none, but never more.
    if (header.last_offset_delta < 0) return errc::invalid_offset_delta;
    if (header.record_count > 0 && std::int64_t{header.last_offset_delta} + 1 < header.record_count) {
        return errc::record_count_mismatch;
    }
    if (header.base_offset > int64_max - header.last_offset_delta) return errc::invalid_offset_delta;
    batch.header = header;
    batch.data = data;
    return errc::ok;
}

wire::errc check_producer_batch(const batch_header& header) noexcept {
    if (header.record_count <= 0) return errc::record_count_mismatch;
    if (std::int64_t{header.last_offset_delta} + 1 != header.record_count) return errc::record_count_mismatch;
    if (header.is_control()) return errc::invalid_value;
    return errc::ok;
}

std::optional<wire::bytes_view> batch_splitter::next() noexcept {
    if (done_) return std::nullopt;
    const bytes_view rest = record_set_.subspan(position_);
    const auto stop = [this](errc error) -> std::optional<bytes_view> {
        done_ = true;
        error_ = error;
        return std::nullopt;
    };
    if (rest.empty()) return stop(errc::ok);
    if (rest.size() < batch_layout::log_overhead_bytes) return stop(errc::partial_batch);
    wire::reader in(rest);
    in.skip(batch_layout::batch_length);
    const std::int32_t batch_length = in.read_int32();
    BROOK_ASSERT(in.ok(), "the log overhead was checked to be present");
    // Check the magic first when it is there: a legacy message (magic 0 or
    // 1) is shorter than a v2 header and would otherwise be blamed on its
    // length.
    if (rest.size() > batch_layout::magic &&
        static_cast<std::int8_t>(rest[batch_layout::magic]) != batch_magic_v2) {
        return stop(errc::unsupported_magic);
    }
    if (batch_length < batch_layout::minimum_batch_length) return stop(errc::invalid_batch_length);
    if (static_cast<std::size_t>(batch_length) > rest.size() - batch_layout::log_overhead_bytes) {
        return stop(errc::partial_batch);
    }
    const std::size_t size_bytes = batch_layout::log_overhead_bytes + static_cast<std::size_t>(batch_length);
    position_ += size_bytes;
    return rest.first(size_bytes);
}

wire::errc decode_records(const batch_view& batch, const decode_options& options, decoded_records& out) {
    out.clear();
    const batch_header& header = batch.header;
    bytes_view section = batch.records_section();
    if (header.codec() != compression::none) {
        const errc result = decompress(header.codec(), section, options.max_uncompressed_bytes, out.decompressed_);
        if (result != errc::ok) {
            out.clear();
            return result;
        }
        section = out.decompressed_;
    }
    if (header.record_count < 0) {
        out.clear();
        return errc::record_count_mismatch;
    }
    const auto count = static_cast<std::size_t>(header.record_count);
    if (count > section.size() / minimum_record_size_bytes) {
        out.clear();
        return errc::record_count_mismatch;
    }

    out.records_.resize(count);
    out.header_ranges_.resize(count);
    wire::reader in(section);
    std::int64_t previous_offset_delta = -1;
    for (std::size_t i = 0; i < count; ++i) {
        if (in.at_end()) {
            out.clear();
            return errc::record_count_mismatch;
        }
        const record_context context{header, options, static_cast<std::int32_t>(i), previous_offset_delta};
        std::size_t header_count = 0;
        const std::size_t first_header = out.headers_.size();
        const errc result = decode_record(in, context, out.records_[i], header_count, out.headers_);
        if (result != errc::ok) {
            out.clear();
            return result;
        }
        out.header_ranges_[i] = {first_header, header_count};
        previous_offset_delta = out.records_[i].offset_delta;
    }
    if (!in.at_end()) {
        out.clear();
        return errc::trailing_bytes;
    }
    const std::span<const header_view> all_headers = out.headers_;
    for (std::size_t i = 0; i < count; ++i) {
        out.records_[i].headers = all_headers.subspan(out.header_ranges_[i].first, out.header_ranges_[i].second);
    }
    return errc::ok;
}

wire::errc batch_builder::append(const new_record& record) {
    if (static_cast<std::size_t>(record_count_) == int32_max) return errc::length_too_large;
    const bool log_append_time = options_.timestamp_type == timestamp_type::log_append_time;
    const std::int64_t timestamp_ms = log_append_time ? options_.log_append_time_ms : record.timestamp_ms;
    const std::int64_t base_timestamp_ms = record_count_ == 0 ? timestamp_ms : base_timestamp_ms_;
    std::int64_t timestamp_delta = 0;
    if (__builtin_sub_overflow(timestamp_ms, base_timestamp_ms, &timestamp_delta)) return errc::invalid_value;
    const std::int32_t offset_delta = record_count_;

    // Every length must fit the format's int32 fields. Sizes are summed in
    // size_t and checked after each addition, so no sum can wrap.
    const auto fits = [](const std::optional<bytes_view>& field) { return !field || field->size() <= int32_max; };
    if (!fits(record.key) || !fits(record.value) || record.headers.size() > int32_max) {
        return errc::length_too_large;
    }
    std::size_t body_bytes = 1 + wire::varlong_size(timestamp_delta) + wire::varint_size(offset_delta) +
                             nullable_size_bytes(record.key) + nullable_size_bytes(record.value) +
                             wire::varint_size(static_cast<std::int32_t>(record.headers.size()));
    for (const header_view& header : record.headers) {
        if (header.key.size() > int32_max || !fits(header.value)) return errc::length_too_large;
        body_bytes += wire::varint_size(static_cast<std::int32_t>(header.key.size())) + header.key.size() +
                      nullable_size_bytes(header.value);
        if (body_bytes > int32_max) return errc::length_too_large;
    }
    if (body_bytes > int32_max) return errc::length_too_large;
    const std::size_t record_bytes = wire::varint_size(static_cast<std::int32_t>(body_bytes)) + body_bytes;
    // The uncompressed section is held to the batch bound too: compression
    // rarely shrinks it below, and build() checks the final size again.
    const std::size_t limit_bytes = std::min(options_.max_batch_size_bytes, int32_max);
    const std::size_t records_limit_bytes =
        limit_bytes > batch_layout::header_size_bytes ? limit_bytes - batch_layout::header_size_bytes : 0;
    if (record_bytes > records_limit_bytes || records_.size() > records_limit_bytes - record_bytes) {
        return errc::length_too_large;
    }

    const std::size_t size_before = records_.size();
    records_.write_varint(static_cast<std::int32_t>(body_bytes));
    records_.write_int8(0);  // record attributes: unused by every Kafka version
    records_.write_varlong(timestamp_delta);
    records_.write_varint(offset_delta);
    write_nullable(records_, record.key);
    write_nullable(records_, record.value);
    records_.write_varint(static_cast<std::int32_t>(record.headers.size()));
    for (const header_view& header : record.headers) {
        records_.write_varint(static_cast<std::int32_t>(header.key.size()));
        records_.write_bytes(header.key);
        write_nullable(records_, header.value);
    }
    BROOK_ASSERT(records_.size() - size_before == record_bytes, "record size computed apart from its encoding");

    if (record_count_ == 0) base_timestamp_ms_ = timestamp_ms;
    max_timestamp_ms_ = record_count_ == 0 ? timestamp_ms : std::max(max_timestamp_ms_, timestamp_ms);
    ++record_count_;
    return errc::ok;
}

wire::errc batch_builder::build(wire::bytes& out) const {
    if (record_count_ == 0) return errc::invalid_value;
    const std::size_t start = out.size();
    out.resize(start + batch_layout::header_size_bytes);
    if (const errc result = compress(options_.codec, records_.view(), out, options_.compression_level);
        result != errc::ok) {
        out.resize(start);
        return result;
    }
    const std::size_t size_bytes = out.size() - start;
    if (size_bytes > options_.max_batch_size_bytes ||
        size_bytes - batch_layout::log_overhead_bytes > int32_max) {
        out.resize(start);
        return errc::length_too_large;
    }

    std::int16_t attributes = static_cast<std::int16_t>(options_.codec);
    if (options_.timestamp_type == timestamp_type::log_append_time) {
        attributes |= batch_attribute_bits::log_append_time;
    }
    if (options_.is_transactional) attributes |= batch_attribute_bits::transactional;
    if (options_.is_control) attributes |= batch_attribute_bits::control;

    byte* batch = out.data() + start;
    store_int64(batch + batch_layout::base_offset, options_.base_offset);
    store_int32(batch + batch_layout::batch_length,
                static_cast<std::int32_t>(size_bytes - batch_layout::log_overhead_bytes));
    store_int32(batch + batch_layout::partition_leader_epoch, options_.partition_leader_epoch);
    batch[batch_layout::magic] = static_cast<byte>(batch_magic_v2);
    store_int16(batch + batch_layout::attributes, attributes);
    store_int32(batch + batch_layout::last_offset_delta, record_count_ - 1);
    store_int64(batch + batch_layout::base_timestamp, base_timestamp_ms_);
    store_int64(batch + batch_layout::max_timestamp, max_timestamp_ms_);
    store_int64(batch + batch_layout::producer_id, options_.producer_id);
    store_int16(batch + batch_layout::producer_epoch, options_.producer_epoch);
    store_int32(batch + batch_layout::base_sequence, options_.base_sequence);
    store_int32(batch + batch_layout::record_count, record_count_);
    store_uint32(batch + batch_layout::crc, batch_crc({batch, size_bytes}));
    return errc::ok;
}

wire::errc rewrite_batch_in_place(std::span<wire::byte> batch, const batch_rewrite& rewrite) noexcept {
    batch_header header;
    if (const errc result = read_framed_header(batch, header); result != errc::ok) return result;
    if (rewrite.base_offset < 0) return errc::invalid_value;
    if (header.last_offset_delta > 0 && rewrite.base_offset > int64_max - header.last_offset_delta) {
        return errc::invalid_value;
    }

    // All checks come before the first write, so a failed rewrite leaves the
    // batch untouched.
    bool covered_bytes_change = false;
    std::int16_t attributes = header.attributes;
    if (rewrite.timestamps) {
        attributes = static_cast<std::int16_t>(attributes & ~batch_attribute_bits::log_append_time);
        if (rewrite.timestamps->type == timestamp_type::log_append_time) {
            attributes |= batch_attribute_bits::log_append_time;
        }
        covered_bytes_change =
            attributes != header.attributes || rewrite.timestamps->max_timestamp_ms != header.max_timestamp;
        if (covered_bytes_change && batch_crc(batch) != header.crc) return errc::crc_mismatch;
    }

    store_int64(batch.data() + batch_layout::base_offset, rewrite.base_offset);
    store_int32(batch.data() + batch_layout::partition_leader_epoch, rewrite.partition_leader_epoch);
    if (covered_bytes_change) {
        store_int16(batch.data() + batch_layout::attributes, attributes);
        store_int64(batch.data() + batch_layout::max_timestamp, rewrite.timestamps->max_timestamp_ms);
        store_uint32(batch.data() + batch_layout::crc, batch_crc(batch));
    }
    return errc::ok;
}

}  // namespace brook::record
