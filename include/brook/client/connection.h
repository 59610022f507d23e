#pragma once
// client::connection: one TCP connection to one Kafka node, driven by Asio
// coroutines on the executor it was opened on.
//
// Requests are pipelined: any number of coroutines may call request() at
// once. Each call is admitted when fewer than max_in_flight requests are
// outstanding (waiting otherwise, bounded by its timeout), gets the next
// correlation id, and queues its frame for the single writer coroutine. One
// reader coroutine takes responses off the socket; Kafka answers in order,
// so each response must carry the correlation id of the oldest outstanding
// request, and a mismatch breaks the connection. Any I/O or framing failure
// breaks the connection: every outstanding request fails with that error and
// later calls fail at once. A broken connection is never repaired; open a
// new one (kafka_client does this).
//
// A request that times out stays outstanding on the wire (Kafka offers no
// way to cancel it); its response is read and dropped when it arrives.
//
// Threading: every member must be used from the connection's executor, which
// must not run handlers concurrently (an io_context run by one thread, or a
// strand). The reader and writer coroutines keep the connection alive until
// it breaks or close() is called.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "brook/client/errc.h"
#include "brook/client/response_for.h"
#include "brook/client/result.h"
#include "brook/messages/api_table.h"
#include "brook/messages/request_header.h"
#include "brook/wire/bytes.h"
#include "brook/wire/writer.h"

namespace brook::client {

namespace asio = boost::asio;

// What the client reports in ApiVersions v3+.
inline constexpr std::string_view client_software_name = "brook";
inline constexpr std::string_view client_software_version = "0.1.0";

struct connection_options {
    std::string client_id = "brook";
    std::chrono::milliseconds connect_timeout{10'000};
    // Bounds the ApiVersions exchange that follows the TCP connect.
    std::chrono::milliseconds negotiate_timeout{10'000};
    // Requests outstanding at once; more wait for a slot.
    std::size_t max_in_flight = 64;
    // The largest response frame accepted; a larger one breaks the connection.
    std::size_t max_response_bytes = std::size_t{128} << 20;
    // Whether connect() sends ApiVersions; without it pick_version() knows nothing.
    bool negotiate_versions = true;
};

// An API's version range as the broker advertised it.
struct version_range {
    std::int16_t min_version = 0;
    std::int16_t max_version = -1;
};

class connection {
public:
    // Resolves, connects (both bounded by connect_timeout) and, unless told
    // not to, negotiates versions. Fails with errc::connect_failed, or with
    // the error of the ApiVersions exchange.
    static asio::awaitable<result<std::shared_ptr<connection>>> connect(asio::any_io_executor executor,
                                                                        std::string host, std::uint16_t port,
                                                                        connection_options options = {});
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Sends `body` at `version` and decodes its response. The timeout covers
    // waiting for a slot, sending and receiving.
    template <typename Response, typename Request>
    asio::awaitable<result<Response>> request(const Request& body, std::int16_t version,
                                              std::chrono::milliseconds timeout);
    // The same with the response type deduced from the request's.
    template <typename Request>
    asio::awaitable<result<response_for_t<Request>>> request(const Request& body, std::int16_t version,
                                                             std::chrono::milliseconds timeout) {
        auto op = request<response_for_t<Request>>(body, version, timeout);
        co_return co_await std::move(op);
    }
    // The same at the negotiated version (see pick_version); fails with
    // errc::unsupported_version when there is none.
    template <typename Request>
    asio::awaitable<result<response_for_t<Request>>> request(const Request& body, std::chrono::milliseconds timeout);

    // Sends a request the broker does not answer (Produce with acks=0);
    // succeeds once the frame is written.
    template <typename Request>
    asio::awaitable<result<done>> send(const Request& body, std::int16_t version, std::chrono::milliseconds timeout);

    // The highest version both Brook's codec and the broker support:
    // min(codec highest, broker max) when that is >= max(codec lowest,
    // broker min); nothing when the broker did not list the API.
    template <typename Request>
    std::optional<std::int16_t> pick_version() const {
        return pick_version(Request::api_key, Request::lowest_version, Request::highest_version);
    }
    std::optional<std::int16_t> pick_version(std::int16_t api_key, std::int16_t lowest_version,
                                             std::int16_t highest_version) const;
    // What the broker advertised for `api_key`, if anything.
    std::optional<version_range> broker_versions(std::int16_t api_key) const;
    const std::map<std::int16_t, version_range>& api_versions() const noexcept { return versions_; }
    // The ApiVersions version the negotiation succeeded with (-1 without one).
    std::int16_t api_versions_version() const noexcept { return api_versions_version_; }

    bool is_broken() const noexcept { return broken_; }
    // Why the connection broke; meaningful once is_broken().
    const client::error& failure() const noexcept { return failure_; }
    // Breaks the connection on purpose: outstanding requests fail with errc::closed.
    void close();

    const std::string& host() const noexcept { return host_; }
    std::uint16_t port() const noexcept { return port_; }
    // Requests admitted and not yet answered.
    std::size_t in_flight() const noexcept { return admitted_; }
    const asio::any_io_executor& executor() const noexcept { return executor_; }

private:
    struct pending;
    // A response frame (without its size prefix) and where its body starts.
    struct frame_reply {
        std::shared_ptr<const wire::bytes> frame;
        std::size_t body_offset = 0;
    };

    connection(asio::any_io_executor executor, std::string host, std::uint16_t port, connection_options options);

    // A whole request frame (size prefix, header, body) with correlation id 0,
    // which exchange() patches.
    template <typename Request>
    result<wire::bytes> encode_frame(const Request& body, std::int16_t version) const;
    template <typename Response>
    static result<Response> decode_body(const frame_reply& reply, std::int16_t version);
    static client::error encode_error(std::string_view name, std::int16_t version, const std::string& why);
    static client::error decode_error(std::string_view name, std::int16_t version, const std::string& why);
    client::error unsupported_error(std::string_view name) const;

    // Queues `frame` and waits for its response (or its write, without one).
    asio::awaitable<result<frame_reply>> exchange(wire::bytes frame, std::int16_t api_key, std::int16_t version,
                                                  bool expect_response, std::chrono::milliseconds timeout);
    asio::awaitable<result<done>> negotiate();
    asio::awaitable<void> read_loop(std::shared_ptr<connection> self);
    asio::awaitable<void> write_loop(std::shared_ptr<connection> self);
    void fail(client::error why);
    void release_slot();
    std::string endpoint() const;

    asio::any_io_executor executor_;
    asio::ip::tcp::socket socket_;
    std::string host_;
    std::uint16_t port_;
    connection_options options_;
    std::map<std::int16_t, version_range> versions_;
    std::int16_t api_versions_version_ = -1;

    bool broken_ = false;
    client::error failure_;
    std::int32_t next_correlation_id_ = 1;
    std::size_t admitted_ = 0;
    std::deque<std::shared_ptr<pending>> slot_waiters_;  // waiting for admission
    std::deque<std::shared_ptr<pending>> write_queue_;   // admitted, not yet written
    std::deque<std::shared_ptr<pending>> in_flight_;     // expecting a response, in wire order
    asio::steady_timer writer_wakeup_;                   // cancelled when write_queue_ grows
};

// ---------------------------------------------------------------------------
// Template definitions.

template <typename Request>
result<wire::bytes> connection::encode_frame(const Request& body, std::int16_t version) const {
    if (!Request::supports_version(version)) {
        return encode_error(Request::message_name, version, "Brook's codec does not define this version");
    }
    messages::RequestHeader header;
    header.request_api_key = Request::api_key;
    header.request_api_version = version;
    header.correlation_id = 0;
    header.client_id = options_.client_id;
    const std::int16_t header_version = messages::request_header_version(Request::api_key, version);

    wire::writer out(4 + header.size(header_version) + body.size(version));
    out.write_placeholder(4);
    if (const auto e = header.encode(out, header_version); e != wire::errc::ok) {
        return encode_error(Request::message_name, version, "header: " + make_error_code(e).message());
    }
    if (const auto e = body.encode(out, version); e != wire::errc::ok) {
        return encode_error(Request::message_name, version, make_error_code(e).message());
    }
    if (!out.take_splices().empty()) {
        return encode_error(Request::message_name, version, "file-backed records cannot be sent by the client");
    }
    out.patch_int32(0, static_cast<std::int32_t>(out.size() - 4));
    return out.take();
}

template <typename Response>
result<Response> connection::decode_body(const frame_reply& reply, std::int16_t version) {
    wire::reader in(wire::bytes_view(*reply.frame).subspan(reply.body_offset));
    Response response;
    if (const auto e = response.decode(in, version); e != wire::errc::ok) {
        return decode_error(Response::message_name, version, make_error_code(e).message());
    }
    // Records fields in `response` point into the frame; the result keeps it.
    return result<Response>(std::move(response), reply.frame);
}

template <typename Response, typename Request>
asio::awaitable<result<Response>> connection::request(const Request& body, std::int16_t version,
                                                      std::chrono::milliseconds timeout) {
    static_assert(Response::api_key == Request::api_key, "the response must answer the request's API");
    auto frame = encode_frame(body, version);
    if (!frame) co_return std::move(frame).error();
    auto op = exchange(std::move(*frame), Request::api_key, version, true, timeout);
    auto reply = co_await std::move(op);
    if (!reply) co_return std::move(reply).error();
    co_return decode_body<Response>(*reply, version);
}

template <typename Request>
asio::awaitable<result<response_for_t<Request>>> connection::request(const Request& body,
                                                                     std::chrono::milliseconds timeout) {
    const auto version = pick_version<Request>();
    if (!version) co_return unsupported_error(Request::message_name);
    auto op = request<response_for_t<Request>>(body, *version, timeout);
    co_return co_await std::move(op);
}

template <typename Request>
asio::awaitable<result<done>> connection::send(const Request& body, std::int16_t version,
                                               std::chrono::milliseconds timeout) {
    auto frame = encode_frame(body, version);
    if (!frame) co_return std::move(frame).error();
    auto op = exchange(std::move(*frame), Request::api_key, version, false, timeout);
    auto reply = co_await std::move(op);
    if (!reply) co_return std::move(reply).error();
    co_return done{};
}

}  // namespace brook::client
