#pragma once
// Declarations of every API handler. Each handler's code, with its version
// notes, is in the file of the same name; handlers.cc builds the table.

#include "brook/broker/handler.h"
#include "brook/broker/services.h"
#include "brook/messages/alter_configs_request.h"
#include "brook/messages/api_versions_request.h"
#include "brook/messages/create_partitions_request.h"
#include "brook/messages/create_topics_request.h"
#include "brook/messages/delete_groups_request.h"
#include "brook/messages/delete_records_request.h"
#include "brook/messages/delete_topics_request.h"
#include "brook/messages/describe_cluster_request.h"
#include "brook/messages/describe_configs_request.h"
#include "brook/messages/describe_groups_request.h"
#include "brook/messages/fetch_request.h"
#include "brook/messages/find_coordinator_request.h"
#include "brook/messages/heartbeat_request.h"
#include "brook/messages/incremental_alter_configs_request.h"
#include "brook/messages/join_group_request.h"
#include "brook/messages/leave_group_request.h"
#include "brook/messages/list_groups_request.h"
#include "brook/messages/list_offsets_request.h"
#include "brook/messages/metadata_request.h"
#include "brook/messages/offset_commit_request.h"
#include "brook/messages/offset_delete_request.h"
#include "brook/messages/offset_fetch_request.h"
#include "brook/messages/offset_for_leader_epoch_request.h"
#include "brook/messages/produce_request.h"
#include "brook/messages/sync_group_request.h"

namespace brook::broker::handlers {

struct api_versions_handler {
    using request_type = messages::ApiVersionsRequest;
    static constexpr std::int16_t lowest_version = 0;
    static constexpr std::int16_t highest_version = 4;
    static asio::awaitable<response> handle(request_context& context, request_type&& request);
};

// Versions follow Kafka 4.0's minimums (KIP-896) and protocol/'s maximums.
#define BROOK_HANDLER(handler_name, request_name, lowest, highest)                                   \
    struct handler_name {                                                                          \
        using request_type = messages::request_name;                                               \
        static constexpr std::int16_t lowest_version = lowest;                                     \
        static constexpr std::int16_t highest_version = highest;                                   \
        static asio::awaitable<response> handle(request_context& context, request_type&& request); \
    }

BROOK_HANDLER(produce_handler, ProduceRequest, 0, 11);
BROOK_HANDLER(fetch_handler, FetchRequest, 4, 17);
BROOK_HANDLER(list_offsets_handler, ListOffsetsRequest, 1, 9);
BROOK_HANDLER(offset_for_leader_epoch_handler, OffsetForLeaderEpochRequest, 2, 4);
BROOK_HANDLER(delete_records_handler, DeleteRecordsRequest, 0, 2);
BROOK_HANDLER(metadata_handler, MetadataRequest, 0, 12);
BROOK_HANDLER(create_topics_handler, CreateTopicsRequest, 2, 7);
BROOK_HANDLER(delete_topics_handler, DeleteTopicsRequest, 1, 6);
BROOK_HANDLER(create_partitions_handler, CreatePartitionsRequest, 0, 3);
BROOK_HANDLER(describe_cluster_handler, DescribeClusterRequest, 0, 1);
BROOK_HANDLER(describe_configs_handler, DescribeConfigsRequest, 0, 4);
BROOK_HANDLER(alter_configs_handler, AlterConfigsRequest, 0, 2);
BROOK_HANDLER(incremental_alter_configs_handler, IncrementalAlterConfigsRequest, 0, 1);
BROOK_HANDLER(find_coordinator_handler, FindCoordinatorRequest, 0, 6);
BROOK_HANDLER(join_group_handler, JoinGroupRequest, 0, 9);
BROOK_HANDLER(sync_group_handler, SyncGroupRequest, 0, 5);
BROOK_HANDLER(heartbeat_handler, HeartbeatRequest, 0, 4);
BROOK_HANDLER(leave_group_handler, LeaveGroupRequest, 0, 5);
BROOK_HANDLER(offset_commit_handler, OffsetCommitRequest, 0, 9);
BROOK_HANDLER(offset_fetch_handler, OffsetFetchRequest, 1, 9);
BROOK_HANDLER(offset_delete_handler, OffsetDeleteRequest, 0, 0);
BROOK_HANDLER(describe_groups_handler, DescribeGroupsRequest, 0, 5);
BROOK_HANDLER(list_groups_handler, ListGroupsRequest, 0, 5);
BROOK_HANDLER(delete_groups_handler, DeleteGroupsRequest, 0, 2);

#undef BROOK_HANDLER

}  // namespace brook::broker::handlers
