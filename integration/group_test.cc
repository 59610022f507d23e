// Consumer groups against a real brook with librdkafka's high-level consumer
// (and kcat as an out-of-process member): membership and rebalancing with
// each assignor, at-least-once delivery with manual commits across
// rebalances and a crash, committed offsets across broker restarts and
// kill -9, static membership, lag, and the group admin APIs (ListGroups,
// DescribeGroups, OffsetFetch, OffsetDelete, DeleteGroups).
//
// How the tests observe a group:
// - in process: every group_member records its assignment from its own
//   rebalance callback (what the application was told it owns);
// - from the broker: DescribeConsumerGroups returns the members and the
//   assignments the leader handed out (what the coordinator says).
// Ownership checks require both views to agree.
//
// librdkafka only runs rebalance callbacks inside rd_kafka_consumer_poll, so
// every wait polls all live members (settle()); the waits are bounded.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"

namespace brook::integration {
namespace {

constexpr const char* kcat_binary = "/usr/bin/kcat";

// The broker's group.min.session.timeout.ms default; the smallest session a
// member may ask for, so that killed members are noticed quickly.
constexpr int session_timeout_ms = 6000;

// Bound for any wait that includes a rebalance (and maybe a session timeout)
// on a loaded machine.
constexpr std::chrono::milliseconds rebalance_timeout = 45s;

// Brokers for group tests start the first rebalance at once instead of
// waiting group.initial.rebalance.delay.ms (3 s by default) for more members.
broker_options group_broker() {
    return broker_options(std::map<std::string, std::string>{{"group.initial.rebalance.delay.ms", "0"}});
}

std::string partitions_string(const std::set<std::int32_t>& partitions) {
    std::ostringstream out;
    out << "[";
    for (auto it = partitions.begin(); it != partitions.end(); ++it)
        out << (it == partitions.begin() ? "" : ",") << *it;
    out << "]";
    return out.str();
}

std::set<std::int32_t> all_partitions(int count) {
    std::set<std::int32_t> out;
    for (int p = 0; p < count; ++p) out.insert(p);
    return out;
}

rd_kafka_topic_partition_list_t* partition_list(const std::string& topic,
                                                const std::map<std::int32_t, std::int64_t>& offsets) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (const auto& [partition, offset] : offsets)
        rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = offset;
    return list;
}

// ---------------------------------------------------------------------------
// group_member: one librdkafka high-level consumer in a group, driven from the
// test thread.

struct consumed {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
};

class group_member {
public:
    // A consumer of `topic` named `name` (its client.id, which DescribeGroups
    // shows) in `group`, with manual commits, earliest reset and a short
    // session; `overrides` replace any of these defaults. It joins the group
    // only when it subscribes.
    group_member(const broker_process& broker, const std::string& group, const std::string& topic, std::string name,
                 const std::map<std::string, std::string>& overrides = {})
        : name_(std::move(name)), topic_(topic) {
        std::map<std::string, std::string> values{
            {"bootstrap.servers", broker.bootstrap()},
            {"client.id", name_},
            {"group.id", group},
            {"log_level", "4"},
            {"enable.auto.commit", "false"},
            {"enable.partition.eof", "false"},
            {"auto.offset.reset", "earliest"},
            {"session.timeout.ms", std::to_string(session_timeout_ms)},
            {"heartbeat.interval.ms", "500"},
        };
        for (const auto& [key, value] : overrides) values[key] = value;
        char error[512] = {};
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        for (const auto& [key, value] : values) {
            if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
                ADD_FAILURE() << name_ << ": librdkafka property " << key << "=" << value << ": " << error;
                rd_kafka_conf_destroy(conf);
                return;
            }
        }
        rd_kafka_conf_set_rebalance_cb(conf, &group_member::on_rebalance);
        rd_kafka_conf_set_opaque(conf, this);
        rd_kafka_t* client = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
        if (client == nullptr) {
            ADD_FAILURE() << name_ << ": rd_kafka_new: " << error;
            rd_kafka_conf_destroy(conf);
            return;
        }
        consumer_.reset(client);
        rd_kafka_poll_set_consumer(client);
    }
    // The callbacks hold `this`: members stay where they were made.
    group_member(const group_member&) = delete;
    group_member& operator=(const group_member&) = delete;

    const std::string& name() const { return name_; }
    rd_kafka_t* handle() const { return consumer_.get(); }

    void subscribe() {
        if (!consumer_) return;
        rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic_.c_str(), RD_KAFKA_PARTITION_UA);
        const auto error = rd_kafka_subscribe(consumer_.get(), topics);
        rd_kafka_topic_partition_list_destroy(topics);
        EXPECT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << name_ << ": subscribe: " << rd_kafka_err2str(error);
    }

    // Polls until `max_messages` were processed or a poll of `timeout` comes
    // back empty; runs any pending rebalance callback. "Processing" a message
    // is recording its partition and offset. Returns how many were processed.
    int poll(int max_messages = 25, std::chrono::milliseconds timeout = 10ms) {
        int count = 0;
        while (consumer_ && count < max_messages) {
            rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_.get(), static_cast<int>(timeout.count()));
            if (message == nullptr) break;
            if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                processed_.push_back({message->partition, message->offset});
                uncommitted_[message->partition] = message->offset + 1;
                ++count;
            } else {
                last_error_ = rd_kafka_message_errstr(message);  // transient (e.g. a broker restart): diagnostics only
            }
            rd_kafka_message_destroy(message);
        }
        return count;
    }

    // Commits, synchronously, the position after the last processed message
    // of every partition the member still owns and processed since its last
    // commit. Never commits past what was processed.
    rd_kafka_resp_err_t commit_processed() {
        std::map<std::int32_t, std::int64_t> offsets;
        for (const auto& [partition, offset] : uncommitted_) {
            if (assignment_.count(partition) != 0) offsets[partition] = offset;
        }
        if (offsets.empty()) return RD_KAFKA_RESP_ERR_NO_ERROR;
        const auto error = commit(offsets);
        if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (const auto& entry : offsets) uncommitted_.erase(entry.first);
        }
        return error;
    }

    // A synchronous commit of explicit offsets; the first error, whole-request
    // or per-partition.
    rd_kafka_resp_err_t commit(const std::map<std::int32_t, std::int64_t>& offsets) {
        if (!consumer_) return RD_KAFKA_RESP_ERR__INVALID_ARG;
        rd_kafka_topic_partition_list_t* list = partition_list(topic_, offsets);
        auto error = rd_kafka_commit(consumer_.get(), list, 0);
        for (int i = 0; error == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) error = list->elems[i].err;
        rd_kafka_topic_partition_list_destroy(list);
        if (error != RD_KAFKA_RESP_ERR_NO_ERROR) ++commit_failures_;
        return error;
    }

    // The group's committed offsets for partitions 0..n-1 of the topic
    // (RD_KAFKA_OFFSET_INVALID where none); empty on error.
    std::map<std::int32_t, std::int64_t> committed(int partitions, rd_kafka_resp_err_t* error_out = nullptr) const {
        std::map<std::int32_t, std::int64_t> out;
        std::map<std::int32_t, std::int64_t> request;
        for (int p = 0; p < partitions; ++p) request[p] = RD_KAFKA_OFFSET_INVALID;
        rd_kafka_topic_partition_list_t* list = partition_list(topic_, request);
        auto error = consumer_ ? rd_kafka_committed(consumer_.get(), list, static_cast<int>(request_timeout.count()))
                               : RD_KAFKA_RESP_ERR__INVALID_ARG;
        for (int i = 0; error == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) error = list->elems[i].err;
        if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
        }
        rd_kafka_topic_partition_list_destroy(list);
        if (error_out != nullptr) *error_out = error;
        return out;
    }

    // A clean shutdown: revokes the assignment (running the rebalance
    // callback) and sends LeaveGroup, except for static members (KIP-345).
    rd_kafka_resp_err_t close() {
        if (!consumer_) return RD_KAFKA_RESP_ERR__INVALID_ARG;
        const auto error = rd_kafka_consumer_close(consumer_.get());
        consumer_.reset();
        return error;
    }

    // A crash as the group sees it: the client goes away without revoking,
    // committing or leaving (RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, which is
    // what the harness's deleter does), so the coordinator only notices when
    // the session times out.
    void crash() { consumer_.reset(); }

    const std::set<std::int32_t>& assignment() const { return assignment_; }
    // How many times the rebalance callback ran (assign and revoke alike).
    int rebalances() const { return rebalances_; }
    // The rebalance protocol librdkafka reported in the callbacks ("EAGER",
    // "COOPERATIVE"), empty before the first one.
    const std::string& protocol() const { return protocol_; }
    const std::vector<consumed>& processed() const { return processed_; }

    std::string describe() const {
        std::ostringstream out;
        out << name_ << " owns " << partitions_string(assignment_) << " after " << rebalances_ << " callbacks, "
            << processed_.size() << " processed, " << commit_failures_ << " failed commits";
        if (!last_error_.empty()) out << ", last consumer error: " << last_error_;
        return out.str();
    }

private:
    static void on_rebalance(rd_kafka_t* client, rd_kafka_resp_err_t error, rd_kafka_topic_partition_list_t* partitions,
                             void* opaque) {
        static_cast<group_member*>(opaque)->rebalance(client, error, partitions);
    }

    void rebalance(rd_kafka_t* client, rd_kafka_resp_err_t event, rd_kafka_topic_partition_list_t* partitions) {
        ++rebalances_;
        const char* reported = rd_kafka_rebalance_protocol(client);
        protocol_ = reported != nullptr ? reported : "";
        const bool cooperative = protocol_ == "COOPERATIVE";
        if (event == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            if (cooperative) {
                if (rd_kafka_error_t* failure = rd_kafka_incremental_assign(client, partitions)) {
                    ADD_FAILURE() << name_ << ": incremental_assign: " << rd_kafka_error_string(failure);
                    rd_kafka_error_destroy(failure);
                }
            } else {
                assignment_.clear();
                const auto failure = rd_kafka_assign(client, partitions);
                EXPECT_EQ(failure, RD_KAFKA_RESP_ERR_NO_ERROR) << name_ << ": assign: " << rd_kafka_err2str(failure);
            }
            for (int i = 0; i < partitions->cnt; ++i) assignment_.insert(partitions->elems[i].partition);
            return;
        }
        // Revoked (or an error: everything is gone). The usual at-least-once
        // pattern: commit what was processed before giving partitions up,
        // unless they were lost (then another member may own them already).
        std::map<std::int32_t, std::int64_t> offsets;
        for (int i = 0; i < partitions->cnt; ++i) {
            const auto it = uncommitted_.find(partitions->elems[i].partition);
            if (it != uncommitted_.end()) offsets.insert(*it);
        }
        if (event == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !offsets.empty() && !rd_kafka_assignment_lost(client)) {
            commit(offsets);  // may fail during the rebalance: the next owner then processes them again
        }
        for (int i = 0; i < partitions->cnt; ++i) uncommitted_.erase(partitions->elems[i].partition);
        if (cooperative) {
            if (rd_kafka_error_t* failure = rd_kafka_incremental_unassign(client, partitions)) {
                ADD_FAILURE() << name_ << ": incremental_unassign: " << rd_kafka_error_string(failure);
                rd_kafka_error_destroy(failure);
            }
            for (int i = 0; i < partitions->cnt; ++i) assignment_.erase(partitions->elems[i].partition);
        } else {
            rd_kafka_assign(client, nullptr);
            assignment_.clear();
        }
    }

    std::string name_;
    std::string topic_;
    kafka_handle consumer_;
    std::set<std::int32_t> assignment_;
    std::map<std::int32_t, std::int64_t> uncommitted_;  // partition -> position after the last processed message
    std::vector<consumed> processed_;
    int rebalances_ = 0;
    int commit_failures_ = 0;
    std::string protocol_;
    std::string last_error_;
};

// ---------------------------------------------------------------------------
// The broker's view, through librdkafka's group admin API.

struct member_view {
    std::string client_id;
    std::string instance_id;  // group.instance.id, empty for dynamic members
    std::set<std::int32_t> partitions;
};

struct group_view {
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string message;
    rd_kafka_consumer_group_state_t state = RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
    std::string assignor;
    std::vector<member_view> members;

    const member_view* find(const std::string& client_id) const {
        for (const auto& member : members) {
            if (member.client_id == client_id) return &member;
        }
        return nullptr;
    }
    std::string str() const {
        std::ostringstream out;
        if (error != RD_KAFKA_RESP_ERR_NO_ERROR) out << "error " << rd_kafka_err2name(error) << " " << message << "; ";
        out << rd_kafka_consumer_group_state_name(state) << " (" << assignor << "):";
        for (const auto& member : members)
            out << " " << member.client_id << "=" << partitions_string(member.partitions);
        return out.str();
    }
};

struct offsets_result {
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // whole request or group
    std::string message;
    std::map<std::int32_t, std::int64_t> offsets;
    std::map<std::int32_t, rd_kafka_resp_err_t> partition_errors;
};

class group_admin {
public:
    explicit group_admin(const broker_process& broker) : client_(make_client(broker.bootstrap(), RD_KAFKA_PRODUCER)) {}

    // DescribeGroups: state, assignor, members and their assignments (for
    // `topic` only, as the leader encoded them).
    group_view describe(const std::string& group) {
        group_view view;
        const char* groups[] = {group.c_str()};
        auto event = run(RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, view.error, view.message,
                         [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                             rd_kafka_DescribeConsumerGroups(client_.get(), groups, 1, options, queue);
                         });
        if (!event) return view;
        std::size_t count = 0;
        const auto** descriptions = rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(event.get()), &count);
        if (count != 1) {
            view.error = RD_KAFKA_RESP_ERR__FAIL;
            view.message = std::to_string(count) + " descriptions for one group";
            return view;
        }
        const auto* description = descriptions[0];
        if (const rd_kafka_error_t* failure = rd_kafka_ConsumerGroupDescription_error(description)) {
            view.error = rd_kafka_error_code(failure);
            view.message = rd_kafka_error_string(failure);
            return view;
        }
        view.state = rd_kafka_ConsumerGroupDescription_state(description);
        const char* assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(description);
        view.assignor = assignor != nullptr ? assignor : "";
        for (std::size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(description); ++i) {
            const auto* member = rd_kafka_ConsumerGroupDescription_member(description, i);
            member_view out;
            const char* client_id = rd_kafka_MemberDescription_client_id(member);
            const char* instance_id = rd_kafka_MemberDescription_group_instance_id(member);
            out.client_id = client_id != nullptr ? client_id : "";
            out.instance_id = instance_id != nullptr ? instance_id : "";
            const auto* assignment = rd_kafka_MemberDescription_assignment(member);
            const auto* partitions = assignment != nullptr ? rd_kafka_MemberAssignment_partitions(assignment) : nullptr;
            for (int p = 0; partitions != nullptr && p < partitions->cnt; ++p)
                out.partitions.insert(partitions->elems[p].partition);
            view.members.push_back(std::move(out));
        }
        return view;
    }

    // ListGroups: every group and its state; nothing when the request failed.
    std::optional<std::map<std::string, rd_kafka_consumer_group_state_t>> list_groups() {
        rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
        std::string message;
        auto event = run(RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT, error, message,
                         [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                             rd_kafka_ListConsumerGroups(client_.get(), options, queue);
                         });
        if (!event) {
            ADD_FAILURE() << "ListConsumerGroups: " << rd_kafka_err2name(error) << " " << message;
            return std::nullopt;
        }
        const auto* result = rd_kafka_event_ListConsumerGroups_result(event.get());
        std::size_t error_count = 0;
        rd_kafka_ListConsumerGroups_result_errors(result, &error_count);
        if (error_count != 0) {
            ADD_FAILURE() << "ListConsumerGroups: " << error_count << " errors";
            return std::nullopt;
        }
        std::map<std::string, rd_kafka_consumer_group_state_t> out;
        std::size_t count = 0;
        const auto** listings = rd_kafka_ListConsumerGroups_result_valid(result, &count);
        for (std::size_t i = 0; i < count; ++i) {
            out[rd_kafka_ConsumerGroupListing_group_id(listings[i])] = rd_kafka_ConsumerGroupListing_state(listings[i]);
        }
        return out;
    }

    // DeleteGroups for one group: the request's or the group's error.
    rd_kafka_resp_err_t delete_group(const std::string& group) {
        rd_kafka_DeleteGroup_t* request = rd_kafka_DeleteGroup_new(group.c_str());
        rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
        std::string message;
        auto event = run(RD_KAFKA_EVENT_DELETEGROUPS_RESULT, error, message,
                         [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                             rd_kafka_DeleteGroups(client_.get(), &request, 1, options, queue);
                         });
        rd_kafka_DeleteGroup_destroy(request);
        if (!event) return error;
        std::size_t count = 0;
        const auto** groups =
            rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(event.get()), &count);
        if (count != 1) return RD_KAFKA_RESP_ERR__FAIL;
        const rd_kafka_error_t* failure = rd_kafka_group_result_error(groups[0]);
        return failure != nullptr ? rd_kafka_error_code(failure) : RD_KAFKA_RESP_ERR_NO_ERROR;
    }

    // OffsetFetch through ListConsumerGroupOffsets for partitions 0..n-1.
    offsets_result list_offsets(const std::string& group, const std::string& topic, int partitions) {
        std::map<std::int32_t, std::int64_t> wanted;
        for (int p = 0; p < partitions; ++p) wanted[p] = RD_KAFKA_OFFSET_INVALID;
        rd_kafka_topic_partition_list_t* list = partition_list(topic, wanted);
        rd_kafka_ListConsumerGroupOffsets_t* request = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), list);
        rd_kafka_topic_partition_list_destroy(list);
        offsets_result out;
        auto event = run(RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, out.error, out.message,
                         [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                             rd_kafka_ListConsumerGroupOffsets(client_.get(), &request, 1, options, queue);
                         });
        rd_kafka_ListConsumerGroupOffsets_destroy(request);
        if (!event) return out;
        std::size_t count = 0;
        const auto** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(event.get()), &count);
        collect(groups, count, out);
        return out;
    }

    // OffsetDelete through DeleteConsumerGroupOffsets for `partitions` of `topic`.
    offsets_result delete_offsets(const std::string& group, const std::string& topic,
                                  const std::vector<std::int32_t>& partitions) {
        std::map<std::int32_t, std::int64_t> wanted;
        for (const auto p : partitions) wanted[p] = RD_KAFKA_OFFSET_INVALID;
        rd_kafka_topic_partition_list_t* list = partition_list(topic, wanted);
        rd_kafka_DeleteConsumerGroupOffsets_t* request = rd_kafka_DeleteConsumerGroupOffsets_new(group.c_str(), list);
        rd_kafka_topic_partition_list_destroy(list);
        offsets_result out;
        auto event = run(RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT, out.error, out.message,
                         [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                             rd_kafka_DeleteConsumerGroupOffsets(client_.get(), &request, 1, options, queue);
                         });
        rd_kafka_DeleteConsumerGroupOffsets_destroy(request);
        if (!event) return out;
        std::size_t count = 0;
        const auto** groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
            rd_kafka_event_DeleteConsumerGroupOffsets_result(event.get()), &count);
        collect(groups, count, out);
        return out;
    }

private:
    struct event_deleter {
        void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
    };
    using event_handle = std::unique_ptr<rd_kafka_event_t, event_deleter>;

    // Submits one admin request and waits (bounded) for its result event;
    // null, with `error` and `message` set, when the request failed.
    event_handle run(rd_kafka_event_type_t expected, rd_kafka_resp_err_t& error, std::string& message,
                     const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& submit) {
        if (!client_) {
            error = RD_KAFKA_RESP_ERR__INVALID_ARG;
            message = "no client";
            return nullptr;
        }
        char text[512] = {};
        rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(client_.get(), RD_KAFKA_ADMIN_OP_ANY);
        rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(request_timeout.count()), text,
                                                  sizeof(text));
        rd_kafka_queue_t* queue = rd_kafka_queue_new(client_.get());
        submit(options, queue);
        event_handle event;
        const auto deadline = clock_type::now() + request_timeout + 5s;
        while (!event && clock_type::now() < deadline) event.reset(rd_kafka_queue_poll(queue, 500));
        rd_kafka_queue_destroy(queue);
        rd_kafka_AdminOptions_destroy(options);
        if (!event) {
            error = RD_KAFKA_RESP_ERR__TIMED_OUT;
            message = "no admin result within the deadline";
        } else if (rd_kafka_event_type(event.get()) != expected) {
            error = RD_KAFKA_RESP_ERR__FAIL;
            message = std::string("unexpected admin event ") + rd_kafka_event_name(event.get());
            event.reset();
        } else if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            error = rd_kafka_event_error(event.get());
            const char* why = rd_kafka_event_error_string(event.get());
            message = why != nullptr ? why : "";
            event.reset();
        }
        return event;
    }

    static void collect(const rd_kafka_group_result_t** groups, std::size_t count, offsets_result& out) {
        if (count != 1) {
            out.error = RD_KAFKA_RESP_ERR__FAIL;
            out.message = std::to_string(count) + " group results for one group";
            return;
        }
        if (const rd_kafka_error_t* failure = rd_kafka_group_result_error(groups[0])) {
            out.error = rd_kafka_error_code(failure);
            out.message = rd_kafka_error_string(failure);
            return;
        }
        const auto* partitions = rd_kafka_group_result_partitions(groups[0]);
        for (int i = 0; partitions != nullptr && i < partitions->cnt; ++i) {
            out.offsets[partitions->elems[i].partition] = partitions->elems[i].offset;
            out.partition_errors[partitions->elems[i].partition] = partitions->elems[i].err;
        }
    }

    kafka_handle client_;
};

// ---------------------------------------------------------------------------
// Waiting for a group to settle.

// Polls every member (so librdkafka can run their rebalance callbacks) until
// `problem` returns an empty string or `timeout` passes; on failure the last
// problem and each member's own view are in the message.
::testing::AssertionResult settle(const std::vector<group_member*>& members,
                                  const std::function<std::string()>& problem,
                                  std::chrono::milliseconds timeout = rebalance_timeout) {
    std::string last = "never checked";
    const bool settled = eventually(
        [&] {
            for (group_member* member : members) member->poll();
            last = problem();
            return last.empty();
        },
        timeout, 10ms);
    if (settled) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure() << "the group did not settle: " << last;
    for (const group_member* member : members) failure << "\n  " << member->describe();
    return failure;
}

// What is wrong with the group's ownership of `topic_partitions` partitions,
// or "" when: the broker describes the group as Stable with exactly
// `expected_members` members; every partition has exactly one owner; the
// assignment is balanced (sizes differ by at most one, so nobody is idle
// while another owns two more); and every in-process member in `local`
// believes it owns exactly what the broker says it owns.
std::string ownership_problem(const group_view& view, int topic_partitions, std::size_t expected_members,
                              const std::vector<group_member*>& local) {
    std::ostringstream problem;
    if (view.error != RD_KAFKA_RESP_ERR_NO_ERROR) return "DescribeGroups failed: " + view.str();
    if (view.state != RD_KAFKA_CONSUMER_GROUP_STATE_STABLE) return "not stable: " + view.str();
    if (view.members.size() != expected_members) {
        problem << view.members.size() << " members, expected " << expected_members << ": " << view.str();
        return problem.str();
    }
    std::map<std::int32_t, int> owners;
    std::size_t smallest = static_cast<std::size_t>(topic_partitions) + 1;
    std::size_t largest = 0;
    for (const auto& member : view.members) {
        for (const auto p : member.partitions) ++owners[p];
        smallest = std::min(smallest, member.partitions.size());
        largest = std::max(largest, member.partitions.size());
    }
    for (int p = 0; p < topic_partitions; ++p) {
        if (owners[p] != 1) {
            problem << "partition " << p << " has " << owners[p] << " owners: " << view.str();
            return problem.str();
        }
    }
    if (owners.size() != static_cast<std::size_t>(topic_partitions))
        return "unknown partitions assigned: " + view.str();
    if (largest - smallest > 1) return "unbalanced: " + view.str();
    for (const group_member* member : local) {
        const member_view* seen = view.find(member->name());
        if (seen == nullptr) return member->name() + " is not a member: " + view.str();
        if (seen->partitions != member->assignment()) {
            return member->name() + " believes it owns " + partitions_string(member->assignment()) +
                   ", the broker says " + partitions_string(seen->partitions) + ": " + view.str();
        }
    }
    return "";
}

std::map<std::int32_t, std::int64_t> high_watermarks(rd_kafka_t* client, const std::string& topic, int partitions) {
    std::map<std::int32_t, std::int64_t> out;
    for (int p = 0; p < partitions; ++p) {
        std::int64_t low = -1;
        std::int64_t high = -1;
        const auto error = rd_kafka_query_watermark_offsets(client, topic.c_str(), p, &low, &high,
                                                            static_cast<int>(request_timeout.count()));
        EXPECT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << topic << "/" << p << ": " << rd_kafka_err2str(error);
        out[p] = high;
    }
    return out;
}

// ---------------------------------------------------------------------------
// A group member in another process: kcat's balanced consumer (-G), so that
// a member can really be killed (SIGKILL: no LeaveGroup, no more heartbeats).

class kcat_member {
public:
    kcat_member(const broker_process& broker, const std::string& group, const std::string& topic,
                const std::string& client_id, const std::string& assignor) {
        const std::vector<std::string> properties{
            "client.id=" + client_id, "session.timeout.ms=" + std::to_string(session_timeout_ms),
            "heartbeat.interval.ms=500", "partition.assignment.strategy=" + assignor};
        std::vector<std::string> args{"kcat", "-b", broker.bootstrap(), "-q"};
        for (const auto& property : properties) {
            args.push_back("-X");
            args.push_back(property);
        }
        args.insert(args.end(), {"-G", group, topic});
        // Everything the child needs is prepared before fork(): this process
        // has librdkafka threads, so the child may only make async-signal-safe calls.
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        const std::string output = (broker.directory() / ("kcat-" + client_id + ".log")).string();
        const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            ADD_FAILURE() << "open " << output << ": " << std::strerror(errno);
            return;
        }
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test binary
            if (::getppid() != parent) ::_exit(126);
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
            ::execv(kcat_binary, argv.data());
            ::_exit(127);
        }
        ::close(fd);
        if (pid_ < 0) ADD_FAILURE() << "fork: " << std::strerror(errno);
    }
    ~kcat_member() { kill9(); }
    kcat_member(const kcat_member&) = delete;
    kcat_member& operator=(const kcat_member&) = delete;

    // Whether kcat is still running (it should be until killed).
    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
        return pid_ > 0;
    }

    void kill9() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
};

std::string test_param_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string name = info.param;
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

const auto assignors =
    ::testing::Values(std::string("range"), std::string("roundrobin"), std::string("cooperative-sticky"));

// ---------------------------------------------------------------------------
// 1. Membership and rebalancing.

class GroupMembership : public ::testing::TestWithParam<std::string> {};

// Proves, for each assignor, that the coordinator rebalances the group
// whenever its membership changes and that the result is always a proper
// assignment: one consumer owns all 6 partitions; when a second (in process)
// and a third (kcat, another process) join, each owns 2; when kcat is killed
// with SIGKILL its partitions move to the survivors once its session times
// out (3 each); when a member closes cleanly (LeaveGroup) the last one owns
// all 6. Each time every partition has exactly one owner in the broker's view
// (DescribeGroups) and the in-process consumers were told the same by their
// rebalance callbacks. With cooperative-sticky the clients must also have
// agreed on the COOPERATIVE protocol.
TEST_P(GroupMembership, EveryPartitionHasExactlyOneOwnerAfterEachRebalance) {
    if (!std::filesystem::exists(kcat_binary)) GTEST_SKIP() << "kcat is not installed (" << kcat_binary << ")";
    const std::string assignor = GetParam();
    const std::string topic = "members";
    const std::string group = "members-" + assignor;
    constexpr int partitions = 6;
    broker_process broker(group_broker());
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, topic, partitions));
    group_admin admin(broker);
    const std::map<std::string, std::string> strategy{{"partition.assignment.strategy", assignor}};

    const auto settled_with = [&](std::vector<group_member*> local, std::size_t members) {
        return settle(local, [&] { return ownership_problem(admin.describe(group), partitions, members, local); });
    };

    group_member first(broker, group, topic, "first", strategy);
    first.subscribe();
    ASSERT_TRUE(settled_with({&first}, 1));
    EXPECT_EQ(first.assignment(), all_partitions(partitions));

    group_member second(broker, group, topic, "second", strategy);
    second.subscribe();
    kcat_member third(broker, group, topic, "kcat", assignor);
    ASSERT_TRUE(settled_with({&first, &second}, 3));
    EXPECT_EQ(first.assignment().size(), 2u);
    EXPECT_EQ(second.assignment().size(), 2u);
    EXPECT_TRUE(third.running());
    EXPECT_EQ(admin.describe(group).assignor, assignor);

    // Killed: no LeaveGroup; the coordinator must expire the session.
    third.kill9();
    ASSERT_TRUE(settled_with({&first, &second}, 2));
    EXPECT_EQ(first.assignment().size(), 3u);
    EXPECT_EQ(second.assignment().size(), 3u);

    // Clean leave: the revoke callback runs and LeaveGroup triggers the rebalance.
    ASSERT_EQ(second.close(), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_TRUE(second.assignment().empty());
    ASSERT_TRUE(settled_with({&first}, 1));
    EXPECT_EQ(first.assignment(), all_partitions(partitions));

    EXPECT_EQ(first.protocol(), assignor == "cooperative-sticky" ? "COOPERATIVE" : "EAGER");
}

INSTANTIATE_TEST_SUITE_P(Group, GroupMembership, assignors, test_param_name);

// ---------------------------------------------------------------------------
// 2. At-least-once delivery across rebalances.

class GroupDelivery : public ::testing::TestWithParam<std::string> {};

// Proves that with manual synchronous commits (only ever of processed
// positions) no message is skipped while the group changes: 3000 keyed
// messages on 6 partitions, produced in batches so that every membership
// change happens with messages outstanding, are consumed by two members
// while a third joins, one leaves cleanly, one crashes with a processed but
// uncommitted batch (no commit, no LeaveGroup: its partitions move only when
// its session expires) and a fourth joins. In the end every offset of every
// partition was processed at least once by a member that did not crash
// before committing it (the crashed member's uncommitted batch counts as
// lost and must be redelivered to another member), and the group's
// committed offsets are the high watermarks.
TEST_P(GroupDelivery, AtLeastOnceAcrossRebalances) {
    const std::string assignor = GetParam();
    const std::string topic = "alo";
    const std::string group = "alo-" + assignor;
    constexpr int partitions = 6;
    constexpr int batch = 500;
    constexpr int total = 6 * batch;
    broker_process broker(group_broker());
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, topic, partitions));
    int produced = 0;
    const auto produce = [&](int count) {
        const auto outcome = produce_messages(broker.bootstrap(), topic, count, "alo" + std::to_string(produced));
        EXPECT_EQ(outcome.delivered, count) << (outcome.errors.empty() ? "" : outcome.errors.front());
        produced += count;
    };

    const std::map<std::string, std::string> strategy{{"partition.assignment.strategy", assignor}};
    std::vector<std::unique_ptr<group_member>> members;  // every member ever made, in order
    std::vector<group_member*> live;
    const auto join = [&](const std::string& name) {
        members.push_back(std::make_unique<group_member>(broker, group, topic, name, strategy));
        members.back()->subscribe();
        live.push_back(members.back().get());
        return members.back().get();
    };
    const auto leave = [&](group_member* member) { live.erase(std::find(live.begin(), live.end(), member)); };

    // The member that crashes, and what it processed without committing:
    // lost work, which only counts when another member processes it again.
    group_member* crashed = nullptr;
    std::set<std::pair<std::int32_t, std::int64_t>> lost;
    // Everything processed by any member, except the crashed member's lost work.
    const auto durably_processed = [&] {
        std::set<std::pair<std::int32_t, std::int64_t>> seen;
        for (const auto& member : members) {
            for (const auto& c : member->processed()) {
                if (member.get() != crashed || lost.count({c.partition, c.offset}) == 0)
                    seen.insert({c.partition, c.offset});
            }
        }
        return seen;
    };
    const auto members_view = [&] {
        std::ostringstream out;
        out << durably_processed().size() << " of " << produced << " processed";
        for (const auto& member : members) out << "\n  " << member->describe();
        return out.str();
    };
    // Live members process and commit after every batch (a commit may fail
    // during a rebalance: the messages are then redelivered) until `done`.
    const auto consume_until = [&](const std::function<bool()>& done, std::chrono::milliseconds timeout) {
        return eventually(
            [&] {
                for (group_member* member : live) {
                    member->poll(25);
                    member->commit_processed();
                }
                return done();
            },
            timeout, 1ms);
    };
    const auto processed_at_least = [&](int count) {
        return durably_processed().size() >= static_cast<std::size_t>(count);
    };

    group_member* m1 = join("m1");
    join("m2");
    produce(batch);
    ASSERT_TRUE(consume_until([&] { return processed_at_least(batch); }, rebalance_timeout)) << members_view();

    // A member joins with a batch outstanding.
    produce(batch);
    group_member* m3 = join("m3");
    ASSERT_TRUE(
        consume_until([&] { return processed_at_least(2 * batch) && !m3->assignment().empty(); }, rebalance_timeout))
        << members_view();

    // A member leaves cleanly with a batch outstanding (its revoke callback
    // commits what it processed); the others take over all partitions.
    produce(batch);
    ASSERT_EQ(m1->close(), RD_KAFKA_RESP_ERR_NO_ERROR);
    leave(m1);
    ASSERT_TRUE(consume_until(
        [&] {
            std::set<std::int32_t> owned;
            for (const group_member* member : live)
                owned.insert(member->assignment().begin(), member->assignment().end());
            return processed_at_least(3 * batch) && owned == all_partitions(partitions);
        },
        rebalance_timeout))
        << members_view();

    // A member crashes right after processing messages it has not committed.
    produce(batch);
    ASSERT_TRUE(eventually(
        [&] {
            for (group_member* member : live) {
                if (member->poll(25) > 0) {
                    crashed = member;
                    return true;
                }
                member->commit_processed();
            }
            return false;
        },
        rebalance_timeout, 1ms))
        << members_view();
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    const auto committed_at_crash = crashed->committed(partitions, &error);
    ASSERT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(error);
    for (const auto& c : crashed->processed()) {
        const auto it = committed_at_crash.find(c.partition);
        if (it == committed_at_crash.end() || c.offset >= it->second) lost.insert({c.partition, c.offset});
    }
    ASSERT_FALSE(lost.empty());
    crashed->crash();
    leave(crashed);

    // A member joins while the crashed one still holds its partitions; the
    // rest is produced. Everything must be processed and committed.
    join("m4");
    produce(total - produced);
    auto probe = make_client(broker.bootstrap(), RD_KAFKA_CONSUMER, {{"group.id", "alo-probe"}});
    ASSERT_TRUE(probe);
    const auto high = high_watermarks(probe.get(), topic, partitions);
    std::int64_t stored = 0;
    for (const auto& entry : high) stored += entry.second;
    ASSERT_EQ(stored, total);
    std::map<std::int32_t, std::int64_t> committed;
    EXPECT_TRUE(consume_until(
        [&] {
            if (!processed_at_least(total)) return false;
            committed = live.front()->committed(partitions);
            return committed == high;
        },
        rebalance_timeout))
        << members_view();

    std::map<std::int32_t, std::set<std::int64_t>> processed;
    for (const auto& [partition, offset] : durably_processed()) processed[partition].insert(offset);
    for (int p = 0; p < partitions; ++p) {
        EXPECT_EQ(committed[p], high.at(p)) << "committed offset of partition " << p;
        for (std::int64_t offset = 0; offset < high.at(p); ++offset) {
            if (processed[p].count(offset) == 0) {
                ADD_FAILURE() << "partition " << p << " offset " << offset << " (of " << high.at(p)
                              << ") was never processed (" << lost.size() << " lost by the crash)";
                break;
            }
        }
    }
    for (group_member* member : live) EXPECT_EQ(member->close(), RD_KAFKA_RESP_ERR_NO_ERROR) << member->name();
}

INSTANTIATE_TEST_SUITE_P(Group, GroupDelivery, assignors, test_param_name);

// ---------------------------------------------------------------------------
// 3. Committed offsets survive broker restarts.

// Consumes about half of 300 messages on 3 partitions with commits, closes,
// lets `restart` bring the broker back, and checks that a new member of the
// group continues exactly where the commits were.
void resume_after(broker_process& broker, const std::function<::testing::AssertionResult()>& restart) {
    const std::string topic = "resume";
    const std::string group = "resume";
    constexpr int partitions = 3;
    constexpr int total = 300;
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, topic, partitions));
    const auto produced = produce_messages(broker.bootstrap(), topic, total, "resume");
    ASSERT_EQ(produced.delivered, total);

    std::map<std::int32_t, std::int64_t> committed_before;
    {
        group_member before(broker, group, topic, "before");
        before.subscribe();
        std::size_t processed = 0;
        ASSERT_TRUE(eventually(
            [&] {
                processed += static_cast<std::size_t>(before.poll(10));
                return processed >= total / 2;
            },
            rebalance_timeout, 1ms))
            << before.describe();
        // Nothing else runs in the group: this commit has to succeed.
        ASSERT_EQ(before.commit_processed(), RD_KAFKA_RESP_ERR_NO_ERROR) << before.describe();
        rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
        committed_before = before.committed(partitions, &error);
        ASSERT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(error);
        // What the broker returns is exactly what was processed.
        std::map<std::int32_t, std::int64_t> expected;
        for (int p = 0; p < partitions; ++p) expected[p] = RD_KAFKA_OFFSET_INVALID;
        for (const auto& c : before.processed()) expected[c.partition] = std::max(expected[c.partition], c.offset + 1);
        ASSERT_EQ(committed_before, expected);
        ASSERT_EQ(before.close(), RD_KAFKA_RESP_ERR_NO_ERROR);
    }

    ASSERT_TRUE(restart());

    group_member after(broker, group, topic, "after");
    after.subscribe();
    // The coordinator may still be loading __consumer_offsets: retry.
    std::map<std::int32_t, std::int64_t> committed_after;
    EXPECT_TRUE(eventually(
        [&] {
            committed_after = after.committed(partitions);
            return committed_after == committed_before;
        },
        rebalance_timeout))
        << "committed offsets changed across the restart";

    auto probe = make_client(broker.bootstrap(), RD_KAFKA_CONSUMER, {{"group.id", "resume-probe"}});
    ASSERT_TRUE(probe);
    const auto high = high_watermarks(probe.get(), topic, partitions);
    std::size_t remaining = 0;
    std::map<std::int32_t, std::int64_t> resume_at;  // where each partition must continue
    for (int p = 0; p < partitions; ++p) {
        resume_at[p] = committed_before[p] == RD_KAFKA_OFFSET_INVALID ? 0 : committed_before[p];
        remaining += static_cast<std::size_t>(high.at(p) - resume_at[p]);
    }
    EXPECT_TRUE(eventually(
        [&] {
            after.poll(50);
            return after.processed().size() >= remaining;
        },
        rebalance_timeout, 1ms))
        << after.describe();
    std::map<std::int32_t, std::vector<std::int64_t>> seen;
    for (const auto& c : after.processed()) seen[c.partition].push_back(c.offset);
    for (int p = 0; p < partitions; ++p) {
        std::vector<std::int64_t> expected;
        for (std::int64_t offset = resume_at[p]; offset < high.at(p); ++offset) expected.push_back(offset);
        EXPECT_EQ(seen[p], expected) << "partition " << p << " did not resume at its committed offset " << resume_at[p];
    }
    EXPECT_EQ(after.close(), RD_KAFKA_RESP_ERR_NO_ERROR);
}

// Proves committed offsets survive a clean broker restart (SIGTERM): a new
// member of the group resumes every partition exactly at its committed
// offset, neither re-reading committed messages nor skipping any.
TEST(Group, ResumeAfterRestart) {
    broker_process broker(group_broker());
    ASSERT_TRUE(broker.start());
    resume_after(broker, [&] { return broker.restart(); });
}

// Proves a commit the broker acknowledged is durable: after kill -9 and a
// restart, the group resumes exactly at the acknowledged offsets.
TEST(Group, ResumeAfterKill9) {
    broker_process broker(group_broker());
    ASSERT_TRUE(broker.start());
    resume_after(broker, [&] {
        broker.kill9();
        return broker.start();
    });
}

// ---------------------------------------------------------------------------
// 4. Static membership.

// Proves KIP-345: a static member (group.instance.id) that goes away without
// leaving and comes back within its session timeout gets its old partitions
// back without a rebalance: the other member's rebalance callback does not
// run again, and its assignment is unchanged. (With the eager protocol any
// rebalance would have to revoke the other member's partitions through its
// callback before the returning member could be given anything, so a
// rebalance cannot go unnoticed.)
TEST(Group, StaticMemberRestartsWithoutRebalance) {
    const std::string topic = "static";
    const std::string group = "static";
    constexpr int partitions = 4;
    broker_process broker(group_broker());
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, topic, partitions));
    group_admin admin(broker);
    const auto options = [](const std::string& instance) {
        return std::map<std::string, std::string>{{"group.instance.id", instance},
                                                  {"session.timeout.ms", "10000"},
                                                  {"partition.assignment.strategy", "range"}};
    };

    group_member a(broker, group, topic, "a", options("a"));
    a.subscribe();
    auto b = std::make_unique<group_member>(broker, group, topic, "b", options("b"));
    b->subscribe();
    ASSERT_TRUE(settle({&a, b.get()}, [&] {
        return ownership_problem(admin.describe(group), partitions, 2, {&a, b.get()});
    }));
    const int a_callbacks = a.rebalances();
    const auto a_owned = a.assignment();
    const auto b_owned = b->assignment();
    ASSERT_EQ(b_owned.size(), 2u);

    // librdkafka does not send LeaveGroup when a static member closes.
    ASSERT_EQ(b->close(), RD_KAFKA_RESP_ERR_NO_ERROR);
    b = std::make_unique<group_member>(broker, group, topic, "b", options("b"));
    b->subscribe();
    ASSERT_TRUE(settle(
        {&a, b.get()},
        [&] {
            if (b->assignment().empty()) return std::string("b has no partitions yet");
            return ownership_problem(admin.describe(group), partitions, 2, {&a, b.get()});
        },
        30s));
    EXPECT_EQ(b->assignment(), b_owned);
    EXPECT_EQ(a.assignment(), a_owned);
    EXPECT_EQ(a.rebalances(), a_callbacks) << "a's partitions were revoked: the group rebalanced";
    const auto view = admin.describe(group);
    std::set<std::string> instances;
    for (const auto& member : view.members) instances.insert(member.instance_id);
    EXPECT_EQ(instances, (std::set<std::string>{"a", "b"})) << view.str();
}

// ---------------------------------------------------------------------------
// 5. Lag.

// Proves the offsets a group commits are the ones the broker reports, so
// that consumer lag (high watermark minus committed offset) is right: after
// committing 10, 20 and 30 on three partitions of 100 messages, a client
// that is not a member reads them back (OffsetFetch) and computes lags 90,
// 80, 70; the admin API (ListConsumerGroupOffsets) agrees, and the group,
// now without members, is Empty.
TEST(Group, LagMatchesCommittedOffsets) {
    const std::string topic = "lag";
    const std::string group = "lag";
    constexpr int partitions = 3;
    broker_process broker(group_broker());
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, topic, partitions));
    for (int p = 0; p < partitions; ++p) {
        const auto produced = produce_messages(broker.bootstrap(), topic, 100, "lag", p);
        ASSERT_EQ(produced.delivered, 100);
    }
    group_admin admin(broker);
    const std::map<std::int32_t, std::int64_t> commits{{0, 10}, {1, 20}, {2, 30}};
    {
        // Reads nothing (it starts at the end), so closing it commits nothing
        // of its own over the explicit commits.
        group_member member(broker, group, topic, "lagging", {{"auto.offset.reset", "latest"}});
        member.subscribe();
        ASSERT_TRUE(
            settle({&member}, [&] { return ownership_problem(admin.describe(group), partitions, 1, {&member}); }));
        ASSERT_EQ(member.commit(commits), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(member.close(), RD_KAFKA_RESP_ERR_NO_ERROR);
    }

    group_member observer(broker, group, topic, "observer");  // never subscribes: not a member
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    const auto committed = observer.committed(partitions, &error);
    ASSERT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(error);
    EXPECT_EQ(committed, commits);
    const auto high = high_watermarks(observer.handle(), topic, partitions);
    std::map<std::int32_t, std::int64_t> lag;
    for (int p = 0; p < partitions; ++p) lag[p] = high.at(p) - committed.at(p);
    EXPECT_EQ(lag, (std::map<std::int32_t, std::int64_t>{{0, 90}, {1, 80}, {2, 70}}));

    const auto listed = admin.list_offsets(group, topic, partitions);
    ASSERT_EQ(listed.error, RD_KAFKA_RESP_ERR_NO_ERROR) << listed.message;
    EXPECT_EQ(listed.offsets, commits);
    for (const auto& [partition, partition_error] : listed.partition_errors) {
        EXPECT_EQ(partition_error, RD_KAFKA_RESP_ERR_NO_ERROR) << "partition " << partition;
    }
    const auto view = admin.describe(group);
    EXPECT_EQ(view.state, RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY) << view.str();
    EXPECT_TRUE(view.members.empty()) << view.str();
}

// ---------------------------------------------------------------------------
// 6. Group administration.

// Proves the admin operations on groups behave as Kafka's do: ListGroups
// shows the group and its state (Stable with members, Empty after they
// left); deleting the offsets of a topic the group is subscribed to fails
// per partition with GROUP_SUBSCRIBED_TO_TOPIC, and succeeds once the group
// is empty; deleting an active group fails with NON_EMPTY_GROUP, an empty
// one succeeds (it disappears from the listing and loses its offsets), and
// deleting it again gives GROUP_ID_NOT_FOUND.
TEST(Group, GroupAdmin) {
    const std::string topic = "admin";
    const std::string group = "admin";
    constexpr int partitions = 2;
    broker_process broker(group_broker());
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, topic, partitions));
    group_admin admin(broker);

    auto first = std::make_unique<group_member>(broker, group, topic, "first");
    auto second = std::make_unique<group_member>(broker, group, topic, "second");
    first->subscribe();
    second->subscribe();
    ASSERT_TRUE(settle({first.get(), second.get()}, [&] {
        return ownership_problem(admin.describe(group), partitions, 2, {first.get(), second.get()});
    }));
    const auto listed = admin.list_groups();
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->count(group), 1u);
    EXPECT_EQ(listed->at(group), RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);

    // Each member commits offset 1 on the partition it owns.
    for (group_member* member : {first.get(), second.get()}) {
        ASSERT_EQ(member->assignment().size(), 1u);
        ASSERT_EQ(member->commit({{*member->assignment().begin(), 1}}), RD_KAFKA_RESP_ERR_NO_ERROR) << member->name();
    }
    auto offsets = admin.list_offsets(group, topic, partitions);
    ASSERT_EQ(offsets.error, RD_KAFKA_RESP_ERR_NO_ERROR) << offsets.message;
    EXPECT_EQ(offsets.offsets, (std::map<std::int32_t, std::int64_t>{{0, 1}, {1, 1}}));

    EXPECT_EQ(admin.delete_group(group), RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP);
    auto deleted = admin.delete_offsets(group, topic, {0});
    ASSERT_EQ(deleted.error, RD_KAFKA_RESP_ERR_NO_ERROR) << deleted.message;
    EXPECT_EQ(deleted.partition_errors[0], RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC);

    ASSERT_EQ(first->close(), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(second->close(), RD_KAFKA_RESP_ERR_NO_ERROR);
    group_view view;
    EXPECT_TRUE(eventually([&] {
        view = admin.describe(group);
        return view.state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY;
    })) << view.str();
    const auto empty = admin.list_groups();
    ASSERT_TRUE(empty.has_value());
    ASSERT_EQ(empty->count(group), 1u);
    EXPECT_EQ(empty->at(group), RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);

    deleted = admin.delete_offsets(group, topic, {0});
    ASSERT_EQ(deleted.error, RD_KAFKA_RESP_ERR_NO_ERROR) << deleted.message;
    EXPECT_EQ(deleted.partition_errors[0], RD_KAFKA_RESP_ERR_NO_ERROR);
    offsets = admin.list_offsets(group, topic, partitions);
    ASSERT_EQ(offsets.error, RD_KAFKA_RESP_ERR_NO_ERROR) << offsets.message;
    EXPECT_EQ(offsets.offsets, (std::map<std::int32_t, std::int64_t>{{0, RD_KAFKA_OFFSET_INVALID}, {1, 1}}));

    EXPECT_EQ(admin.delete_group(group), RD_KAFKA_RESP_ERR_NO_ERROR);
    const auto after = admin.list_groups();
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->count(group), 0u);
    offsets = admin.list_offsets(group, topic, partitions);
    ASSERT_EQ(offsets.error, RD_KAFKA_RESP_ERR_NO_ERROR) << offsets.message;
    EXPECT_EQ(offsets.offsets,
              (std::map<std::int32_t, std::int64_t>{{0, RD_KAFKA_OFFSET_INVALID}, {1, RD_KAFKA_OFFSET_INVALID}}));
    EXPECT_EQ(admin.delete_group(group), RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
}

}  // namespace
}  // namespace brook::integration
