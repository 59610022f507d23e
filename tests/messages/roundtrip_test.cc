// Round trips of every generated message at every version it defines, with
// randomized contents, plus malformed-input checks over the same messages.

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <type_traits>

#include "brook/messages/testing/all_messages.h"

namespace brook::messages {
namespace {

constexpr int iterations_per_version = 25;

template <typename F>
void for_each_message(F&& f) {
    std::apply([&](auto... messages) { (f(std::type_identity<decltype(messages)>{}), ...); },
               testing::all_messages{});
}

std::string describe(std::string_view name, int version, std::uint64_t seed) {
    return std::string(name) + " v" + std::to_string(version) + " seed " + std::to_string(seed);
}

// Proves, for every message and version: size() equals the bytes encode()
// writes, decoding gives back an equal message, and re-encoding gives back
// the same bytes.
TEST(MessageRoundTrip, EveryMessageEveryVersion) {
    int checked = 0;
    for_each_message([&](auto type) {
        using message = typename decltype(type)::type;
        for (int version = message::lowest_version; version <= message::highest_version; ++version) {
            for (int i = 0; i < iterations_per_version; ++i) {
                const std::uint64_t seed = (static_cast<std::uint64_t>(version) << 32) ^ static_cast<std::uint64_t>(i) ^
                                           std::hash<std::string_view>{}(message::message_name);
                const auto context = describe(message::message_name, version, seed);
                brook::testing::random_source rng(seed);
                message original;
                testing::randomize(original, static_cast<std::int16_t>(version), rng);

                wire::writer w;
                ASSERT_EQ(original.encode(w, static_cast<std::int16_t>(version)), wire::errc::ok) << context;
                ASSERT_EQ(original.size(static_cast<std::int16_t>(version)), w.size()) << context;
                const wire::bytes encoded = w.take();

                wire::reader r(encoded);
                message decoded;
                ASSERT_EQ(decoded.decode(r, static_cast<std::int16_t>(version)), wire::errc::ok) << context;
                ASSERT_TRUE(r.at_end()) << context;
                ASSERT_TRUE(decoded == original) << context;

                wire::writer again;
                ASSERT_EQ(decoded.encode(again, static_cast<std::int16_t>(version)), wire::errc::ok) << context;
                ASSERT_TRUE(std::ranges::equal(again.view(), encoded)) << context;
                ++checked;
            }
        }
    });
    EXPECT_GT(checked, 10000);
}

// Proves that every proper prefix of a valid encoding is rejected with an
// error (and, under the sanitizers, that no cut makes a decoder read past
// the end).
TEST(MessageMalformed, EveryTruncationIsAnError) {
    for_each_message([&](auto type) {
        using message = typename decltype(type)::type;
        for (int version = message::lowest_version; version <= message::highest_version; ++version) {
            brook::testing::random_source rng(static_cast<std::uint64_t>(version) * 7919);
            message original;
            testing::randomize(original, static_cast<std::int16_t>(version), rng);
            wire::writer w;
            ASSERT_EQ(original.encode(w, static_cast<std::int16_t>(version)), wire::errc::ok);
            const wire::bytes encoded = w.take();
            for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
                wire::reader r(wire::bytes_view(encoded).first(cut));
                message decoded;
                EXPECT_NE(decoded.decode(r, static_cast<std::int16_t>(version)), wire::errc::ok)
                    << describe(message::message_name, version, 0) << " cut at " << cut;
            }
        }
    });
}

// Proves that versions outside a message's range are refused both ways.
TEST(MessageMalformed, UnknownVersionsAreRefused) {
    for_each_message([&](auto type) {
        using message = typename decltype(type)::type;
        message m;
        const wire::bytes empty;
        for (const int version : {-1, message::highest_version + 1, 32767}) {
            wire::reader r(empty);
            EXPECT_EQ(m.decode(r, static_cast<std::int16_t>(version)), wire::errc::unsupported_version)
                << message::message_name;
            wire::writer w;
            EXPECT_EQ(m.encode(w, static_cast<std::int16_t>(version)), wire::errc::unsupported_version)
                << message::message_name;
        }
    });
}

// Proves that random garbage never crashes a decoder or makes it read out of
// bounds: every input either decodes or returns an error value.
TEST(MessageMalformed, RandomGarbageNeverCrashes) {
    brook::testing::random_source rng(42);
    for_each_message([&](auto type) {
        using message = typename decltype(type)::type;
        for (int version = message::lowest_version; version <= message::highest_version; ++version) {
            for (int i = 0; i < 20; ++i) {
                const wire::bytes garbage = rng.data(64);
                wire::reader r(garbage);
                message m;
                (void)m.decode(r, static_cast<std::int16_t>(version));
                EXPECT_LE(r.position(), garbage.size());
            }
        }
    });
}

}  // namespace
}  // namespace brook::messages
