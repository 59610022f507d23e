#include "brook/record/record_batch.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "brook/wire/crc32c.h"
#include "brook/wire/reader.h"
#include "brook/wire/writer.h"

namespace brook::record {
namespace {

using wire::byte;
using wire::bytes;
using wire::bytes_view;
using wire::errc;

constexpr std::size_t one_mebibyte = 1024 * 1024;
constexpr std::array<compression, 5> all_codecs = {compression::none, compression::gzip, compression::snappy,
                                                   compression::lz4, compression::zstd};

bytes text_bytes(std::string_view text) { return {text.begin(), text.end()}; }

std::optional<bytes> to_owned(const std::optional<bytes_view>& view) {
    if (!view) return std::nullopt;
    return bytes(view->begin(), view->end());
}

// A record owned by the test, so the expected values outlive every view.
struct test_record {
    std::optional<bytes> key;
    std::optional<bytes> value;
    std::vector<std::pair<bytes, std::optional<bytes>>> headers;
    std::int64_t timestamp_ms = 0;
};

// Records that cover the cases the format distinguishes: null, empty and
// non-empty keys and values, headers with null and empty values, a timestamp
// before the first (a negative delta) and a value large enough to compress.
std::vector<test_record> sample_records() {
    std::vector<test_record> records;
    records.push_back({text_bytes("k1"), text_bytes("v1"), {{text_bytes("h1"), text_bytes("x")}, {text_bytes("h2"), std::nullopt}}, 1000});
    records.push_back({std::nullopt, bytes{}, {}, 1005});
    records.push_back({bytes{}, std::nullopt, {{bytes{}, bytes{}}}, 990});
    std::string large;
    while (large.size() < 5000) large += "the quick brown fox jumps over the lazy dog ";
    records.push_back({bytes(300, 0x07), text_bytes(large), {}, 1002});
    return records;
}

// Feeds records to a builder; the header views live in `storage`.
errc append_all(batch_builder& builder, const std::vector<test_record>& records) {
    for (const test_record& record : records) {
        std::vector<header_view> headers;
        for (const auto& [key, value] : record.headers) {
            headers.push_back({key, value ? std::optional<bytes_view>(*value) : std::nullopt});
        }
        new_record input;
        if (record.key) input.key = bytes_view(*record.key);
        if (record.value) input.value = bytes_view(*record.value);
        input.headers = headers;
        input.timestamp_ms = record.timestamp_ms;
        if (const errc result = builder.append(input); result != errc::ok) return result;
    }
    return errc::ok;
}

bytes build(const batch_options& options, const std::vector<test_record>& records) {
    batch_builder builder(options);
    EXPECT_EQ(append_all(builder, records), errc::ok);
    bytes out;
    EXPECT_EQ(builder.build(out), errc::ok);
    return out;
}

void expect_same_records(const decoded_records& decoded, const batch_header& header,
                         const std::vector<test_record>& expected) {
    ASSERT_EQ(decoded.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const record_view& record = decoded[i];
        EXPECT_EQ(record.offset_delta, static_cast<std::int32_t>(i));
        EXPECT_EQ(record.offset(header), header.base_offset + static_cast<std::int64_t>(i));
        EXPECT_EQ(to_owned(record.key), expected[i].key) << "record " << i;
        EXPECT_EQ(to_owned(record.value), expected[i].value) << "record " << i;
        EXPECT_EQ(record.timestamp(header), expected[i].timestamp_ms) << "record " << i;
        ASSERT_EQ(record.headers.size(), expected[i].headers.size());
        for (std::size_t h = 0; h < record.headers.size(); ++h) {
            EXPECT_EQ(bytes(record.headers[h].key.begin(), record.headers[h].key.end()), expected[i].headers[h].first);
            EXPECT_EQ(to_owned(record.headers[h].value), expected[i].headers[h].second);
        }
    }
}

std::uint32_t load_uint32(const bytes& data, std::size_t at) {
    wire::reader in(bytes_view(data).subspan(at, 4));
    return in.read_uint32();
}

void store_int32(bytes& data, std::size_t at, std::int32_t value) {
    for (int i = 3; i >= 0; --i) {
        data[at + static_cast<std::size_t>(i)] = static_cast<byte>(static_cast<std::uint32_t>(value) & 0xffu);
        value = static_cast<std::int32_t>(static_cast<std::uint32_t>(value) >> 8);
    }
}

void store_int64(bytes& data, std::size_t at, std::int64_t value) {
    auto raw = static_cast<std::uint64_t>(value);
    for (int i = 7; i >= 0; --i) {
        data[at + static_cast<std::size_t>(i)] = static_cast<byte>(raw & 0xffu);
        raw >>= 8;
    }
}

// Recomputes the CRC after a test changed covered bytes on purpose, so the
// change reaches the validation behind the CRC.
void fix_crc(bytes& batch) {
    const std::uint32_t crc = wire::crc32c(bytes_view(batch).subspan(batch_layout::crc_covered_from));
    store_int32(batch, batch_layout::crc, static_cast<std::int32_t>(crc));
}

// One record of a hand-assembled batch.
struct hand_record {
    std::int64_t timestamp_delta = 0;
    std::int32_t offset_delta = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

struct hand_batch_fields {
    std::int64_t base_offset = 0;
    std::int32_t partition_leader_epoch = -1;
    std::int16_t attributes = 0;
    std::int32_t last_offset_delta = 0;
    std::int64_t base_timestamp = 0;
    std::int64_t max_timestamp = 0;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int32_t base_sequence = -1;
};

void write_nullable_text(wire::writer& out, const std::optional<std::string>& text) {
    if (!text) {
        out.write_varint(-1);
        return;
    }
    out.write_varint(static_cast<std::int32_t>(text->size()));
    out.write_text(*text);
}

// Writes a batch field by field from the format's description, independent
// of the builder, with the CRC computed by crc32c over bytes 21 to the end.
bytes hand_batch(const hand_batch_fields& fields, const std::vector<hand_record>& records) {
    wire::writer out;
    out.write_int64(fields.base_offset);
    const std::size_t length_at = out.write_placeholder(4);
    out.write_int32(fields.partition_leader_epoch);
    out.write_int8(2);
    const std::size_t crc_at = out.write_placeholder(4);
    out.write_int16(fields.attributes);
    out.write_int32(fields.last_offset_delta);
    out.write_int64(fields.base_timestamp);
    out.write_int64(fields.max_timestamp);
    out.write_int64(fields.producer_id);
    out.write_int16(fields.producer_epoch);
    out.write_int32(fields.base_sequence);
    out.write_int32(static_cast<std::int32_t>(records.size()));
    for (const hand_record& record : records) {
        wire::writer body;
        body.write_int8(0);
        body.write_varlong(record.timestamp_delta);
        body.write_varint(record.offset_delta);
        write_nullable_text(body, record.key);
        write_nullable_text(body, record.value);
        body.write_varint(static_cast<std::int32_t>(record.headers.size()));
        for (const auto& [key, value] : record.headers) {
            body.write_varint(static_cast<std::int32_t>(key.size()));
            body.write_text(key);
            write_nullable_text(body, value);
        }
        out.write_varint(static_cast<std::int32_t>(body.size()));
        out.write_bytes(body.view());
    }
    out.patch_int32(length_at, static_cast<std::int32_t>(out.size() - 12));
    out.patch_uint32(crc_at, wire::crc32c(out.view().subspan(21)));
    return out.take();
}

// Copies `data` into a heap block of exactly its size, so AddressSanitizer
// reports a read even one byte past the end.
class exact_buffer {
public:
    explicit exact_buffer(bytes_view data) : size_(data.size()), storage_(new byte[data.size() + (data.empty() ? 1 : 0)]) {
        if (!data.empty()) std::memcpy(storage_.get(), data.data(), data.size());
    }
    bytes_view view() const { return {storage_.get(), size_}; }

private:
    std::size_t size_;
    std::unique_ptr<byte[]> storage_;
};

const decode_options generous{one_mebibyte, false};

// Record sets a real client wrote: kcat 1.7.1 (librdkafka 2.0.2) producing
// three lines to partition 0 of a throwaway listener that answered
// ApiVersions and Metadata and saved the records field of the Produce v7
// request, with
//   kcat -P -b 127.0.0.1:PORT -t t -p 0 -z CODEC -K: -H trace=abc -H empty=
// and the input lines
//   key-1:value one, repeated repeated repeated repeated repeated repeated
//   key-2:value two, repeated repeated repeated repeated repeated repeated
//   :value with empty key repeated repeated repeated repeated
// The CRCs in them were computed by librdkafka, not by Brook.
constexpr std::string_view librdkafka_none_hex =
    "000000000000000000000140000000000271da12ea000000000002000001a201930c4c000001a201930c4cffffffffff"
    "ffffffffffffffffff00000003ba010000000a6b65792d31800176616c7565206f6e652c207265706561746564207265"
    "706561746564207265706561746564207265706561746564207265706561746564207265706561746564040a74726163"
    "65066162630a656d70747900ba010000020a6b65792d32800176616c75652074776f2c20726570656174656420726570"
    "6561746564207265706561746564207265706561746564207265706561746564207265706561746564040a7472616365"
    "066162630a656d707479009e01000004007076616c7565207769746820656d707479206b657920726570656174656420"
    "7265706561746564207265706561746564207265706561746564040a7472616365066162630a656d70747900";

constexpr std::string_view librdkafka_gzip_hex =
    "00000000000000000000009d0000000002a0c1fb9f000100000002000001a20192f904000001a20192f904ffffffffff"
    "ffffffffffffffffff000000031f8b0800000000000003dbc5c8c0c0c0959d5aa96bd8c0589698539aaa909f97aaa350"
    "945a909a58929a42128385aba4283139952d3129992b35b7a0a4926117d07826b0f14630e34bcaf3a966fc3ca0f12c0c"
    "051083cb334b3214c0e20a400bc9331000d1ee5d470f010000";

constexpr std::string_view librdkafka_snappy_hex =
    "00000000000000000000009a00000000028d9ca593000200000002000001a20192ff72000001a20192ff72ffffffffff"
    "ffffffffffffffffff000000038f027cba010000000a6b65792d31800176616c7565206f6e652c207265706561746564"
    "b2090044040a7472616365066162630a656d70747900015f0002055f0032115f0874776ffe5f00155f189e0100000400"
    "7009b810776974682005770c206b65798eb90046b000";

constexpr std::string_view librdkafka_lz4_hex =
    "0000000000000000000000ad0000000002b6984485000300000002000001a20192dd0d000001a20192dd0dffffffffff"
    "ffffffffffffffffff0000000304224d186040826d000000ff11ba010000000a6b65792d31800176616c7565206f6e65"
    "2c20726570656174656409001af003040a7472616365066162630a656d707479005f0011025f0014325f003f74776f5f"
    "0036729e010000040070b80051776974682077004f206b6579b9001109b000506d7074790000000000";

constexpr std::string_view librdkafka_zstd_hex =
    "00000000000000000000009e0000000002c7cc2ac3000400000002000001a2019305e0000001a2019305e0ffffffffff"
    "ffffffffffffffffff0000000328b52ffd0058250300b404ba010000000a6b65792d31800176616c7565206f6e652c20"
    "7265706561746564040a7472616365066162630a656d70747900ba010000023274776f9e010000040070776974682020"
    "6b6579080033f3403308d143e89d198c0134f06e31080dd22c4f";

bytes from_hex(std::string_view hex) {
    const auto digit = [](char c) -> byte {
        return static_cast<byte>(c <= '9' ? c - '0' : c - 'a' + 10);
    };
    bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<byte>((digit(hex[i]) << 4) | digit(hex[i + 1])));
    }
    return out;
}


TEST(record_batch, builder_round_trip_every_codec) {
    // Proves a batch built by the builder parses back with the header fields
    // it was given and identical records, for every codec.
    const std::vector<test_record> records = sample_records();
    for (const compression codec : all_codecs) {
        batch_options options;
        options.codec = codec;
        options.producer_id = 42;
        options.producer_epoch = 3;
        options.base_sequence = 7;
        options.partition_leader_epoch = 5;
        options.base_offset = 100;
        const bytes data = build(options, records);

        batch_view batch;
        ASSERT_EQ(parse_batch(data, batch), errc::ok) << to_string(codec);
        const batch_header& header = batch.header;
        EXPECT_EQ(header.base_offset, 100);
        EXPECT_EQ(header.size_bytes(), data.size());
        EXPECT_EQ(header.partition_leader_epoch, 5);
        EXPECT_EQ(header.magic, 2);
        EXPECT_EQ(header.codec(), codec);
        EXPECT_EQ(header.timestamp_type(), timestamp_type::create_time);
        EXPECT_FALSE(header.is_transactional());
        EXPECT_FALSE(header.is_control());
        EXPECT_FALSE(header.has_delete_horizon());
        EXPECT_EQ(header.last_offset_delta, 3);
        EXPECT_EQ(header.last_offset(), 103);
        EXPECT_EQ(header.base_timestamp, 1000);
        EXPECT_EQ(header.max_timestamp, 1005);
        EXPECT_EQ(header.producer_id, 42);
        EXPECT_EQ(header.producer_epoch, 3);
        EXPECT_EQ(header.base_sequence, 7);
        EXPECT_EQ(header.record_count, 4);
        EXPECT_EQ(check_producer_batch(header), errc::ok);
        if (codec != compression::none) {
            EXPECT_LT(data.size(), 3000u) << to_string(codec) << " should shrink the repetitive value";
        }

        decoded_records decoded;
        ASSERT_EQ(decode_records(batch, decode_options{one_mebibyte, true}, decoded), errc::ok) << to_string(codec);
        expect_same_records(decoded, header, records);

        // Moving the decoded records keeps their views valid.
        decoded_records moved = std::move(decoded);
        expect_same_records(moved, header, records);
    }
}

TEST(record_batch, builder_flags_and_log_append_time) {
    // Proves the transactional and control bits reach the attributes, and
    // that with LogAppendTime every record carries the append time, as
    // Kafka's own builder writes it.
    batch_options options;
    options.is_transactional = true;
    options.is_control = true;
    options.timestamp_type = timestamp_type::log_append_time;
    options.log_append_time_ms = 1'700'000'000'000;
    const bytes data = build(options, sample_records());
    batch_view batch;
    ASSERT_EQ(parse_batch(data, batch), errc::ok);
    EXPECT_TRUE(batch.header.is_transactional());
    EXPECT_TRUE(batch.header.is_control());
    EXPECT_EQ(batch.header.timestamp_type(), timestamp_type::log_append_time);
    EXPECT_EQ(batch.header.attributes, 0x38);
    EXPECT_EQ(batch.header.base_timestamp, 1'700'000'000'000);
    EXPECT_EQ(batch.header.max_timestamp, 1'700'000'000'000);
    EXPECT_EQ(check_producer_batch(batch.header), errc::invalid_value);
    decoded_records decoded;
    ASSERT_EQ(decode_records(batch, generous, decoded), errc::ok);
    for (const record_view& record : decoded) {
        EXPECT_EQ(record.timestamp_delta, 0);
        EXPECT_EQ(record.timestamp(batch.header), 1'700'000'000'000);
    }
}

TEST(record_batch, builder_limits) {
    // Proves the builder refuses what the format or its bound cannot hold,
    // as error values: an empty batch, a record over max_batch_size_bytes
    // (leaving the builder as it was), and a finished batch over the bound.
    batch_builder empty(batch_options{});
    bytes out;
    EXPECT_EQ(empty.build(out), errc::invalid_value);
    EXPECT_TRUE(out.empty());

    batch_options small;
    small.max_batch_size_bytes = 200;
    batch_builder builder(small);
    const bytes value(100, 'v');
    EXPECT_EQ(builder.append(new_record{std::nullopt, bytes_view(value), {}, 1}), errc::ok);
    const std::size_t size_before = builder.uncompressed_records_bytes();
    EXPECT_EQ(builder.append(new_record{std::nullopt, bytes_view(value), {}, 2}), errc::length_too_large);
    EXPECT_EQ(builder.record_count(), 1);
    EXPECT_EQ(builder.uncompressed_records_bytes(), size_before);
    ASSERT_EQ(builder.build(out), errc::ok);
    EXPECT_LE(out.size(), 200u);

    batch_builder overflow(batch_options{});
    EXPECT_EQ(overflow.append(new_record{std::nullopt, std::nullopt, {}, std::numeric_limits<std::int64_t>::min()}),
              errc::ok);
    EXPECT_EQ(overflow.append(new_record{std::nullopt, std::nullopt, {}, std::numeric_limits<std::int64_t>::max()}),
              errc::invalid_value);
}

TEST(record_batch, hand_assembled_batch_parses) {
    // Proves the parser reads a batch written field by field from the format
    // description (CRC by crc32c), and that the builder produces exactly
    // those bytes for the same input: both agree with the specification, not
    // merely with each other.
    hand_batch_fields fields;
    fields.base_offset = 5;
    fields.partition_leader_epoch = 9;
    fields.last_offset_delta = 1;
    fields.base_timestamp = 1'700'000'000'000;
    fields.max_timestamp = 1'700'000'000'010;
    const std::vector<hand_record> records = {
        {0, 0, "abc", std::nullopt, {{"h", "hv"}}},
        {10, 1, std::nullopt, "hello", {}},
    };
    const bytes data = hand_batch(fields, records);

    batch_view batch;
    ASSERT_EQ(parse_batch(data, batch), errc::ok);
    EXPECT_EQ(batch.header.base_offset, 5);
    EXPECT_EQ(batch.header.partition_leader_epoch, 9);
    EXPECT_EQ(batch.header.record_count, 2);
    EXPECT_EQ(batch.header.crc, load_uint32(data, 17));
    decoded_records decoded;
    ASSERT_EQ(decode_records(batch, generous, decoded), errc::ok);
    ASSERT_EQ(decoded.size(), 2u);
    EXPECT_EQ(to_owned(decoded[0].key), text_bytes("abc"));
    EXPECT_FALSE(decoded[0].value.has_value());
    ASSERT_EQ(decoded[0].headers.size(), 1u);
    EXPECT_EQ(bytes(decoded[0].headers[0].key.begin(), decoded[0].headers[0].key.end()), text_bytes("h"));
    EXPECT_EQ(to_owned(decoded[0].headers[0].value), text_bytes("hv"));
    EXPECT_EQ(decoded[0].offset(batch.header), 5);
    EXPECT_EQ(decoded[0].timestamp(batch.header), 1'700'000'000'000);
    EXPECT_FALSE(decoded[1].key.has_value());
    EXPECT_EQ(to_owned(decoded[1].value), text_bytes("hello"));
    EXPECT_TRUE(decoded[1].headers.empty());
    EXPECT_EQ(decoded[1].offset(batch.header), 6);
    EXPECT_EQ(decoded[1].timestamp(batch.header), 1'700'000'000'010);

    batch_options options;
    options.base_offset = 5;
    options.partition_leader_epoch = 9;
    batch_builder builder(options);
    const bytes key = text_bytes("abc");
    const bytes header_key = text_bytes("h");
    const bytes header_value = text_bytes("hv");
    const bytes value = text_bytes("hello");
    const std::vector<header_view> headers = {{header_key, bytes_view(header_value)}};
    ASSERT_EQ(builder.append(new_record{bytes_view(key), std::nullopt, headers, 1'700'000'000'000}), errc::ok);
    ASSERT_EQ(builder.append(new_record{std::nullopt, bytes_view(value), {}, 1'700'000'000'010}), errc::ok);
    bytes built;
    ASSERT_EQ(builder.build(built), errc::ok);
    EXPECT_EQ(built, data);
}

TEST(record_batch, every_single_byte_corruption_detected) {
    // Proves that changing any byte the CRC or the framing covers makes
    // parse_batch fail, for an uncompressed and a compressed batch. Bytes
    // 0-7 (base offset) and 12-15 (partition leader epoch) are left out of
    // the CRC by Kafka's design, because the broker rewrites them on append;
    // the test checks those still parse, so the exclusion is deliberate.
    for (const compression codec : {compression::none, compression::lz4}) {
        batch_options options;
        options.codec = codec;
        const bytes data = build(options, sample_records());
        for (std::size_t i = 0; i < data.size(); ++i) {
            const bool outside_crc = i < batch_layout::batch_length ||
                                     (i >= batch_layout::partition_leader_epoch && i < batch_layout::magic);
            for (const byte mask : {byte{0x01}, byte{0x80}, byte{0xff}}) {
                bytes damaged = data;
                damaged[i] ^= mask;
                batch_view batch;
                const errc result = parse_batch(damaged, batch);
                if (outside_crc) {
                    EXPECT_EQ(result, errc::ok) << "byte " << i;
                } else {
                    EXPECT_NE(result, errc::ok) << to_string(codec) << " byte " << i << " mask " << int{mask};
                }
            }
        }
    }
}

TEST(record_batch, decode_survives_any_single_byte_change_behind_a_valid_crc) {
    // Proves record decoding never crashes or reads out of bounds when the
    // CRC was recomputed over damaged bytes (a buggy or hostile producer):
    // every change in the header fields or the records either decodes to the
    // declared number of records or fails with an error value.
    std::vector<test_record> records = sample_records();
    records.back().value = text_bytes("short");
    records.back().key = bytes(3, 0x01);
    for (const compression codec : all_codecs) {
        batch_options options;
        options.codec = codec;
        const bytes data = build(options, records);
        for (std::size_t i = batch_layout::attributes; i < data.size(); ++i) {
            for (const byte mask : {byte{0x01}, byte{0x40}, byte{0x80}, byte{0xff}}) {
                bytes damaged = data;
                damaged[i] ^= mask;
                fix_crc(damaged);
                const exact_buffer exact(damaged);
                batch_view batch;
                if (parse_batch(exact.view(), batch) != errc::ok) continue;
                decoded_records decoded;
                const errc result = decode_records(batch, decode_options{64 * 1024, false}, decoded);
                if (result == errc::ok) {
                    EXPECT_EQ(decoded.size(), static_cast<std::size_t>(batch.header.record_count));
                } else {
                    EXPECT_EQ(decoded.size(), 0u);
                }
            }
        }
    }
}

TEST(record_batch, every_truncation_detected) {
    // Proves a batch cut at any byte is reported as truncated and never read
    // past its end (each prefix sits in a block of exactly its size).
    for (const compression codec : {compression::none, compression::zstd}) {
        batch_options options;
        options.codec = codec;
        const bytes data = build(options, sample_records());
        for (std::size_t cut = 0; cut < data.size(); ++cut) {
            const exact_buffer prefix(bytes_view(data).first(cut));
            batch_view batch;
            EXPECT_EQ(parse_batch(prefix.view(), batch), errc::truncated) << "cut at " << cut;
        }
        bytes longer = data;
        longer.push_back(0);
        batch_view batch;
        EXPECT_EQ(parse_batch(longer, batch), errc::trailing_bytes);
    }
}

TEST(record_batch, old_magic_rejected) {
    // Proves magic 0 and 1 (message sets of Kafka before 0.11, removed in
    // Kafka 4) are refused by name, by the parser and by the splitter, also
    // for a genuine v1 message shorter than a v2 header.
    const bytes data = build(batch_options{}, sample_records());
    for (const byte magic : {byte{0}, byte{1}, byte{3}}) {
        bytes old = data;
        old[batch_layout::magic] = magic;
        batch_view batch;
        EXPECT_EQ(parse_batch(old, batch), errc::unsupported_magic);
        batch_splitter splitter(old);
        EXPECT_FALSE(splitter.next().has_value());
        EXPECT_EQ(splitter.error(), errc::unsupported_magic);
    }
    // A v1 message: offset, size, crc, magic 1, attributes, timestamp, null
    // key, value "v".
    wire::writer v1;
    v1.write_int64(0);
    v1.write_int32(4 + 1 + 1 + 8 + 4 + 4 + 1);
    v1.write_uint32(0);
    v1.write_int8(1);
    v1.write_int8(0);
    v1.write_int64(0);
    v1.write_int32(-1);
    v1.write_int32(1);
    v1.write_text("v");
    batch_view batch;
    EXPECT_EQ(parse_batch(v1.view(), batch), errc::unsupported_magic);
    batch_splitter splitter(v1.view());
    EXPECT_FALSE(splitter.next().has_value());
    EXPECT_EQ(splitter.error(), errc::unsupported_magic);
}

TEST(record_batch, record_count_mismatch_rejected) {
    // Proves a record count that disagrees with the records is refused:
    // more records than offsets (parse), more records than the section
    // holds, fewer than it holds, a negative count, and a forged huge count
    // that must not make the decoder reserve memory for it.
    const bytes data = build(batch_options{}, sample_records());
    batch_view batch;
    decoded_records decoded;

    bytes one_more = data;
    store_int32(one_more, batch_layout::record_count, 5);
    fix_crc(one_more);
    EXPECT_EQ(parse_batch(one_more, batch), errc::record_count_mismatch);

    store_int32(one_more, batch_layout::last_offset_delta, 4);
    fix_crc(one_more);
    ASSERT_EQ(parse_batch(one_more, batch), errc::ok);
    EXPECT_EQ(decode_records(batch, generous, decoded), errc::record_count_mismatch);
    EXPECT_EQ(decoded.size(), 0u);

    bytes one_fewer = data;
    store_int32(one_fewer, batch_layout::record_count, 3);
    fix_crc(one_fewer);
    ASSERT_EQ(parse_batch(one_fewer, batch), errc::ok);
    EXPECT_EQ(check_producer_batch(batch.header), errc::record_count_mismatch);
    EXPECT_EQ(decode_records(batch, generous, decoded), errc::trailing_bytes);

    bytes negative = data;
    store_int32(negative, batch_layout::record_count, -1);
    fix_crc(negative);
    EXPECT_EQ(parse_batch(negative, batch), errc::record_count_mismatch);

    bytes huge = data;
    store_int32(huge, batch_layout::record_count, 2'000'000'000);
    store_int32(huge, batch_layout::last_offset_delta, 2'000'000'000);
    fix_crc(huge);
    ASSERT_EQ(parse_batch(huge, batch), errc::ok);
    EXPECT_EQ(decode_records(batch, generous, decoded), errc::record_count_mismatch);

    bytes negative_delta = data;
    store_int32(negative_delta, batch_layout::last_offset_delta, -1);
    fix_crc(negative_delta);
    EXPECT_EQ(parse_batch(negative_delta, batch), errc::invalid_offset_delta);

    bytes overflowing = data;
    store_int64(overflowing, batch_layout::base_offset, std::numeric_limits<std::int64_t>::max() - 1);
    EXPECT_EQ(parse_batch(overflowing, batch), errc::invalid_offset_delta);
}

TEST(record_batch, offset_deltas_validated) {
    // Proves record offset deltas must increase and stay within the batch's
    // last offset delta, and that the producer rule (0, 1, 2, ...) is
    // enforced only when asked, since compacted batches have gaps.
    hand_batch_fields fields;
    decoded_records decoded;
    batch_view batch;
    const auto decode_hand = [&](std::vector<std::int32_t> deltas, std::int32_t last_offset_delta, bool contiguous) {
        std::vector<hand_record> records;
        for (const std::int32_t delta : deltas) records.push_back({0, delta, std::nullopt, "v", {}});
        fields.last_offset_delta = last_offset_delta;
        const bytes data = hand_batch(fields, records);
        EXPECT_EQ(parse_batch(data, batch), errc::ok);
        return decode_records(batch, decode_options{one_mebibyte, contiguous}, decoded);
    };
    EXPECT_EQ(decode_hand({0, 1}, 1, true), errc::ok);
    EXPECT_EQ(decode_hand({0, 2}, 2, false), errc::ok);
    EXPECT_EQ(decode_hand({0, 2}, 2, true), errc::invalid_offset_delta);
    EXPECT_EQ(decode_hand({0, 0}, 1, false), errc::invalid_offset_delta);
    EXPECT_EQ(decode_hand({1, 0}, 1, false), errc::invalid_offset_delta);
    EXPECT_EQ(decode_hand({0, 3}, 2, false), errc::invalid_offset_delta);
    EXPECT_EQ(decode_hand({-1, 0}, 1, false), errc::invalid_offset_delta);
}

TEST(record_batch, malformed_records_rejected) {
    // Proves record-level damage behind a valid CRC is refused with the
    // specific error: a timestamp that overflows, a negative key length
    // other than -1, a null header key, and a record length that disagrees
    // with its fields in either direction.
    batch_view batch;
    decoded_records decoded;

    hand_batch_fields overflow_fields;
    overflow_fields.base_timestamp = std::numeric_limits<std::int64_t>::max();
    const bytes overflow = hand_batch(overflow_fields, {{1, 0, std::nullopt, "v", {}}});
    ASSERT_EQ(parse_batch(overflow, batch), errc::ok);
    EXPECT_EQ(decode_records(batch, generous, decoded), errc::invalid_value);

    // The hand record's bytes after the 61-byte header: length, attributes,
    // timestamp delta, offset delta, then the key length at byte 65.
    bytes negative_key = hand_batch({}, {{0, 0, "k", "v", {}}});
    ASSERT_EQ(negative_key[65], 0x02);  // zig-zag of 1
    negative_key[65] = 0x03;            // zig-zag of -2
    fix_crc(negative_key);
    ASSERT_EQ(parse_batch(negative_key, batch), errc::ok);
    EXPECT_EQ(decode_records(batch, generous, decoded), errc::negative_length);

    bytes null_header_key = hand_batch({}, {{0, 0, std::nullopt, std::nullopt, {{"", std::nullopt}}}});
    // length, attributes, timestamp, offset, key -1, value -1, count 1, key length 0 at byte 68.
    ASSERT_EQ(null_header_key[68], 0x00);
    null_header_key[68] = 0x01;  // zig-zag of -1
    fix_crc(null_header_key);
    ASSERT_EQ(parse_batch(null_header_key, batch), errc::ok);
    EXPECT_EQ(decode_records(batch, generous, decoded), errc::negative_length);

    // Two records, the first claiming one byte more than its fields: the
    // fields end early inside it, so it has trailing bytes.
    bytes long_record = hand_batch({.last_offset_delta = 1}, {{0, 0, "k", "v", {}}, {0, 1, "k", "v", {}}});
    long_record[61] = static_cast<byte>(long_record[61] + 2);  // zig-zag: +1 byte of length
    fix_crc(long_record);
    ASSERT_EQ(parse_batch(long_record, batch), errc::ok);
    EXPECT_EQ(decode_records(batch, generous, decoded), errc::trailing_bytes);

    bytes short_record = hand_batch({}, {{0, 0, "k", "v", {}}});
    short_record[61] = static_cast<byte>(short_record[61] - 2);
    fix_crc(short_record);
    ASSERT_EQ(parse_batch(short_record, batch), errc::ok);
    EXPECT_NE(decode_records(batch, generous, decoded), errc::ok);
}

TEST(record_batch, decompression_is_bounded) {
    // Proves decode_records refuses a compressed section that expands past
    // its bound, so a small batch cannot make the broker allocate a lot.
    test_record big;
    big.value = bytes(4 * one_mebibyte, 'a');
    for (const compression codec : {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
        batch_options options;
        options.codec = codec;
        const bytes data = build(options, {big});
        EXPECT_LT(data.size(), one_mebibyte / 4) << to_string(codec);
        batch_view batch;
        ASSERT_EQ(parse_batch(data, batch), errc::ok);
        decoded_records decoded;
        EXPECT_EQ(decode_records(batch, decode_options{one_mebibyte, false}, decoded),
                  errc::too_large_after_decompression)
            << to_string(codec);
        EXPECT_EQ(decode_records(batch, decode_options{8 * one_mebibyte, false}, decoded), errc::ok);
    }
}

TEST(record_batch, splitter_walks_record_sets) {
    // Proves the splitter hands out each batch of a record set, reports a
    // clean end, reports a batch cut anywhere after the last full one as
    // partial_batch (what a Fetch response may end with), and refuses a
    // length below the header size.
    const std::vector<test_record> records = sample_records();
    std::vector<bytes> batches;
    for (const compression codec : {compression::none, compression::gzip, compression::zstd}) {
        batch_options options;
        options.codec = codec;
        batches.push_back(build(options, records));
    }
    bytes set;
    for (const bytes& batch : batches) set.insert(set.end(), batch.begin(), batch.end());

    batch_splitter splitter(set);
    for (const bytes& expected : batches) {
        const auto next = splitter.next();
        ASSERT_TRUE(next.has_value());
        EXPECT_EQ(bytes(next->begin(), next->end()), expected);
        batch_view batch;
        EXPECT_EQ(parse_batch(*next, batch), errc::ok);
    }
    EXPECT_FALSE(splitter.next().has_value());
    EXPECT_EQ(splitter.error(), errc::ok);
    EXPECT_EQ(splitter.position(), set.size());
    EXPECT_FALSE(splitter.next().has_value());

    batch_splitter empty({});
    EXPECT_FALSE(empty.next().has_value());
    EXPECT_EQ(empty.error(), errc::ok);

    const std::size_t two_batches = batches[0].size() + batches[1].size();
    for (std::size_t cut = two_batches + 1; cut < set.size(); ++cut) {
        const exact_buffer prefix(bytes_view(set).first(cut));
        batch_splitter partial(prefix.view());
        EXPECT_TRUE(partial.next().has_value());
        EXPECT_TRUE(partial.next().has_value());
        EXPECT_FALSE(partial.next().has_value());
        EXPECT_EQ(partial.error(), errc::partial_batch) << "cut at " << cut;
        EXPECT_EQ(partial.position(), two_batches);
        EXPECT_EQ(partial.remainder().size(), cut - two_batches);
    }
    for (std::size_t cut = 1; cut < batches[0].size(); ++cut) {
        batch_splitter partial(bytes_view(set).first(cut));
        EXPECT_FALSE(partial.next().has_value());
        EXPECT_EQ(partial.error(), errc::partial_batch) << "cut at " << cut;
    }

    bytes too_small = set;
    store_int32(too_small, batches[0].size() + batch_layout::batch_length, 48);
    batch_splitter corrupt(too_small);
    EXPECT_TRUE(corrupt.next().has_value());
    EXPECT_FALSE(corrupt.next().has_value());
    EXPECT_EQ(corrupt.error(), errc::invalid_batch_length);
    bytes negative = set;
    store_int32(negative, batch_layout::batch_length, -1);
    batch_splitter negative_splitter(negative);
    EXPECT_FALSE(negative_splitter.next().has_value());
    EXPECT_EQ(negative_splitter.error(), errc::invalid_batch_length);
}

TEST(record_batch, in_place_rewrite_keeps_crc_valid) {
    // Proves the leader's rewrite on append: base offset and leader epoch
    // change without touching the CRC (they are outside it), LogAppendTime
    // sets the type bit and max timestamp and recomputes the CRC, the result
    // still parses with the new values, and a corrupt batch is refused
    // rather than re-checksummed.
    for (const compression codec : {compression::none, compression::snappy}) {
        batch_options options;
        options.codec = codec;
        bytes data = build(options, sample_records());
        const std::uint32_t original_crc = load_uint32(data, batch_layout::crc);

        ASSERT_EQ(rewrite_batch_in_place(data, batch_rewrite{1000, 7, std::nullopt}), errc::ok);
        EXPECT_EQ(load_uint32(data, batch_layout::crc), original_crc);
        batch_view batch;
        ASSERT_EQ(parse_batch(data, batch), errc::ok);
        EXPECT_EQ(batch.header.base_offset, 1000);
        EXPECT_EQ(batch.header.partition_leader_epoch, 7);
        EXPECT_EQ(batch.header.last_offset(), 1003);
        decoded_records decoded;
        ASSERT_EQ(decode_records(batch, generous, decoded), errc::ok);
        EXPECT_EQ(decoded[2].offset(batch.header), 1002);

        const batch_rewrite append_time{2000, 8, timestamp_rewrite{timestamp_type::log_append_time, 99'999}};
        ASSERT_EQ(rewrite_batch_in_place(data, append_time), errc::ok);
        EXPECT_NE(load_uint32(data, batch_layout::crc), original_crc);
        ASSERT_EQ(parse_batch(data, batch), errc::ok);
        EXPECT_EQ(batch.header.base_offset, 2000);
        EXPECT_EQ(batch.header.timestamp_type(), timestamp_type::log_append_time);
        EXPECT_EQ(batch.header.max_timestamp, 99'999);
        EXPECT_EQ(batch.header.base_timestamp, 1000);
        ASSERT_EQ(decode_records(batch, generous, decoded), errc::ok);
        for (const record_view& record : decoded) EXPECT_EQ(record.timestamp(batch.header), 99'999);

        // Back to CreateTime with the original maximum restores the original CRC.
        const batch_rewrite create_time{0, -1, timestamp_rewrite{timestamp_type::create_time, 1005}};
        ASSERT_EQ(rewrite_batch_in_place(data, create_time), errc::ok);
        EXPECT_EQ(load_uint32(data, batch_layout::crc), original_crc);
        ASSERT_EQ(parse_batch(data, batch), errc::ok);

        bytes corrupt = data;
        corrupt[corrupt.size() - 1] ^= 0x01;
        const bytes before = corrupt;
        EXPECT_EQ(rewrite_batch_in_place(corrupt, append_time), errc::crc_mismatch);
        EXPECT_EQ(corrupt, before);

        EXPECT_EQ(rewrite_batch_in_place(data, batch_rewrite{-1, 0, std::nullopt}), errc::invalid_value);
        EXPECT_EQ(rewrite_batch_in_place(data, batch_rewrite{std::numeric_limits<std::int64_t>::max(), 0, std::nullopt}),
                  errc::invalid_value);
        EXPECT_EQ(rewrite_batch_in_place(std::span<byte>(data).first(data.size() - 1), batch_rewrite{}),
                  errc::truncated);
    }
}

TEST(record_batch, read_header_without_validation) {
    // Proves read_batch_header returns the raw fields even when the CRC is
    // wrong (for tools inspecting damage) and needs the full 61 bytes.
    bytes data = build(batch_options{}, sample_records());
    data[batch_layout::crc] ^= 0xff;
    batch_header header;
    ASSERT_EQ(read_batch_header(data, header), errc::ok);
    EXPECT_EQ(header.record_count, 4);
    batch_view batch;
    EXPECT_EQ(parse_batch(data, batch), errc::crc_mismatch);
    EXPECT_EQ(read_batch_header(bytes_view(data).first(60), header), errc::truncated);
}

TEST(record_batch, librdkafka_batches_parse) {
    // Proves Brook reads batches written by an independent implementation
    // (librdkafka) in every codec: their CRCs verify, their records decode to
    // what kcat was given, they pass the producer rules, and Brook's builder
    // reproduces the uncompressed one byte for byte.
    const std::string repeated = " repeated repeated repeated repeated repeated repeated";
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"key-1", "value one," + repeated},
        {"key-2", "value two," + repeated},
        {"", "value with empty key repeated repeated repeated repeated"},
    };
    const std::vector<std::pair<compression, std::string_view>> captures = {
        {compression::none, librdkafka_none_hex},     {compression::gzip, librdkafka_gzip_hex},
        {compression::snappy, librdkafka_snappy_hex}, {compression::lz4, librdkafka_lz4_hex},
        {compression::zstd, librdkafka_zstd_hex},
    };
    for (const auto& [codec, hex] : captures) {
        bytes data = from_hex(hex);
        batch_splitter splitter(data);
        const auto only = splitter.next();
        ASSERT_TRUE(only.has_value()) << to_string(codec);
        EXPECT_FALSE(splitter.next().has_value());
        EXPECT_EQ(splitter.error(), errc::ok);

        batch_view batch;
        ASSERT_EQ(parse_batch(*only, batch), errc::ok) << to_string(codec);
        EXPECT_EQ(batch.header.codec(), codec);
        EXPECT_EQ(batch.header.record_count, 3);
        EXPECT_EQ(batch.header.producer_id, -1);
        EXPECT_EQ(check_producer_batch(batch.header), errc::ok);
        decoded_records decoded;
        ASSERT_EQ(decode_records(batch, decode_options{one_mebibyte, true}, decoded), errc::ok) << to_string(codec);
        ASSERT_EQ(decoded.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            EXPECT_EQ(to_owned(decoded[i].key), text_bytes(expected[i].first));
            EXPECT_EQ(to_owned(decoded[i].value), text_bytes(expected[i].second));
            EXPECT_EQ(decoded[i].timestamp(batch.header), batch.header.base_timestamp);
            ASSERT_EQ(decoded[i].headers.size(), 2u);
            EXPECT_EQ(bytes(decoded[i].headers[0].key.begin(), decoded[i].headers[0].key.end()), text_bytes("trace"));
            EXPECT_EQ(to_owned(decoded[i].headers[0].value), text_bytes("abc"));
            EXPECT_EQ(bytes(decoded[i].headers[1].key.begin(), decoded[i].headers[1].key.end()), text_bytes("empty"));
            EXPECT_EQ(to_owned(decoded[i].headers[1].value), bytes{});
        }

        if (codec == compression::none) {
            batch_options options;
            options.partition_leader_epoch = batch.header.partition_leader_epoch;
            std::vector<test_record> records;
            for (const auto& [key, value] : expected) {
                records.push_back({text_bytes(key), text_bytes(value),
                                   {{text_bytes("trace"), text_bytes("abc")}, {text_bytes("empty"), bytes{}}},
                                   batch.header.base_timestamp});
            }
            EXPECT_EQ(build(options, records), data);
        }

        // The leader's rewrite keeps librdkafka's CRC valid.
        ASSERT_EQ(rewrite_batch_in_place(data, batch_rewrite{12345, 3, std::nullopt}), errc::ok);
        ASSERT_EQ(parse_batch(data, batch), errc::ok);
        EXPECT_EQ(batch.header.base_offset, 12345);
    }
}

}  // namespace
}  // namespace brook::record
