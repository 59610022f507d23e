// Consumer-group APIs on the wire, at every version Brook advertises, with
// the generated codecs: what librdkafka does not show (the shapes of old and
// new versions, MEMBER_ID_REQUIRED, batched keys and groups, error codes).

#include <gtest/gtest.h>

#include <string>

#include "brook/messages/delete_groups_request.h"
#include "brook/messages/delete_groups_response.h"
#include "brook/messages/describe_groups_request.h"
#include "brook/messages/describe_groups_response.h"
#include "brook/messages/error_codes.h"
#include "brook/messages/find_coordinator_request.h"
#include "brook/messages/find_coordinator_response.h"
#include "brook/messages/heartbeat_request.h"
#include "brook/messages/heartbeat_response.h"
#include "brook/messages/join_group_request.h"
#include "brook/messages/join_group_response.h"
#include "brook/messages/leave_group_request.h"
#include "brook/messages/leave_group_response.h"
#include "brook/messages/list_groups_request.h"
#include "brook/messages/list_groups_response.h"
#include "brook/messages/offset_commit_request.h"
#include "brook/messages/offset_commit_response.h"
#include "brook/messages/offset_fetch_request.h"
#include "brook/messages/offset_fetch_response.h"
#include "brook/messages/sync_group_request.h"
#include "brook/messages/sync_group_response.h"
#include "harness.h"

namespace brook::integration {
namespace {

using messages::error_code;

constexpr std::int16_t code(error_code e) { return static_cast<std::int16_t>(e); }

class GroupProtocol : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(broker_.start());
        ASSERT_NO_FATAL_FAILURE(create_topic(broker_, "orders", 2));
        connection_ = std::make_unique<raw_connection>(broker_.port());
        ASSERT_TRUE(connection_->connected());
        // Clients look the coordinator up first; that creates __consumer_offsets.
        messages::FindCoordinatorRequest find;
        find.key = "any";
        ASSERT_EQ(ask<messages::FindCoordinatorResponse>(find, 3).error_code, 0);
    }

    template <typename Response, typename Request>
    Response ask(const Request& request, std::int16_t version) {
        auto response = exchange<Response>(*connection_, request, version, ++correlation_);
        EXPECT_TRUE(response.has_value()) << Request::message_name << " v" << version;
        return response.value_or(Response{});
    }

    // Joins `group` as a new single member at JoinGroup `version` (going
    // through MEMBER_ID_REQUIRED from v4), syncs, and returns member id and
    // generation.
    std::pair<std::string, std::int32_t> join_alone(const std::string& group, std::int16_t version) {
        messages::JoinGroupRequest join;
        join.group_id = group;
        join.session_timeout_ms = 10000;
        join.rebalance_timeout_ms = 10000;
        join.protocol_type = "consumer";
        join.protocols.push_back({"range", {0, 1, 2, 3}, {}});
        auto joined = ask<messages::JoinGroupResponse>(join, version);
        if (version >= 4) {
            EXPECT_EQ(joined.error_code, code(error_code::member_id_required)) << "JoinGroup v" << version;
            EXPECT_FALSE(joined.member_id.empty());
            join.member_id = joined.member_id;
            joined = ask<messages::JoinGroupResponse>(join, version);
        }
        EXPECT_EQ(joined.error_code, 0) << "JoinGroup v" << version;
        EXPECT_EQ(joined.leader, joined.member_id);
        EXPECT_EQ(joined.members.size(), 1u);
        EXPECT_EQ(joined.protocol_name.value_or(""), "range");
        return {joined.member_id, joined.generation_id};
    }

    broker_process broker_{broker_options(std::map<std::string, std::string>{{"group.initial.rebalance.delay.ms", "0"}})};
    std::unique_ptr<raw_connection> connection_;
    std::int32_t correlation_ = 0;
};

// FindCoordinator at v0-6 names this broker for groups, one key at a time up
// to v3 and in batches from v4; transactional ids have no coordinator yet.
TEST_F(GroupProtocol, FindCoordinatorAtEveryVersion) {
    for (std::int16_t v = 0; v <= 6; ++v) {
        messages::FindCoordinatorRequest request;
        if (v >= 4) {
            request.coordinator_keys = {"g-a", "g-b"};
        } else {
            request.key = "g-a";
        }
        const auto response = ask<messages::FindCoordinatorResponse>(request, v);
        if (v >= 4) {
            ASSERT_EQ(response.coordinators.size(), 2u) << "v" << v;
            for (const auto& c : response.coordinators) {
                EXPECT_EQ(c.error_code, 0) << "v" << v;
                EXPECT_EQ(c.node_id, 1);
                EXPECT_EQ(c.host, "127.0.0.1");
                EXPECT_EQ(c.port, broker_.port());
            }
            EXPECT_EQ(response.coordinators[1].key, "g-b");
        } else {
            EXPECT_EQ(response.error_code, 0) << "v" << v;
            EXPECT_EQ(response.node_id, 1);
            EXPECT_EQ(response.port, broker_.port());
        }
    }
    messages::FindCoordinatorRequest transactional;
    transactional.key = "tx";
    transactional.key_type = 1;
    EXPECT_EQ(ask<messages::FindCoordinatorResponse>(transactional, 3).error_code,
              code(error_code::coordinator_not_available));
    // __consumer_offsets now exists, as an internal topic clients may not write.
    const auto metadata = fetch_raw_metadata(broker_.port(), std::vector<std::string>{"__consumer_offsets"});
    ASSERT_TRUE(metadata && metadata->find("__consumer_offsets"));
    EXPECT_EQ(metadata->find("__consumer_offsets")->partitions, 50u);
    const auto produced = produce_messages(broker_.bootstrap(), "__consumer_offsets", 1, "x", 0,
                                           {{"message.timeout.ms", "5000"}, {"retries", "0"}});
    EXPECT_EQ(produced.delivered, 0);
}

// The whole life of a group at every JoinGroup/SyncGroup/Heartbeat/
// LeaveGroup version: join (MEMBER_ID_REQUIRED from v4), sync, heartbeat
// with the right and a wrong generation, leave; then the group is Empty.
TEST_F(GroupProtocol, MembershipAtEveryVersion) {
    for (std::int16_t v = 0; v <= 9; ++v) {
        const std::string group = "life-" + std::to_string(v);
        const auto [member, generation] = join_alone(group, v);
        ASSERT_FALSE(member.empty()) << "v" << v;
        messages::SyncGroupRequest sync;
        sync.group_id = group;
        sync.generation_id = generation;
        sync.member_id = member;
        sync.assignments.push_back({member, {9, 9}, {}});
        const std::int16_t sync_version = std::min<std::int16_t>(v, 5);
        if (sync_version >= 5) {
            sync.protocol_type = "consumer";
            sync.protocol_name = "range";
        }
        const auto synced = ask<messages::SyncGroupResponse>(sync, sync_version);
        EXPECT_EQ(synced.error_code, 0) << "SyncGroup v" << sync_version;
        EXPECT_EQ(synced.assignment, (wire::bytes{9, 9}));

        const std::int16_t heartbeat_version = std::min<std::int16_t>(v, 4);
        messages::HeartbeatRequest heartbeat;
        heartbeat.group_id = group;
        heartbeat.generation_id = generation;
        heartbeat.member_id = member;
        EXPECT_EQ(ask<messages::HeartbeatResponse>(heartbeat, heartbeat_version).error_code, 0);
        heartbeat.generation_id = generation + 7;
        EXPECT_EQ(ask<messages::HeartbeatResponse>(heartbeat, heartbeat_version).error_code,
                  code(error_code::illegal_generation));

        const std::int16_t leave_version = std::min<std::int16_t>(v, 5);
        messages::LeaveGroupRequest leave;
        leave.group_id = group;
        if (leave_version >= 3) {
            leave.members.push_back({member, std::nullopt, std::nullopt, {}});
            leave.members.push_back({"nobody", std::nullopt, std::nullopt, {}});
        } else {
            leave.member_id = member;
        }
        const auto left = ask<messages::LeaveGroupResponse>(leave, leave_version);
        EXPECT_EQ(left.error_code, 0) << "LeaveGroup v" << leave_version;
        if (leave_version >= 3) {
            ASSERT_EQ(left.members.size(), 2u);
            EXPECT_EQ(left.members[0].error_code, 0);
            EXPECT_EQ(left.members[1].error_code, code(error_code::unknown_member_id));
        }
        messages::DescribeGroupsRequest describe;
        describe.groups = {group};
        const auto described = ask<messages::DescribeGroupsResponse>(describe, 5);
        ASSERT_EQ(described.groups.size(), 1u);
        EXPECT_EQ(described.groups[0].group_state, "Empty") << "after LeaveGroup v" << leave_version;
    }
}

// OffsetCommit v1-9 and OffsetFetch v1-9 read back what was committed, in
// the single-group shape up to v7 and the batched shape from v8; unknown
// members and generations are refused. (v0-1 are gone from Kafka 4; Brook
// serves them for sarama 1.22, which commits with v1 by default.)
TEST_F(GroupProtocol, OffsetsAtEveryVersion) {
    for (std::int16_t v = 1; v <= 9; ++v) {
        const std::string group = "offsets-" + std::to_string(v);
        const auto [member, generation] = join_alone(group, 5);
        messages::SyncGroupRequest sync;
        sync.group_id = group;
        sync.generation_id = generation;
        sync.member_id = member;
        ASSERT_EQ(ask<messages::SyncGroupResponse>(sync, 3).error_code, 0);

        messages::OffsetCommitRequest commit;
        commit.group_id = group;
        commit.generation_id_or_member_epoch = generation;
        commit.member_id = member;
        auto& topic = commit.topics.emplace_back();
        topic.name = "orders";
        topic.partitions.push_back({0, 40 + v, v >= 6 ? 0 : -1, -1, std::string("meta-") + std::to_string(v), {}});
        topic.partitions.push_back({1, 7, -1, -1, std::nullopt, {}});
        const auto committed = ask<messages::OffsetCommitResponse>(commit, v);
        ASSERT_EQ(committed.topics.size(), 1u) << "OffsetCommit v" << v;
        ASSERT_EQ(committed.topics[0].partitions.size(), 2u);
        EXPECT_EQ(committed.topics[0].partitions[0].error_code, 0) << "OffsetCommit v" << v;
        EXPECT_EQ(committed.topics[0].partitions[1].error_code, 0);

        auto stale = commit;
        stale.generation_id_or_member_epoch = generation + 1;
        EXPECT_EQ(ask<messages::OffsetCommitResponse>(stale, v).topics[0].partitions[0].error_code,
                  code(error_code::illegal_generation));
        auto stranger = commit;
        stranger.member_id = "stranger";
        EXPECT_EQ(ask<messages::OffsetCommitResponse>(stranger, v).topics[0].partitions[0].error_code,
                  code(error_code::unknown_member_id));

        const std::int16_t fetch_version = v <= 2 ? 1 : v;  // OffsetFetch v1 too
        messages::OffsetFetchRequest fetch;
        if (fetch_version >= 8) {
            auto& g = fetch.groups.emplace_back();
            g.group_id = group;
            g.topics = std::vector<messages::OffsetFetchRequest::OffsetFetchRequestTopics>{{"orders", {0, 1}, {}}};
            auto& unknown = fetch.groups.emplace_back();
            unknown.group_id = "never-seen";
            unknown.topics = std::vector<messages::OffsetFetchRequest::OffsetFetchRequestTopics>{{"orders", {0}, {}}};
        } else {
            fetch.group_id = group;
            fetch.topics = std::vector<messages::OffsetFetchRequest::OffsetFetchRequestTopic>{{"orders", {0, 1}, {}}};
        }
        const auto fetched = ask<messages::OffsetFetchResponse>(fetch, fetch_version);
        if (fetch_version >= 8) {
            ASSERT_EQ(fetched.groups.size(), 2u);
            ASSERT_EQ(fetched.groups[0].topics.size(), 1u);
            const auto& partitions = fetched.groups[0].topics[0].partitions;
            ASSERT_EQ(partitions.size(), 2u);
            EXPECT_EQ(partitions[0].committed_offset, 40 + v);
            EXPECT_EQ(partitions[0].metadata.value_or(""), "meta-" + std::to_string(v));
            EXPECT_EQ(partitions[1].committed_offset, 7);
            EXPECT_EQ(fetched.groups[1].topics.at(0).partitions.at(0).committed_offset, -1);
        } else {
            ASSERT_EQ(fetched.topics.size(), 1u) << "OffsetFetch v" << fetch_version;
            const auto& partitions = fetched.topics[0].partitions;
            ASSERT_EQ(partitions.size(), 2u);
            EXPECT_EQ(partitions[0].committed_offset, 40 + v) << "OffsetFetch v" << fetch_version;
            EXPECT_EQ(partitions[0].metadata.value_or(""), "meta-" + std::to_string(v));
            EXPECT_EQ(partitions[1].committed_offset, 7);
            if (fetch_version >= 5) {
                EXPECT_EQ(partitions[0].committed_leader_epoch, v >= 6 ? 0 : -1);
            }
        }
    }

    // v0 carries no generation or member: a simple commit for a group with no
    // members, read back like any other.
    messages::OffsetCommitRequest simple;
    simple.group_id = "offsets-v0";
    auto& topic = simple.topics.emplace_back();
    topic.name = "orders";
    topic.partitions.push_back({3, 1234, -1, -1, std::string("v0"), {}});
    EXPECT_EQ(ask<messages::OffsetCommitResponse>(simple, 0).topics.at(0).partitions.at(0).error_code, 0);
    messages::OffsetFetchRequest fetch;
    fetch.group_id = "offsets-v0";
    fetch.topics = std::vector<messages::OffsetFetchRequest::OffsetFetchRequestTopic>{{"orders", {3}, {}}};
    const auto fetched = ask<messages::OffsetFetchResponse>(fetch, 1);
    EXPECT_EQ(fetched.topics.at(0).partitions.at(0).committed_offset, 1234);
    EXPECT_EQ(fetched.topics.at(0).partitions.at(0).metadata.value_or(""), "v0");
}

// ListGroups v0-5 lists groups (with their state from v4, filtered by it);
// DescribeGroups v0-5 shows a Stable group's member; DeleteGroups v0-2
// refuses a group with members, deletes an empty one, then does not find it.
TEST_F(GroupProtocol, AdministrationAtEveryVersion) {
    const auto [member, generation] = join_alone("busy", 5);
    messages::SyncGroupRequest sync;
    sync.group_id = "busy";
    sync.generation_id = generation;
    sync.member_id = member;
    sync.assignments.push_back({member, {1}, {}});
    ASSERT_EQ(ask<messages::SyncGroupResponse>(sync, 3).error_code, 0);
    messages::OffsetCommitRequest commit;  // an Empty group that only has offsets
    commit.group_id = "idle";
    commit.topics.push_back({"orders", {{0, 3, -1, -1, std::string(), {}}}, {}});
    ASSERT_EQ(ask<messages::OffsetCommitResponse>(commit, 8).topics.at(0).partitions.at(0).error_code, 0);

    for (std::int16_t v = 0; v <= 5; ++v) {
        messages::ListGroupsRequest list;
        const auto listed = ask<messages::ListGroupsResponse>(list, v);
        EXPECT_EQ(listed.error_code, 0);
        std::map<std::string, std::string> states;
        for (const auto& g : listed.groups) states[g.group_id] = g.group_state;
        ASSERT_TRUE(states.count("busy") && states.count("idle")) << "ListGroups v" << v;
        if (v >= 4) {
            EXPECT_EQ(states["busy"], "Stable");
            EXPECT_EQ(states["idle"], "Empty");
            list.states_filter = {"stable"};
            const auto stable = ask<messages::ListGroupsResponse>(list, v);
            ASSERT_EQ(stable.groups.size(), 1u);
            EXPECT_EQ(stable.groups[0].group_id, "busy");
        }

        messages::DescribeGroupsRequest describe;
        describe.groups = {"busy", "ghost"};
        const auto described = ask<messages::DescribeGroupsResponse>(describe, v);
        ASSERT_EQ(described.groups.size(), 2u) << "DescribeGroups v" << v;
        EXPECT_EQ(described.groups[0].group_state, "Stable");
        EXPECT_EQ(described.groups[0].protocol_data, "range");
        ASSERT_EQ(described.groups[0].members.size(), 1u);
        EXPECT_EQ(described.groups[0].members[0].member_id, member);
        EXPECT_EQ(described.groups[0].members[0].client_host, "/127.0.0.1");
        EXPECT_EQ(described.groups[0].members[0].member_assignment, (wire::bytes{1}));
        EXPECT_EQ(described.groups[1].group_state, "Dead");
    }

    for (std::int16_t v = 0; v <= 2; ++v) {
        if (v > 0) {  // recreate the idle group
            ASSERT_EQ(ask<messages::OffsetCommitResponse>(commit, 8).topics.at(0).partitions.at(0).error_code, 0);
        }
        messages::DeleteGroupsRequest remove;
        remove.groups_names = {"busy", "idle"};
        const auto removed = ask<messages::DeleteGroupsResponse>(remove, v);
        ASSERT_EQ(removed.results.size(), 2u) << "DeleteGroups v" << v;
        EXPECT_EQ(removed.results[0].error_code, code(error_code::non_empty_group));
        EXPECT_EQ(removed.results[1].error_code, 0);
        remove.groups_names = {"idle"};
        EXPECT_EQ(ask<messages::DeleteGroupsResponse>(remove, v).results.at(0).error_code,
                  code(error_code::group_id_not_found));
    }
}

// Committed offsets are durable: acknowledged commits survive kill -9.
TEST_F(GroupProtocol, CommittedOffsetsSurviveKillNine) {
    messages::OffsetCommitRequest commit;
    commit.group_id = "durable";
    for (int i = 0; i < 50; ++i) {
        commit.topics.clear();
        commit.topics.push_back({"orders", {{0, i, -1, -1, std::string("m") + std::to_string(i), {}}, {1, 1000 + i, -1, -1, std::nullopt, {}}}, {}});
        ASSERT_EQ(ask<messages::OffsetCommitResponse>(commit, 8).topics.at(0).partitions.at(1).error_code, 0);
    }
    broker_.kill9();
    ASSERT_TRUE(broker_.restart());
    raw_connection connection(broker_.port());
    messages::OffsetFetchRequest fetch;
    fetch.group_id = "durable";
    fetch.topics.reset();  // every committed partition
    const auto fetched = exchange<messages::OffsetFetchResponse>(connection, fetch, 7, 1);
    ASSERT_TRUE(fetched.has_value());
    ASSERT_EQ(fetched->topics.size(), 1u);
    std::map<std::int32_t, std::int64_t> offsets;
    for (const auto& p : fetched->topics[0].partitions) offsets[p.partition_index] = p.committed_offset;
    EXPECT_EQ(offsets[0], 49);
    EXPECT_EQ(offsets[1], 1049);
}

}  // namespace
}  // namespace brook::integration
