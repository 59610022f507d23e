#include "brook/record/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <array>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace brook::record {
namespace {

using wire::byte;
using wire::bytes;
using wire::bytes_view;
using wire::errc;

constexpr std::array<compression, 5> all_codecs = {compression::none, compression::gzip, compression::snappy,
                                                   compression::lz4, compression::zstd};
constexpr std::array<compression, 4> real_codecs = {compression::gzip, compression::snappy, compression::lz4,
                                                    compression::zstd};
constexpr std::size_t one_mebibyte = 1024 * 1024;

bytes text_bytes(std::string_view text) { return {text.begin(), text.end()}; }

bytes random_bytes(std::size_t size_bytes, std::uint32_t seed) {
    std::mt19937 generator(seed);
    bytes out(size_bytes);
    for (byte& b : out) b = static_cast<byte>(generator());
    return out;
}

// Repetitive text, the shape of most real record payloads (JSON, logs).
bytes compressible_bytes(std::size_t size_bytes) {
    const std::string_view line = "{\"user\":\"alice\",\"action\":\"click\",\"page\":\"/home\"}\n";
    bytes out;
    out.reserve(size_bytes);
    while (out.size() < size_bytes) out.push_back(static_cast<byte>(line[out.size() % line.size()]));
    return out;
}

bytes must_compress(compression codec, bytes_view input) {
    bytes out;
    EXPECT_EQ(compress(codec, input, out), errc::ok) << to_string(codec);
    return out;
}

void append_big_endian_32(bytes& out, std::uint32_t value) {
    out.push_back(static_cast<byte>(value >> 24));
    out.push_back(static_cast<byte>(value >> 16));
    out.push_back(static_cast<byte>(value >> 8));
    out.push_back(static_cast<byte>(value));
}

// The xerial framing as snappy-java writes it, built from its documented
// layout: magic, version 1, minimum compatible version 1, then each chunk as
// a big-endian int32 length and a raw snappy block.
bytes xerial_frame(const std::vector<bytes_view>& pieces) {
    bytes out = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
    append_big_endian_32(out, 1);
    append_big_endian_32(out, 1);
    for (const bytes_view piece : pieces) {
        bytes chunk;
        std::size_t written = 0;
        chunk.resize(snappy::MaxCompressedLength(piece.size()));
        snappy::RawCompress(reinterpret_cast<const char*>(piece.data()), piece.size(),
                            reinterpret_cast<char*>(chunk.data()), &written);
        chunk.resize(written);
        append_big_endian_32(out, static_cast<std::uint32_t>(chunk.size()));
        out.insert(out.end(), chunk.begin(), chunk.end());
    }
    return out;
}

// A zstd frame without a content size in its header, as streaming encoders
// (the Java client's zstd-jni output stream among them) write it.
bytes zstd_without_content_size(bytes_view payload) {
    ZSTD_CCtx* context = ZSTD_createCCtx();
    EXPECT_NE(context, nullptr);
    EXPECT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)));
    EXPECT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)));
    bytes out(ZSTD_compressBound(payload.size()));
    const std::size_t size = ZSTD_compress2(context, out.data(), out.size(), payload.data(), payload.size());
    ZSTD_freeCCtx(context);
    EXPECT_FALSE(ZSTD_isError(size));
    out.resize(ZSTD_isError(size) ? 0 : size);
    EXPECT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), ZSTD_CONTENTSIZE_UNKNOWN);
    return out;
}

TEST(compression, round_trip_every_codec) {
    // Proves compress then decompress returns the input for every codec on
    // empty, tiny, incompressible (1 MiB random) and highly compressible
    // payloads.
    const std::vector<bytes> payloads = {bytes{}, text_bytes("hello, brook"), random_bytes(one_mebibyte, 1),
                                         compressible_bytes(one_mebibyte), bytes(one_mebibyte, 0)};
    for (const compression codec : all_codecs) {
        for (const bytes& payload : payloads) {
            const bytes compressed = must_compress(codec, payload);
            bytes restored;
            ASSERT_EQ(decompress(codec, compressed, payload.size(), restored), errc::ok)
                << to_string(codec) << " size " << payload.size();
            EXPECT_EQ(restored, payload) << to_string(codec);
        }
        const bytes compressible = compressible_bytes(one_mebibyte);
        if (codec != compression::none) {
            EXPECT_LT(must_compress(codec, compressible).size(), compressible.size() / 10) << to_string(codec);
        }
    }
}

TEST(compression, output_is_appended_and_kept_on_error) {
    // Proves both directions append to the caller's buffer (a batch header
    // can precede the records) and that a failed call leaves it untouched.
    const bytes prefix = text_bytes("header");
    const bytes payload = compressible_bytes(10000);
    for (const compression codec : all_codecs) {
        bytes compressed = prefix;
        ASSERT_EQ(compress(codec, payload, compressed), errc::ok);
        ASSERT_TRUE(std::equal(prefix.begin(), prefix.end(), compressed.begin()));
        const bytes_view stream = bytes_view(compressed).subspan(prefix.size());
        bytes restored = prefix;
        ASSERT_EQ(decompress(codec, stream, payload.size(), restored), errc::ok);
        EXPECT_EQ(bytes_view(restored).subspan(prefix.size()).size(), payload.size());
        EXPECT_TRUE(std::equal(payload.begin(), payload.end(), restored.begin() + prefix.size()));

        bytes untouched = prefix;
        EXPECT_NE(decompress(codec, stream, payload.size() - 1, untouched), errc::ok) << to_string(codec);
        EXPECT_EQ(untouched, prefix) << to_string(codec);
    }
}

TEST(compression, formats_match_what_clients_read) {
    // Proves the bytes Brook writes have the shapes librdkafka and the Java
    // client read: a gzip header, raw snappy (no xerial magic, readable by
    // plain snappy), and an LZ4 frame with independent 64 KiB blocks (FLG
    // 0x60: version 1 and block independence; BD 0x40: 64 KiB) whose header
    // checksum lz4 itself verifies.
    const bytes payload = compressible_bytes(200000);

    const bytes gzip = must_compress(compression::gzip, payload);
    ASSERT_GE(gzip.size(), 10u);
    EXPECT_EQ(gzip[0], 0x1f);
    EXPECT_EQ(gzip[1], 0x8b);
    EXPECT_EQ(gzip[2], 0x08);

    const bytes snappy_raw = must_compress(compression::snappy, payload);
    EXPECT_NE(snappy_raw[0], 0x82);
    std::string plain;
    ASSERT_TRUE(snappy::Uncompress(reinterpret_cast<const char*>(snappy_raw.data()), snappy_raw.size(), &plain));
    EXPECT_EQ(plain.size(), payload.size());

    const bytes lz4 = must_compress(compression::lz4, payload);
    ASSERT_GE(lz4.size(), 7u);
    EXPECT_EQ(lz4[0], 0x04);
    EXPECT_EQ(lz4[1], 0x22);
    EXPECT_EQ(lz4[2], 0x4d);
    EXPECT_EQ(lz4[3], 0x18);
    EXPECT_EQ(lz4[4], 0x60);
    EXPECT_EQ(lz4[5], 0x40);

    const bytes zstd = must_compress(compression::zstd, payload);
    EXPECT_EQ(ZSTD_getFrameContentSize(zstd.data(), zstd.size()), payload.size());
}

TEST(compression, xerial_snappy_is_decoded) {
    // Proves the Java client's xerial-framed snappy is read: several chunks
    // (as snappy-java splits at its block size), a frame with no chunks, and
    // that raw snappy keeps working beside it.
    const bytes first = compressible_bytes(40000);
    const bytes second = random_bytes(5000, 2);
    const bytes third = text_bytes("x");
    const bytes framed = xerial_frame({first, second, third});
    bytes expected = first;
    expected.insert(expected.end(), second.begin(), second.end());
    expected.insert(expected.end(), third.begin(), third.end());

    bytes restored;
    ASSERT_EQ(decompress(compression::snappy, framed, expected.size(), restored), errc::ok);
    EXPECT_EQ(restored, expected);

    bytes empty;
    EXPECT_EQ(decompress(compression::snappy, xerial_frame({}), 100, empty), errc::ok);
    EXPECT_TRUE(empty.empty());

    bytes bounded;
    EXPECT_EQ(decompress(compression::snappy, framed, expected.size() - 1, bounded),
              errc::too_large_after_decompression);
    EXPECT_TRUE(bounded.empty());
}

TEST(compression, corrupt_xerial_framing_refused) {
    // Proves broken xerial framing is refused: a chunk length past the end, a
    // negative chunk length, a cut in the length field, a corrupt chunk.
    const bytes payload = compressible_bytes(1000);
    const bytes framed = xerial_frame({payload});
    bytes out;

    bytes too_long = framed;
    too_long[16 + 3] = static_cast<byte>(too_long[16 + 3] + 1);
    EXPECT_EQ(decompress(compression::snappy, too_long, one_mebibyte, out), errc::decompression_failed);

    bytes negative = framed;
    negative[16] = 0x80;
    EXPECT_EQ(decompress(compression::snappy, negative, one_mebibyte, out), errc::decompression_failed);

    bytes cut_length = xerial_frame({});
    cut_length.push_back(0x00);
    cut_length.push_back(0x00);
    EXPECT_EQ(decompress(compression::snappy, cut_length, one_mebibyte, out), errc::decompression_failed);

    bytes corrupt_chunk = framed;
    corrupt_chunk[20] = 0xff;  // the chunk's own length varint
    EXPECT_NE(decompress(compression::snappy, corrupt_chunk, one_mebibyte, out), errc::ok);
    EXPECT_TRUE(out.empty());
}

TEST(compression, foreign_gzip_lz4_zstd_variants_accepted) {
    // Proves streams Brook does not write itself but other clients may are
    // read: two concatenated gzip members, an LZ4 frame with content size,
    // block and content checksums and linked blocks, zstd frames without a
    // content size (as streaming encoders write), and concatenated zstd
    // frames.
    const bytes payload = compressible_bytes(300000);
    bytes out;

    bytes two_members = must_compress(compression::gzip, bytes_view(payload).first(1000));
    const bytes second_member = must_compress(compression::gzip, bytes_view(payload).subspan(1000));
    two_members.insert(two_members.end(), second_member.begin(), second_member.end());
    ASSERT_EQ(decompress(compression::gzip, two_members, payload.size(), out), errc::ok);
    EXPECT_EQ(out, payload);

    LZ4F_preferences_t preferences{};
    preferences.frameInfo.blockSizeID = LZ4F_max4MB;
    preferences.frameInfo.blockMode = LZ4F_blockLinked;
    preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    preferences.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    preferences.frameInfo.contentSize = payload.size();
    bytes lz4(LZ4F_compressFrameBound(payload.size(), &preferences));
    const std::size_t lz4_size = LZ4F_compressFrame(lz4.data(), lz4.size(), payload.data(), payload.size(), &preferences);
    ASSERT_FALSE(LZ4F_isError(lz4_size));
    lz4.resize(lz4_size);
    out.clear();
    ASSERT_EQ(decompress(compression::lz4, lz4, payload.size(), out), errc::ok);
    EXPECT_EQ(out, payload);
    // The content checksum is checked: damage the last byte of the frame.
    lz4.back() ^= 0x01;
    out.clear();
    EXPECT_EQ(decompress(compression::lz4, lz4, payload.size(), out), errc::decompression_failed);

    const bytes zstd = zstd_without_content_size(payload);
    out.clear();
    ASSERT_EQ(decompress(compression::zstd, zstd, payload.size(), out), errc::ok);
    EXPECT_EQ(out, payload);

    bytes two_frames = zstd;
    two_frames.insert(two_frames.end(), zstd.begin(), zstd.end());
    bytes doubled = payload;
    doubled.insert(doubled.end(), payload.begin(), payload.end());
    out.clear();
    ASSERT_EQ(decompress(compression::zstd, two_frames, doubled.size(), out), errc::ok);
    EXPECT_EQ(out, doubled);
    out.clear();
    EXPECT_EQ(decompress(compression::zstd, two_frames, payload.size(), out), errc::too_large_after_decompression);
}

TEST(compression, decompression_bomb_refused) {
    // Proves a small stream that expands past the bound fails with
    // too_large_after_decompression for every codec, that the exact size is
    // still accepted, and that the buffer never grows past the bound plus
    // one byte: the bound limits memory, not just the result.
    const bytes zeros(16 * one_mebibyte, 0);
    constexpr std::size_t bound_bytes = one_mebibyte;
    for (const compression codec : all_codecs) {
        const bytes bomb = must_compress(codec, zeros);
        if (codec != compression::none) {
            EXPECT_LT(bomb.size(), 1024u * 1024u) << to_string(codec);
        }
        bytes out;
        EXPECT_EQ(decompress(codec, bomb, bound_bytes, out), errc::too_large_after_decompression)
            << to_string(codec);
        EXPECT_TRUE(out.empty());
        EXPECT_LE(out.capacity(), bound_bytes + 1) << to_string(codec);

        bytes exact;
        EXPECT_EQ(decompress(codec, bomb, zeros.size(), exact), errc::ok) << to_string(codec);
        bytes one_short;
        EXPECT_EQ(decompress(codec, bomb, zeros.size() - 1, one_short), errc::too_large_after_decompression)
            << to_string(codec);
        bytes nothing;
        EXPECT_EQ(decompress(codec, bomb, 0, nothing), errc::too_large_after_decompression) << to_string(codec);
    }
    // A zstd bomb that does not announce its size is stopped while decoding.
    const bytes streaming_bomb = zstd_without_content_size(zeros);
    bytes out;
    EXPECT_EQ(decompress(compression::zstd, streaming_bomb, bound_bytes, out), errc::too_large_after_decompression);
    EXPECT_TRUE(out.empty());
    EXPECT_LE(out.capacity(), bound_bytes + 1);
}

TEST(compression, forged_sizes_refused_before_allocation) {
    // Proves streams that merely claim a huge output (a raw snappy length
    // prefix, a zstd or lz4 frame header content size) are refused from the
    // claim alone, and the xerial framing bounds the sum of its chunks.
    bytes out;
    // Raw snappy: varint 0xffffffff, then nothing.
    const bytes snappy_claim = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    EXPECT_EQ(decompress(compression::snappy, snappy_claim, one_mebibyte, out), errc::too_large_after_decompression);
    EXPECT_EQ(out.capacity(), 0u);

    // zstd: a frame header that announces 2^40 bytes.
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ASSERT_NE(context, nullptr);
    ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(context, std::uint64_t{1} << 40)));
    bytes header(ZSTD_CStreamOutSize());
    ZSTD_outBuffer header_out{header.data(), header.size(), 0};
    const bytes small = text_bytes("tiny");
    ZSTD_inBuffer header_in{small.data(), small.size(), 0};
    ASSERT_FALSE(ZSTD_isError(ZSTD_compressStream2(context, &header_out, &header_in, ZSTD_e_flush)));
    ZSTD_freeCCtx(context);
    header.resize(header_out.pos);
    ASSERT_EQ(ZSTD_getFrameContentSize(header.data(), header.size()), std::uint64_t{1} << 40);
    EXPECT_EQ(decompress(compression::zstd, header, one_mebibyte, out), errc::too_large_after_decompression);
    EXPECT_EQ(out.capacity(), 0u);

    // lz4: a frame whose header records 2^40 bytes of content.
    LZ4F_preferences_t preferences{};
    preferences.frameInfo.contentSize = std::uint64_t{1} << 40;
    bytes lz4(LZ4F_HEADER_SIZE_MAX);
    LZ4F_cctx* lz4_context = nullptr;
    ASSERT_FALSE(LZ4F_isError(LZ4F_createCompressionContext(&lz4_context, LZ4F_VERSION)));
    const std::size_t header_size = LZ4F_compressBegin(lz4_context, lz4.data(), lz4.size(), &preferences);
    LZ4F_freeCompressionContext(lz4_context);
    ASSERT_FALSE(LZ4F_isError(header_size));
    lz4.resize(header_size);
    EXPECT_EQ(decompress(compression::lz4, lz4, one_mebibyte, out), errc::too_large_after_decompression);
    EXPECT_EQ(out.capacity(), 0u);
}

TEST(compression, truncated_streams_refused) {
    // Proves a compressed stream cut at any byte is refused, never decoded to
    // a shorter result: each codec's framing (gzip trailer, snappy length,
    // lz4 end mark, zstd frame end) must detect the cut.
    const bytes payload = compressible_bytes(3000);
    for (const compression codec : real_codecs) {
        const bytes stream = must_compress(codec, payload);
        for (std::size_t cut = 0; cut < stream.size(); ++cut) {
            // An exact-size copy, so a read past the cut is caught by ASan.
            const std::unique_ptr<byte[]> prefix(new byte[cut + 1]);
            std::memcpy(prefix.get(), stream.data(), cut);
            bytes out;
            const errc result = decompress(codec, bytes_view(prefix.get(), cut), payload.size(), out);
            EXPECT_EQ(result, errc::decompression_failed) << to_string(codec) << " cut at " << cut;
            EXPECT_TRUE(out.empty());
        }
    }
}

TEST(compression, corrupt_streams_refused) {
    // Proves garbage and damaged streams are refused with
    // decompression_failed or, at worst, decode to bytes of the right shape,
    // and never crash. gzip carries a CRC-32 of its content, so every
    // single-byte change of a gzip stream must be refused; the other codecs
    // as Kafka uses them carry no content checksum, so only their structure
    // can be checked.
    const bytes garbage = random_bytes(4096, 3);
    for (const compression codec : real_codecs) {
        bytes out;
        EXPECT_EQ(decompress(codec, garbage, one_mebibyte, out), errc::decompression_failed) << to_string(codec);
        EXPECT_TRUE(out.empty());
    }
    const bytes payload = compressible_bytes(2000);
    const bytes gzip = must_compress(compression::gzip, payload);
    for (std::size_t i = 0; i < gzip.size(); ++i) {
        bytes damaged = gzip;
        damaged[i] ^= 0x5a;
        bytes out;
        // Bytes 4-9 of the gzip header (time, extra flags, OS) are not
        // covered by any check, in gzip itself.
        if (i >= 4 && i <= 9) continue;
        EXPECT_NE(decompress(compression::gzip, damaged, payload.size(), out), errc::ok) << "byte " << i;
    }
    for (const compression codec : {compression::snappy, compression::lz4, compression::zstd}) {
        const bytes stream = must_compress(codec, payload);
        for (std::size_t i = 0; i < stream.size(); ++i) {
            bytes damaged = stream;
            damaged[i] ^= 0xa5;
            bytes out;
            const errc result = decompress(codec, damaged, payload.size(), out);
            EXPECT_TRUE(result == errc::ok || result == errc::decompression_failed ||
                        result == errc::too_large_after_decompression)
                << to_string(codec) << " byte " << i;
            if (result != errc::ok) {
                EXPECT_TRUE(out.empty());
            }
        }
    }
    bytes trailing = must_compress(compression::lz4, payload);
    trailing.push_back(0);
    bytes out;
    EXPECT_EQ(decompress(compression::lz4, trailing, payload.size(), out), errc::decompression_failed);
    bytes gzip_trailing = gzip;
    gzip_trailing.push_back(0x1f);
    EXPECT_EQ(decompress(compression::gzip, gzip_trailing, payload.size(), out), errc::decompression_failed);
}

TEST(compression, unknown_codec_and_bad_levels_refused) {
    // Proves codec values Kafka does not define and levels a codec does not
    // have are errors, not crashes; and that valid levels work.
    const bytes payload = compressible_bytes(1000);
    bytes out;
    EXPECT_EQ(compress(static_cast<compression>(5), payload, out), errc::unsupported_compression);
    EXPECT_EQ(decompress(static_cast<compression>(7), payload, one_mebibyte, out), errc::unsupported_compression);
    EXPECT_EQ(compress(compression::gzip, payload, out, 10), errc::invalid_value);
    EXPECT_EQ(compress(compression::zstd, payload, out, 1000), errc::invalid_value);
    EXPECT_TRUE(out.empty());
    for (const auto& [codec, level] : {std::pair{compression::gzip, 1}, std::pair{compression::gzip, 9},
                                       std::pair{compression::lz4, 9}, std::pair{compression::zstd, 19}}) {
        bytes compressed;
        ASSERT_EQ(compress(codec, payload, compressed, level), errc::ok);
        bytes restored;
        ASSERT_EQ(decompress(codec, compressed, payload.size(), restored), errc::ok);
        EXPECT_EQ(restored, payload);
    }
}

TEST(compression, codec_names_and_attribute_bits) {
    // Proves codec names match Kafka's compression.type values and that only
    // attribute values 0-4 name a codec.
    EXPECT_EQ(to_string(compression::none), "none");
    EXPECT_EQ(to_string(compression::gzip), "gzip");
    EXPECT_EQ(to_string(compression::snappy), "snappy");
    EXPECT_EQ(to_string(compression::lz4), "lz4");
    EXPECT_EQ(to_string(compression::zstd), "zstd");
    EXPECT_EQ(compression_from_attributes(0x0014), compression::zstd);
    EXPECT_EQ(compression_from_attributes(0x0009), compression::gzip);
    EXPECT_EQ(compression_from_attributes(0x0005), std::nullopt);
    EXPECT_EQ(compression_from_attributes(0x0007), std::nullopt);
}

}  // namespace
}  // namespace brook::record
