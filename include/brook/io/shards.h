#pragma once
// Brook's shard-per-core runtime.
//
// A shard is one io_context run by one thread. Every partition and every piece
// of coordinator state is owned by exactly one shard and only touched by code
// running there, so the data path needs no locks. Code that must touch state
// owned elsewhere hops with submit_to(); nothing else moves work between shards.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace brook::io {

namespace asio = boost::asio;

using shard_id = std::uint32_t;

// Owns the shards' io_contexts and their threads. Created and stopped by the
// application's main thread; everything else only borrows executors from it.
class shard_set {
public:
    // `count` 0 means one shard per hardware thread.
    explicit shard_set(std::size_t count);
    ~shard_set();
    shard_set(const shard_set&) = delete;
    shard_set& operator=(const shard_set&) = delete;

    std::size_t size() const noexcept { return shards_.size(); }
    asio::io_context& context(shard_id id) noexcept;
    asio::any_io_executor executor(shard_id id) noexcept { return context(id).get_executor(); }

    // Starts one thread per shard. Each thread runs its context until stop().
    void start();
    // Lets the contexts finish the work they have and joins the threads. The
    // services running on the shards must have drained first (staged
    // shutdown); this never calls io_context::stop() in the middle of work.
    void stop();

    // The shard the calling thread runs, if it is a shard thread.
    static std::optional<shard_id> current() noexcept;

private:
    struct shard {
        asio::io_context context{1};  // one thread per context: asio may skip its locks
        std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
        std::thread thread;
    };
    std::vector<std::unique_ptr<shard>> shards_;
};

namespace detail {
template <typename T>
struct awaitable_value;
template <typename T>
struct awaitable_value<asio::awaitable<T>> {
    using type = T;
};
}  // namespace detail

// The one hop helper: runs `f` on `target` and resumes the caller on its own
// executor with f's result (exceptions travel too). `f` is either a coroutine
// function returning awaitable<T> or a plain function returning T; it must
// capture by value what it needs, since it runs on another thread.
//
// GCC 12 destroys temporaries created inside a co_await expression twice
// (GCC bug 100611, fixed in GCC 13), so a capturing lambda must not be a
// temporary there. Bind the hop to a local, then await it:
//     auto hop = submit_to(executor, [captured] { ... });
//     auto result = co_await std::move(hop);
template <typename F>
auto submit_to(const asio::any_io_executor& target, F f) {
    using result = std::invoke_result_t<F&>;
    if constexpr (requires { typename detail::awaitable_value<result>::type; }) {
        return asio::co_spawn(target, std::move(f), asio::use_awaitable);
    } else {
        return asio::co_spawn(
            target, [f = std::move(f)]() mutable -> asio::awaitable<result> { co_return f(); },
            asio::use_awaitable);
    }
}

}  // namespace brook::io
