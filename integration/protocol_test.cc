// Wire-level checks against a real brook process over raw connections, with
// the generated codecs: every version the broker advertises for the APIs it
// serves today answers a well-formed response, pipelined requests are
// answered in order, and pipelined Produce requests append in order.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "brook/messages/api_versions_request.h"
#include "brook/messages/api_versions_response.h"
#include "brook/messages/create_partitions_request.h"
#include "brook/messages/create_partitions_response.h"
#include "brook/messages/create_topics_request.h"
#include "brook/messages/create_topics_response.h"
#include "brook/messages/delete_topics_request.h"
#include "brook/messages/delete_topics_response.h"
#include "brook/messages/describe_cluster_request.h"
#include "brook/messages/describe_cluster_response.h"
#include "brook/messages/metadata_request.h"
#include "brook/messages/metadata_response.h"
#include "brook/messages/produce_request.h"
#include "brook/messages/produce_response.h"
#include "brook/record/record_batch.h"
#include "harness.h"

namespace brook::integration {
namespace {

using range = std::pair<std::int16_t, std::int16_t>;

// The versions ApiVersions v3 advertises, by API key.
std::map<std::int16_t, range> advertised_versions(std::uint16_t port) {
    std::map<std::int16_t, range> out;
    raw_connection connection(port);
    messages::ApiVersionsRequest request;
    request.client_software_name = "brook-integration";
    request.client_software_version = "1";
    const auto response = exchange<messages::ApiVersionsResponse>(connection, request, 3);
    if (!response) return out;
    EXPECT_EQ(response->error_code, 0);
    for (const auto& api : response->api_keys) out[api.api_key] = {api.min_version, api.max_version};
    return out;
}

// Proves every advertised version of ApiVersions, Metadata, DescribeCluster,
// CreateTopics, DeleteTopics and CreatePartitions gets a response that
// decodes at that version with the request's correlation id, and that the
// answers are right at every version: a topic created at version N shows in
// Metadata and is deleted again at version min(N, DeleteTopics max).
TEST(Protocol, EveryAdvertisedVersionAnswersWellFormed) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    const auto versions = advertised_versions(broker.port());
    for (const auto key : {18, 3, 60, 19, 20, 37}) {
        ASSERT_TRUE(versions.count(static_cast<std::int16_t>(key))) << "API key " << key << " not advertised";
    }
    raw_connection connection(broker.port());
    ASSERT_TRUE(connection.connected());
    std::int32_t correlation = 100;

    const auto [api_min, api_max] = versions.at(18);
    for (std::int16_t v = api_min; v <= api_max; ++v) {
        messages::ApiVersionsRequest request;
        if (v >= 3) {
            request.client_software_name = "brook-integration";
            request.client_software_version = "1";
        }
        const auto response = exchange<messages::ApiVersionsResponse>(connection, request, v, ++correlation);
        ASSERT_TRUE(response.has_value()) << "ApiVersions v" << v;
        EXPECT_EQ(response->error_code, 0) << "ApiVersions v" << v;
        EXPECT_EQ(response->api_keys.size(), versions.size()) << "ApiVersions v" << v;
    }

    const auto [cluster_min, cluster_max] = versions.at(60);
    for (std::int16_t v = cluster_min; v <= cluster_max; ++v) {
        const auto response = exchange<messages::DescribeClusterResponse>(
            connection, messages::DescribeClusterRequest{}, v, ++correlation);
        ASSERT_TRUE(response.has_value()) << "DescribeCluster v" << v;
        EXPECT_EQ(response->error_code, 0) << "DescribeCluster v" << v;
        EXPECT_EQ(response->controller_id, 1) << "DescribeCluster v" << v;
        EXPECT_EQ(response->brokers.size(), 1u) << "DescribeCluster v" << v;
    }

    const auto [create_min, create_max] = versions.at(19);
    const auto [delete_min, delete_max] = versions.at(20);
    const auto [metadata_min, metadata_max] = versions.at(3);
    for (std::int16_t v = create_min; v <= create_max; ++v) {
        const std::string name = "created-at-v" + std::to_string(v);
        messages::CreateTopicsRequest create;
        auto& topic = create.topics.emplace_back();
        topic.name = name;
        topic.num_partitions = 2;
        topic.replication_factor = 1;
        create.timeout_ms = 30000;
        const auto created = exchange<messages::CreateTopicsResponse>(connection, create, v, ++correlation);
        ASSERT_TRUE(created.has_value()) << "CreateTopics v" << v;
        ASSERT_EQ(created->topics.size(), 1u) << "CreateTopics v" << v;
        EXPECT_EQ(created->topics[0].name, name);
        EXPECT_EQ(created->topics[0].error_code, 0)
            << "CreateTopics v" << v << ": " << created->topics[0].error_message.value_or("");
        if (v >= 5) {  // KIP-525: the response describes what was created
            EXPECT_EQ(created->topics[0].num_partitions, 2) << "CreateTopics v" << v;
            EXPECT_EQ(created->topics[0].replication_factor, 1) << "CreateTopics v" << v;
        }
        if (v >= 7) {
            EXPECT_FALSE(created->topics[0].topic_id.is_zero()) << "CreateTopics v" << v;
        }

        const std::int16_t metadata_version = std::min(std::max(v, metadata_min), metadata_max);
        messages::MetadataRequest ask;
        ask.topics.emplace().emplace_back().name = name;
        ask.allow_auto_topic_creation = metadata_version < 4;  // the field exists from v4
        bool listed = false;
        eventually([&] {
            const auto metadata =
                exchange<messages::MetadataResponse>(connection, ask, metadata_version, ++correlation);
            listed = metadata.has_value() && metadata->topics.size() == 1 && metadata->topics[0].error_code == 0 &&
                     metadata->topics[0].partitions.size() == 2;
            return listed || !metadata.has_value();
        });
        EXPECT_TRUE(listed) << name << " not in Metadata v" << metadata_version;

        const std::int16_t delete_version = std::min(std::max(v, delete_min), delete_max);
        messages::DeleteTopicsRequest remove;
        if (delete_version >= 6) {
            remove.topics.emplace_back().name = name;
        } else {
            remove.topic_names.push_back(name);
        }
        remove.timeout_ms = 30000;
        const auto deleted = exchange<messages::DeleteTopicsResponse>(connection, remove, delete_version, ++correlation);
        ASSERT_TRUE(deleted.has_value()) << "DeleteTopics v" << delete_version;
        ASSERT_EQ(deleted->responses.size(), 1u) << "DeleteTopics v" << delete_version;
        EXPECT_EQ(deleted->responses[0].error_code, 0) << "DeleteTopics v" << delete_version;
        EXPECT_EQ(deleted->responses[0].name.value_or(""), name) << "DeleteTopics v" << delete_version;
    }

    for (std::int16_t v = metadata_min; v <= metadata_max; ++v) {
        messages::MetadataRequest all;
        if (v >= 1) all.topics.reset();  // null = all topics; v0 uses the empty list
        if (v < 4) all.allow_auto_topic_creation = true;  // the field's default; absent before v4
        const auto response = exchange<messages::MetadataResponse>(connection, all, v, ++correlation);
        ASSERT_TRUE(response.has_value()) << "Metadata v" << v;
        ASSERT_EQ(response->brokers.size(), 1u) << "Metadata v" << v;
        EXPECT_EQ(response->brokers[0].node_id, 1) << "Metadata v" << v;
        EXPECT_EQ(response->brokers[0].port, broker.port()) << "Metadata v" << v;
        if (v >= 1) {
            EXPECT_EQ(response->controller_id, 1) << "Metadata v" << v;
        }
        if (v >= 2) {
            EXPECT_TRUE(response->cluster_id.has_value()) << "Metadata v" << v;
        }
    }

    const auto [partitions_min, partitions_max] = versions.at(37);
    for (std::int16_t v = partitions_min; v <= partitions_max; ++v) {
        messages::CreatePartitionsRequest request;
        request.timeout_ms = 30000;
        const auto response = exchange<messages::CreatePartitionsResponse>(connection, request, v, ++correlation);
        ASSERT_TRUE(response.has_value()) << "CreatePartitions v" << v;
        EXPECT_TRUE(response->results.empty()) << "CreatePartitions v" << v;
    }
}

// Proves requests pipelined on one connection (several sent before reading)
// are all answered, in the order they were sent.
TEST(Protocol, PipelinedRequestsAreAnsweredInOrder) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    raw_connection connection(broker.port());
    ASSERT_TRUE(connection.connected());

    constexpr int count = 32;
    for (int i = 0; i < count; ++i) {
        wire::bytes frame;
        if (i % 3 == 0) {
            frame = encode_request(messages::DescribeClusterRequest{}, 0, 1000 + i);
        } else if (i % 3 == 1) {
            messages::MetadataRequest all;
            all.topics.reset();
            frame = encode_request(all, 12, 1000 + i);
        } else {
            messages::ApiVersionsRequest versions;
            versions.client_software_name = "brook-integration";
            versions.client_software_version = "1";
            frame = encode_request(versions, 3, 1000 + i);
        }
        ASSERT_TRUE(connection.send_frame(frame));
    }
    for (int i = 0; i < count; ++i) {
        const auto frame = connection.read_frame();
        ASSERT_TRUE(frame.has_value()) << "response " << i << " missing; log:\n" << broker.log_tail();
        wire::reader in(*frame);
        EXPECT_EQ(in.read_int32(), 1000 + i) << "response " << i << " out of order";
    }
}

// One uncompressed batch of `count` one-byte records.
wire::bytes batch_of(int count) {
    record::batch_builder builder(record::batch_options{});
    const wire::byte value = 'v';
    for (int i = 0; i < count; ++i) {
        record::new_record entry;
        entry.value = wire::bytes_view(&value, 1);
        entry.timestamp_ms = 1'700'000'000'000;
        EXPECT_EQ(builder.append(entry), wire::errc::ok);
    }
    wire::bytes out;
    EXPECT_EQ(builder.build(out), wire::errc::ok);
    return out;
}

messages::ProduceRequest produce_to(const std::string& topic, const std::vector<std::pair<int, int>>& partitions,
                                    std::int16_t acks) {
    messages::ProduceRequest request;
    request.acks = acks;
    request.timeout_ms = 30'000;
    auto& data = request.topic_data.emplace_back();
    data.name = topic;
    for (const auto& [partition, records] : partitions) {
        auto& entry = data.partition_data.emplace_back();
        entry.index = partition;
        entry.records = wire::record_set::owning(batch_of(records));
    }
    return request;
}

// Regression (found by kafka-python's per-key order check): a Produce for
// partitions on two shards, pipelined with a second Produce for one of them,
// must append first, as Kafka (which reads a connection's next request only
// after answering the last) does. The second request's batch got the lower
// offset on connections whose shard did not own the first partition asked.
TEST(Protocol, PipelinedProduceRequestsAppendInOrder) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    create_topic(broker, "ordered", 4);

    for (const std::int16_t acks : {std::int16_t{1}, std::int16_t{-1}}) {
        // Connections land on both shards; each sends pairs of requests.
        for (int c = 0; c < 6; ++c) {
            raw_connection connection(broker.port());
            ASSERT_TRUE(connection.connected());
            for (int round = 0; round < 10; ++round) {
                const int later = (c + round) % 4;
                const auto first = produce_to("ordered", {{(later + 1) % 4, 50}, {(later + 2) % 4, 50},
                                                          {later, 50}, {(later + 3) % 4, 50}}, acks);
                const auto second = produce_to("ordered", {{later, 1}}, acks);
                ASSERT_TRUE(connection.send_frame(encode_request(first, 7, 1)));
                ASSERT_TRUE(connection.send_frame(encode_request(second, 7, 2)));
                std::int64_t first_offset = -1, second_offset = -1;
                for (const int correlation : {1, 2}) {
                    const auto frame = connection.read_frame();
                    ASSERT_TRUE(frame.has_value()) << broker.log_tail();
                    wire::reader in(*frame);
                    ASSERT_EQ(in.read_int32(), correlation);
                    messages::ProduceResponse response;
                    ASSERT_EQ(response.decode(in, 7), wire::errc::ok);
                    for (const auto& partition : response.responses.at(0).partition_responses) {
                        ASSERT_EQ(partition.error_code, 0);
                        if (partition.index == later) {
                            (correlation == 1 ? first_offset : second_offset) = partition.base_offset;
                        }
                    }
                }
                EXPECT_EQ(second_offset, first_offset + 50)
                    << "acks=" << acks << " connection " << c << " round " << round << ": partition " << later
                    << " appended the later request first";
            }
        }
    }
}

}  // namespace
}  // namespace brook::integration
