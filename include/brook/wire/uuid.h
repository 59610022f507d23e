#pragma once
// Kafka's 128-bit UUID (topic ids, directory ids, incarnation ids), sent as two
// big-endian int64 halves.

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "brook/wire/bytes.h"

namespace brook::wire {

struct uuid {
    std::array<byte, 16> value{};

    static uuid zero() noexcept { return {}; }
    bool is_zero() const noexcept { return *this == uuid{}; }

    // Kafka prints UUIDs as 22 characters of URL-safe base64 without padding
    // (what kafka-topics.sh shows as TopicId); these convert to and from that form.
    std::string to_base64() const;
    static std::optional<uuid> from_base64(std::string_view text);

    friend auto operator<=>(const uuid&, const uuid&) = default;
};

}  // namespace brook::wire
