// The Kafka listener, the router and ApiVersions, over real loopback sockets
// against an in-process server with two shards.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <optional>

#include "brook/broker/server.h"
#include "brook/broker/services.h"
#include "brook/messages/api_table.h"
#include "brook/messages/api_versions_request.h"
#include "brook/messages/api_versions_response.h"
#include "brook/messages/request_header.h"
#include "brook/messages/response_header.h"

namespace brook::broker {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        listener_options options;
        options.port = 0;
        options.limits.max_frame_bytes = 1024 * 1024;
        server_.emplace(shards_, services_, options);
        shards_.start();
        server_->start();
    }
    void TearDown() override {
        server_->stop(std::chrono::seconds(5));
        shards_.stop();
    }

    tcp::socket connect() {
        tcp::socket socket(client_context_);
        socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
        return socket;
    }

    static void send_frame(tcp::socket& socket, const wire::bytes& payload) {
        wire::writer w;
        w.write_int32(static_cast<std::int32_t>(payload.size()));
        w.write_bytes(payload);
        asio::write(socket, asio::buffer(w.view().data(), w.size()));
    }

    // The next response payload, or nothing when the server closed the connection.
    static std::optional<wire::bytes> receive_frame(tcp::socket& socket) {
        std::array<wire::byte, 4> size_bytes{};
        boost::system::error_code error;
        asio::read(socket, asio::buffer(size_bytes), error);
        if (error) return std::nullopt;
        wire::reader r(size_bytes);
        wire::bytes payload(static_cast<std::size_t>(r.read_int32()));
        asio::read(socket, asio::buffer(payload), error);
        if (error) return std::nullopt;
        return payload;
    }

    static wire::bytes api_versions_request(std::int16_t version, std::int32_t correlation_id) {
        messages::RequestHeader header;
        header.request_api_key = 18;
        header.request_api_version = version;
        header.correlation_id = correlation_id;
        header.client_id = "server-test";
        messages::ApiVersionsRequest body;
        body.client_software_name = "brook-test";
        body.client_software_version = "1.0";
        wire::writer w;
        header.write(w, messages::request_header_version(18, std::min<std::int16_t>(version, 4)));
        if (version <= 4) {
            EXPECT_EQ(body.encode(w, version), wire::errc::ok);
        }
        return w.take();
    }

    static messages::ApiVersionsResponse decode_api_versions(const wire::bytes& payload, std::int16_t version,
                                                             std::int32_t expected_correlation_id) {
        wire::reader r(payload);
        messages::ResponseHeader header;
        EXPECT_EQ(header.decode(r, 0), wire::errc::ok);
        EXPECT_EQ(header.correlation_id, expected_correlation_id);
        messages::ApiVersionsResponse body;
        EXPECT_EQ(body.decode(r, version), wire::errc::ok);
        EXPECT_TRUE(r.at_end());
        return body;
    }

    io::shard_set shards_{2};
    broker_services services_;
    std::optional<server> server_;
    asio::io_context client_context_;
};

// Proves ApiVersions answers at every version it serves with the table it
// serves, using response header v0 even in flexible versions.
TEST_F(ServerTest, ApiVersionsAtEveryVersion) {
    auto socket = connect();
    for (std::int16_t version = 0; version <= 4; ++version) {
        send_frame(socket, api_versions_request(version, 100 + version));
        const auto payload = receive_frame(socket);
        ASSERT_TRUE(payload) << "v" << version;
        const auto body = decode_api_versions(*payload, version, 100 + version);
        EXPECT_EQ(body.error_code, 0);
        const auto self = std::find_if(body.api_keys.begin(), body.api_keys.end(),
                                       [](const auto& k) { return k.api_key == 18; });
        ASSERT_NE(self, body.api_keys.end());
        EXPECT_EQ(self->min_version, 0);
        EXPECT_EQ(self->max_version, 4);
    }
}

// Proves KIP-511: an ApiVersions version the broker does not know gets a v0
// answer with UNSUPPORTED_VERSION and the served range, and the connection
// stays usable.
TEST_F(ServerTest, UnknownApiVersionsVersionFallsBackToV0) {
    auto socket = connect();
    send_frame(socket, api_versions_request(9, 1));
    const auto payload = receive_frame(socket);
    ASSERT_TRUE(payload);
    const auto body = decode_api_versions(*payload, 0, 1);
    EXPECT_EQ(body.error_code, 35);  // UNSUPPORTED_VERSION
    ASSERT_EQ(body.api_keys.size(), 1u);
    EXPECT_EQ(body.api_keys[0].max_version, 4);
    send_frame(socket, api_versions_request(3, 2));
    ASSERT_TRUE(receive_frame(socket));
}

// Proves invalid client software names are refused with INVALID_REQUEST.
TEST_F(ServerTest, InvalidClientSoftwareName) {
    auto socket = connect();
    messages::RequestHeader header;
    header.request_api_key = 18;
    header.request_api_version = 3;
    header.correlation_id = 5;
    messages::ApiVersionsRequest body;
    body.client_software_name = "bad name!";
    body.client_software_version = "1";
    wire::writer w;
    header.write(w, 2);
    ASSERT_EQ(body.encode(w, 3), wire::errc::ok);
    send_frame(socket, w.take());
    const auto payload = receive_frame(socket);
    ASSERT_TRUE(payload);
    EXPECT_EQ(decode_api_versions(*payload, 3, 5).error_code, 42);  // INVALID_REQUEST
}

// Proves pipelined requests are answered in the order they were sent.
TEST_F(ServerTest, PipelinedResponsesKeepRequestOrder) {
    auto socket = connect();
    for (std::int32_t i = 0; i < 50; ++i) send_frame(socket, api_versions_request(static_cast<std::int16_t>(i % 5), i));
    for (std::int32_t i = 0; i < 50; ++i) {
        const auto payload = receive_frame(socket);
        ASSERT_TRUE(payload);
        decode_api_versions(*payload, static_cast<std::int16_t>(i % 5), i);
    }
}

// Proves hostile input closes only the offending connection: an oversized
// frame, a negative size, a frame too short for a header, an unknown API key,
// and garbage bytes; a bystander connection keeps being served throughout.
TEST_F(ServerTest, HostileFramesCloseOnlyTheirConnection) {
    auto bystander = connect();
    const std::vector<wire::bytes> hostile_prefixes = {
        {0x7f, 0xff, 0xff, 0xff},                          // 2 GiB frame
        {0xff, 0xff, 0xff, 0xf0},                          // negative size
        {0x00, 0x00, 0x00, 0x03, 0x00, 0x12, 0x00},        // 3-byte frame
        {0x00, 0x00, 0x00, 0x0a, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff},  // LeaderAndIsr
        {0x00, 0x00, 0x00, 0x0c, 0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x7f, 0x7f, 0x7f, 0x7f},
    };
    std::int32_t correlation = 0;
    for (const auto& bytes : hostile_prefixes) {
        auto socket = connect();
        asio::write(socket, asio::buffer(bytes));
        EXPECT_FALSE(receive_frame(socket)) << "connection should be closed";
        send_frame(bystander, api_versions_request(3, ++correlation));
        const auto payload = receive_frame(bystander);
        ASSERT_TRUE(payload);
        decode_api_versions(*payload, 3, correlation);
    }
}

}  // namespace
}  // namespace brook::broker
