#pragma once
// Kafka record batch v2 (magic 2): parsing, validation, building and the
// in-place rewrites the broker does on append.
//
// A batch travels and is stored byte for byte as the producer wrote it, so
// most of this file works on views into someone else's buffer: a Produce
// request, a Fetch response or a log segment. Nothing here owns those bytes;
// every view returned lives as long as the buffer it came from (or, for
// decompressed records, as long as the decoded_records that holds them).
// All functions are pure and may run on any shard. None throws on bad input:
// malformed bytes are reported as wire::errc values and never read outside the
// given view.
//
// Layout of the 61-byte header (big-endian):
//
//   offset  size  field
//        0     8  base_offset
//        8     4  batch_length        bytes after this field to the batch end
//       12     4  partition_leader_epoch
//       16     1  magic               always 2 here
//       17     4  crc                 CRC-32C of bytes 21 .. end
//       21     2  attributes          bits 0-2 codec, 3 LogAppendTime,
//                                     4 transactional, 5 control, 6 delete horizon
//       23     4  last_offset_delta
//       27     8  base_timestamp
//       35     8  max_timestamp
//       43     8  producer_id
//       51     2  producer_epoch
//       53     4  base_sequence
//       57     4  record_count
//       61        records (compressed as one stream when the codec is not none)
//
// Each record: length varint, attributes int8, timestamp_delta varlong,
// offset_delta varint, key (varint length, -1 = null, then bytes), value
// (likewise), header count varint, then per header a key (varint length, never
// null) and a value (varint length, -1 = null).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "brook/record/compression.h"
#include "brook/wire/bytes.h"
#include "brook/wire/errc.h"
#include "brook/wire/writer.h"

namespace brook::record {

// The only record format Brook reads or writes (Kafka 4 dropped 0 and 1).
inline constexpr std::int8_t batch_magic_v2 = 2;

// Byte positions of the header fields, for code that reads or patches one
// field of a stored batch without parsing it all.
struct batch_layout {
    static constexpr std::size_t base_offset = 0;
    static constexpr std::size_t batch_length = 8;
    static constexpr std::size_t partition_leader_epoch = 12;
    static constexpr std::size_t magic = 16;
    static constexpr std::size_t crc = 17;
    static constexpr std::size_t attributes = 21;
    static constexpr std::size_t last_offset_delta = 23;
    static constexpr std::size_t base_timestamp = 27;
    static constexpr std::size_t max_timestamp = 35;
    static constexpr std::size_t producer_id = 43;
    static constexpr std::size_t producer_epoch = 51;
    static constexpr std::size_t base_sequence = 53;
    static constexpr std::size_t record_count = 57;
    static constexpr std::size_t records = 61;

    static constexpr std::size_t header_size_bytes = records;
    // base_offset and batch_length precede what batch_length counts; Kafka
    // calls these 12 bytes the log overhead.
    static constexpr std::size_t log_overhead_bytes = partition_leader_epoch;
    // The smallest batch_length a v2 batch can have: a header and no records.
    static constexpr std::int32_t minimum_batch_length =
        static_cast<std::int32_t>(header_size_bytes - log_overhead_bytes);
    // The CRC covers everything from the attributes to the end of the batch.
    static constexpr std::size_t crc_covered_from = attributes;
};
static_assert(batch_layout::header_size_bytes == 61);
static_assert(batch_layout::minimum_batch_length == 49);

// Bits of the attributes field beyond the codec.
struct batch_attribute_bits {
    static constexpr std::int16_t codec_mask = 0x07;
    static constexpr std::int16_t log_append_time = 0x08;
    static constexpr std::int16_t transactional = 0x10;
    static constexpr std::int16_t control = 0x20;
    static constexpr std::int16_t delete_horizon = 0x40;
};

enum class timestamp_type : std::uint8_t { create_time = 0, log_append_time = 1 };

// The header of one batch, field for field.
struct batch_header {
    std::int64_t base_offset = 0;
    std::int32_t batch_length = 0;
    std::int32_t partition_leader_epoch = -1;
    std::int8_t magic = batch_magic_v2;
    std::uint32_t crc = 0;
    std::int16_t attributes = 0;
    std::int32_t last_offset_delta = 0;
    // Kafka's "first timestamp": the base of every record's timestamp delta,
    // or the delete horizon when that attribute bit is set.
    std::int64_t base_timestamp = -1;
    std::int64_t max_timestamp = -1;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int32_t base_sequence = -1;
    std::int32_t record_count = 0;

    // The codec; parse_batch refuses batches whose bits name none, so on a
    // parsed header this is always one of the five codecs.
    compression codec() const noexcept {
        return static_cast<compression>(attributes & batch_attribute_bits::codec_mask);
    }
    record::timestamp_type timestamp_type() const noexcept {
        return (attributes & batch_attribute_bits::log_append_time) != 0
                   ? record::timestamp_type::log_append_time
                   : record::timestamp_type::create_time;
    }
    bool is_transactional() const noexcept { return (attributes & batch_attribute_bits::transactional) != 0; }
    bool is_control() const noexcept { return (attributes & batch_attribute_bits::control) != 0; }
    bool has_delete_horizon() const noexcept {
        return (attributes & batch_attribute_bits::delete_horizon) != 0;
    }
    // The offset of the batch's last record; parse_batch guarantees it does
    // not overflow.
    std::int64_t last_offset() const noexcept { return base_offset + last_offset_delta; }
    // The whole batch on the wire, header included.
    std::size_t size_bytes() const noexcept {
        return batch_layout::log_overhead_bytes + static_cast<std::size_t>(batch_length);
    }
};

// One validated batch: its header and its bytes in the caller's buffer.
struct batch_view {
    batch_header header;
    wire::bytes_view data;  // the whole batch, header included

    wire::bytes_view records_section() const noexcept { return data.subspan(batch_layout::records); }
};

// Reads the 61 header bytes without validating them (no CRC, magic or length
// checks), for tools that inspect damaged data. Needs at least 61 bytes, else
// errc::truncated.
[[nodiscard]] wire::errc read_batch_header(wire::bytes_view data, batch_header& header) noexcept;

// Parses and validates a view that holds exactly one batch:
// - errc::truncated when the view is shorter than the header or the batch,
//   errc::trailing_bytes when it is longer;
// - errc::unsupported_magic for any magic but 2 (checked first: the magic
//   sits at byte 16 in every message format, so old formats are named as such);
// - errc::invalid_batch_length when batch_length is below the header size;
// - errc::crc_mismatch when the CRC does not match;
// - errc::unsupported_compression for codec bits 5-7;
// - errc::record_count_mismatch when record_count is negative or needs more
//   offsets than last_offset_delta spans;
// - errc::invalid_offset_delta for a negative last_offset_delta or one that
//   overflows the last offset.
// Records are not decoded here; decode_records does that.
[[nodiscard]] wire::errc parse_batch(wire::bytes_view data, batch_view& batch) noexcept;

// The extra rules Kafka applies to batches a producer sends (compaction may
// later leave gaps, so stored batches do not have to follow them): at least
// one record, last_offset_delta == record_count - 1 (record_count_mismatch),
// and no control batch, which only coordinators write (invalid_value).
[[nodiscard]] wire::errc check_producer_batch(const batch_header& header) noexcept;

// Walks a record set, the concatenated batches that Produce requests, Fetch
// responses and log segments carry, handing out each batch's bytes. It only
// checks the framing (magic and length); call parse_batch on each view. It
// stops at the first problem, which error() then names:
// - errc::ok: the set ended exactly at a batch boundary;
// - errc::partial_batch: the last batch is cut short. A Fetch response may
//   legitimately end that way (the broker fills up to the requested size); a
//   Produce request must not;
// - errc::unsupported_magic or errc::invalid_batch_length: the framing is
//   corrupt and nothing after this point can be trusted.
class batch_splitter {
public:
    explicit batch_splitter(wire::bytes_view record_set) noexcept : record_set_(record_set) {}

    // The next batch's bytes, or nothing once the set is done or broken.
    std::optional<wire::bytes_view> next() noexcept;

    wire::errc error() const noexcept { return error_; }
    // Bytes handed out so far as complete batches.
    std::size_t position() const noexcept { return position_; }
    // The bytes not handed out: after errc::partial_batch, the partial batch.
    wire::bytes_view remainder() const noexcept { return record_set_.subspan(position_); }

private:
    wire::bytes_view record_set_;
    std::size_t position_ = 0;
    wire::errc error_ = wire::errc::ok;
    bool done_ = false;
};

// A record header; the key is a string and never null, the value may be.
struct header_view {
    wire::bytes_view key;
    std::optional<wire::bytes_view> value;
};

// One decoded record. Views point into the batch (uncompressed batches) or
// into the decoded_records that produced them (compressed ones). A null key
// or value is std::nullopt; an empty one is an empty view.
struct record_view {
    std::int8_t attributes = 0;
    std::int64_t timestamp_delta = 0;
    std::int32_t offset_delta = 0;
    std::optional<wire::bytes_view> key;
    std::optional<wire::bytes_view> value;
    std::span<const header_view> headers;

    std::int64_t offset(const batch_header& header) const noexcept {
        return header.base_offset + offset_delta;
    }
    // With LogAppendTime every record carries the broker's time, which the
    // batch keeps in max_timestamp; decode_records guarantees no overflow.
    std::int64_t timestamp(const batch_header& header) const noexcept {
        return header.timestamp_type() == timestamp_type::log_append_time
                   ? header.max_timestamp
                   : header.base_timestamp + timestamp_delta;
    }
};

struct decode_options {
    // The most bytes a compressed records section may expand to; more fails
    // with errc::too_large_after_decompression before it is allocated.
    // Uncompressed sections are already in memory and are not limited by it.
    std::size_t max_uncompressed_bytes;
    // Kafka requires the records a producer compresses to carry offset deltas
    // 0, 1, 2, ... (errc::invalid_offset_delta otherwise). Stored batches
    // only need increasing deltas, since compaction removes records.
    bool require_contiguous_offset_deltas = false;
};

// The records of one batch, and the decompressed bytes they point into when
// the batch was compressed. Move-only: moving keeps every view valid (vector
// buffers move with their contents), copying would not. Reusing one object
// for many batches reuses its buffers.
class decoded_records {
public:
    decoded_records() = default;
    decoded_records(const decoded_records&) = delete;
    decoded_records& operator=(const decoded_records&) = delete;
    decoded_records(decoded_records&&) noexcept = default;
    decoded_records& operator=(decoded_records&&) noexcept = default;
    ~decoded_records() = default;

    std::span<const record_view> records() const noexcept { return records_; }
    std::size_t size() const noexcept { return records_.size(); }
    const record_view& operator[](std::size_t index) const noexcept { return records_[index]; }
    auto begin() const noexcept { return records_.begin(); }
    auto end() const noexcept { return records_.end(); }

    void clear() noexcept {
        decompressed_.clear();
        records_.clear();
        headers_.clear();
        header_ranges_.clear();
    }

private:
    friend wire::errc decode_records(const batch_view& batch, const decode_options& options,
                                     decoded_records& out);

    wire::bytes decompressed_;
    std::vector<record_view> records_;
    std::vector<header_view> headers_;
    // While decoding: where each record's headers start in headers_, and how
    // many it has (the spans are set once headers_ stops reallocating).
    std::vector<std::pair<std::size_t, std::size_t>> header_ranges_;
};

// Decodes every record of a parsed batch, decompressing first when the codec
// bits say so. Validates that exactly record_count records fill the section
// (errc::record_count_mismatch when it ends early, errc::trailing_bytes when
// bytes are left), that each record's fields fill exactly its length
// (truncated / trailing_bytes), that lengths are -1 or more (null is allowed
// for keys, values and header values only, else negative_length), that
// offset deltas increase and stay within last_offset_delta
// (invalid_offset_delta), and that timestamps do not overflow
// (invalid_value). On error `out` holds no records.
[[nodiscard]] wire::errc decode_records(const batch_view& batch, const decode_options& options,
                                        decoded_records& out);

// A record for the builder to write; views must live until build() returns.
struct new_record {
    std::optional<wire::bytes_view> key;
    std::optional<wire::bytes_view> value;
    std::span<const header_view> headers;
    std::int64_t timestamp_ms = -1;
};

struct batch_options {
    compression codec = compression::none;
    // The codec's level; the library default when empty (see compress()).
    std::optional<int> compression_level;
    record::timestamp_type timestamp_type = record::timestamp_type::create_time;
    // With LogAppendTime, every record's timestamp is this time, as Kafka's
    // own builder does; record timestamps are then ignored.
    std::int64_t log_append_time_ms = -1;
    std::int64_t base_offset = 0;
    std::int32_t partition_leader_epoch = -1;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int32_t base_sequence = -1;
    bool is_transactional = false;
    bool is_control = false;
    // The largest batch build() may produce, header included; the format
    // itself cannot describe more than 2 GiB.
    std::size_t max_batch_size_bytes = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
};

// Builds one batch from records. Owned by whoever produces a batch (the
// coordinators writing their topics, transaction markers, tools, tests); it
// copies each appended record into its uncompressed records section, and
// build() compresses that, fills in the header, lengths and CRC. Offset deltas
// are 0, 1, 2, ... in append order.
class batch_builder {
public:
    explicit batch_builder(const batch_options& options) : options_(options) {}

    // Appends one record. Fails with errc::length_too_large when a key, value,
    // header or the records section would exceed max_batch_size_bytes (before
    // compression) or the format's int32 limits, and errc::invalid_value when
    // a timestamp's delta to the first record's overflows. A failed append
    // leaves the builder as it was.
    [[nodiscard]] wire::errc append(const new_record& record);

    std::int32_t record_count() const noexcept { return record_count_; }
    std::size_t uncompressed_records_bytes() const noexcept { return records_.size(); }

    // Appends the finished batch to `out`. Fails with errc::invalid_value
    // for a batch without records (Kafka never writes one from a builder),
    // errc::length_too_large when the result would exceed
    // max_batch_size_bytes, or the codec's error. On error `out` is left as it
    // was. The builder is unchanged, so build() can be called again.
    [[nodiscard]] wire::errc build(wire::bytes& out) const;

private:
    batch_options options_;
    wire::writer records_;  // the uncompressed records section
    std::int32_t record_count_ = 0;
    std::int64_t base_timestamp_ms_ = -1;
    std::int64_t max_timestamp_ms_ = -1;
};

// The timestamp fields a broker may change on append.
struct timestamp_rewrite {
    record::timestamp_type type = timestamp_type::create_time;
    std::int64_t max_timestamp_ms = -1;
};

struct batch_rewrite {
    std::int64_t base_offset = 0;
    std::int32_t partition_leader_epoch = -1;
    // Set for topics with message.timestamp.type=LogAppendTime (the broker's
    // time) or to correct a producer's wrong max_timestamp. These bytes are
    // inside the CRC, so the CRC is recomputed, after the old one is verified
    // so a corrupt batch never comes out with a valid checksum.
    std::optional<timestamp_rewrite> timestamps;
};

// Rewrites a stored batch in place as the leader does when it appends it:
// base_offset and partition_leader_epoch (outside the CRC), and optionally
// the timestamp type bit and max_timestamp (inside it). `batch` must hold
// exactly one v2 batch (truncated, trailing_bytes, unsupported_magic,
// invalid_batch_length); errc::invalid_value when the new base offset is
// negative or makes the last offset overflow, errc::crc_mismatch when the
// CRC-covered bytes are changed but the old CRC does not match. On error
// nothing is written.
[[nodiscard]] wire::errc rewrite_batch_in_place(std::span<wire::byte> batch,
                                                const batch_rewrite& rewrite) noexcept;

}  // namespace brook::record
