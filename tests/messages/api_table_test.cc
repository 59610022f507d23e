// The generated API table, header-version rules and error-code table.

#include <gtest/gtest.h>

#include <set>

#include "brook/messages/api_table.h"
#include "brook/messages/dispatch.h"
#include "brook/messages/error_codes.h"

namespace brook::messages {
namespace {

// Proves the table serves exactly the APIs Brook's schema set promises: keys
// 0-3, 8-37, 42-75 and 80-82 (no ZooKeeper-only, delegation-token or
// share-group APIs), sorted and unique.
TEST(ApiTable, CoversTheServedApis) {
    std::set<int> expected;
    for (int key = 0; key <= 3; ++key) expected.insert(key);
    for (int key = 8; key <= 37; ++key) expected.insert(key);
    for (int key = 42; key <= 75; ++key) expected.insert(key);
    for (int key = 80; key <= 82; ++key) expected.insert(key);
    std::set<int> actual;
    int previous = -1;
    for (const auto& api : api_table) {
        EXPECT_GT(api.key, previous) << "table must be sorted by key";
        previous = api.key;
        actual.insert(api.key);
        EXPECT_EQ(find_api(api.key), &api);
        EXPECT_LE(api.lowest_version, api.highest_version) << api.name;
    }
    EXPECT_EQ(actual, expected);
    EXPECT_EQ(find_api(4), nullptr);
    EXPECT_EQ(find_api(-1), nullptr);
    EXPECT_EQ(find_api(1000), nullptr);
}

// Proves the header-version rules, including ApiVersions' quirk: its
// response header is v0 even in flexible versions, so that a client can read
// an UNSUPPORTED_VERSION answer whatever version it sent.
TEST(ApiTable, HeaderVersions) {
    EXPECT_EQ(request_header_version(18, 3), 2);
    EXPECT_EQ(response_header_version(18, 3), 0);
    EXPECT_EQ(request_header_version(18, 0), 1);
    EXPECT_EQ(request_header_version(0, 8), 1);
    EXPECT_EQ(request_header_version(0, 9), 2);
    EXPECT_EQ(response_header_version(0, 9), 1);
    EXPECT_EQ(response_header_version(1, 11), 0);
    EXPECT_EQ(response_header_version(1, 12), 1);
    EXPECT_EQ(request_header_version(999, 0), -1);
    const api_descriptor* fetch = find_api(static_cast<std::int16_t>(api_key::fetch));
    ASSERT_NE(fetch, nullptr);
    EXPECT_EQ(fetch->name, "Fetch");
    EXPECT_EQ(fetch->lowest_flexible_version, 12);
    EXPECT_TRUE(fetch->listeners & listener_broker);
    EXPECT_FALSE(fetch->listeners & listener_zk_broker);
}

// Proves dispatch decodes into the request type of the key and refuses an
// unknown key or version with an error value.
TEST(ApiTable, DispatchDecodesTypedRequests) {
    HeartbeatRequest heartbeat;
    heartbeat.group_id = "g";
    heartbeat.generation_id = 7;
    heartbeat.member_id = "m";
    wire::writer w;
    ASSERT_EQ(heartbeat.encode(w, 4), wire::errc::ok);
    const wire::bytes encoded = w.take();

    wire::reader r(encoded);
    request decoded;
    ASSERT_EQ(decode_request(12, 4, r, decoded), wire::errc::ok);
    ASSERT_TRUE(std::holds_alternative<HeartbeatRequest>(decoded));
    EXPECT_EQ(std::get<HeartbeatRequest>(decoded), heartbeat);

    wire::reader unknown_key(encoded);
    EXPECT_EQ(decode_request(4, 0, unknown_key, decoded), wire::errc::unsupported_version);
    wire::reader unknown_version(encoded);
    EXPECT_EQ(decode_request(12, 5, unknown_version, decoded), wire::errc::unsupported_version);
}

// Proves the error table carries Kafka's codes, names and retriability.
TEST(ErrorCodes, KafkaNamesAndRetriability) {
    EXPECT_EQ(describe(error_code::unknown_topic_or_partition).name, "UNKNOWN_TOPIC_OR_PARTITION");
    EXPECT_EQ(static_cast<int>(error_code::unknown_topic_or_partition), 3);
    EXPECT_TRUE(describe(error_code::unknown_topic_or_partition).retriable);
    EXPECT_TRUE(describe(error_code::not_leader_or_follower).retriable);
    EXPECT_FALSE(describe(error_code::topic_already_exists).retriable);
    EXPECT_EQ(static_cast<int>(error_code::unsupported_version), 35);
    EXPECT_EQ(describe(std::int16_t{-1}).name, "UNKNOWN_SERVER_ERROR");
    EXPECT_EQ(describe(std::int16_t{0}).name, "NONE");
    EXPECT_EQ(describe(std::int16_t{30000}).name, "UNKNOWN");
}

// Proves encoding refuses a non-default value in a field the target version
// lacks, and a null where the version does not allow it.
TEST(Encoding, RefusesWhatTheVersionCannotCarry) {
    HeartbeatRequest heartbeat;
    heartbeat.group_instance_id = "static-member";  // only versions 3+
    wire::writer old_version;
    EXPECT_EQ(heartbeat.encode(old_version, 2), wire::errc::field_not_in_version);
    wire::writer new_version;
    EXPECT_EQ(heartbeat.encode(new_version, 3), wire::errc::ok);

    MetadataRequest metadata;
    metadata.topics.reset();  // null means "all topics", only from v1
    wire::writer v0;
    EXPECT_EQ(metadata.encode(v0, 0), wire::errc::unexpected_null);
    wire::writer v1;
    EXPECT_EQ(metadata.encode(v1, 1), wire::errc::ok);
}

}  // namespace
}  // namespace brook::messages
