// brook-topics against a real brook: every action, the filters of
// --describe, and the error paths people hit (topic exists, unknown topic,
// bad config, bad flags, no broker), checked by what it prints and its exit
// code, as a script wrapped around kafka-topics.sh would see them.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "brook/client/blocking_client.h"
#include "brook/messages/find_coordinator_request.h"
#include "brook/messages/find_coordinator_response.h"
#include "harness.h"
#include "tool_runner.h"

namespace brook::integration {
namespace {

class ToolsTopics : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(broker.start()); }

    // brook-topics --bootstrap-server <broker> <arguments...>
    tool_output topics(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"--bootstrap-server", broker.bootstrap()});
        return run_tool("brook-topics", arguments);
    }

    std::vector<std::string> listed() { return lines_of(topics({"--list"}).out); }

    broker_process broker;
};

bool contains(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST_F(ToolsTopics, CreateDescribeListAndDelete) {
    auto created = topics({"--create", "--topic", "orders", "--partitions", "3", "--replication-factor", "1",
                           "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact"});
    ASSERT_EQ(created.exit_code, 0) << created.describe();
    EXPECT_EQ(created.out, "Created topic orders.\n");

    EXPECT_EQ(listed(), std::vector<std::string>{"orders"});

    const auto described = topics({"--describe", "--topic", "orders"});
    ASSERT_EQ(described.exit_code, 0) << described.describe();
    const auto lines = lines_of(described.out);
    ASSERT_EQ(lines.size(), 4u) << described.out;
    const std::regex header(
        "Topic: orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: (.*)");
    std::smatch match;
    ASSERT_TRUE(std::regex_match(lines[0], match, header)) << lines[0];
    // Only the overrides, in the broker's order.
    const std::string configs = match[1];
    EXPECT_NE(configs.find("cleanup.policy=compact"), std::string::npos) << configs;
    EXPECT_NE(configs.find("retention.ms=3600000"), std::string::npos) << configs;
    EXPECT_EQ(configs.find("segment.bytes"), std::string::npos) << configs;
    for (int p = 0; p < 3; ++p) {
        EXPECT_EQ(lines[static_cast<std::size_t>(p) + 1],
                  "\tTopic: orders\tPartition: " + std::to_string(p) +
                      "\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A");
    }

    // The topic id printed is the one --topic-id finds.
    const std::string id = lines[0].substr(lines[0].find("TopicId: ") + 9, 22);
    const auto by_id = topics({"--describe", "--topic-id", id});
    EXPECT_EQ(lines_of(by_id.out).front(), lines[0]) << by_id.describe();

    const auto deleted = topics({"--delete", "--topic", "orders"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
    EXPECT_EQ(deleted.out, "");
    EXPECT_TRUE(eventually([&] { return listed().empty(); }));
}

TEST_F(ToolsTopics, CreatingAnExistingTopicFailsUnlessIfNotExists) {
    ASSERT_EQ(topics({"--create", "--topic", "events", "--partitions", "2"}).exit_code, 0);

    const auto again = topics({"--create", "--topic", "events", "--partitions", "2"});
    EXPECT_EQ(again.exit_code, 1) << again.describe();
    EXPECT_EQ(again.out, "Error while executing topic command : Topic 'events' already exists.\n");

    const auto tolerated = topics({"--create", "--topic", "events", "--partitions", "2", "--if-not-exists"});
    EXPECT_EQ(tolerated.exit_code, 0) << tolerated.describe();
    EXPECT_EQ(tolerated.out, "");
}

TEST_F(ToolsTopics, CollisionCharactersWarnAsKafkaDoes) {
    const auto created = topics({"--create", "--topic", "my_topic.v1"});
    ASSERT_EQ(created.exit_code, 0) << created.describe();
    EXPECT_EQ(lines_of(created.out),
              (std::vector<std::string>{
                  "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') "
                  "could collide. To avoid issues it is best to use either, but not both.",
                  "Created topic my_topic.v1."}));
}

TEST_F(ToolsTopics, BadConfigsAreRefusedAndCreateNothing) {
    const auto unknown = topics({"--create", "--topic", "t1", "--config", "no.such.config=1"});
    EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
    EXPECT_EQ(unknown.out, "Error while executing topic command : Unknown topic config name: no.such.config\n");

    const auto bad_value = topics({"--create", "--topic", "t1", "--config", "retention.ms=soon"});
    EXPECT_EQ(bad_value.exit_code, 1) << bad_value.describe();
    EXPECT_NE(bad_value.out.find("Error while executing topic command : "), std::string::npos);
    EXPECT_NE(bad_value.out.find("retention.ms"), std::string::npos) << bad_value.out;

    const auto malformed = topics({"--create", "--topic", "t1", "--config", "retention.ms"});
    EXPECT_EQ(malformed.exit_code, 1) << malformed.describe();
    EXPECT_NE(malformed.err.find("all configs to be added must be in the format \"key=val\""), std::string::npos)
        << malformed.err;

    const auto zero = topics({"--create", "--topic", "t1", "--partitions", "0"});
    EXPECT_EQ(zero.exit_code, 1);
    EXPECT_EQ(zero.err, "The partitions must be greater than 0\n");

    const auto invalid_name = topics({"--create", "--topic", "bad/name"});
    EXPECT_EQ(invalid_name.exit_code, 1);
    EXPECT_NE(invalid_name.out.find("Error while executing topic command : "), std::string::npos);

    EXPECT_TRUE(listed().empty());
}

TEST_F(ToolsTopics, UnknownTopicsFailUnlessIfExists) {
    for (const char* action : {"--describe", "--delete", "--alter"}) {
        std::vector<std::string> arguments{action, "--topic", "missing"};
        if (std::string(action) == "--alter") arguments.insert(arguments.end(), {"--partitions", "2"});
        const auto failed = topics(arguments);
        EXPECT_EQ(failed.exit_code, 1) << action << "\n" << failed.describe();
        EXPECT_EQ(failed.err, "Topic 'missing' does not exist as expected\n") << action;

        arguments.push_back("--if-exists");
        const auto tolerated = topics(arguments);
        EXPECT_EQ(tolerated.exit_code, 0) << action << "\n" << tolerated.describe();
        EXPECT_EQ(tolerated.out, "") << action;
    }
}

TEST_F(ToolsTopics, AlterAddsPartitionsAndNeverRemovesThem) {
    ASSERT_EQ(topics({"--create", "--topic", "grow", "--partitions", "2"}).exit_code, 0);

    const auto grown = topics({"--alter", "--topic", "grow", "--partitions", "5"});
    ASSERT_EQ(grown.exit_code, 0) << grown.describe();
    const auto described = lines_of(topics({"--describe", "--topic", "grow"}).out);
    ASSERT_EQ(described.size(), 6u);
    EXPECT_NE(described[0].find("PartitionCount: 5"), std::string::npos) << described[0];
    EXPECT_EQ(described[5], "\tTopic: grow\tPartition: 4\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A");

    const auto shrink = topics({"--alter", "--topic", "grow", "--partitions", "3"});
    EXPECT_EQ(shrink.exit_code, 1);
    EXPECT_EQ(shrink.out,
              "Error while executing topic command : Topic currently has 5 partitions, which is higher than the "
              "requested 3.\n");

    const auto with_config = topics({"--alter", "--topic", "grow", "--partitions", "6", "--config", "a=b"});
    EXPECT_EQ(with_config.exit_code, 1);
    EXPECT_NE(with_config.err.find("brook-configs"), std::string::npos) << with_config.err;

    const auto without_count = topics({"--alter", "--topic", "grow"});
    EXPECT_EQ(without_count.exit_code, 1);
    EXPECT_NE(without_count.err.find("Missing required argument \"[partitions]\""), std::string::npos);
}

TEST_F(ToolsTopics, ReplicaAssignmentNamesTheBrokers) {
    const auto created = topics({"--create", "--topic", "placed", "--replica-assignment", "1,1,1"});
    ASSERT_EQ(created.exit_code, 0) << created.describe();
    const auto described = lines_of(topics({"--describe", "--topic", "placed"}).out);
    ASSERT_EQ(described.size(), 4u);
    EXPECT_NE(described[0].find("PartitionCount: 3\tReplicationFactor: 1"), std::string::npos);

    const auto duplicate = topics({"--create", "--topic", "twice", "--replica-assignment", "1:1"});
    EXPECT_EQ(duplicate.exit_code, 1);
    EXPECT_EQ(duplicate.out,
              "Error while executing topic command : Partition replica lists may not contain duplicate entries: 1\n");

    const auto unknown_broker = topics({"--create", "--topic", "elsewhere", "--replica-assignment", "7"});
    EXPECT_EQ(unknown_broker.exit_code, 1);
    EXPECT_NE(unknown_broker.out.find("Error while executing topic command : "), std::string::npos);

    const auto mixed = topics({"--create", "--topic", "mixed", "--replica-assignment", "1", "--partitions", "2"});
    EXPECT_EQ(mixed.exit_code, 1);
    EXPECT_NE(mixed.err.find("can't be used with option"), std::string::npos) << mixed.err;
}

TEST_F(ToolsTopics, TopicArgumentIsARegularExpression) {
    for (const char* name : {"orders-eu", "orders-us", "payments"}) {
        ASSERT_EQ(topics({"--create", "--topic", name}).exit_code, 0);
    }
    EXPECT_EQ(lines_of(topics({"--list", "--topic", "orders-.*"}).out),
              (std::vector<std::string>{"orders-eu", "orders-us"}));
    // Kafka's include lists take commas as "or".
    EXPECT_EQ(lines_of(topics({"--list", "--topic", "payments,orders-us"}).out),
              (std::vector<std::string>{"orders-us", "payments"}));

    const auto headers = lines_of(topics({"--describe", "--topic", "orders-.*"}).out);
    EXPECT_EQ(std::count_if(headers.begin(), headers.end(), [](const auto& l) { return l.rfind("Topic: ", 0) == 0; }),
              2);

    ASSERT_EQ(topics({"--delete", "--topic", "orders-.*"}).exit_code, 0);
    EXPECT_TRUE(eventually([&] { return listed() == std::vector<std::string>{"payments"}; }));

    const auto bad_regex = topics({"--list", "--topic", "orders-("});
    EXPECT_EQ(bad_regex.exit_code, 1);
    EXPECT_NE(bad_regex.err.find("Invalid regular expression"), std::string::npos) << bad_regex.err;
}

TEST_F(ToolsTopics, InternalTopicsAreListedUnlessExcluded) {
    ASSERT_EQ(topics({"--create", "--topic", "visible"}).exit_code, 0);
    // The first FindCoordinator creates __consumer_offsets.
    client::client_options options;
    options.bootstrap_servers = broker.bootstrap();
    client::blocking_client client(options);
    messages::FindCoordinatorRequest find;
    find.coordinator_keys = {"some-group"};
    const auto found = client.send_to_any(find);
    ASSERT_TRUE(found) << found.message();
    ASSERT_TRUE(eventually([&] { return contains(listed(), "__consumer_offsets"); }));

    EXPECT_EQ(lines_of(topics({"--list", "--exclude-internal"}).out), std::vector<std::string>{"visible"});
    const auto described = lines_of(topics({"--describe", "--exclude-internal"}).out);
    ASSERT_FALSE(described.empty());
    EXPECT_EQ(described[0].rfind("Topic: visible\t", 0), 0u) << described[0];
    EXPECT_EQ(described.size(), 2u);
}

TEST_F(ToolsTopics, DescribeFiltersReportPartitionsByIsr) {
    ASSERT_EQ(topics({"--create", "--topic", "strict", "--partitions", "2", "--config", "min.insync.replicas=2"})
                  .exit_code,
              0);
    ASSERT_EQ(topics({"--create", "--topic", "relaxed", "--partitions", "1"}).exit_code, 0);

    // One replica in sync, two required: both partitions of "strict" only.
    EXPECT_EQ(lines_of(topics({"--describe", "--under-min-isr-partitions"}).out),
              (std::vector<std::string>{
                  "\tTopic: strict\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A",
                  "\tTopic: strict\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A"}));
    EXPECT_EQ(lines_of(topics({"--describe", "--at-min-isr-partitions"}).out),
              (std::vector<std::string>{
                  "\tTopic: relaxed\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A"}));
    EXPECT_EQ(topics({"--describe", "--under-replicated-partitions"}).out, "");
    EXPECT_EQ(topics({"--describe", "--unavailable-partitions"}).out, "");

    const auto overrides = lines_of(topics({"--describe", "--topics-with-overrides"}).out);
    ASSERT_EQ(overrides.size(), 1u);
    EXPECT_NE(overrides[0].find("Topic: strict\t"), std::string::npos);
    EXPECT_NE(overrides[0].find("Configs: min.insync.replicas=2"), std::string::npos) << overrides[0];
}

TEST_F(ToolsTopics, CommandLineMistakesPrintUsage) {
    const auto none = topics({});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_NE(none.err.find("Command must include exactly one action"), std::string::npos) << none.err;

    const auto two = topics({"--list", "--describe"});
    EXPECT_EQ(two.exit_code, 1);
    EXPECT_NE(two.err.find("Command must include exactly one action"), std::string::npos);

    const auto no_topic = topics({"--create", "--partitions", "2"});
    EXPECT_EQ(no_topic.exit_code, 1);
    EXPECT_NE(no_topic.err.find("Missing required argument \"[topic]\""), std::string::npos);
    EXPECT_NE(no_topic.err.find("--bootstrap-server"), std::string::npos) << "usage follows the message";

    const auto unknown_flag = topics({"--list", "--partitons", "3"});
    EXPECT_EQ(unknown_flag.exit_code, 1);
    EXPECT_NE(unknown_flag.err.find("partitons"), std::string::npos) << unknown_flag.err;

    const auto not_a_number = topics({"--create", "--topic", "x", "--partitions", "three"});
    EXPECT_EQ(not_a_number.exit_code, 1);
    EXPECT_NE(not_a_number.err.find("partitions"), std::string::npos) << not_a_number.err;

    const auto help = topics({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--replica-assignment"), std::string::npos);
    EXPECT_TRUE(listed().empty());
}

TEST_F(ToolsTopics, CommandConfigIsReadAndCheckedAndNoBrokerIsAClearError) {
    const auto config = broker.directory() / "client.properties";
    std::ofstream(config) << "client.id=topics-tool\nrequest.timeout.ms=20000\n";
    const auto created = topics({"--create", "--topic", "configured", "--command-config", config.string()});
    EXPECT_EQ(created.exit_code, 0) << created.describe();

    const auto bad = broker.directory() / "bad.properties";
    std::ofstream(bad) << "request.timeout.ms=soon\n";
    const auto refused = topics({"--list", "--command-config", bad.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.out.find("Invalid value soon for configuration request.timeout.ms"), std::string::npos)
        << refused.describe();

    const auto missing = topics({"--list", "--command-config", (broker.directory() / "absent").string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.out.find("absent"), std::string::npos) << missing.describe();

    // Nothing listens on this port: a readable error and exit 1, within the
    // client's bounded retries.
    const auto nowhere = run_tool("brook-topics", {"--bootstrap-server", "127.0.0.1:" + std::to_string(pick_free_port()),
                                                   "--list", "--command-config", config.string()});
    EXPECT_EQ(nowhere.exit_code, 1) << nowhere.describe();
    EXPECT_NE(nowhere.out.find("Error while executing topic command : listing topics: "), std::string::npos)
        << nowhere.describe();
}

}  // namespace
}  // namespace brook::integration
