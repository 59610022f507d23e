#pragma once
// Seeded randomness for tests. A failing test prints its seed; the same seed
// reproduces the same values exactly.

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "brook/wire/codec.h"

namespace brook::testing {

class random_source {
public:
    explicit random_source(std::uint64_t seed) : engine_(seed) {}

    template <typename T>
    T integer() {
        // Half the time a value near the edges, where encodings change.
        if (coin(2)) {
            constexpr T edges[] = {0, 1, static_cast<T>(-1), std::numeric_limits<T>::min(),
                                   std::numeric_limits<T>::max(), static_cast<T>(127), static_cast<T>(128)};
            return edges[below(std::size(edges))];
        }
        return static_cast<T>(engine_());
    }

    // True one time in `one_in`.
    bool coin(std::uint64_t one_in = 2) { return below(one_in) == 0; }
    std::size_t below(std::size_t bound) {
        return bound == 0 ? 0 : static_cast<std::size_t>(engine_() % bound);
    }
    double real() { return std::uniform_real_distribution<double>(-1e9, 1e9)(engine_); }

    std::string text(std::size_t max_length) {
        std::string out(below(max_length + 1), ' ');
        for (char& c : out) c = static_cast<char>('a' + below(26));
        return out;
    }
    wire::bytes data(std::size_t max_length) {
        wire::bytes out(below(max_length + 1));
        for (auto& b : out) b = static_cast<wire::byte>(engine_());
        return out;
    }
    wire::uuid id() {
        wire::uuid out;
        for (auto& b : out.value) b = static_cast<wire::byte>(engine_());
        return out;
    }

    // Tagged fields from a future schema version: tags far above any known
    // one, ascending as the wire requires.
    void add_unknown_tagged_fields(wire::unknown_tagged_fields& fields) {
        fields.clear();
        if (!coin(4)) return;
        const std::size_t count = 1 + below(2);
        for (std::size_t i = 0; i < count; ++i) {
            fields.push_back({static_cast<std::uint32_t>(1000 + 10 * i + below(10)), data(6)});
        }
    }

private:
    std::mt19937_64 engine_;
};

}  // namespace brook::testing
