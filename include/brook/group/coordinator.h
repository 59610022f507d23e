#pragma once
// The classic group coordinator as a pure state machine.
//
// One `coordinator` holds every group that hashes to one __consumer_offsets
// partition. It does no I/O, reads no clock and starts no thread: the shell
// (broker/group_shell) feeds it requests and the time, and carries out what
// it returns. That keeps every rebalance rule testable with scripts
// (tests/group/testdata) and lets one simulator drive it later.
//
// Contract with the shell:
// - Every request carries a token chosen by the shell. A call returns
//   `effects`: records to append to the partition, then replies to deliver.
//   The reply for a token may come in the same effects or in a later call
//   (a JoinGroup waits for the rebalance, a follower's SyncGroup for the
//   leader's).
// - The shell appends `effects.records` (in order, as one write) and only
//   after they are durable delivers `effects.replies`. If the write fails it
//   answers each of those replies with `failed_reply(reply, code)` and
//   rebuilds the coordinator by replaying the partition.
// - `replay` applies a record read back from the partition; loading a
//   partition is replaying it from the start and then `loaded(now)`.
// - The shell calls `tick(now)` no later than `next_deadline()`.
// - Times are milliseconds since the Unix epoch, and never go backwards.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "brook/messages/delete_groups_response.h"
#include "brook/messages/describe_groups_response.h"
#include "brook/messages/error_codes.h"
#include "brook/messages/heartbeat_request.h"
#include "brook/messages/heartbeat_response.h"
#include "brook/messages/join_group_request.h"
#include "brook/messages/join_group_response.h"
#include "brook/messages/leave_group_request.h"
#include "brook/messages/leave_group_response.h"
#include "brook/messages/list_groups_response.h"
#include "brook/messages/offset_commit_request.h"
#include "brook/messages/offset_commit_response.h"
#include "brook/messages/offset_delete_request.h"
#include "brook/messages/offset_delete_response.h"
#include "brook/messages/offset_fetch_request.h"
#include "brook/messages/offset_fetch_response.h"
#include "brook/messages/sync_group_request.h"
#include "brook/messages/sync_group_response.h"
#include "brook/wire/bytes.h"

namespace brook::group {

using time_ms = std::int64_t;
using request_token = std::uint64_t;

// Broker configs that shape groups, with Kafka's defaults.
struct group_config {
    std::int32_t min_session_timeout_ms = 6'000;          // group.min.session.timeout.ms
    std::int32_t max_session_timeout_ms = 1'800'000;      // group.max.session.timeout.ms
    std::int32_t max_size = 2'147'483'647;                // group.max.size
    std::int32_t initial_rebalance_delay_ms = 3'000;      // group.initial.rebalance.delay.ms
    std::int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;  // offsets.retention.minutes
    std::int64_t offsets_retention_check_interval_ms = 600'000;  // offsets.retention.check.interval.ms
    std::int32_t offset_metadata_max_bytes = 4096;        // offset.metadata.max.bytes
};

// A __consumer_offsets record: the framed key and value (see
// messages/record_framing.h); no value is a tombstone.
struct record {
    wire::bytes key;
    std::optional<wire::bytes> value;
    friend bool operator==(const record&, const record&) = default;
};

// A reply is the whole response body for the API that the token's request
// came from. DeleteGroups replies carry one result per call.
using reply_body = std::variant<messages::JoinGroupResponse, messages::SyncGroupResponse,
                                messages::HeartbeatResponse, messages::LeaveGroupResponse,
                                messages::OffsetCommitResponse, messages::OffsetDeleteResponse,
                                messages::DeleteGroupsResponse::DeletableGroupResult>;

struct reply {
    request_token token = 0;
    reply_body body;
};

struct effects {
    std::vector<record> records;  // append first, in order
    std::vector<reply> replies;   // then deliver
};

// The same reply with `code` in every error field a client reads (top level
// and per partition), for when the shell could not make its records durable.
reply failed_reply(const reply& original, messages::error_code code);

// Who sent a request, as DescribeGroups shows it.
struct client_info {
    std::string client_id;
    std::string client_host;  // "/127.0.0.1", as Kafka prints it
};

class coordinator {
public:
    // `make_member_suffix` returns a fresh unique string (a UUID in the
    // broker, a counter in tests); member ids are "<client id>-<suffix>", or
    // "<group instance id>-<suffix>" for static members, as in Kafka.
    coordinator(group_config config, std::function<std::string()> make_member_suffix);
    ~coordinator();
    coordinator(const coordinator&) = delete;
    coordinator& operator=(const coordinator&) = delete;

    // Membership. `version` is the request's API version: it decides
    // version-dependent behaviour (MEMBER_ID_REQUIRED from JoinGroup v4,
    // static membership from v5, protocol checks in SyncGroup v5+, batched
    // LeaveGroup from v3) and which response fields are set.
    effects join_group(request_token token, std::int16_t version, const messages::JoinGroupRequest& request,
                       const client_info& client, time_ms now);
    effects sync_group(request_token token, std::int16_t version, const messages::SyncGroupRequest& request,
                       time_ms now);
    effects heartbeat(request_token token, std::int16_t version, const messages::HeartbeatRequest& request,
                      time_ms now);
    effects leave_group(request_token token, std::int16_t version, const messages::LeaveGroupRequest& request,
                        time_ms now);

    // Offsets.
    effects commit_offsets(request_token token, std::int16_t version, const messages::OffsetCommitRequest& request,
                           time_ms now);
    // One group of an OffsetFetch, in the v8+ shape; a null topic list means
    // every partition the group has committed.
    messages::OffsetFetchResponse::OffsetFetchResponseGroup fetch_offsets(
        const messages::OffsetFetchRequest::OffsetFetchRequestGroup& group, bool require_stable) const;
    effects delete_offsets(request_token token, std::int16_t version, const messages::OffsetDeleteRequest& request,
                           time_ms now);

    // Administration.
    messages::DescribeGroupsResponse::DescribedGroup describe_group(const std::string& group_id) const;
    // Groups whose state (as DescribeGroups spells it) and type ("classic")
    // match the filters; an empty filter matches all. Case-insensitive, as Kafka.
    std::vector<messages::ListGroupsResponse::ListedGroup> list_groups(
        const std::vector<std::string>& states_filter, const std::vector<std::string>& types_filter) const;
    effects delete_group(request_token token, const std::string& group_id, time_ms now);

    // Time: expires sessions, finishes rebalances whose time is up, ends the
    // initial rebalance delay, expires old offsets.
    effects tick(time_ms now);
    // When tick() next has work to do; nullopt when nothing is pending.
    std::optional<time_ms> next_deadline() const;

    // Loading.
    // Applies one record read from the partition; false when it is not a
    // record this coordinator understands (the shell logs and skips it).
    bool replay(const record& r);
    // Ends loading: restored members get a full session from `now`.
    void loaded(time_ms now);

    // Introspection for the shell and tests.
    std::size_t group_count() const;
    bool has_group(const std::string& group_id) const;

private:
    struct state;
    std::unique_ptr<state> state_;
};

// Encoding helpers for __consumer_offsets records, shared by the coordinator
// and the tools that read the topic.
record offset_commit_record(const std::string& group, const std::string& topic, std::int32_t partition,
                            std::int64_t offset, std::int32_t leader_epoch, const std::string& metadata,
                            time_ms commit_timestamp);
record offset_tombstone(const std::string& group, const std::string& topic, std::int32_t partition);
record group_tombstone(const std::string& group);

}  // namespace brook::group
