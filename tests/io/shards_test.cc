// The shard runtime and the hop helper.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <future>
#include <map>
#include <vector>

#include "brook/io/shards.h"

namespace brook::io {
namespace {

struct payload {
    std::map<int, std::vector<int>> values;
    std::string text;
};

// Proves submit_to runs a plain function on the target shard, with captures
// that own heap memory, and resumes the caller on its own shard with the result.
TEST(Shards, SubmitToHopsAndReturns) {
    shard_set shards(2);
    shards.start();
    std::promise<std::vector<int>> done;
    asio::co_spawn(
        shards.context(1),
        [&]() -> asio::awaitable<void> {
            std::vector<payload> captured(3);
            captured[1].values[7] = {1, 2, 3};
            captured[2].text = std::string(100, 'x');
            std::vector<int> trace;
            trace.push_back(static_cast<int>(*shard_set::current()));
            for (int round = 0; round < 100; ++round) {
                // Bound to a local first: see the GCC 12 note in shards.h.
                auto hop = submit_to(shards.executor(0), [captured, round] {
                    std::vector<int> out{static_cast<int>(*shard_set::current()), round};
                    out.push_back(captured[1].values.at(7).at(2));
                    return out;
                });
                const auto result = co_await std::move(hop);
                if (round == 0) trace.insert(trace.end(), result.begin(), result.end());
                EXPECT_EQ(result[1], round);
            }
            trace.push_back(static_cast<int>(*shard_set::current()));
            done.set_value(trace);
        },
        asio::detached);
    const auto trace = done.get_future().get();
    shards.stop();
    EXPECT_EQ(trace, (std::vector<int>{1, 0, 0, 3, 1}));
}

// Proves submit_to also takes coroutine functions.
TEST(Shards, SubmitToCoroutine) {
    shard_set shards(2);
    shards.start();
    std::promise<int> done;
    asio::co_spawn(
        shards.context(0),
        [&]() -> asio::awaitable<void> {
            std::string owned(64, 'y');
            auto hop = submit_to(shards.executor(1), [owned]() -> asio::awaitable<int> {
                co_return static_cast<int>(owned.size()) + static_cast<int>(*shard_set::current());
            });
            const int value = co_await std::move(hop);
            done.set_value(value);
        },
        asio::detached);
    EXPECT_EQ(done.get_future().get(), 65);
    shards.stop();
}

}  // namespace
}  // namespace brook::io
