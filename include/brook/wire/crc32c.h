#pragma once
// CRC-32C (Castagnoli), the checksum of Kafka's record batch v2.
//
// The function is extendable: the value returned for one piece is passed as
// `previous` for the next, so crc32c(b, crc32c(a)) == crc32c(a + b). That lets
// callers checksum a batch whose covered bytes are not contiguous in memory,
// or checksum while writing. With `previous` = 0 it is the plain CRC-32C that
// Kafka's Crc32C.compute returns (initial value and final XOR 0xFFFFFFFF).
//
// On x86-64 processors with SSE4.2 the crc32 instruction does the work; else a
// portable slicing-by-8 table loop does. The choice is made once, while the
// program starts, and never changes afterwards.

#include <cstdint>

#include "brook/wire/bytes.h"

namespace brook::wire {

std::uint32_t crc32c(bytes_view data, std::uint32_t previous = 0) noexcept;

// Whether crc32c() runs on the SSE4.2 instruction, for logs and benchmarks.
bool crc32c_uses_hardware() noexcept;

namespace detail {

// The two implementations behind crc32c(), exposed so tests can check one
// against the other on the same machine. crc32c_hardware must only be called
// when crc32c_uses_hardware() is true.
std::uint32_t crc32c_portable(bytes_view data, std::uint32_t previous) noexcept;
std::uint32_t crc32c_hardware(bytes_view data, std::uint32_t previous) noexcept;

}  // namespace detail
}  // namespace brook::wire
