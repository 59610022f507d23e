#include "brook/client/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <limits>
#include <vector>

#include "brook/messages/api_versions_request.h"
#include "brook/messages/api_versions_response.h"
#include "brook/messages/error_codes.h"
#include "brook/messages/response_header.h"
#include "brook/wire/reader.h"

namespace brook::client {

namespace {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using clock_type = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Frames handed to one gathered write, so a burst of pipelined requests
// leaves in few system calls without building one huge buffer list.
constexpr std::size_t max_frames_per_write = 64;
constexpr std::size_t max_bytes_per_write = std::size_t{1} << 20;

// The correlation id sits right after the size prefix, api key and version
// in every request header version.
constexpr std::size_t correlation_id_offset = 4 + 2 + 2;

std::int32_t read_int32_at(const wire::byte* data) {
    return static_cast<std::int32_t>((std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
                                     (std::uint32_t{data[2]} << 8) | std::uint32_t{data[3]});
}

void write_int32_at(wire::bytes& data, std::size_t at, std::int32_t value) {
    const auto v = static_cast<std::uint32_t>(value);
    data[at] = static_cast<wire::byte>(v >> 24);
    data[at + 1] = static_cast<wire::byte>(v >> 16);
    data[at + 2] = static_cast<wire::byte>(v >> 8);
    data[at + 3] = static_cast<wire::byte>(v);
}

std::string api_name(std::int16_t api_key) {
    const auto* api = messages::find_api(api_key);
    return api ? std::string(api->name) : "API " + std::to_string(api_key);
}

}  // namespace

// One request from admission to completion. `signal` is the waiter's timer:
// it expires at the request's deadline and is cancelled to wake the waiter
// early (admitted, answered, written or failed).
struct connection::pending {
    pending(const asio::any_io_executor& executor, clock_type::time_point deadline) : signal(executor, deadline) {}

    wire::bytes frame;
    std::int32_t correlation_id = 0;
    std::int16_t api_key = 0;
    std::int16_t version = 0;
    bool expect_response = true;
    bool admitted = false;
    std::optional<result<frame_reply>> outcome;
    asio::steady_timer signal;

    void complete(result<frame_reply> value) {
        if (outcome) return;
        outcome.emplace(std::move(value));
        signal.cancel();
    }
};

connection::connection(asio::any_io_executor executor, std::string host, std::uint16_t port,
                       connection_options options)
    : executor_(executor),
      socket_(executor),
      host_(std::move(host)),
      port_(port),
      options_(std::move(options)),
      writer_wakeup_(executor, asio::steady_timer::time_point::max()) {
    options_.max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
}

connection::~connection() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

std::string connection::endpoint() const { return host_ + ":" + std::to_string(port_); }

asio::awaitable<result<std::shared_ptr<connection>>> connection::connect(asio::any_io_executor executor,
                                                                         std::string host, std::uint16_t port,
                                                                         connection_options options) {
    const auto connect_timeout = options.connect_timeout;
    const bool negotiate_versions = options.negotiate_versions;
    std::shared_ptr<connection> self(new connection(executor, std::move(host), port, std::move(options)));
    const std::string where = self->endpoint();

    // One deadline for resolving and connecting together.
    asio::steady_timer deadline(executor, connect_timeout);
    tcp::resolver resolver(executor);
    const std::string service = std::to_string(port);
    auto resolve_op = resolver.async_resolve(self->host_, service, use_tuple);
    auto resolve_timer_op = deadline.async_wait(use_tuple);
    auto resolve_race = std::move(resolve_op) || std::move(resolve_timer_op);
    auto resolved = co_await std::move(resolve_race);
    if (resolved.index() == 1) {
        co_return client::error(errc::connect_failed, "resolving " + where + " timed out");
    }
    auto [resolve_error, endpoints] = std::get<0>(std::move(resolved));
    if (resolve_error) {
        co_return client::error(errc::connect_failed, "resolving " + where + ": " + resolve_error.message());
    }

    auto connect_op = asio::async_connect(self->socket_, endpoints, use_tuple);
    auto connect_timer_op = deadline.async_wait(use_tuple);
    auto connect_race = std::move(connect_op) || std::move(connect_timer_op);
    auto connected = co_await std::move(connect_race);
    if (connected.index() == 1) {
        co_return client::error(errc::connect_failed, "connecting to " + where + " timed out after " +
                                                          std::to_string(connect_timeout.count()) + " ms");
    }
    if (const auto& [connect_error, connected_to] = std::get<0>(connected); connect_error) {
        co_return client::error(errc::connect_failed, "connecting to " + where + ": " + connect_error.message());
    }
    boost::system::error_code ignored;
    self->socket_.set_option(tcp::no_delay(true), ignored);

    asio::co_spawn(executor, self->read_loop(self), asio::detached);
    asio::co_spawn(executor, self->write_loop(self), asio::detached);

    if (negotiate_versions) {
        auto negotiate_op = self->negotiate();
        auto negotiated = co_await std::move(negotiate_op);
        if (!negotiated) {
            self->close();
            co_return std::move(negotiated).error();
        }
    }
    spdlog::debug("client: connected to {}", where);
    co_return self;
}

// ApiVersions v3 first; a broker that does not know that version answers
// UNSUPPORTED_VERSION in a v0 body listing its own ApiVersions range
// (KIP-511), and we retry at the highest version it has (at least v0).
asio::awaitable<result<done>> connection::negotiate() {
    messages::ApiVersionsRequest request;
    request.client_software_name = std::string(client_software_name);
    request.client_software_version = std::string(client_software_version);
    const auto unsupported = static_cast<std::int16_t>(messages::error_code::unsupported_version);

    std::int16_t version = 3;
    for (;;) {
        auto frame = encode_frame(request, version);
        if (!frame) co_return std::move(frame).error();
        auto op = exchange(std::move(*frame), messages::ApiVersionsRequest::api_key, version, true,
                           options_.negotiate_timeout);
        auto reply = co_await std::move(op);
        if (!reply) co_return std::move(reply).error();

        auto decoded = decode_body<messages::ApiVersionsResponse>(*reply, version);
        if (version > 0 && (!decoded || decoded->error_code == unsupported)) {
            // Kafka answers in v0; some brokers (librdkafka's mock cluster)
            // answer in the version asked. Either lists their range.
            auto fallback = decode_body<messages::ApiVersionsResponse>(*reply, 0);
            const messages::ApiVersionsResponse* listing = nullptr;
            if (fallback && fallback->error_code == unsupported) {
                listing = &*fallback;
            } else if (decoded && decoded->error_code == unsupported) {
                listing = &*decoded;
            }
            if (listing != nullptr) {
                std::int16_t next = 0;
                for (const auto& key : listing->api_keys) {
                    if (key.api_key == messages::ApiVersionsRequest::api_key && key.max_version < version) {
                        next = std::max<std::int16_t>(key.max_version, 0);
                    }
                }
                version = next;
                continue;
            }
        }
        if (!decoded) co_return std::move(decoded).error();
        if (decoded->error_code != 0) {
            co_return client::error(errc::unsupported_version,
                                    "ApiVersions v" + std::to_string(version) + " to " + endpoint() + " failed: " +
                                        std::string(messages::describe(decoded->error_code).name));
        }
        versions_.clear();
        for (const auto& key : decoded->api_keys) versions_[key.api_key] = {key.min_version, key.max_version};
        api_versions_version_ = version;
        co_return done{};
    }
}

std::optional<std::int16_t> connection::pick_version(std::int16_t api_key, std::int16_t lowest_version,
                                                     std::int16_t highest_version) const {
    const auto it = versions_.find(api_key);
    if (it == versions_.end()) return std::nullopt;
    const std::int16_t version = std::min(highest_version, it->second.max_version);
    if (version < std::max(lowest_version, it->second.min_version)) return std::nullopt;
    return version;
}

std::optional<version_range> connection::broker_versions(std::int16_t api_key) const {
    const auto it = versions_.find(api_key);
    if (it == versions_.end()) return std::nullopt;
    return it->second;
}

client::error connection::encode_error(std::string_view name, std::int16_t version, const std::string& why) {
    return {errc::encode_failed, std::string(name) + " v" + std::to_string(version) + ": " + why};
}

client::error connection::decode_error(std::string_view name, std::int16_t version, const std::string& why) {
    return {errc::decode_failed, std::string(name) + " v" + std::to_string(version) + ": " + why};
}

client::error connection::unsupported_error(std::string_view name) const {
    return {errc::unsupported_version, std::string(name) + " is unsupported by the broker at " + endpoint() +
                                           " (no version both sides speak)"};
}

asio::awaitable<result<connection::frame_reply>> connection::exchange(wire::bytes frame, std::int16_t api_key,
                                                                      std::int16_t version, bool expect_response,
                                                                      std::chrono::milliseconds timeout) {
    if (broken_) co_return failure_;
    auto request = std::make_shared<pending>(executor_, clock_type::now() + timeout);
    request->frame = std::move(frame);
    request->api_key = api_key;
    request->version = version;
    request->expect_response = expect_response;
    const auto timed_out = [&](std::string_view stage) {
        return client::error(errc::timed_out, api_name(api_key) + " v" + std::to_string(version) + " to " +
                                                  endpoint() + " " + std::string(stage) + " after " +
                                                  std::to_string(timeout.count()) + " ms");
    };

    // Admission: bounded pipelining.
    if (admitted_ < options_.max_in_flight) {
        ++admitted_;
        request->admitted = true;
    } else {
        slot_waiters_.push_back(request);
        while (!request->admitted && !request->outcome) {
            auto [woken] = co_await request->signal.async_wait(use_tuple);
            if (!woken) break;  // no error: the timer fired, the deadline passed
        }
        if (!request->admitted) {
            std::erase(slot_waiters_, request);
            if (request->outcome) co_return std::move(*request->outcome);
            co_return timed_out("got no in-flight slot");
        }
    }

    request->correlation_id = next_correlation_id_;
    next_correlation_id_ = next_correlation_id_ == std::numeric_limits<std::int32_t>::max() ? 1 : next_correlation_id_ + 1;
    write_int32_at(request->frame, correlation_id_offset, request->correlation_id);
    write_queue_.push_back(request);
    if (expect_response) in_flight_.push_back(request);
    writer_wakeup_.cancel();

    while (!request->outcome) {
        auto [woken] = co_await request->signal.async_wait(use_tuple);
        if (!woken) break;  // the deadline passed
    }
    if (!request->outcome) co_return timed_out(expect_response ? "got no response" : "was not sent");
    co_return std::move(*request->outcome);
}

void connection::release_slot() {
    if (admitted_ > 0) --admitted_;
    while (admitted_ < options_.max_in_flight && !slot_waiters_.empty()) {
        auto next = std::move(slot_waiters_.front());
        slot_waiters_.pop_front();
        ++admitted_;
        next->admitted = true;
        next->signal.cancel();
    }
}

asio::awaitable<void> connection::write_loop(std::shared_ptr<connection> self) {
    std::vector<std::shared_ptr<pending>> batch;
    std::vector<asio::const_buffer> buffers;
    while (!broken_) {
        if (write_queue_.empty()) {
            co_await writer_wakeup_.async_wait(use_tuple);
            continue;
        }
        batch.clear();
        buffers.clear();
        std::size_t batch_bytes = 0;
        while (!write_queue_.empty() && batch.size() < max_frames_per_write && batch_bytes < max_bytes_per_write) {
            auto next = std::move(write_queue_.front());
            write_queue_.pop_front();
            batch_bytes += next->frame.size();
            buffers.push_back(asio::buffer(next->frame));
            batch.push_back(std::move(next));
        }
        auto [write_error, written] = co_await asio::async_write(socket_, buffers, use_tuple);
        if (write_error) {
            client::error why(errc::connection_broken, "writing to " + endpoint() + ": " + write_error.message());
            // Requests without a response are in no other queue.
            for (auto& request : batch) {
                if (!request->expect_response) request->complete(why);
            }
            fail(std::move(why));
            break;
        }
        for (auto& request : batch) {
            request->frame = {};
            if (!request->expect_response) {
                request->complete(frame_reply{});
                release_slot();
            }
        }
    }
    (void)self;
}

asio::awaitable<void> connection::read_loop(std::shared_ptr<connection> self) {
    std::array<wire::byte, 4> size_bytes{};
    while (!broken_) {
        auto [size_error, size_read] = co_await asio::async_read(socket_, asio::buffer(size_bytes), use_tuple);
        if (size_error) {
            const bool eof = size_error == asio::error::eof;
            fail({errc::connection_broken,
                  "reading from " + endpoint() + ": " + (eof ? "closed by the peer" : size_error.message())});
            break;
        }
        const std::int32_t size = read_int32_at(size_bytes.data());
        if (size < 4) {
            // Too short to hold a correlation id: the stream cannot be trusted.
            fail({errc::decode_failed, "response frame of " + std::to_string(size) + " bytes from " + endpoint()});
            break;
        }
        if (static_cast<std::size_t>(size) > options_.max_response_bytes) {
            fail({errc::frame_too_large, "response frame of " + std::to_string(size) + " bytes from " + endpoint() +
                                             " (limit " + std::to_string(options_.max_response_bytes) + ")"});
            break;
        }
        auto frame = std::make_shared<wire::bytes>(static_cast<std::size_t>(size));
        auto [frame_error, frame_read] = co_await asio::async_read(socket_, asio::buffer(*frame), use_tuple);
        if (frame_error) {
            fail({errc::connection_broken, "reading from " + endpoint() + ": " + frame_error.message()});
            break;
        }
        if (in_flight_.empty()) {
            fail({errc::correlation_mismatch, "unsolicited response (correlation id " +
                                                  std::to_string(read_int32_at(frame->data())) + ") from " + endpoint()});
            break;
        }
        auto request = std::move(in_flight_.front());
        in_flight_.pop_front();
        const std::int32_t correlation_id = read_int32_at(frame->data());
        if (correlation_id != request->correlation_id) {
            client::error why(errc::correlation_mismatch, "response with correlation id " +
                                                              std::to_string(correlation_id) + ", expected " +
                                                              std::to_string(request->correlation_id) + " from " +
                                                              endpoint());
            request->complete(why);
            fail(std::move(why));
            break;
        }
        // The frame is intact, so a bad header fails only this request.
        wire::reader in(*frame);
        messages::ResponseHeader header;
        header.read(in, messages::response_header_version(request->api_key, request->version));
        if (!in.ok()) {
            request->complete(decode_error("ResponseHeader", request->version, make_error_code(in.error()).message()));
        } else {
            request->complete(frame_reply{std::move(frame), in.position()});
        }
        release_slot();
    }
    (void)self;
}

void connection::fail(client::error why) {
    if (broken_) return;
    spdlog::debug("client: connection to {} failed: {}", endpoint(), why.message());
    broken_ = true;
    failure_ = std::move(why);
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    writer_wakeup_.cancel();
    for (auto* queue : {&slot_waiters_, &write_queue_, &in_flight_}) {
        for (auto& request : *queue) request->complete(failure_);
        queue->clear();
    }
    admitted_ = 0;
}

void connection::close() { fail({errc::closed, "connection to " + endpoint() + " closed"}); }

}  // namespace brook::client
