#include "brook/wire/crc32c.h"

#include <array>
#include <cstring>

namespace brook::wire {
namespace {

// The Castagnoli polynomial 0x1EDC6F41, bit-reversed because Kafka (like
// iSCSI and the SSE4.2 instruction) uses the reflected form of the CRC.
constexpr std::uint32_t castagnoli_reflected = 0x82F63B78u;

// Slicing-by-8 processes eight input bytes per step with eight 256-entry
// tables: table[0] is the classic byte-at-a-time table and table[k] gives the
// CRC contribution of a byte that is followed by k more bytes in the step.
using slicing_tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr slicing_tables make_slicing_tables() noexcept {
    slicing_tables tables{};
    for (std::uint32_t index = 0; index < 256; ++index) {
        std::uint32_t crc = index;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1u) != 0 ? (crc >> 1) ^ castagnoli_reflected : crc >> 1;
        }
        tables[0][index] = crc;
    }
    for (std::size_t slice = 1; slice < tables.size(); ++slice) {
        for (std::size_t index = 0; index < 256; ++index) {
            const std::uint32_t previous = tables[slice - 1][index];
            tables[slice][index] = (previous >> 8) ^ tables[0][previous & 0xffu];
        }
    }
    return tables;
}

constexpr slicing_tables tables = make_slicing_tables();

// Spot checks of the generated tables against the published CRC-32C table, so
// a mistake in the generator fails the build instead of corrupting checksums.
static_assert(tables[0][0] == 0x00000000u);
static_assert(tables[0][1] == 0xF26B8303u);
static_assert(tables[0][128] == 0x82F63B78u);
static_assert(tables[0][255] == 0xAD7D5351u);

// Assembles a little-endian word from bytes; compilers turn this into one
// load on little-endian machines, and it stays correct on big-endian ones.
inline std::uint32_t load_little_endian_32(const byte* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Both implementations work on the raw register value (the CRC before the
// final inversion); crc32c() does the inversions once around them.
std::uint32_t update_portable(const byte* p, std::size_t size_bytes, std::uint32_t crc) noexcept {
    while (size_bytes >= 8) {
        const std::uint32_t low = load_little_endian_32(p) ^ crc;
        const std::uint32_t high = load_little_endian_32(p + 4);
        crc = tables[7][low & 0xffu] ^ tables[6][(low >> 8) & 0xffu] ^
              tables[5][(low >> 16) & 0xffu] ^ tables[4][low >> 24] ^
              tables[3][high & 0xffu] ^ tables[2][(high >> 8) & 0xffu] ^
              tables[1][(high >> 16) & 0xffu] ^ tables[0][high >> 24];
        p += 8;
        size_bytes -= 8;
    }
    while (size_bytes > 0) {
        crc = (crc >> 8) ^ tables[0][(crc ^ *p) & 0xffu];
        ++p;
        --size_bytes;
    }
    return crc;
}

#if defined(__x86_64__)

// The SSE4.2 crc32 instruction computes exactly this reflected CRC-32C, eight
// bytes per instruction. The target attribute lets this one function use it
// while the rest of the binary stays runnable on processors without SSE4.2;
// it is only ever called after the CPU check below succeeded.
__attribute__((target("sse4.2"))) std::uint32_t update_hardware(const byte* p,
                                                                 std::size_t size_bytes,
                                                                 std::uint32_t crc) noexcept {
    // Single bytes until the pointer is 8-byte aligned, so the wide loads below
    // never straddle a cache line.
    while (size_bytes > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
        crc = __builtin_ia32_crc32qi(crc, *p);
        ++p;
        --size_bytes;
    }
    unsigned long long wide = crc;
    while (size_bytes >= 8) {
        unsigned long long word;
        std::memcpy(&word, p, sizeof(word));
        wide = __builtin_ia32_crc32di(wide, word);
        p += 8;
        size_bytes -= 8;
    }
    crc = static_cast<std::uint32_t>(wide);
    if (size_bytes >= 4) {
        unsigned int word;
        std::memcpy(&word, p, sizeof(word));
        crc = __builtin_ia32_crc32si(crc, word);
        p += 4;
        size_bytes -= 4;
    }
    while (size_bytes > 0) {
        crc = __builtin_ia32_crc32qi(crc, *p);
        ++p;
        --size_bytes;
    }
    return crc;
}

bool processor_has_sse42() noexcept {
    // __builtin_cpu_init must run before __builtin_cpu_supports when this is
    // reached from another translation unit's static initializer, which may
    // run before the compiler's own initialization of the CPU model.
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
}

#else

std::uint32_t update_hardware(const byte* p, std::size_t size_bytes, std::uint32_t crc) noexcept {
    return update_portable(p, size_bytes, crc);
}

bool processor_has_sse42() noexcept { return false; }

#endif

using update_function = std::uint32_t (*)(const byte*, std::size_t, std::uint32_t) noexcept;

struct implementation {
    update_function update;
    bool hardware;
};

// Chosen on first use and then fixed for the life of the process. A
// function-local static (rather than a namespace-scope one) makes this safe
// to reach from other static initializers.
const implementation& chosen_implementation() noexcept {
    static const implementation chosen = processor_has_sse42()
                                             ? implementation{&update_hardware, true}
                                             : implementation{&update_portable, false};
    return chosen;
}

// Makes the choice while the program starts, so the first checksum on the
// data path does not pay for the CPU check; callers that run even earlier
// still get a correct answer from the function-local static above.
[[maybe_unused]] const bool implementation_chosen_at_startup = (chosen_implementation(), true);

}  // namespace

std::uint32_t crc32c(bytes_view data, std::uint32_t previous) noexcept {
    return ~chosen_implementation().update(data.data(), data.size(), ~previous);
}

bool crc32c_uses_hardware() noexcept { return chosen_implementation().hardware; }

namespace detail {

std::uint32_t crc32c_portable(bytes_view data, std::uint32_t previous) noexcept {
    return ~update_portable(data.data(), data.size(), ~previous);
}

std::uint32_t crc32c_hardware(bytes_view data, std::uint32_t previous) noexcept {
    return ~update_hardware(data.data(), data.size(), ~previous);
}

}  // namespace detail
}  // namespace brook::wire
