// Single-node cluster tests against a real brook process: metadata, topic
// administration through librdkafka's admin API, auto-creation, restarts
// (SIGTERM and kill -9), startup configuration errors and hostile input.

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <string>

#include "brook/messages/api_versions_request.h"
#include "brook/messages/api_versions_response.h"
#include "harness.h"

namespace brook::integration {
namespace {

// Kafka error codes the raw-socket tests check.
constexpr std::int16_t unknown_topic_or_partition = 3;
constexpr std::int16_t unsupported_version = 35;

// Waits until librdkafka's metadata shows `topic` with `partitions`
// partitions and no errors; returns the last metadata seen.
cluster_metadata await_topic(rd_kafka_t* client, const std::string& topic, std::size_t partitions) {
    cluster_metadata last;
    eventually([&] {
        last = fetch_metadata(client);
        const topic_info* found = last.find(topic);
        if (found == nullptr || found->error != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
        if (found->partitions.size() != partitions) return false;
        return std::all_of(found->partitions.begin(), found->partitions.end(),
                           [](const partition_info& p) { return p.error == RD_KAFKA_RESP_ERR_NO_ERROR; });
    });
    return last;
}

// Waits until librdkafka's all-topics metadata no longer lists `topic`.
bool await_topic_gone(rd_kafka_t* client, const std::string& topic) {
    return eventually([&] {
        const auto metadata = fetch_metadata(client);
        return metadata.error == RD_KAFKA_RESP_ERR_NO_ERROR && metadata.find(topic) == nullptr;
    });
}

void expect_led_by_broker_1(const topic_info& topic) {
    for (const auto& partition : topic.partitions) {
        EXPECT_EQ(partition.leader, 1) << topic.name << "-" << partition.id;
        EXPECT_EQ(partition.replicas, std::vector<std::int32_t>{1}) << topic.name << "-" << partition.id;
        EXPECT_EQ(partition.isrs, std::vector<std::int32_t>{1}) << topic.name << "-" << partition.id;
    }
    std::vector<std::int32_t> ids;
    for (const auto& partition : topic.partitions) ids.push_back(partition.id);
    std::sort(ids.begin(), ids.end());
    for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], static_cast<std::int32_t>(i)) << topic.name;
}

// A librdkafka client on its own connection still gets full metadata.
void expect_client_served(rd_kafka_t* client, const broker_process& broker) {
    const auto metadata = fetch_metadata(client);
    ASSERT_EQ(metadata.error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(metadata.error);
    ASSERT_EQ(metadata.brokers.size(), 1u);
    EXPECT_EQ(metadata.brokers[0].id, 1);
    EXPECT_EQ(metadata.brokers[0].port, broker.port());
}

// A fresh raw connection gets a well-formed ApiVersions v3 answer.
void expect_api_versions_served(std::uint16_t port) {
    raw_connection connection(port);
    ASSERT_TRUE(connection.connected());
    messages::ApiVersionsRequest request;
    request.client_software_name = "brook-integration";
    request.client_software_version = "1";
    const auto response = exchange<messages::ApiVersionsResponse>(connection, request, 3);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->error_code, 0);
    EXPECT_FALSE(response->api_keys.empty());
}

wire::bytes as_bytes(std::string_view text) { return wire::bytes(text.begin(), text.end()); }

// ---------------------------------------------------------------------------
// Metadata

// Proves a librdkafka client (what `kcat -L` does) sees exactly one broker,
// node 1 at the advertised 127.0.0.1:<port>, answering itself, with node 1
// as the controller; DescribeCluster agrees and Metadata v12 carries the same
// cluster id.
TEST(Metadata, SingleBrokerAtAdvertisedAddressIsController) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    auto client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER);
    ASSERT_TRUE(client);

    const auto metadata = fetch_metadata(client.get());
    ASSERT_EQ(metadata.error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(metadata.error);
    ASSERT_EQ(metadata.brokers.size(), 1u);
    EXPECT_EQ(metadata.brokers[0].id, 1);
    EXPECT_EQ(metadata.brokers[0].host, "127.0.0.1");
    EXPECT_EQ(metadata.brokers[0].port, broker.port());
    EXPECT_EQ(metadata.answering_broker, 1);
    EXPECT_TRUE(metadata.topics.empty());
    EXPECT_EQ(rd_kafka_controllerid(client.get(), static_cast<int>(request_timeout.count())), 1);

    const auto cluster = describe_cluster(broker.port());
    ASSERT_TRUE(cluster.has_value());
    EXPECT_EQ(cluster->error, 0);
    EXPECT_EQ(cluster->controller_id, 1);
    ASSERT_EQ(cluster->brokers.size(), 1u);
    EXPECT_EQ(cluster->brokers[0].id, 1);
    EXPECT_EQ(cluster->brokers[0].host, "127.0.0.1");
    EXPECT_EQ(cluster->brokers[0].port, broker.port());
    EXPECT_FALSE(cluster->cluster_id.empty());

    const auto raw = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->cluster_id, cluster->cluster_id);
    EXPECT_EQ(raw->controller_id, 1);
}

// ---------------------------------------------------------------------------
// CreateTopics

// Proves CreateTopics through librdkafka's admin API creates a 3-partition
// topic that metadata then shows with 3 partitions, each led by broker 1 with
// replicas and ISR {1}, and that a valid topic config is accepted.
TEST(CreateTopics, ThreePartitionsLedByBroker1) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    const auto created = admin.create_topic({"orders", 3, 1});
    ASSERT_EQ(created.error, RD_KAFKA_RESP_ERR_NO_ERROR) << created.message;
    ASSERT_EQ(created.topics.size(), 1u);
    EXPECT_EQ(created.topics[0].name, "orders");
    EXPECT_EQ(created.topics[0].error, RD_KAFKA_RESP_ERR_NO_ERROR) << created.topics[0].message;

    const auto metadata = await_topic(admin.handle(), "orders", 3);
    const topic_info* topic = metadata.find("orders");
    ASSERT_NE(topic, nullptr);
    ASSERT_EQ(topic->partitions.size(), 3u);
    expect_led_by_broker_1(*topic);

    const auto compacted = admin.create_topic({"compacted", 1, 1, {{"cleanup.policy", "compact"}}});
    ASSERT_EQ(compacted.topics.size(), 1u);
    EXPECT_EQ(compacted.topics[0].error, RD_KAFKA_RESP_ERR_NO_ERROR) << compacted.topics[0].message;
    EXPECT_TRUE(await_topic(admin.handle(), "compacted", 1).has_topic("compacted"));
}

// Proves creating an existing topic fails with TOPIC_ALREADY_EXISTS and
// Kafka's exact message, and leaves the topic as it was.
TEST(CreateTopics, ExistingTopicIsRejectedWithKafkasMessage) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    ASSERT_EQ(admin.create_topic({"x", 2, 1}).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    const auto again = admin.create_topic({"x", 5, 1});
    ASSERT_EQ(again.error, RD_KAFKA_RESP_ERR_NO_ERROR) << again.message;
    ASSERT_EQ(again.topics.size(), 1u);
    EXPECT_EQ(again.topics[0].error, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        << rd_kafka_err2name(again.topics[0].error);
    EXPECT_EQ(again.topics[0].message, "Topic 'x' already exists.");

    const auto metadata = await_topic(admin.handle(), "x", 2);
    ASSERT_TRUE(metadata.has_topic("x"));
    EXPECT_EQ(metadata.find("x")->partitions.size(), 2u);
}

// Proves illegal topic names (bad characters, ".", "..", longer than 249
// characters) are rejected with INVALID_TOPIC_EXCEPTION and nothing is created.
TEST(CreateTopics, InvalidNamesAreRejected) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    const std::vector<std::string> names{"bad name!", "..", ".", std::string(250, 'a'), "sl/ash"};
    for (const auto& name : names) {
        const auto result = admin.create_topic({name, 1, 1});
        ASSERT_EQ(result.error, RD_KAFKA_RESP_ERR_NO_ERROR) << name << ": " << result.message;
        ASSERT_EQ(result.topics.size(), 1u) << name;
        EXPECT_EQ(result.topics[0].error, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION)
            << "'" << name << "': " << rd_kafka_err2name(result.topics[0].error) << " " << result.topics[0].message;
    }
    const auto metadata = fetch_metadata(admin.handle());
    ASSERT_EQ(metadata.error, RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_TRUE(metadata.topics.empty());
}

// Proves a replication factor larger than the number of brokers (3 on one
// node) fails with INVALID_REPLICATION_FACTOR and creates nothing.
TEST(CreateTopics, ReplicationFactorAboveBrokerCountIsRejected) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    const auto result = admin.create_topic({"replicated", 1, 3});
    ASSERT_EQ(result.error, RD_KAFKA_RESP_ERR_NO_ERROR) << result.message;
    ASSERT_EQ(result.topics.size(), 1u);
    EXPECT_EQ(result.topics[0].error, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR)
        << rd_kafka_err2name(result.topics[0].error) << " " << result.topics[0].message;
    EXPECT_FALSE(result.topics[0].message.empty());
    EXPECT_EQ(fetch_metadata(admin.handle()).find("replicated"), nullptr);
}

// Proves an unknown topic config name fails with INVALID_CONFIG and creates nothing.
TEST(CreateTopics, UnknownConfigIsRejected) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    const auto result = admin.create_topic({"configured", 1, 1, {{"no.such.topic.config", "1"}}});
    ASSERT_EQ(result.error, RD_KAFKA_RESP_ERR_NO_ERROR) << result.message;
    ASSERT_EQ(result.topics.size(), 1u);
    EXPECT_EQ(result.topics[0].error, RD_KAFKA_RESP_ERR_INVALID_CONFIG)
        << rd_kafka_err2name(result.topics[0].error) << " " << result.topics[0].message;
    EXPECT_EQ(fetch_metadata(admin.handle()).find("configured"), nullptr);
}

// Proves validate_only checks a request without creating anything: a valid
// one answers NO_ERROR yet the topic does not exist (and can be created for
// real afterwards), an invalid one still reports its error.
TEST(CreateTopics, ValidateOnlyCreatesNothing) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    const auto dry = admin.create_topic({"dryrun", 2, 1}, /*validate_only=*/true);
    ASSERT_EQ(dry.error, RD_KAFKA_RESP_ERR_NO_ERROR) << dry.message;
    ASSERT_EQ(dry.topics.size(), 1u);
    EXPECT_EQ(dry.topics[0].error, RD_KAFKA_RESP_ERR_NO_ERROR) << dry.topics[0].message;
    const auto after_dry_run = fetch_metadata(admin.handle());
    ASSERT_EQ(after_dry_run.error, RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(after_dry_run.find("dryrun"), nullptr);

    const auto invalid = admin.create_topic({"dryrun", 2, 3}, /*validate_only=*/true);
    ASSERT_EQ(invalid.topics.size(), 1u);
    EXPECT_EQ(invalid.topics[0].error, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR)
        << rd_kafka_err2name(invalid.topics[0].error);

    const auto real = admin.create_topic({"dryrun", 2, 1});
    ASSERT_EQ(real.topics.size(), 1u);
    EXPECT_EQ(real.topics[0].error, RD_KAFKA_RESP_ERR_NO_ERROR) << real.topics[0].message;
    EXPECT_TRUE(await_topic(admin.handle(), "dryrun", 2).has_topic("dryrun"));
}

// Proves partitions and replication factor of -1 take the broker defaults
// (num.partitions=3, default.replication.factor=1).
TEST(CreateTopics, MinusOneUsesBrokerDefaults) {
    broker_process broker(broker_options({{"num.partitions", "3"}, {"default.replication.factor", "1"}}));
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    const auto result = admin.create_topic({"defaults", -1, -1});
    ASSERT_EQ(result.error, RD_KAFKA_RESP_ERR_NO_ERROR) << result.message;
    ASSERT_EQ(result.topics.size(), 1u);
    EXPECT_EQ(result.topics[0].error, RD_KAFKA_RESP_ERR_NO_ERROR) << result.topics[0].message;
    const auto metadata = await_topic(admin.handle(), "defaults", 3);
    ASSERT_TRUE(metadata.has_topic("defaults"));
    expect_led_by_broker_1(*metadata.find("defaults"));
}

// Proves a name that collides with an existing topic once '.' and '_' are
// treated alike ("a.b" vs "a_b", as Kafka's metrics would) is rejected with
// INVALID_TOPIC_EXCEPTION, as Kafka does.
TEST(CreateTopics, NameCollidingOnDotAndUnderscoreIsRejected) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    ASSERT_EQ(admin.create_topic({"a.b", 1, 1}).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    const auto result = admin.create_topic({"a_b", 1, 1});
    ASSERT_EQ(result.topics.size(), 1u);
    EXPECT_EQ(result.topics[0].error, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION)
        << rd_kafka_err2name(result.topics[0].error) << " " << result.topics[0].message;
}

// ---------------------------------------------------------------------------
// DeleteTopics

// Proves a deleted topic disappears from metadata (all-topics listing, and
// UNKNOWN_TOPIC_OR_PARTITION when asked for by name) while others remain.
TEST(DeleteTopics, DeletedTopicDisappearsFromMetadata) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    ASSERT_EQ(admin.create_topics({{"doomed", 2, 1}, {"kept", 1, 1}}).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(await_topic(admin.handle(), "doomed", 2).has_topic("doomed"));

    const auto deleted = admin.delete_topics({"doomed"});
    ASSERT_EQ(deleted.error, RD_KAFKA_RESP_ERR_NO_ERROR) << deleted.message;
    ASSERT_EQ(deleted.topics.size(), 1u);
    EXPECT_EQ(deleted.topics[0].error, RD_KAFKA_RESP_ERR_NO_ERROR) << deleted.topics[0].message;

    EXPECT_TRUE(await_topic_gone(admin.handle(), "doomed"));
    EXPECT_TRUE(fetch_metadata(admin.handle()).has_topic("kept"));
    const auto raw = fetch_raw_metadata(broker.port(), std::vector<std::string>{"doomed"});
    ASSERT_TRUE(raw.has_value());
    ASSERT_NE(raw->find("doomed"), nullptr);
    EXPECT_EQ(raw->find("doomed")->error, unknown_topic_or_partition);
}

// Proves deleting a topic that does not exist fails with UNKNOWN_TOPIC_OR_PARTITION.
TEST(DeleteTopics, UnknownTopicIsRejected) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    const auto result = admin.delete_topics({"never-created"});
    ASSERT_EQ(result.error, RD_KAFKA_RESP_ERR_NO_ERROR) << result.message;
    ASSERT_EQ(result.topics.size(), 1u);
    EXPECT_EQ(result.topics[0].error, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        << rd_kafka_err2name(result.topics[0].error) << " " << result.topics[0].message;
}

// Proves a topic deleted and created again under the same name is a new
// topic: a different topic id and the new partition count.
TEST(DeleteTopics, RecreatedTopicGetsANewId) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    ASSERT_EQ(admin.create_topic({"phoenix", 2, 1}).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(await_topic(admin.handle(), "phoenix", 2).has_topic("phoenix"));
    const auto first = fetch_raw_metadata(broker.port(), std::vector<std::string>{"phoenix"});
    ASSERT_TRUE(first.has_value() && first->find("phoenix") != nullptr);

    ASSERT_EQ(admin.delete_topics({"phoenix"}).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(await_topic_gone(admin.handle(), "phoenix"));
    // Deletion may still be finishing; Kafka answers TOPIC_ALREADY_EXISTS
    // (or a retriable error) meanwhile, so retry until the creation succeeds.
    admin_result again;
    ASSERT_TRUE(eventually([&] {
        again = admin.create_topic({"phoenix", 3, 1});
        return again.topics.size() == 1 && again.topics[0].error == RD_KAFKA_RESP_ERR_NO_ERROR;
    })) << (again.topics.empty() ? again.message : again.topics[0].message);
    ASSERT_TRUE(await_topic(admin.handle(), "phoenix", 3).has_topic("phoenix"));
    const auto second = fetch_raw_metadata(broker.port(), std::vector<std::string>{"phoenix"});
    ASSERT_TRUE(second.has_value() && second->find("phoenix") != nullptr);
    EXPECT_NE(second->find("phoenix")->id, first->find("phoenix")->id);
    EXPECT_EQ(second->find("phoenix")->partitions, 3u);
}

// ---------------------------------------------------------------------------
// CreatePartitions

// Proves CreatePartitions grows a topic from 2 to 5 partitions: metadata
// shows partitions 0-4, all led by broker 1, under the same topic id.
TEST(CreatePartitions, GrowsTwoToFive) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    ASSERT_EQ(admin.create_topic({"growing", 2, 1}).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(await_topic(admin.handle(), "growing", 2).has_topic("growing"));
    const auto before = fetch_raw_metadata(broker.port(), std::vector<std::string>{"growing"});
    ASSERT_TRUE(before.has_value() && before->find("growing") != nullptr);

    const auto grown = admin.create_partitions("growing", 5);
    ASSERT_EQ(grown.error, RD_KAFKA_RESP_ERR_NO_ERROR) << grown.message;
    ASSERT_EQ(grown.topics.size(), 1u);
    EXPECT_EQ(grown.topics[0].error, RD_KAFKA_RESP_ERR_NO_ERROR) << grown.topics[0].message;

    const auto metadata = await_topic(admin.handle(), "growing", 5);
    const topic_info* topic = metadata.find("growing");
    ASSERT_NE(topic, nullptr);
    ASSERT_EQ(topic->partitions.size(), 5u);
    expect_led_by_broker_1(*topic);

    const auto after = fetch_raw_metadata(broker.port(), std::vector<std::string>{"growing"});
    ASSERT_TRUE(after.has_value() && after->find("growing") != nullptr);
    EXPECT_EQ(after->find("growing")->id, before->find("growing")->id);
}

// Proves CreatePartitions refuses to shrink a topic or keep its count
// (INVALID_PARTITIONS) and reports an unknown topic as
// UNKNOWN_TOPIC_OR_PARTITION, leaving the topic unchanged.
TEST(CreatePartitions, ShrinkSameCountAndUnknownTopicAreRejected) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    admin_client admin(broker.bootstrap());

    ASSERT_EQ(admin.create_topic({"fixed", 3, 1}).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(await_topic(admin.handle(), "fixed", 3).has_topic("fixed"));

    for (const int total : {2, 3}) {
        const auto result = admin.create_partitions("fixed", total);
        ASSERT_EQ(result.topics.size(), 1u) << result.message;
        EXPECT_EQ(result.topics[0].error, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS)
            << total << ": " << rd_kafka_err2name(result.topics[0].error) << " " << result.topics[0].message;
    }
    const auto unknown = admin.create_partitions("no-such-topic", 4);
    ASSERT_EQ(unknown.topics.size(), 1u) << unknown.message;
    EXPECT_EQ(unknown.topics[0].error, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        << rd_kafka_err2name(unknown.topics[0].error) << " " << unknown.topics[0].message;

    const auto metadata = fetch_metadata(admin.handle());
    ASSERT_TRUE(metadata.has_topic("fixed"));
    EXPECT_EQ(metadata.find("fixed")->partitions.size(), 3u);
}

// ---------------------------------------------------------------------------
// Auto-creation

// Proves that with auto.create.topics.enable=true a metadata request for a
// missing topic (librdkafka producer, allow.auto.create.topics=true) creates
// it with num.partitions (4) partitions, all led by broker 1.
TEST(AutoCreate, MetadataRequestCreatesTopicWithNumPartitions) {
    broker_process broker(broker_options({{"auto.create.topics.enable", "true"}, {"num.partitions", "4"}}));
    ASSERT_TRUE(broker.start());
    auto client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER, {{"allow.auto.create.topics", "true"}});
    ASSERT_TRUE(client);

    // Kafka may answer the first request with LEADER_NOT_AVAILABLE while the
    // topic is being created; ask again until it is there.
    cluster_metadata asked;
    const bool created = eventually([&] {
        asked = fetch_metadata(client.get(), std::string("auto-topic"));
        const topic_info* topic = asked.find("auto-topic");
        return topic != nullptr && topic->error == RD_KAFKA_RESP_ERR_NO_ERROR && topic->partitions.size() == 4;
    });
    ASSERT_TRUE(created) << "auto-topic: "
                         << (asked.find("auto-topic") ? rd_kafka_err2name(asked.find("auto-topic")->error)
                                                      : "absent");
    const auto all = await_topic(client.get(), "auto-topic", 4);
    ASSERT_TRUE(all.has_topic("auto-topic"));
    expect_led_by_broker_1(*all.find("auto-topic"));
}

// Proves that with auto.create.topics.enable=false the same request reports
// UNKNOWN_TOPIC_OR_PARTITION and creates nothing, even when the client allows
// auto-creation.
TEST(AutoCreate, DisabledReportsUnknownAndCreatesNothing) {
    broker_process broker(broker_options({{"auto.create.topics.enable", "false"}, {"num.partitions", "4"}}));
    ASSERT_TRUE(broker.start());
    auto client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER, {{"allow.auto.create.topics", "true"}});
    ASSERT_TRUE(client);

    const auto asked = fetch_metadata(client.get(), std::string("not-auto"));
    ASSERT_EQ(asked.error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(asked.error);
    ASSERT_NE(asked.find("not-auto"), nullptr);
    EXPECT_EQ(asked.find("not-auto")->error, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        << rd_kafka_err2name(asked.find("not-auto")->error);

    const auto raw = fetch_raw_metadata(broker.port(), std::vector<std::string>{"not-auto"}, true);
    ASSERT_TRUE(raw.has_value());
    ASSERT_NE(raw->find("not-auto"), nullptr);
    EXPECT_EQ(raw->find("not-auto")->error, unknown_topic_or_partition);

    const auto all = fetch_metadata(client.get());
    ASSERT_EQ(all.error, RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(all.find("not-auto"), nullptr);
}

// ---------------------------------------------------------------------------
// Restarts

std::map<std::string, std::pair<wire::uuid, std::size_t>> identities(const raw_metadata& metadata) {
    std::map<std::string, std::pair<wire::uuid, std::size_t>> out;
    for (const auto& topic : metadata.topics) {
        EXPECT_EQ(topic.error, 0) << topic.name;
        EXPECT_FALSE(topic.id.is_zero()) << topic.name;
        out[topic.name] = {topic.id, topic.partitions};
    }
    return out;
}

// Proves topics survive a clean SIGTERM restart: brook exits 0, comes back on
// the same ports and data dir, and reports the same topic ids, partition
// counts and cluster id.
TEST(Restart, SigtermKeepsTopicsAndIds) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    {
        admin_client admin(broker.bootstrap());
        ASSERT_EQ(admin.create_topics({{"alpha", 3, 1}, {"beta", 1, 1}}).error, RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(await_topic(admin.handle(), "alpha", 3).has_topic("alpha"));
        ASSERT_TRUE(await_topic(admin.handle(), "beta", 1).has_topic("beta"));
    }
    const auto before = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(before.has_value());
    ASSERT_EQ(before->topics.size(), 2u);

    ASSERT_TRUE(broker.stop());
    EXPECT_EQ(broker.exit_code(), 0);
    ASSERT_TRUE(broker.start());

    const auto after = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(identities(*after), identities(*before));
    EXPECT_EQ(after->cluster_id, before->cluster_id);
    auto client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER);
    const auto metadata = await_topic(client.get(), "alpha", 3);
    EXPECT_TRUE(metadata.has_topic("beta"));
}

// Proves acknowledged metadata changes survive kill -9: topics created and
// partitions added before the kill are there afterwards with the same ids and
// partition counts, and the broker keeps accepting changes after recovery.
TEST(Restart, Kill9KeepsAcknowledgedTopics) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    {
        admin_client admin(broker.bootstrap());
        ASSERT_EQ(admin.create_topics({{"alpha", 3, 1}, {"beta", 2, 1}}).error, RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(await_topic(admin.handle(), "beta", 2).has_topic("beta"));
        ASSERT_EQ(admin.create_partitions("beta", 4).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(await_topic(admin.handle(), "beta", 4).has_topic("beta"));
    }
    const auto before = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(before.has_value());
    ASSERT_EQ(before->topics.size(), 2u);

    broker.kill9();
    EXPECT_EQ(broker.exit_code(), 128 + SIGKILL);
    ASSERT_TRUE(broker.start());

    const auto after = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(identities(*after), identities(*before));
    EXPECT_EQ(after->cluster_id, before->cluster_id);

    // Still writable after recovery, and that change also survives a kill -9.
    {
        admin_client admin(broker.bootstrap());
        ASSERT_EQ(admin.create_topic({"gamma", 2, 1}).topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(await_topic(admin.handle(), "gamma", 2).has_topic("gamma"));
    }
    const auto with_gamma = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(with_gamma.has_value());
    broker.kill9();
    ASSERT_TRUE(broker.restart());
    const auto final_state = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(final_state.has_value());
    EXPECT_EQ(identities(*final_state), identities(*with_gamma));
}

// Proves SIGTERM shuts brook down cleanly (exit code 0, within the bounded
// wait) while clients still hold open connections, and it restarts on the
// same ports.
TEST(Restart, SigtermWithConnectedClientsExitsCleanly) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    auto client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER);
    expect_client_served(client.get(), broker);
    raw_connection idle(broker.port());
    ASSERT_TRUE(idle.connected());
    raw_connection half_frame(broker.port());
    ASSERT_TRUE(half_frame.connected());
    half_frame.send_raw(wire::bytes{0x00, 0x00, 0x00, 0x40, 0x00, 0x12});  // a frame that never completes

    ASSERT_TRUE(broker.stop());
    EXPECT_TRUE(idle.wait_closed());
    ASSERT_TRUE(broker.start());
    expect_client_served(client.get(), broker);
}

// ---------------------------------------------------------------------------
// Startup configuration

// Proves a malformed value (num.partitions=abc) stops brook before it
// serves: exit code 1 and an "invalid configuration" message naming the key.
TEST(Startup, BadValueExitsWithCode1NamingTheKey) {
    broker_process broker(broker_options(std::map<std::string, std::string>{{"num.partitions", "abc"}}, /*wait=*/false));
    ASSERT_TRUE(broker.start());
    const auto code = broker.wait_for_exit(startup_timeout);
    ASSERT_TRUE(code.has_value()) << "brook kept running with num.partitions=abc; log:\n" << broker.log_tail();
    EXPECT_EQ(*code, 1);
    const std::string log = broker.log();
    EXPECT_NE(log.find("brook: invalid configuration"), std::string::npos) << log;
    EXPECT_NE(log.find("num.partitions"), std::string::npos) << log;
    EXPECT_EQ(log.find("started: node"), std::string::npos) << log;
}

// Proves a listener port already in use stops brook with a readable message
// and exit code 1 (it used to die of an uncaught exception, or hang
// waiting for a listener that never started).
TEST(Startup, PortInUseExitsWithCode1NamingTheListener) {
    broker_process first;
    ASSERT_TRUE(first.start());
    const auto controller = pick_free_port();
    broker_process second(broker_options(
        std::map<std::string, std::string>{
            {"listeners", "PLAINTEXT://127.0.0.1:" + std::to_string(first.port()) +
                              ",CONTROLLER://127.0.0.1:" + std::to_string(controller)},
            {"advertised.listeners", "PLAINTEXT://127.0.0.1:" + std::to_string(first.port())},
            {"controller.quorum.voters", "1@127.0.0.1:" + std::to_string(controller)}},
        /*wait=*/false));
    ASSERT_TRUE(second.start());
    const auto code = second.wait_for_exit(startup_timeout);
    ASSERT_TRUE(code.has_value()) << "brook kept running on a taken port; log:\n" << second.log_tail();
    EXPECT_EQ(*code, 1) << second.log_tail();
    const std::string log = second.log();
    EXPECT_NE(log.find("cannot listen on PLAINTEXT://127.0.0.1:" + std::to_string(first.port()) +
                       ": Address already in use"),
              std::string::npos)
        << log;
    EXPECT_EQ(log.find("terminate called"), std::string::npos) << log;
    EXPECT_TRUE(first.running());
}

// Proves an unknown key is only a warning: brook starts, serves metadata and
// its log names the key.
TEST(Startup, UnknownKeyOnlyWarns) {
    broker_process broker(broker_options(std::map<std::string, std::string>{{"no.such.broker.key", "42"}}));
    ASSERT_TRUE(broker.start());
    auto client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER);
    expect_client_served(client.get(), broker);
    EXPECT_TRUE(eventually([&] { return broker.log().find("started: node 1") != std::string::npos; }))
        << broker.log_tail();
    const std::string log = broker.log();
    EXPECT_NE(log.find("no.such.broker.key"), std::string::npos) << log;
    EXPECT_NE(log.find("warn"), std::string::npos) << log;
}

}  // namespace

// ---------------------------------------------------------------------------
// Hostile input on one connection (outside the anonymous namespace: GoogleTest
// fixtures there trip -Wunused-function)

class HostileInput : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(broker.start());
        client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER);
        ASSERT_TRUE(client);
        // The librdkafka client is connected before the hostile connection.
        expect_client_served(client.get(), broker);
    }
    // The other connection, and new ones, are still served.
    void expect_others_unaffected() {
        expect_client_served(client.get(), broker);
        expect_api_versions_served(broker.port());
        EXPECT_TRUE(broker.running()) << broker.log_tail();
    }

    broker_process broker{broker_options(std::map<std::string, std::string>{{"socket.request.max.bytes", "1048576"}})};
    kafka_handle client;
};

// Proves bytes that are not Kafka framing (an HTTP request, whose first four
// bytes read as a ~1.2 GB size; a negative size; a frame too short for a
// request header) close only that connection.
TEST_F(HostileInput, GarbageBytesCloseOnlyThatConnection) {
    {
        raw_connection http(broker.port());
        ASSERT_TRUE(http.connected());
        http.send_raw(as_bytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        EXPECT_TRUE(http.wait_closed());
    }
    {
        raw_connection negative(broker.port());
        ASSERT_TRUE(negative.connected());
        negative.send_raw(wire::bytes{0xff, 0xff, 0xff, 0xfe, 0x01, 0x02});
        EXPECT_TRUE(negative.wait_closed());
    }
    {
        raw_connection short_frame(broker.port());
        ASSERT_TRUE(short_frame.connected());
        short_frame.send_frame(wire::bytes{0x00, 0x12, 0x00});
        EXPECT_TRUE(short_frame.wait_closed());
    }
    expect_others_unaffected();
}

// Proves a frame larger than socket.request.max.bytes (1 MiB here) is refused
// by closing that connection without reading the body.
TEST_F(HostileInput, OversizedFrameClosesOnlyThatConnection) {
    raw_connection big(broker.port());
    ASSERT_TRUE(big.connected());
    wire::writer header;
    header.write_int32(1048576 + 1);
    // The start of an ApiVersions request; the rest never comes.
    header.write_int16(18);
    header.write_int16(3);
    header.write_int32(1);
    big.send_raw(header.view());
    EXPECT_TRUE(big.wait_closed());
    expect_others_unaffected();
}

// Proves KIP-511: ApiVersions at a version the broker does not know gets a v0
// response with UNSUPPORTED_VERSION (35) and the ApiVersions range it does
// serve, and the connection stays usable for a supported version.
TEST_F(HostileInput, UnsupportedApiVersionsVersionGetsV0Error35) {
    raw_connection connection(broker.port());
    ASSERT_TRUE(connection.connected());
    wire::writer request;
    request.write_int16(18);     // ApiVersions
    request.write_int16(999);    // a version nobody serves
    request.write_int32(4242);   // correlation id
    request.write_int16(4);      // client id
    request.write_text("test");
    request.write_int8(0);       // empty tagged fields; the body is unknown anyway
    ASSERT_TRUE(connection.send_frame(request.view()));

    const auto frame = connection.read_frame();
    ASSERT_TRUE(frame.has_value()) << "no answer; log:\n" << broker.log_tail();
    wire::reader in(*frame);
    EXPECT_EQ(in.read_int32(), 4242);  // response header v0: correlation id only
    EXPECT_EQ(in.read_int16(), unsupported_version);
    const std::int32_t count = in.read_int32();
    ASSERT_TRUE(in.ok());
    ASSERT_GE(count, 1);
    bool found = false;
    for (std::int32_t i = 0; i < count && in.ok(); ++i) {
        const std::int16_t key = in.read_int16();
        const std::int16_t min = in.read_int16();
        const std::int16_t max = in.read_int16();
        if (key == 18) {
            found = true;
            EXPECT_EQ(min, 0);
            EXPECT_GE(max, 3);
        }
    }
    EXPECT_TRUE(in.ok());
    EXPECT_TRUE(found) << "the v0 answer does not carry ApiVersions' range";
    EXPECT_EQ(in.remaining(), 0u) << "v0 has no fields after the api keys";

    // The client retries on the same connection with a version from the range.
    messages::ApiVersionsRequest retry;
    retry.client_software_name = "brook-integration";
    retry.client_software_version = "1";
    const auto answer = exchange<messages::ApiVersionsResponse>(connection, retry, 3, 4243);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->error_code, 0);
    expect_others_unaffected();
}

// Proves a request with an API key the broker does not serve closes only
// that connection (as Kafka does) without an answer.
TEST_F(HostileInput, UnknownApiKeyClosesOnlyThatConnection) {
    raw_connection connection(broker.port());
    ASSERT_TRUE(connection.connected());
    wire::writer request;
    request.write_int16(31000);  // no such API
    request.write_int16(0);
    request.write_int32(7);
    request.write_int16(-1);     // null client id
    request.write_int32(0);
    ASSERT_TRUE(connection.send_frame(request.view()));
    EXPECT_FALSE(connection.read_frame(5s).has_value()) << "an unknown API key was answered";
    EXPECT_TRUE(connection.wait_closed());
    expect_others_unaffected();
}

}  // namespace brook::integration
