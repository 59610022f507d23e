// Kafka's validation rules for topic administration, checked against a real
// brook process with raw requests (the generated codecs) where librdkafka
// validates locally and would never send the request, plus topic-id
// addressing (KIP-516) and connection limits.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "brook/messages/create_topics_request.h"
#include "brook/messages/create_topics_response.h"
#include "brook/messages/delete_topics_request.h"
#include "brook/messages/delete_topics_response.h"
#include "brook/messages/metadata_request.h"
#include "brook/messages/metadata_response.h"
#include "harness.h"

namespace brook::integration {
namespace {

constexpr std::int16_t invalid_topic_exception = 17;
constexpr std::int16_t invalid_partitions = 37;
constexpr std::int16_t invalid_replication_factor = 38;
constexpr std::int16_t invalid_replica_assignment = 39;
constexpr std::int16_t invalid_config = 40;
constexpr std::int16_t unknown_topic_id = 100;

struct raw_create {
    std::string name;
    std::int32_t partitions = 1;
    std::int16_t replication = 1;
    std::vector<std::pair<std::string, std::string>> configs;
    std::vector<std::vector<std::int32_t>> assignments;  // per partition, when given
};

// CreateTopics v7 with one topic; the topic's result (error and message).
std::optional<messages::CreateTopicsResponse::CreatableTopicResult> create_raw(std::uint16_t port,
                                                                              const raw_create& spec) {
    raw_connection connection(port);
    messages::CreateTopicsRequest request;
    request.timeout_ms = 30000;
    auto& topic = request.topics.emplace_back();
    topic.name = spec.name;
    topic.num_partitions = spec.partitions;
    topic.replication_factor = spec.replication;
    for (const auto& [key, value] : spec.configs) {
        auto& config = topic.configs.emplace_back();
        config.name = key;
        config.value = value;
    }
    for (std::size_t p = 0; p < spec.assignments.size(); ++p) {
        auto& assignment = topic.assignments.emplace_back();
        assignment.partition_index = static_cast<std::int32_t>(p);
        assignment.broker_ids = spec.assignments[p];
    }
    const auto response = exchange<messages::CreateTopicsResponse>(connection, request, 7);
    if (!response || response->topics.size() != 1) {
        ADD_FAILURE() << "no CreateTopics result for " << spec.name;
        return std::nullopt;
    }
    return response->topics[0];
}

bool topic_exists(std::uint16_t port, const std::string& name) {
    const auto metadata = fetch_raw_metadata(port);
    return metadata && metadata->find(name) != nullptr;
}

// Proves CreateTopics rejects, with Kafka's error codes and creating nothing:
// 0 and -2 partitions (INVALID_PARTITIONS), replication factor 0
// (INVALID_REPLICATION_FACTOR), a manual assignment naming a broker that does
// not exist (INVALID_REPLICA_ASSIGNMENT), and invalid values for known configs
// (INVALID_CONFIG); and accepts a 249-character name and a valid assignment.
TEST(TopicRules, CreateTopicsValidation) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    const auto port = broker.port();

    struct rejected_case {
        raw_create spec;
        std::int16_t error;
    };
    const std::vector<rejected_case> cases{
        {{"zero-partitions", 0, 1, {}, {}}, invalid_partitions},
        {{"negative-partitions", -2, 1, {}, {}}, invalid_partitions},
        {{"zero-replication", 1, 0, {}, {}}, invalid_replication_factor},
        {{"assigned-to-ghost", -1, -1, {}, {{7}}}, invalid_replica_assignment},
        {{"bad-policy", 1, 1, {{"cleanup.policy", "bogus"}}, {}}, invalid_config},
        {{"bad-retention", 1, 1, {{"retention.ms", "abc"}}, {}}, invalid_config},
        {{"bad-bytes", 1, 1, {{"max.message.bytes", "-5"}}, {}}, invalid_config},
        {{std::string(250, 'n'), 1, 1, {}, {}}, invalid_topic_exception},
    };
    for (const auto& c : cases) {
        const auto result = create_raw(port, c.spec);
        ASSERT_TRUE(result.has_value());
        EXPECT_EQ(result->error_code, c.error)
            << c.spec.name.substr(0, 40) << ": " << result->error_message.value_or("(no message)");
        EXPECT_FALSE(topic_exists(port, c.spec.name)) << c.spec.name.substr(0, 40) << " was created anyway";
    }

    const auto longest = create_raw(port, {std::string(249, 'n'), 1, 1, {}, {}});
    ASSERT_TRUE(longest.has_value());
    EXPECT_EQ(longest->error_code, 0) << longest->error_message.value_or("");

    const auto assigned = create_raw(port, {"assigned", -1, -1, {}, {{1}, {1}}});
    ASSERT_TRUE(assigned.has_value());
    EXPECT_EQ(assigned->error_code, 0) << assigned->error_message.value_or("");
    EXPECT_TRUE(eventually([&] {
        const auto metadata = fetch_raw_metadata(port, std::vector<std::string>{"assigned"});
        return metadata && metadata->find("assigned") && metadata->find("assigned")->partitions == 2;
    }));
}

// Proves a metadata request for an illegal topic name with auto-creation on
// answers INVALID_TOPIC_EXCEPTION and creates nothing.
TEST(TopicRules, AutoCreationRefusesIllegalNames) {
    broker_process broker(broker_options({{"auto.create.topics.enable", "true"}, {"num.partitions", "2"}}));
    ASSERT_TRUE(broker.start());
    const auto asked = fetch_raw_metadata(broker.port(), std::vector<std::string>{"bad name!"}, true);
    ASSERT_TRUE(asked.has_value());
    ASSERT_NE(asked->find("bad name!"), nullptr);
    EXPECT_EQ(asked->find("bad name!")->error, invalid_topic_exception);
    const auto all = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(all.has_value());
    EXPECT_TRUE(all->topics.empty());
}

// Proves topics can be addressed by id (KIP-516): Metadata v12 by id returns
// the topic's name, DeleteTopics v6 by id deletes it, and an unknown id gets
// UNKNOWN_TOPIC_ID from both.
TEST(TopicRules, TopicIdAddressing) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    const auto created = create_raw(broker.port(), {"by-id", 2, 1, {}, {}});
    ASSERT_TRUE(created.has_value());
    ASSERT_EQ(created->error_code, 0);
    const wire::uuid id = created->topic_id;
    ASSERT_FALSE(id.is_zero());

    raw_connection connection(broker.port());
    messages::MetadataRequest by_id;
    auto& wanted = by_id.topics.emplace().emplace_back();
    wanted.topic_id = id;
    wanted.name.reset();
    by_id.allow_auto_topic_creation = false;
    std::optional<messages::MetadataResponse> found;
    ASSERT_TRUE(eventually([&] {
        found = exchange<messages::MetadataResponse>(connection, by_id, 12, 11);
        return !found || (found->topics.size() == 1 && found->topics[0].error_code == 0);
    }));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->topics[0].name.value_or("(null)"), "by-id");
    EXPECT_EQ(found->topics[0].topic_id, id);
    EXPECT_EQ(found->topics[0].partitions.size(), 2u);

    wire::uuid ghost = id;
    ghost.value[0] ^= 0x5a;
    messages::MetadataRequest by_ghost;
    auto& missing = by_ghost.topics.emplace().emplace_back();
    missing.topic_id = ghost;
    missing.name.reset();
    by_ghost.allow_auto_topic_creation = false;
    const auto unknown = exchange<messages::MetadataResponse>(connection, by_ghost, 12, 12);
    ASSERT_TRUE(unknown.has_value());
    ASSERT_EQ(unknown->topics.size(), 1u);
    EXPECT_EQ(unknown->topics[0].error_code, unknown_topic_id);

    messages::DeleteTopicsRequest remove;
    remove.timeout_ms = 30000;
    auto& ghost_state = remove.topics.emplace_back();
    ghost_state.topic_id = ghost;
    auto& state = remove.topics.emplace_back();
    state.topic_id = id;
    const auto deleted = exchange<messages::DeleteTopicsResponse>(connection, remove, 6, 13);
    ASSERT_TRUE(deleted.has_value());
    ASSERT_EQ(deleted->responses.size(), 2u);
    for (const auto& result : deleted->responses) {
        if (result.topic_id == ghost) {
            EXPECT_EQ(result.error_code, unknown_topic_id);
        } else {
            EXPECT_EQ(result.topic_id, id);
            EXPECT_EQ(result.error_code, 0) << result.error_message.value_or("");
            EXPECT_EQ(result.name.value_or("(null)"), "by-id");
        }
    }
    EXPECT_TRUE(eventually([&] { return !topic_exists(broker.port(), "by-id"); }));
}

// Proves concurrent CreateTopics for one name from 8 connections (spread over
// both shards) creates it exactly once: one NO_ERROR, the rest
// TOPIC_ALREADY_EXISTS, and a single topic id; distinct names created
// concurrently all succeed.
TEST(TopicRules, ConcurrentCreatesOfOneNameSucceedOnce) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    constexpr int writers = 8;
    std::vector<std::int16_t> same(writers, -1);
    std::vector<std::int16_t> distinct(writers, -1);
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < writers; ++i) {
            threads.emplace_back([&, i] {
                raw_connection connection(broker.port());
                for (const bool shared : {true, false}) {
                    messages::CreateTopicsRequest request;
                    request.timeout_ms = 30000;
                    auto& topic = request.topics.emplace_back();
                    topic.name = shared ? std::string("contended") : "own-" + std::to_string(i);
                    topic.num_partitions = 3;
                    topic.replication_factor = 1;
                    wire::bytes frame = encode_request(request, 7, shared ? 1 : 2);
                    if (!connection.send_frame(frame)) return;
                    const auto answer = connection.read_frame();
                    if (!answer) return;
                    wire::reader in(*answer);
                    messages::ResponseHeader header;
                    messages::CreateTopicsResponse response;
                    if (header.decode(in, 1) != wire::errc::ok || response.decode(in, 7) != wire::errc::ok ||
                        response.topics.size() != 1) {
                        return;
                    }
                    (shared ? same : distinct)[static_cast<std::size_t>(i)] = response.topics[0].error_code;
                }
            });
        }
        for (auto& thread : threads) thread.join();
    }
    constexpr std::int16_t topic_already_exists = 36;
    EXPECT_EQ(std::count(same.begin(), same.end(), 0), 1) << ::testing::PrintToString(same);
    EXPECT_EQ(std::count(same.begin(), same.end(), topic_already_exists), writers - 1)
        << ::testing::PrintToString(same);
    EXPECT_EQ(std::count(distinct.begin(), distinct.end(), 0), writers) << ::testing::PrintToString(distinct);

    const auto metadata = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(metadata.has_value());
    EXPECT_EQ(metadata->topics.size(), static_cast<std::size_t>(writers + 1));
    ASSERT_NE(metadata->find("contended"), nullptr);
    EXPECT_EQ(metadata->find("contended")->partitions, 3u);
}

// Proves deletions and partition additions are replayed after kill -9: a
// deleted topic stays deleted, a recreated one keeps its new id, a grown one
// keeps its new count.
TEST(TopicRules, DeletionsSurviveKill9) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    {
        admin_client admin(broker.bootstrap());
        ASSERT_EQ(admin.create_topics({{"gone", 1, 1}, {"reborn", 1, 1}, {"grown", 1, 1}}).error,
                  RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(eventually([&] {
            const auto m = fetch_raw_metadata(broker.port());
            return m && m->topics.size() == 3;
        }));
        ASSERT_EQ(admin.delete_topics({"gone", "reborn"}).error, RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(eventually([&] {
            const auto m = fetch_raw_metadata(broker.port());
            return m && m->topics.size() == 1;
        }));
        ASSERT_TRUE(eventually([&] {
            return admin.create_topic({"reborn", 2, 1}).topics.at(0).error == RD_KAFKA_RESP_ERR_NO_ERROR;
        }));
        ASSERT_EQ(admin.create_partitions("grown", 3).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    std::optional<raw_metadata> before;
    ASSERT_TRUE(eventually([&] {
        before = fetch_raw_metadata(broker.port());
        return before && before->topics.size() == 2 && before->find("grown") &&
               before->find("grown")->partitions == 3 && before->find("reborn");
    }));
    broker.kill9();
    ASSERT_TRUE(broker.start());
    const auto after = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->find("gone"), nullptr);
    ASSERT_NE(after->find("reborn"), nullptr);
    EXPECT_EQ(after->find("reborn")->id, before->find("reborn")->id);
    EXPECT_EQ(after->find("reborn")->partitions, 2u);
    ASSERT_NE(after->find("grown"), nullptr);
    EXPECT_EQ(after->find("grown")->partitions, 3u);
    EXPECT_EQ(after->topics.size(), 2u);
}

// Proves connections.max.idle.ms closes a connection that sends nothing,
// while a client that keeps talking is still served.
TEST(Connections, IdleConnectionsAreClosed) {
    broker_process broker(broker_options(std::map<std::string, std::string>{{"connections.max.idle.ms", "1000"}}));
    ASSERT_TRUE(broker.start());
    raw_connection idle(broker.port());
    ASSERT_TRUE(idle.connected());
    EXPECT_TRUE(idle.wait_closed());
    const auto metadata = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(metadata.has_value());
    EXPECT_EQ(metadata->controller_id, 1);
}

}  // namespace
}  // namespace brook::integration
