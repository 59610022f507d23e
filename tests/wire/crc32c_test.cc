#include "brook/wire/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string_view>
#include <vector>

namespace brook::wire {
namespace {

bytes_view as_bytes(std::string_view text) {
    return {reinterpret_cast<const byte*>(text.data()), text.size()};
}

bytes random_bytes(std::size_t size_bytes, std::mt19937& generator) {
    std::uniform_int_distribution<int> distribution(0, 255);
    bytes out(size_bytes);
    for (byte& b : out) b = static_cast<byte>(distribution(generator));
    return out;
}

TEST(crc32c, rfc3720_vectors) {
    // Proves the checksum is CRC-32C as iSCSI (RFC 3720, appendix B.4)
    // publishes it, on every implementation this machine can run.
    bytes zeros(32, 0x00);
    bytes ones(32, 0xff);
    bytes ascending(32);
    bytes descending(32);
    for (std::size_t i = 0; i < 32; ++i) {
        ascending[i] = static_cast<byte>(i);
        descending[i] = static_cast<byte>(31 - i);
    }
    EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
    EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
    EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
    EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
    EXPECT_EQ(detail::crc32c_portable(zeros, 0), 0x8A9136AAu);
    EXPECT_EQ(detail::crc32c_portable(ones, 0), 0x62A8AB43u);
    EXPECT_EQ(detail::crc32c_portable(ascending, 0), 0x46DD794Eu);
    EXPECT_EQ(detail::crc32c_portable(descending, 0), 0x113FDB5Cu);
    if (crc32c_uses_hardware()) {
        EXPECT_EQ(detail::crc32c_hardware(zeros, 0), 0x8A9136AAu);
        EXPECT_EQ(detail::crc32c_hardware(ones, 0), 0x62A8AB43u);
        EXPECT_EQ(detail::crc32c_hardware(ascending, 0), 0x46DD794Eu);
        EXPECT_EQ(detail::crc32c_hardware(descending, 0), 0x113FDB5Cu);
    }
}

TEST(crc32c, check_value) {
    // Proves the standard "123456789" check value and that the empty input
    // leaves the checksum at zero, as Kafka's Crc32C computes them.
    EXPECT_EQ(crc32c(as_bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(detail::crc32c_portable(as_bytes("123456789"), 0), 0xE3069283u);
    EXPECT_EQ(crc32c({}), 0u);
    EXPECT_EQ(crc32c({}, 0x12345678u), 0x12345678u);
}

TEST(crc32c, hardware_matches_portable) {
    // Proves the SSE4.2 path and the table path agree on every length from 0
    // to past several 8-byte strides and at every misalignment, so the
    // alignment prologue and the tails of both loops are covered.
    if (!crc32c_uses_hardware()) GTEST_SKIP() << "this processor has no SSE4.2; only the portable path runs";
    std::mt19937 generator(20240601);
    const bytes buffer = random_bytes(4096 + 16, generator);
    for (std::size_t offset = 0; offset < 16; ++offset) {
        for (std::size_t length = 0; length <= 300; ++length) {
            const bytes_view view(buffer.data() + offset, length);
            ASSERT_EQ(detail::crc32c_hardware(view, 0), detail::crc32c_portable(view, 0))
                << "offset " << offset << " length " << length;
        }
        const bytes_view large(buffer.data() + offset, 4096);
        ASSERT_EQ(detail::crc32c_hardware(large, 0), detail::crc32c_portable(large, 0));
        ASSERT_EQ(detail::crc32c_hardware(large, 0xdeadbeefu), detail::crc32c_portable(large, 0xdeadbeefu));
    }
}

TEST(crc32c, extension_property) {
    // Proves crc32c(b, crc32c(a)) == crc32c(a + b) for every split point, so
    // a checksum can be computed over pieces.
    std::mt19937 generator(7);
    const bytes data = random_bytes(257, generator);
    const std::uint32_t whole = crc32c(data);
    for (std::size_t split = 0; split <= data.size(); ++split) {
        const bytes_view first(data.data(), split);
        const bytes_view second(data.data() + split, data.size() - split);
        ASSERT_EQ(crc32c(second, crc32c(first)), whole) << "split " << split;
        ASSERT_EQ(detail::crc32c_portable(second, detail::crc32c_portable(first, 0)), whole);
    }
}

TEST(crc32c, detects_every_single_bit_flip) {
    // Proves that flipping any one bit of a message changes its checksum,
    // which is what the record batch CRC relies on.
    std::mt19937 generator(11);
    bytes data = random_bytes(128, generator);
    const std::uint32_t original = crc32c(data);
    for (std::size_t i = 0; i < data.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            data[i] ^= static_cast<byte>(1u << bit);
            ASSERT_NE(crc32c(data), original);
            data[i] ^= static_cast<byte>(1u << bit);
        }
    }
}

}  // namespace
}  // namespace brook::wire
