#pragma once
// Byte buffers and views used across the wire layer.

#include <cstdint>
#include <span>
#include <vector>

namespace brook::wire {

using byte = std::uint8_t;
// Owned bytes: Kafka's `bytes` fields and buffers we build.
using bytes = std::vector<byte>;
// A non-owning view; whoever hands it out documents how long it lives.
using bytes_view = std::span<const byte>;

}  // namespace brook::wire
