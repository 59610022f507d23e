#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "brook/wire/reader.h"
#include "brook/wire/uuid.h"
#include "brook/wire/writer.h"

namespace brook::wire {
namespace {

template <typename T>
using limits = std::numeric_limits<T>;

// Copies `data` into a heap block of exactly its size, so AddressSanitizer
// reports any read past the end (a vector's spare capacity would hide it).
class exact_buffer {
public:
    explicit exact_buffer(bytes_view data) : size_(data.size()), storage_(new byte[data.size() == 0 ? 1 : data.size()]) {
        if (!data.empty()) std::memcpy(storage_.get(), data.data(), data.size());
    }
    bytes_view view() const { return {storage_.get(), size_}; }

private:
    std::size_t size_;
    std::unique_ptr<byte[]> storage_;
};

bytes encoded_unsigned_varint(std::uint32_t value) {
    writer out;
    out.write_unsigned_varint(value);
    return out.take();
}

bytes encoded_varint(std::int32_t value) {
    writer out;
    out.write_varint(value);
    return out.take();
}

TEST(reader_writer, fixed_width_round_trip) {
    // Proves every fixed-width primitive survives a write and read at its
    // extremes, in big-endian byte order.
    writer out;
    out.write_int8(limits<std::int8_t>::min());
    out.write_int8(limits<std::int8_t>::max());
    out.write_int8(-1);
    out.write_int16(limits<std::int16_t>::min());
    out.write_int16(limits<std::int16_t>::max());
    out.write_uint16(limits<std::uint16_t>::max());
    out.write_int32(limits<std::int32_t>::min());
    out.write_int32(limits<std::int32_t>::max());
    out.write_int32(-1);
    out.write_uint32(limits<std::uint32_t>::max());
    out.write_int64(limits<std::int64_t>::min());
    out.write_int64(limits<std::int64_t>::max());
    out.write_int64(0);
    out.write_float64(-1.5);
    out.write_float64(limits<double>::infinity());
    out.write_bool(true);
    out.write_bool(false);
    ASSERT_TRUE(out.ok());

    reader in(out.view());
    EXPECT_EQ(in.read_int8(), limits<std::int8_t>::min());
    EXPECT_EQ(in.read_int8(), limits<std::int8_t>::max());
    EXPECT_EQ(in.read_int8(), -1);
    EXPECT_EQ(in.read_int16(), limits<std::int16_t>::min());
    EXPECT_EQ(in.read_int16(), limits<std::int16_t>::max());
    EXPECT_EQ(in.read_uint16(), limits<std::uint16_t>::max());
    EXPECT_EQ(in.read_int32(), limits<std::int32_t>::min());
    EXPECT_EQ(in.read_int32(), limits<std::int32_t>::max());
    EXPECT_EQ(in.read_int32(), -1);
    EXPECT_EQ(in.read_uint32(), limits<std::uint32_t>::max());
    EXPECT_EQ(in.read_int64(), limits<std::int64_t>::min());
    EXPECT_EQ(in.read_int64(), limits<std::int64_t>::max());
    EXPECT_EQ(in.read_int64(), 0);
    EXPECT_EQ(in.read_float64(), -1.5);
    EXPECT_TRUE(std::isinf(in.read_float64()));
    EXPECT_TRUE(in.read_bool());
    EXPECT_FALSE(in.read_bool());
    EXPECT_TRUE(in.ok());
    EXPECT_TRUE(in.at_end());
}

TEST(reader_writer, big_endian_layout) {
    // Proves the byte order on the wire is big-endian, as Kafka's is.
    writer out;
    out.write_int32(0x01020304);
    out.write_int16(-2);
    const bytes expected = {0x01, 0x02, 0x03, 0x04, 0xff, 0xfe};
    EXPECT_EQ(bytes(out.view().begin(), out.view().end()), expected);
}

TEST(reader_writer, any_non_zero_byte_is_true) {
    // Proves booleans read as Kafka reads them: every non-zero byte is true.
    const bytes data = {0x00, 0x01, 0x02, 0xff};
    reader in(data);
    EXPECT_FALSE(in.read_bool());
    EXPECT_TRUE(in.read_bool());
    EXPECT_TRUE(in.read_bool());
    EXPECT_TRUE(in.read_bool());
}

TEST(reader_writer, unsigned_varint_edges) {
    // Proves unsigned varints at the 7-bit group boundaries encode to the
    // expected bytes, report the size the writer produces, and read back.
    EXPECT_EQ(encoded_unsigned_varint(0), (bytes{0x00}));
    EXPECT_EQ(encoded_unsigned_varint(127), (bytes{0x7f}));
    EXPECT_EQ(encoded_unsigned_varint(128), (bytes{0x80, 0x01}));
    EXPECT_EQ(encoded_unsigned_varint(300), (bytes{0xac, 0x02}));
    EXPECT_EQ(encoded_unsigned_varint(16383), (bytes{0xff, 0x7f}));
    EXPECT_EQ(encoded_unsigned_varint(16384), (bytes{0x80, 0x80, 0x01}));
    EXPECT_EQ(encoded_unsigned_varint(limits<std::uint32_t>::max()), (bytes{0xff, 0xff, 0xff, 0xff, 0x0f}));
    for (const std::uint32_t value : {0u, 1u, 127u, 128u, 16383u, 16384u, 2097151u, 2097152u, 268435455u,
                                      268435456u, limits<std::uint32_t>::max()}) {
        const bytes encoded = encoded_unsigned_varint(value);
        EXPECT_EQ(encoded.size(), unsigned_varint_size(value));
        reader in(encoded);
        EXPECT_EQ(in.read_unsigned_varint(), value);
        EXPECT_TRUE(in.ok());
        EXPECT_TRUE(in.at_end());
    }
}

TEST(reader_writer, signed_varint_edges) {
    // Proves zig-zag varints map small magnitudes of either sign to one byte
    // and round-trip the extremes, as record batch v2 fields need.
    EXPECT_EQ(encoded_varint(0), (bytes{0x00}));
    EXPECT_EQ(encoded_varint(-1), (bytes{0x01}));
    EXPECT_EQ(encoded_varint(1), (bytes{0x02}));
    EXPECT_EQ(encoded_varint(-64), (bytes{0x7f}));
    EXPECT_EQ(encoded_varint(64), (bytes{0x80, 0x01}));
    EXPECT_EQ(encoded_varint(limits<std::int32_t>::max()), (bytes{0xfe, 0xff, 0xff, 0xff, 0x0f}));
    EXPECT_EQ(encoded_varint(limits<std::int32_t>::min()), (bytes{0xff, 0xff, 0xff, 0xff, 0x0f}));
    for (const std::int32_t value : {0, -1, 1, 63, -64, 64, -65, 127, 128, -128, 8191, -8192, 8192,
                                     limits<std::int32_t>::max(), limits<std::int32_t>::min()}) {
        writer out;
        out.write_varint(value);
        EXPECT_EQ(out.size(), varint_size(value));
        reader in(out.view());
        EXPECT_EQ(in.read_varint(), value);
        EXPECT_TRUE(in.ok() && in.at_end());
    }
}

TEST(reader_writer, varlong_edges) {
    // Proves 64-bit varints, signed and unsigned, round-trip their extremes
    // and the group boundaries with the sizes the size helpers predict.
    for (const std::int64_t value :
         {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, std::int64_t{63}, std::int64_t{-64},
          std::int64_t{64}, std::int64_t{-65}, std::int64_t{1} << 35, -(std::int64_t{1} << 35),
          limits<std::int64_t>::max(), limits<std::int64_t>::min()}) {
        writer out;
        out.write_varlong(value);
        EXPECT_EQ(out.size(), varlong_size(value));
        reader in(out.view());
        EXPECT_EQ(in.read_varlong(), value);
        EXPECT_TRUE(in.ok() && in.at_end());
    }
    for (const std::uint64_t value : {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128},
                                      limits<std::uint64_t>::max() >> 1, limits<std::uint64_t>::max()}) {
        writer out;
        out.write_unsigned_varlong(value);
        EXPECT_EQ(out.size(), unsigned_varint_size(value));
        reader in(out.view());
        EXPECT_EQ(in.read_unsigned_varlong(), value);
        EXPECT_TRUE(in.ok() && in.at_end());
    }
    writer out;
    out.write_varlong(limits<std::int64_t>::min());
    EXPECT_EQ(out.size(), 10u);
}

TEST(reader_writer, overlong_varints_rejected) {
    // Proves varints with more bits than their type holds are refused with
    // varint_too_long instead of silently wrapping: a fifth byte carrying
    // bits above 32, a sixth byte, an eleventh varlong byte, and a tenth
    // varlong byte carrying bits above 64.
    const bytes five_bytes_too_wide = {0xff, 0xff, 0xff, 0xff, 0x1f};
    const bytes six_bytes = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    const bytes ten_bytes_too_wide = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    const bytes eleven_bytes = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};

    for (const bytes& data : {five_bytes_too_wide, six_bytes}) {
        reader unsigned_in(data);
        EXPECT_EQ(unsigned_in.read_unsigned_varint(), 0u);
        EXPECT_EQ(unsigned_in.error(), errc::varint_too_long);
        reader signed_in(data);
        EXPECT_EQ(signed_in.read_varint(), 0);
        EXPECT_EQ(signed_in.error(), errc::varint_too_long);
    }
    for (const bytes& data : {ten_bytes_too_wide, eleven_bytes}) {
        reader unsigned_in(data);
        EXPECT_EQ(unsigned_in.read_unsigned_varlong(), 0u);
        EXPECT_EQ(unsigned_in.error(), errc::varint_too_long);
        reader signed_in(data);
        EXPECT_EQ(signed_in.read_varlong(), 0);
        EXPECT_EQ(signed_in.error(), errc::varint_too_long);
    }
    // The widest legal encodings still read.
    const bytes widest_varint = {0xff, 0xff, 0xff, 0xff, 0x0f};
    reader in(widest_varint);
    EXPECT_EQ(in.read_unsigned_varint(), limits<std::uint32_t>::max());
    EXPECT_TRUE(in.ok());
}

// Writes one of every primitive, so truncation can be tried at every byte.
bytes every_primitive() {
    writer out;
    out.write_int8(-5);
    out.write_int16(0x1234);
    out.write_uint16(0xfedc);
    out.write_int32(-123456789);
    out.write_uint32(0xcafebabe);
    out.write_int64(0x0102030405060708);
    out.write_float64(3.25);
    out.write_bool(true);
    uuid id;
    for (std::size_t i = 0; i < id.value.size(); ++i) id.value[i] = static_cast<byte>(i * 7);
    out.write_uuid(id);
    out.write_unsigned_varint(300);
    out.write_varint(-1000000);
    out.write_unsigned_varlong(limits<std::uint64_t>::max());
    out.write_varlong(limits<std::int64_t>::min());
    out.write_text("tail");
    return out.take();
}

// Reads what every_primitive wrote and returns the reader's final error.
errc read_every_primitive(bytes_view data) {
    reader in(data);
    (void)in.read_int8();
    (void)in.read_int16();
    (void)in.read_uint16();
    (void)in.read_int32();
    (void)in.read_uint32();
    (void)in.read_int64();
    (void)in.read_float64();
    (void)in.read_bool();
    (void)in.read_uuid();
    (void)in.read_unsigned_varint();
    (void)in.read_varint();
    (void)in.read_unsigned_varlong();
    (void)in.read_varlong();
    const bytes_view tail = in.read_view(4);
    EXPECT_LE(in.position(), data.size());
    if (in.ok()) {
        EXPECT_EQ(tail.size(), 4u);
        EXPECT_TRUE(in.at_end());
    } else {
        EXPECT_TRUE(tail.empty());
    }
    return in.error();
}

TEST(reader_writer, truncation_at_every_cut_point) {
    // Proves that cutting the input at any byte yields errc::truncated and
    // never a read past the end: each prefix sits in a block of exactly its
    // size, so AddressSanitizer builds would catch a single stray byte.
    const bytes full = every_primitive();
    EXPECT_EQ(read_every_primitive(exact_buffer(full).view()), errc::ok);
    for (std::size_t cut = 0; cut < full.size(); ++cut) {
        const exact_buffer prefix(bytes_view(full.data(), cut));
        EXPECT_EQ(read_every_primitive(prefix.view()), errc::truncated) << "cut at " << cut;
    }
}

TEST(reader_writer, errors_are_sticky) {
    // Proves the first error wins: later reads return zero values without
    // moving, later failures do not overwrite the cause, and nested readers
    // taken after the failure are failed too.
    const bytes data = {0x00, 0x01, 0x02};
    reader in(data);
    EXPECT_EQ(in.read_int32(), 0);
    EXPECT_EQ(in.error(), errc::truncated);
    EXPECT_EQ(in.position(), data.size());
    EXPECT_EQ(in.read_int8(), 0);
    EXPECT_EQ(in.read_unsigned_varint(), 0u);
    EXPECT_TRUE(in.read_view(0).empty());
    in.fail(errc::invalid_value);
    EXPECT_EQ(in.error(), errc::truncated);
    reader child = in.sub_reader(0);
    EXPECT_FALSE(child.ok());
    EXPECT_EQ(child.error(), errc::truncated);

    writer out;
    out.fail(errc::field_not_in_version);
    out.fail(errc::invalid_value);
    EXPECT_EQ(out.error(), errc::field_not_in_version);
}

TEST(reader_writer, sub_reader_is_bounded) {
    // Proves a nested reader sees only its own bytes and the parent moves past
    // them, so a tagged field cannot read into its neighbour.
    const bytes data = {0x00, 0x01, 0x02, 0x03, 0x04};
    reader in(data);
    reader child = in.sub_reader(2);
    EXPECT_EQ(child.read_int16(), 0x0001);
    EXPECT_EQ(child.read_int8(), 0);
    EXPECT_EQ(child.error(), errc::truncated);
    EXPECT_EQ(in.read_int8(), 0x02);
    EXPECT_TRUE(in.ok());
    reader too_long = in.sub_reader(3);
    EXPECT_EQ(in.error(), errc::truncated);
    EXPECT_FALSE(too_long.ok());
}

TEST(reader_writer, placeholders_are_patched) {
    // Proves a length written before its content is known lands big-endian
    // at the reserved position.
    writer out;
    const std::size_t at = out.write_placeholder(4);
    out.write_text("abc");
    out.patch_int32(at, 3);
    reader in(out.view());
    EXPECT_EQ(in.read_int32(), 3);
    EXPECT_EQ(in.remaining(), 3u);
}

TEST(uuid, zero_prints_as_kafka_does) {
    // Proves the zero UUID prints as Kafka's Uuid.ZERO_UUID.toString() does.
    EXPECT_EQ(uuid::zero().to_base64(), "AAAAAAAAAAAAAAAAAAAAAA");
    const auto parsed = uuid::from_base64("AAAAAAAAAAAAAAAAAAAAAA");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_TRUE(parsed->is_zero());
}

TEST(uuid, base64_round_trip) {
    // Proves URL-safe unpadded base64 round-trips: a known value (bytes
    // 0x00..0x0f, standard base64 "AAECAwQFBgcICQoLDA0ODw==") and random ones
    // that exercise the '-' and '_' characters.
    uuid counting;
    for (std::size_t i = 0; i < counting.value.size(); ++i) counting.value[i] = static_cast<byte>(i);
    EXPECT_EQ(counting.to_base64(), "AAECAwQFBgcICQoLDA0ODw");
    EXPECT_EQ(uuid::from_base64("AAECAwQFBgcICQoLDA0ODw"), counting);

    uuid all_ones;
    all_ones.value.fill(0xff);
    EXPECT_EQ(all_ones.to_base64(), "_____________________w");

    std::mt19937 generator(99);
    for (int round = 0; round < 200; ++round) {
        uuid id;
        for (byte& b : id.value) b = static_cast<byte>(generator());
        const std::string text = id.to_base64();
        ASSERT_EQ(text.size(), 22u);
        EXPECT_EQ(uuid::from_base64(text), id);
    }
}

TEST(uuid, invalid_text_rejected) {
    // Proves text that is not the canonical form of 16 bytes is refused:
    // wrong lengths, characters outside the URL-safe alphabet, padding, and
    // non-zero bits in the last character's unused low bits.
    EXPECT_FALSE(uuid::from_base64(""));
    EXPECT_FALSE(uuid::from_base64("AAAAAAAAAAAAAAAAAAAAA"));
    EXPECT_FALSE(uuid::from_base64("AAAAAAAAAAAAAAAAAAAAAAA"));
    EXPECT_FALSE(uuid::from_base64("AAAAAAAAAAAAAAAAAAAA+A"));
    EXPECT_FALSE(uuid::from_base64("AAAAAAAAAAAAAAAAAAAA/A"));
    EXPECT_FALSE(uuid::from_base64("AAAAAAAAAAAAAAAAAAAA=="));
    EXPECT_FALSE(uuid::from_base64("AAAAAAAAAAAAAAAAAAAAAB"));
    EXPECT_TRUE(uuid::from_base64("AAAAAAAAAAAAAAAAAAAAAQ"));
}

TEST(uuid, wire_round_trip) {
    // Proves a UUID is written as its 16 bytes in order and read back, and
    // that a short input leaves the zero UUID with errc::truncated.
    uuid id;
    for (std::size_t i = 0; i < id.value.size(); ++i) id.value[i] = static_cast<byte>(0xf0 - i);
    writer out;
    out.write_uuid(id);
    ASSERT_EQ(out.size(), 16u);
    EXPECT_EQ(out.view()[0], 0xf0);
    reader in(out.view());
    EXPECT_EQ(in.read_uuid(), id);

    reader short_in(out.view().first(15));
    EXPECT_TRUE(short_in.read_uuid().is_zero());
    EXPECT_EQ(short_in.error(), errc::truncated);
}

TEST(errc, every_value_has_a_message) {
    // Proves each error has its own message, so logs name the real cause.
    for (int value = 0; value <= static_cast<int>(errc::invalid_offset_delta); ++value) {
        const std::string message = make_error_code(static_cast<errc>(value)).message();
        EXPECT_EQ(message.find("unknown wire error"), std::string::npos) << value;
    }
    EXPECT_STREQ(wire_category().name(), "brook.wire");
}

}  // namespace
}  // namespace brook::wire
