#include "brook/broker/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <sys/sendfile.h>

#include <cerrno>
#include <cstring>
#include <csignal>
#include <deque>
#include <future>
#include <unordered_set>

#include "brook/base/assert.h"
#include "brook/broker/append_order.h"
#include "brook/broker/router.h"
#include "brook/wire/reader.h"

namespace brook::broker {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// What one read asks the socket for: room for many small pipelined requests.
constexpr std::size_t read_buffer_bytes = 64 * 1024;
// The most responses gathered into one write.
constexpr std::size_t max_responses_per_write = 64;

std::int32_t read_frame_size(const std::array<wire::byte, 4>& bytes) {
    wire::reader r(bytes);
    return r.read_int32();
}

}  // namespace

// One client connection. Owned by the shard that accepted it into its context;
// every member is touched only on that shard.
class server::connection : public std::enable_shared_from_this<connection> {
public:
    connection(tcp::socket socket, broker_services& services, connection_info info, const connection_limits& limits)
        : socket_(std::move(socket)),
          services_(services),
          info_(std::move(info)),
          limits_(limits),
          writer_wakeup_(socket_.get_executor(), asio::steady_timer::time_point::max()),
          order_(socket_.get_executor()),
          reader_wakeup_(socket_.get_executor(), asio::steady_timer::time_point::max()),
          idle_timer_(socket_.get_executor()) {}

    const connection_info& info() const noexcept { return info_; }

    asio::awaitable<void> run() {
        auto self = shared_from_this();
        co_await (read_loop() && write_loop());
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    // Stage one of shutdown: read no more requests; in-flight ones finish.
    void stop_reading() {
        stopping_ = true;
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_receive, ignored);
        idle_timer_.cancel();
        reader_wakeup_.cancel();
        writer_wakeup_.cancel();
    }

    // Last stage: close now, whatever is pending.
    void close_now() {
        boost::system::error_code ignored;
        socket_.close(ignored);
        stopping_ = true;
        reader_wakeup_.cancel();
        writer_wakeup_.cancel();
    }

private:
    struct pending {
        bool done = false;
        response result;
    };

    // Requests come in through one buffer: a read takes whatever the socket
    // holds, often several pipelined requests, and each is cut out of it, so
    // a small request costs no read of its own (before, every request took
    // two: its size, then its body). The rest of a frame larger than what is
    // buffered is read straight into the frame.
    asio::awaitable<void> read_loop() {
        auto self = shared_from_this();
        std::vector<wire::byte> buffer(read_buffer_bytes);
        std::size_t begin = 0;  // buffer[begin, end) is read and not yet used
        std::size_t end = 0;
        while (!stopping_) {
            // Pipelining is bounded: beyond the limit, stop reading until
            // responses have left.
            while (queue_.size() >= limits_.max_in_flight_requests && !stopping_) {
                co_await reader_wakeup_.async_wait(use_tuple);
            }
            if (stopping_) break;

            if (end - begin < 4) {
                std::memmove(buffer.data(), buffer.data() + begin, end - begin);
                end -= begin;
                begin = 0;
                bool closed = false;
                while (end < 4) {
                    idle_timer_.expires_after(limits_.idle_timeout);
                    auto outcome = co_await (
                        socket_.async_read_some(asio::buffer(buffer.data() + end, buffer.size() - end), use_tuple) ||
                        idle_timer_.async_wait(use_tuple));
                    if (outcome.index() == 1) {
                        if (!stopping_) spdlog::debug("connection {}: closing after idle timeout", info_.id);
                        closed = true;
                        break;
                    }
                    if (auto [error, n] = std::get<0>(outcome); error) {
                        closed = true;
                        break;
                    } else {
                        end += n;
                    }
                }
                if (closed) break;
            }

            std::array<wire::byte, 4> size_bytes{};
            std::memcpy(size_bytes.data(), buffer.data() + begin, size_bytes.size());
            begin += size_bytes.size();
            const std::int32_t size = read_frame_size(size_bytes);
            if (size < 0 || static_cast<std::size_t>(size) > limits_.max_frame_bytes) {
                // Kafka closes a connection whose frame exceeds
                // socket.request.max.bytes without reading it.
                if (size < 0) {
                    spdlog::warn("connection {} ({}:{}): closing, invalid request size {}", info_.id, info_.client_host,
                                 info_.client_port, size);
                } else {
                    spdlog::warn("connection {} ({}:{}): closing, request of {} bytes exceeds "
                                 "socket.request.max.bytes ({})",
                                 info_.id, info_.client_host, info_.client_port, size, limits_.max_frame_bytes);
                }
                break;
            }
            const auto frame_size = static_cast<std::size_t>(size);
            const std::size_t buffered = std::min(frame_size, end - begin);
            auto frame = std::make_shared<wire::bytes>();
            frame->reserve(frame_size);
            frame->insert(frame->end(), buffer.begin() + static_cast<std::ptrdiff_t>(begin),
                          buffer.begin() + static_cast<std::ptrdiff_t>(begin + buffered));
            begin += buffered;
            if (begin == end) begin = end = 0;
            if (buffered < frame_size) {
                frame->resize(frame_size);
                auto rest = asio::buffer(frame->data() + buffered, frame_size - buffered);
                if (auto [error, n] = co_await asio::async_read(socket_, rest, use_tuple); error) break;
            }

            auto slot = std::make_shared<pending>();
            queue_.push_back(slot);
            asio::co_spawn(socket_.get_executor(), handle(self, slot, frame, order_.take_ticket()), asio::detached);
        }
        reading_done_ = true;
        writer_wakeup_.cancel();
    }

    // `keep_alive` holds the connection until the handler is done.
    asio::awaitable<void> handle([[maybe_unused]] std::shared_ptr<connection> keep_alive, std::shared_ptr<pending> slot,
                                 std::shared_ptr<wire::bytes> frame, std::uint64_t ticket) {
        // Only Produce appends; every other request lets later ones pass at once.
        const bool appends = frame->size() >= 2 && (*frame)[0] == wire::byte{0} && (*frame)[1] == wire::byte{0};
        if (!appends) order_.release(ticket);
        try {
            slot->result = co_await route(services_, info_, *frame, &order_, ticket);
        } catch (const std::exception& error) {
            // A handler failure must not take the broker down; this client
            // loses its connection and everyone else carries on.
            spdlog::error("connection {}: request failed: {}", info_.id, error.what());
            slot->result = response::close();
        }
        order_.release(ticket);
        slot->done = true;
        writer_wakeup_.cancel();
    }

    asio::awaitable<void> write_loop() {
        auto self = shared_from_this();
        for (;;) {
            while (queue_.empty() || !queue_.front()->done) {
                if (queue_.empty() && reading_done_) co_return;
                if (!socket_.is_open()) co_return;
                co_await writer_wakeup_.async_wait(use_tuple);
            }
            // Responses that are ready in a row leave in one write, up to a
            // bound; one with file ranges (a Fetch) goes on its own.
            std::vector<std::shared_ptr<pending>> ready;
            while (!queue_.empty() && queue_.front()->done && ready.size() < max_responses_per_write) {
                const bool spliced = !queue_.front()->result.splices.empty();
                if (spliced && !ready.empty()) break;
                ready.push_back(std::move(queue_.front()));
                queue_.pop_front();
                if (spliced || ready.back()->result.close_connection) break;
            }
            reader_wakeup_.cancel();
            if (ready.size() == 1 && ready.front()->result.send) {
                if (!co_await send_response(ready.front()->result)) {
                    fail();
                    co_return;
                }
            } else if (!co_await send_responses(ready)) {
                fail();
                co_return;
            }
            if (ready.back()->result.close_connection) {
                fail();
                co_return;
            }
        }
    }

    // Writes several responses without file ranges in one gathered write.
    asio::awaitable<bool> send_responses(const std::vector<std::shared_ptr<pending>>& ready) {
        std::vector<std::array<wire::byte, 4>> sizes;
        sizes.reserve(ready.size());
        std::vector<asio::const_buffer> buffers;
        buffers.reserve(2 * ready.size());
        for (const auto& slot : ready) {
            if (!slot->result.send) continue;
            const auto size = static_cast<std::uint32_t>(slot->result.payload.size());
            sizes.push_back({static_cast<wire::byte>(size >> 24), static_cast<wire::byte>(size >> 16),
                             static_cast<wire::byte>(size >> 8), static_cast<wire::byte>(size)});
            buffers.push_back(asio::buffer(sizes.back()));
            buffers.push_back(asio::buffer(slot->result.payload));
        }
        if (buffers.empty()) co_return true;
        auto [error, n] = co_await asio::async_write(socket_, buffers, use_tuple);
        co_return !error;
    }

    // Writes one response: the size prefix, then the payload with its file
    // ranges spliced in. False when the connection broke.
    asio::awaitable<bool> send_response(const response& out) {
        std::size_t total = out.payload.size();
        for (const auto& splice : out.splices) total += splice.range.length;
        const auto size = static_cast<std::uint32_t>(total);
        const std::array<wire::byte, 4> size_bytes{static_cast<wire::byte>(size >> 24), static_cast<wire::byte>(size >> 16),
                                                   static_cast<wire::byte>(size >> 8), static_cast<wire::byte>(size)};
        std::size_t written = 0;  // of the payload
        for (std::size_t i = 0; i <= out.splices.size(); ++i) {
            const std::size_t until = i < out.splices.size() ? out.splices[i].at : out.payload.size();
            const std::array<asio::const_buffer, 2> buffers{
                asio::buffer(size_bytes.data(), i == 0 ? size_bytes.size() : 0),
                asio::buffer(out.payload.data() + written, until - written)};
            if (auto [error, n] = co_await asio::async_write(socket_, buffers, use_tuple); error) co_return false;
            written = until;
            if (i < out.splices.size() && !co_await send_file_range(out.splices[i].range)) co_return false;
        }
        co_return true;
    }

    // sendfile(2) from a segment file straight to the socket, waiting for
    // room when the socket buffer is full. A file shorter than the range
    // (it cannot be, the log only grows under a reader) breaks the frame, so
    // the connection is closed rather than sent short.
    asio::awaitable<bool> send_file_range(const wire::file_range& range) {
        if (!socket_.native_non_blocking()) {
            boost::system::error_code error;
            socket_.native_non_blocking(true, error);
            if (error) co_return false;
        }
        auto offset = static_cast<off_t>(range.position);
        std::size_t left = range.length;
        while (left > 0) {
            const ssize_t n = ::sendfile(socket_.native_handle(), range.fd, &offset, left);
            if (n > 0) {
                left -= static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (auto [error] = co_await socket_.async_wait(tcp::socket::wait_write, use_tuple); error) {
                    co_return false;
                }
                continue;
            }
            if (n == 0) {
                spdlog::error("connection {}: segment file ended {} bytes early while sending a fetch", info_.id, left);
            }
            co_return false;
        }
        co_return true;
    }

    // Ends both loops; pending handlers still complete but nothing is sent.
    void fail() {
        stopping_ = true;
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        idle_timer_.cancel();
        reader_wakeup_.cancel();
    }

    tcp::socket socket_;
    broker_services& services_;
    connection_info info_;
    const connection_limits& limits_;
    std::deque<std::shared_ptr<pending>> queue_;
    asio::steady_timer writer_wakeup_;
    append_order order_;
    asio::steady_timer reader_wakeup_;
    asio::steady_timer idle_timer_;
    bool stopping_ = false;
    bool reading_done_ = false;
};

struct server::shard_connections {
    std::unordered_set<std::shared_ptr<connection>> open;
};

server::server(io::shard_set& shards, broker_services& services, listener_options options)
    : shards_(shards), services_(services), options_(std::move(options)) {
    for (std::size_t i = 0; i < shards_.size(); ++i) connections_.push_back(std::make_unique<shard_connections>());
}

server::~server() = default;

void server::start() {
    // sendfile(2) has no MSG_NOSIGNAL: a client hanging up while a fetch
    // response is being sent would raise SIGPIPE and kill the process. With
    // SIGPIPE ignored the write fails with EPIPE and only that connection ends.
    ::signal(SIGPIPE, SIG_IGN);
    auto& context = shards_.context(0);
    // Throws (boost::system::system_error) when the address cannot be bound;
    // the server then stays unstarted, and stop() has nothing to wait for.
    auto acceptor = std::make_unique<tcp::acceptor>(context);
    const tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(asio::socket_base::max_listen_connections);
    acceptor_ = std::move(acceptor);
    bound_port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(context, accept_loop(), asio::detached);
    spdlog::info("listener {} on {}:{}", options_.name, options_.host, bound_port_);
}

asio::awaitable<void> server::accept_loop() {
    std::size_t next_shard = 0;
    while (!stopping_) {
        const io::shard_id shard = static_cast<io::shard_id>(next_shard++ % shards_.size());
        auto [error, socket] = co_await acceptor_->async_accept(shards_.context(shard), use_tuple);
        if (error) {
            if (stopping_ || error == asio::error::operation_aborted) break;
            spdlog::warn("listener {}: accept failed: {}", options_.name, error.message());
            continue;
        }
        if (open_connections_.load() >= options_.limits.max_connections) {
            spdlog::warn("listener {}: refusing a connection, max.connections ({}) reached", options_.name,
                         options_.limits.max_connections);
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        connection_info info;
        info.id = next_connection_id_++;
        info.listener_name = options_.name;
        const auto remote = socket.remote_endpoint(ignored);
        info.client_host = remote.address().to_string();
        info.client_port = remote.port();
        ++open_connections_;
        auto conn = std::make_shared<connection>(std::move(socket), services_, std::move(info), options_.limits);
        asio::co_spawn(shards_.context(shard),
                       [this, shard, conn]() -> asio::awaitable<void> {
                           connections_[shard]->open.insert(conn);
                           co_await conn->run();
                           connections_[shard]->open.erase(conn);
                           --open_connections_;
                       },
                       asio::detached);
    }
    accept_loop_done_ = true;
}

void server::stop(std::chrono::milliseconds grace) {
    if (!acceptor_ || stopping_.exchange(true)) return;
    // Stage 1: stop accepting.
    std::promise<void> closed;
    asio::post(shards_.context(0), [&] {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
        closed.set_value();
    });
    closed.get_future().wait();
    // Runs `action` on every shard and waits for all of them: nothing posted
    // here may outlive this call, since the server can be destroyed after it.
    const auto on_every_shard = [this](auto action) {
        for (io::shard_id shard = 0; shard < shards_.size(); ++shard) {
            std::promise<void> done;
            asio::post(shards_.context(shard), [&, shard] {
                action(shard);
                done.set_value();
            });
            done.get_future().wait();
        }
    };
    // Stage 2: stop reading; in-flight requests finish and their responses leave.
    on_every_shard([this](io::shard_id shard) {
        for (const auto& conn : connections_[shard]->open) conn->stop_reading();
    });
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (open_connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Stage 3: close whatever is left.
    if (open_connections_.load() > 0) {
        spdlog::warn("listener {}: closing {} connections that did not finish within {} ms", options_.name,
                     open_connections_.load(), grace.count());
        on_every_shard([this](io::shard_id shard) {
            for (const auto& conn : connections_[shard]->open) conn->close_now();
        });
        while (open_connections_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    while (!accept_loop_done_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace brook::broker
