#include "brook/wire/uuid.h"

namespace brook::wire {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) noexcept {
    const auto position = alphabet.find(c);
    return position == std::string_view::npos ? -1 : static_cast<int>(position);
}

}  // namespace

std::string uuid::to_base64() const {
    std::string out;
    out.reserve(22);
    std::size_t i = 0;
    for (; i + 3 <= value.size(); i += 3) {
        const unsigned n = (unsigned{value[i]} << 16) | (unsigned{value[i + 1]} << 8) | value[i + 2];
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    // 16 bytes = 5 groups of 3 and one byte left: two characters, no padding.
    const unsigned last = unsigned{value[i]} << 16;
    out += alphabet[(last >> 18) & 63];
    out += alphabet[(last >> 12) & 63];
    return out;
}

std::optional<uuid> uuid::from_base64(std::string_view text) {
    if (text.size() != 22) return std::nullopt;
    uuid result;
    std::size_t out = 0;
    unsigned accumulator = 0;
    int bits = 0;
    for (char c : text) {
        const int digit = decode_char(c);
        if (digit < 0) return std::nullopt;
        accumulator = (accumulator << 6) | static_cast<unsigned>(digit);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (out == result.value.size()) return std::nullopt;
            result.value[out++] = static_cast<byte>((accumulator >> bits) & 0xff);
        }
    }
    // The last character carries 4 padding bits, which must be zero for the text
    // to be the canonical form of exactly these 16 bytes.
    if (out != result.value.size() || (accumulator & ((1u << bits) - 1)) != 0) return std::nullopt;
    return result;
}

}  // namespace brook::wire
