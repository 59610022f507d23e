// brook-consumer-groups against a real brook: listing and describing a live
// group of librdkafka consumers and the same group once they left (lag checked
// against what was produced), --members and --state, resetting offsets with
// every scenario in dry-run and execute modes (read back with --describe),
// refusals while a group is active, deleting groups and offsets, and the
// command-line mistakes people make; checked by what the tool prints and its
// exit code, as a script around kafka-consumer-groups.sh would see them.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "tool_runner.h"

namespace brook::integration {
namespace {

constexpr std::chrono::milliseconds rebalance_timeout = 45s;

broker_options group_broker() {
    return broker_options(std::map<std::string, std::string>{{"group.initial.rebalance.delay.ms", "0"}});
}

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

bool contains(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

bool contains_text(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A librdkafka consumer in a group, subscribed to one topic, committing by hand.
class consumer {
public:
    consumer(const broker_process& broker, const std::string& group, const std::string& topic,
             const std::string& client_id)
        : topic_(topic) {
        handle_ = make_client(broker.bootstrap(), RD_KAFKA_CONSUMER,
                              {{"group.id", group},
                               {"client.id", client_id},
                               {"enable.auto.commit", "false"},
                               {"auto.offset.reset", "earliest"},
                               {"session.timeout.ms", "6000"},
                               {"heartbeat.interval.ms", "500"},
                               {"log_level", "4"}});
        if (!handle_) return;
        rd_kafka_poll_set_consumer(handle_.get());
        rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
        EXPECT_EQ(rd_kafka_subscribe(handle_.get(), topics), RD_KAFKA_RESP_ERR_NO_ERROR);
        rd_kafka_topic_partition_list_destroy(topics);
    }

    // Polls once (rebalances run inside polls); how many partitions it owns.
    int assigned() {
        if (!handle_) return 0;
        if (rd_kafka_message_t* message = rd_kafka_consumer_poll(handle_.get(), 50)) rd_kafka_message_destroy(message);
        rd_kafka_topic_partition_list_t* list = nullptr;
        if (rd_kafka_assignment(handle_.get(), &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
        const int count = list->cnt;
        rd_kafka_topic_partition_list_destroy(list);
        return count;
    }

    rd_kafka_resp_err_t commit(const std::map<std::int32_t, std::int64_t>& offsets) {
        rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
        for (const auto& [partition, offset] : offsets)
            rd_kafka_topic_partition_list_add(list, topic_.c_str(), partition)->offset = offset;
        auto error = rd_kafka_commit(handle_.get(), list, 0);
        for (int i = 0; error == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) error = list->elems[i].err;
        rd_kafka_topic_partition_list_destroy(list);
        return error;
    }

    // Leaves the group (LeaveGroup), as a clean shutdown does.
    void close() {
        if (!handle_) return;
        rd_kafka_consumer_close(handle_.get());
        handle_.reset();
    }

private:
    std::string topic_;
    kafka_handle handle_;
};

class ToolsConsumerGroups : public ::testing::Test {
protected:
    ToolsConsumerGroups() : broker(group_broker()) {}
    void SetUp() override { ASSERT_TRUE(broker.start()); }

    // brook-consumer-groups --bootstrap-server <broker> <arguments...>
    tool_output groups(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"--bootstrap-server", broker.bootstrap()});
        return run_tool("brook-consumer-groups", arguments);
    }

    // The data rows of `--describe --group g` (offsets), keyed "topic:partition".
    std::map<std::string, std::vector<std::string>> offset_rows(const std::string& group) {
        std::map<std::string, std::vector<std::string>> rows;
        const auto described = groups({"--describe", "--group", group});
        for (const auto& line : lines_of(described.out)) {
            auto cells = words(line);
            if (cells.size() != 9 || cells[0] != group) continue;
            rows[cells[1] + ":" + cells[2]] = cells;
        }
        return rows;
    }

    // CURRENT-OFFSET per "topic:partition" as --describe shows it.
    std::map<std::string, std::string> current_offsets(const std::string& group) {
        std::map<std::string, std::string> out;
        for (const auto& [key, cells] : offset_rows(group)) out[key] = cells[3];
        return out;
    }

    void produce(const std::string& topic, std::int32_t partition, int count) {
        const auto produced = produce_messages(broker.bootstrap(), topic, count, "m", partition);
        ASSERT_EQ(produced.delivered, count);
    }

    broker_process broker;
};

// The NEW-OFFSET rows of a --reset-offsets run: "topic:partition" → offset.
std::map<std::string, std::string> planned(const tool_output& output, const std::string& group) {
    std::map<std::string, std::string> out;
    for (const auto& line : lines_of(output.out)) {
        const auto cells = words(line);
        if (cells.size() == 4 && cells[0] == group) out[cells[1] + ":" + cells[2]] = cells[3];
    }
    return out;
}

TEST_F(ToolsConsumerGroups, DescribesALiveGroupAndTheSameGroupAfterItsMembersLeft) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "orders", 3));
    ASSERT_NO_FATAL_FAILURE(produce("orders", 0, 10));
    ASSERT_NO_FATAL_FAILURE(produce("orders", 1, 20));
    ASSERT_NO_FATAL_FAILURE(produce("orders", 2, 30));

    consumer member(broker, "billing", "orders", "billing-1");
    ASSERT_TRUE(eventually([&] { return member.assigned() == 3; }, rebalance_timeout)) << "never assigned";
    ASSERT_EQ(member.commit({{0, 4}, {1, 20}, {2, 10}}), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(eventually([&] {
        member.assigned();
        return groups({"--describe", "--group", "billing", "--state"}).out.find("Stable") != std::string::npos;
    }, rebalance_timeout));

    const auto listed = groups({"--list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.describe();
    EXPECT_EQ(lines_of(listed.out), std::vector<std::string>{"billing"});

    const auto with_state = groups({"--list", "--state"});
    ASSERT_EQ(with_state.exit_code, 0) << with_state.describe();
    auto lines = lines_of(with_state.out);
    ASSERT_EQ(lines.size(), 2u) << with_state.out;
    EXPECT_EQ(words(lines[0]), (std::vector<std::string>{"GROUP", "STATE"}));
    EXPECT_EQ(words(lines[1]), (std::vector<std::string>{"billing", "Stable"}));
    EXPECT_EQ(lines_of(groups({"--list", "--state", "empty"}).out), std::vector<std::string>{"GROUP STATE"});
    EXPECT_EQ(lines_of(groups({"--list", "--state", "Stable,Empty"}).out).size(), 2u);

    const auto described = groups({"--describe", "--group", "billing"});
    ASSERT_EQ(described.exit_code, 0) << described.describe();
    EXPECT_EQ(described.err, "");
    lines = lines_of(described.out);
    ASSERT_EQ(lines.size(), 4u) << described.out;
    EXPECT_EQ(words(lines[0]), (std::vector<std::string>{"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET",
                                                         "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"}));
    const std::vector<std::vector<std::string>> expected{{"0", "4", "10", "6"}, {"1", "20", "20", "0"},
                                                         {"2", "10", "30", "20"}};
    std::string consumer_id;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto cells = words(lines[i + 1]);
        ASSERT_EQ(cells.size(), 9u) << lines[i + 1];
        EXPECT_EQ(cells[0], "billing");
        EXPECT_EQ(cells[1], "orders");
        EXPECT_EQ((std::vector<std::string>(cells.begin() + 2, cells.begin() + 6)), expected[i]) << lines[i + 1];
        EXPECT_NE(cells[6], "-");
        EXPECT_EQ(cells[8], "billing-1");
        consumer_id = cells[6];
    }

    const auto members = groups({"--describe", "--group", "billing", "--members", "--verbose"});
    ASSERT_EQ(members.exit_code, 0) << members.describe();
    lines = lines_of(members.out);
    ASSERT_EQ(lines.size(), 2u) << members.out;
    EXPECT_EQ(words(lines[0]),
              (std::vector<std::string>{"GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT"}));
    auto cells = words(lines[1]);
    ASSERT_EQ(cells.size(), 6u) << lines[1];
    EXPECT_EQ(cells[0], "billing");
    EXPECT_EQ(cells[1], consumer_id);
    EXPECT_EQ(cells[3], "billing-1");
    EXPECT_EQ(cells[4], "3");
    EXPECT_EQ(cells[5], "orders(0,1,2)");

    const auto state = groups({"--describe", "--group", "billing", "--state"});
    ASSERT_EQ(state.exit_code, 0) << state.describe();
    lines = lines_of(state.out);
    ASSERT_EQ(lines.size(), 2u) << state.out;
    EXPECT_EQ(words(lines[0]),
              (std::vector<std::string>{"GROUP", "COORDINATOR", "(ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"}));
    EXPECT_EQ(words(lines[1]), (std::vector<std::string>{"billing", "127.0.0.1:" + std::to_string(broker.port()),
                                                         "(1)", "range", "Stable", "1"}));

    // An active group keeps its offsets and its life.
    const auto reset = groups({"--reset-offsets", "--group", "billing", "--topic", "orders", "--to-earliest",
                               "--execute"});
    EXPECT_EQ(reset.exit_code, 1) << reset.describe();
    EXPECT_TRUE(contains(lines_of(reset.out),
                         "Error: Assignments can only be reset if the group 'billing' is inactive, but the current "
                         "state is Stable."))
        << reset.describe();
    const auto deleted = groups({"--delete", "--group", "billing"});
    EXPECT_EQ(deleted.exit_code, 1) << deleted.describe();
    EXPECT_EQ(lines_of(deleted.out),
              (std::vector<std::string>{"Error: Deletion of some consumer groups failed:",
                                        "* Group 'billing' could not be deleted due to: The group is not empty."}));
    const auto offsets_deleted = groups({"--delete-offsets", "--group", "billing", "--topic", "orders:0"});
    EXPECT_EQ(offsets_deleted.exit_code, 1) << offsets_deleted.describe();
    lines = lines_of(offsets_deleted.out);
    ASSERT_EQ(lines.size(), 3u) << offsets_deleted.out;
    EXPECT_EQ(lines[0], "Error: Encounter some partition level error, see the follow-up details:");
    EXPECT_EQ(words(lines[1]), (std::vector<std::string>{"TOPIC", "PARTITION", "STATUS"}));
    EXPECT_TRUE(contains_text(lines[2], "orders 0")) << lines[2];
    EXPECT_TRUE(contains_text(lines[2], "Error: Deleting offsets of a topic is forbidden while the consumer group is "
                                        "actively subscribed to it."))
        << lines[2];
    EXPECT_EQ(current_offsets("billing").at("orders:0"), "4");

    // Once the member left: the same offsets and lag, no consumer.
    member.close();
    ASSERT_TRUE(eventually([&] { return contains_text(groups({"--list", "--state"}).out, "Empty"); }));
    const auto empty = groups({"--describe", "--group", "billing"});
    ASSERT_EQ(empty.exit_code, 0) << empty.describe();
    EXPECT_EQ(lines_of(empty.err), std::vector<std::string>{"Consumer group 'billing' has no active members."});
    lines = lines_of(empty.out);
    ASSERT_EQ(lines.size(), 4u) << empty.out;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        std::vector<std::string> row{"billing", "orders"};
        row.insert(row.end(), expected[i].begin(), expected[i].end());
        row.insert(row.end(), {"-", "-", "-"});
        EXPECT_EQ(words(lines[i + 1]), row);
    }
    const auto no_members = groups({"--describe", "--group", "billing", "--members"});
    ASSERT_EQ(no_members.exit_code, 0) << no_members.describe();
    EXPECT_EQ(lines_of(no_members.out), std::vector<std::string>{"GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS"});
    const auto empty_state = groups({"--describe", "--group", "billing", "--state"});
    lines = lines_of(empty_state.out);
    ASSERT_EQ(lines.size(), 2u) << empty_state.describe();
    cells = words(lines[1]);
    ASSERT_EQ(cells.size(), 5u) << lines[1];  // no assignment strategy once empty
    EXPECT_EQ(cells[3], "Empty");
    EXPECT_EQ(cells[4], "0");
}

TEST_F(ToolsConsumerGroups, DescribingAGroupThatDoesNotExistFails) {
    const auto described = groups({"--describe", "--group", "ghost"});
    EXPECT_EQ(described.exit_code, 1) << described.describe();
    EXPECT_EQ(lines_of(described.out), std::vector<std::string>{"Error: Consumer group 'ghost' does not exist."});
    const auto members = groups({"--describe", "--group", "ghost", "--members"});
    EXPECT_EQ(members.exit_code, 1) << members.describe();
    const auto all = groups({"--describe", "--all-groups"});
    EXPECT_EQ(all.exit_code, 0) << all.describe();
    EXPECT_EQ(all.out, "");
}

TEST_F(ToolsConsumerGroups, ResetsOffsetsInDryRunAndExecuteModes) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "events", 2));
    ASSERT_NO_FATAL_FAILURE(produce("events", 0, 5));
    ASSERT_NO_FATAL_FAILURE(produce("events", 1, 5));
    // A moment after the first five messages of each partition; the next five are later.
    const auto now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    const std::int64_t middle = now_ms() + 1;
    ASSERT_TRUE(eventually([&] { return now_ms() > middle; }));
    ASSERT_NO_FATAL_FAILURE(produce("events", 0, 5));
    ASSERT_NO_FATAL_FAILURE(produce("events", 1, 5));

    // Dry run is the default: a plan, a warning, nothing committed.
    const auto dry = groups({"--reset-offsets", "--group", "replay", "--topic", "events", "--to-earliest"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_TRUE(contains_text(dry.err, "WARN: No action will be performed as the --execute option is missing."));
    auto lines = lines_of(dry.out);
    ASSERT_EQ(lines.size(), 3u) << dry.out;
    EXPECT_EQ(words(lines[0]), (std::vector<std::string>{"GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"}));
    EXPECT_EQ(words(lines[1]), (std::vector<std::string>{"replay", "events", "0", "0"}));
    EXPECT_EQ(words(lines[2]), (std::vector<std::string>{"replay", "events", "1", "0"}));
    EXPECT_EQ(groups({"--describe", "--group", "replay"}).exit_code, 1) << "a dry run created the group";

    using offsets = std::map<std::string, std::string>;
    auto execute = [&](std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"--reset-offsets", "--group", "replay"});
        arguments.push_back("--execute");
        const auto output = groups(arguments);
        EXPECT_EQ(output.exit_code, 0) << output.describe();
        EXPECT_EQ(output.err.find("WARN: No action"), std::string::npos);
        return planned(output, "replay");
    };

    EXPECT_EQ(execute({"--topic", "events", "--to-offset", "3"}), (offsets{{"events:0", "3"}, {"events:1", "3"}}));
    EXPECT_EQ(current_offsets("replay"), (offsets{{"events:0", "3"}, {"events:1", "3"}}));
    // The lag is what remains after the committed offset.
    EXPECT_EQ(offset_rows("replay").at("events:1")[5], "7");

    // One partition only; the other keeps its offset.
    EXPECT_EQ(execute({"--topic", "events:1", "--shift-by", "4"}), (offsets{{"events:1", "7"}}));
    EXPECT_EQ(current_offsets("replay"), (offsets{{"events:0", "3"}, {"events:1", "7"}}));

    // Clamped to the log, with a warning.
    const auto beyond = groups({"--reset-offsets", "--group", "replay", "--all-topics", "--shift-by", "100",
                                "--dry-run"});
    EXPECT_EQ(beyond.exit_code, 0) << beyond.describe();
    EXPECT_EQ(planned(beyond, "replay"), (offsets{{"events:0", "10"}, {"events:1", "10"}}));
    EXPECT_TRUE(contains_text(beyond.err, "is higher than latest offset for topic partition events-0")) << beyond.err;
    EXPECT_EQ(execute({"--all-topics", "--shift-by", "-5"}), (offsets{{"events:0", "0"}, {"events:1", "2"}}));
    EXPECT_EQ(current_offsets("replay"), (offsets{{"events:0", "0"}, {"events:1", "2"}}));

    EXPECT_EQ(execute({"--topic", "events", "--to-latest"}), (offsets{{"events:0", "10"}, {"events:1", "10"}}));
    EXPECT_EQ(current_offsets("replay"), (offsets{{"events:0", "10"}, {"events:1", "10"}}));

    // The first message at or after the time.
    const std::time_t seconds = static_cast<std::time_t>(middle / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03d", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(middle % 1000));
    EXPECT_EQ(execute({"--topic", "events", "--to-datetime", text}), (offsets{{"events:0", "5"}, {"events:1", "5"}}));
    EXPECT_EQ(current_offsets("replay"), (offsets{{"events:0", "5"}, {"events:1", "5"}}));
    EXPECT_EQ(execute({"--topic", "events", "--to-datetime", std::string(text) + "Z"}),
              (offsets{{"events:0", "5"}, {"events:1", "5"}}));

    EXPECT_EQ(execute({"--topic", "events", "--by-duration", "P1DT2H"}),
              (offsets{{"events:0", "0"}, {"events:1", "0"}}));
    EXPECT_EQ(execute({"--all-topics", "--to-current"}), (offsets{{"events:0", "0"}, {"events:1", "0"}}));

    // The group exists now, offsets only.
    const auto listed = groups({"--list", "--state"});
    EXPECT_EQ(words(lines_of(listed.out).at(1)), (std::vector<std::string>{"replay", "Empty"})) << listed.describe();
}

TEST_F(ToolsConsumerGroups, ResetRefusesTopicsThatDoNotExist) {
    const auto reset = groups({"--reset-offsets", "--group", "g", "--topic", "missing", "--to-earliest",
                               "--execute"});
    EXPECT_EQ(reset.exit_code, 1) << reset.describe();
    EXPECT_TRUE(contains(lines_of(reset.out),
                         "Error: Executing consumer group command failed due to Topic 'missing' does not exist."))
        << reset.describe();
}

TEST_F(ToolsConsumerGroups, DeletesEmptyGroupsAndRefusesUnknownOnes) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "logs", 1));
    ASSERT_NO_FATAL_FAILURE(produce("logs", 0, 3));
    for (const std::string group : {"old-1", "old-2"}) {
        const auto made = groups({"--reset-offsets", "--group", group, "--topic", "logs", "--to-latest", "--execute"});
        ASSERT_EQ(made.exit_code, 0) << made.describe();
    }
    EXPECT_EQ(lines_of(groups({"--list"}).out), (std::vector<std::string>{"old-1", "old-2"}));

    const auto unknown = groups({"--delete", "--group", "nobody"});
    EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
    EXPECT_EQ(lines_of(unknown.out),
              (std::vector<std::string>{"Error: Deletion of some consumer groups failed:",
                                        "* Group 'nobody' could not be deleted due to: The group id does not exist."}));

    const auto mixed = groups({"--delete", "--group", "old-1", "--group", "nobody"});
    EXPECT_EQ(mixed.exit_code, 1) << mixed.describe();
    EXPECT_TRUE(contains(lines_of(mixed.out), "These consumer groups were deleted successfully: 'old-1'"))
        << mixed.describe();

    const auto deleted = groups({"--delete", "--all-groups"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
    EXPECT_EQ(deleted.out, "Deletion of requested consumer groups ('old-2') was successful.\n");
    EXPECT_EQ(groups({"--list"}).out, "");
    EXPECT_EQ(groups({"--describe", "--group", "old-2"}).exit_code, 1);
}

TEST_F(ToolsConsumerGroups, DeletesOffsetsOfSomeTopics) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "a", 2));
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "b", 1));
    ASSERT_NO_FATAL_FAILURE(produce("a", 0, 2));
    ASSERT_NO_FATAL_FAILURE(produce("b", 0, 2));
    const auto made = groups({"--reset-offsets", "--group", "tidy", "--topic", "a", "--topic", "b", "--to-latest",
                              "--execute"});
    ASSERT_EQ(made.exit_code, 0) << made.describe();
    EXPECT_EQ(current_offsets("tidy"), (std::map<std::string, std::string>{{"a:0", "2"}, {"a:1", "0"}, {"b:0", "2"}}));

    const auto deleted = groups({"--delete-offsets", "--group", "tidy", "--topic", "a"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
    auto lines = lines_of(deleted.out);
    ASSERT_EQ(lines.size(), 4u) << deleted.out;
    EXPECT_EQ(lines[0], "Request succeed for deleting offsets with topic a group tidy");
    EXPECT_EQ(words(lines[1]), (std::vector<std::string>{"TOPIC", "PARTITION", "STATUS"}));
    EXPECT_EQ(words(lines[2]), (std::vector<std::string>{"a", "0", "Successful"}));
    EXPECT_EQ(words(lines[3]), (std::vector<std::string>{"a", "1", "Successful"}));
    EXPECT_EQ(current_offsets("tidy"), (std::map<std::string, std::string>{{"b:0", "2"}}));

    const auto unknown_topic = groups({"--delete-offsets", "--group", "tidy", "--topic", "nope"});
    EXPECT_EQ(unknown_topic.exit_code, 1) << unknown_topic.describe();
    lines = lines_of(unknown_topic.out);
    ASSERT_EQ(lines.size(), 3u) << unknown_topic.out;
    EXPECT_EQ(lines[0], "Error: Encounter some partition level error, see the follow-up details:");
    EXPECT_EQ(words(lines[2])[0], "nope");
    EXPECT_TRUE(contains_text(lines[2], "Not Provided")) << lines[2];

    const auto unknown_group = groups({"--delete-offsets", "--group", "ghost", "--topic", "b"});
    EXPECT_EQ(unknown_group.exit_code, 1) << unknown_group.describe();
    EXPECT_EQ(lines_of(unknown_group.out).at(0), "Error: 'ghost' does not exist.");
}

TEST_F(ToolsConsumerGroups, RefusesCommandLinesThatDoNotMakeSense) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--group", "g"}, "Command must include exactly one action"},
        {{"--list", "--describe"}, "Command must include exactly one action"},
        {{"--describe"}, "Option [describe] takes one of these options: [group], [all-groups]"},
        {{"--describe", "--group", "g", "--members", "--state"}, "takes at most one of these options"},
        {{"--describe", "--group", "g", "--state", "stable"}, "Option [describe] does not take a value for [state]"},
        {{"--list", "--state", "sleepy"}, "Invalid state list 'sleepy'. Valid states are:"},
        {{"--list", "--members"}, "Option(s) [members] are unavailable"},
        {{"--delete"}, "Option [delete] takes one of these options: [group], [all-groups]"},
        {{"--delete", "--group", "g", "--topic", "t"}, "The consumer does not support topic-specific offset deletion"},
        {{"--delete-offsets", "--group", "g"}, "Option [delete-offsets] takes the following options: [group], [topic]"},
        {{"--reset-offsets", "--group", "g", "--to-earliest"}, "One of the reset scopes should be defined"},
        {{"--reset-offsets", "--topic", "t", "--to-earliest"}, "Option [reset-offsets] takes one of these options"},
        {{"--reset-offsets", "--group", "g", "--all-topics"}, "requires one of the following scenarios"},
        {{"--reset-offsets", "--group", "g", "--all-topics", "--to-earliest", "--to-latest"},
         "Option \"[to-earliest]\" can't be used with option \"[to-latest]\""},
        {{"--reset-offsets", "--group", "g", "--all-topics", "--to-earliest", "--dry-run", "--execute"},
         "only accepts one of [execute] and [dry-run]"},
        {{"--reset-offsets", "--group", "g", "--all-topics", "--to-offset", "x"}, "to-offset"},
        {{"--reset-offsets", "--group", "g", "--all-groups", "--all-topics", "--to-earliest"},
         "Option \"[group]\" can't be used with option \"[all-groups]\""},
        {{"--describe", "--group", "g", "--topic", "t"}, "Option \"[topic]\" can't be used with option \"[describe]\""},
    };
    for (const auto& [arguments, message] : cases) {
        const auto output = groups(arguments);
        EXPECT_EQ(output.exit_code, 1) << output.describe();
        EXPECT_TRUE(contains_text(output.err, message)) << message << "\n" << output.describe();
    }
    // Values checked when the plan is made.
    const auto datetime = groups({"--reset-offsets", "--group", "g", "--all-topics", "--to-datetime", "yesterday"});
    EXPECT_EQ(datetime.exit_code, 1) << datetime.describe();
    EXPECT_TRUE(contains_text(datetime.err, "Error parsing timestamp")) << datetime.describe();
    const auto duration = groups({"--reset-offsets", "--group", "g", "--topic", "t:0", "--by-duration", "1 day"});
    EXPECT_EQ(duration.exit_code, 1) << duration.describe();
    EXPECT_TRUE(contains_text(duration.err, "cannot be parsed to a Duration")) << duration.describe();
    const auto partition = groups({"--reset-offsets", "--group", "g", "--topic", "t:x", "--to-earliest"});
    EXPECT_EQ(partition.exit_code, 1) << partition.describe();
    EXPECT_TRUE(contains_text(partition.err, "Invalid partition 'x'")) << partition.describe();

    EXPECT_EQ(groups({"--help"}).exit_code, 0);
    const auto unreachable = run_tool("brook-consumer-groups", {"--bootstrap-server", "127.0.0.1:1", "--list"});
    EXPECT_EQ(unreachable.exit_code, 1) << unreachable.describe();
    EXPECT_TRUE(contains_text(unreachable.out, "Error: ")) << unreachable.describe();
}

}  // namespace
}  // namespace brook::integration
