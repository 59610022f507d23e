// brook-configs against a real brook: describe and alter topic configs (and
// that the broker really applies them), broker configs, and the errors
// people hit (unknown topic, unknown config, bad value, missing flags).

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "harness.h"
#include "tool_runner.h"

namespace brook::integration {
namespace {

// The last line a tool printed, empty when it printed none.
std::string last_line(const std::string& text) {
    const auto lines = lines_of(text);
    return lines.empty() ? std::string() : lines.back();
}

class ToolsConfigs : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(broker.start());
        create_topic(broker, "orders", 2);
    }

    tool_output configs(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"--bootstrap-server", broker.bootstrap()});
        return run_tool("brook-configs", arguments);
    }

    broker_process broker;
};

bool has_line_starting(const std::vector<std::string>& lines, const std::string& prefix) {
    return std::any_of(lines.begin(), lines.end(), [&](const auto& line) { return line.rfind(prefix, 0) == 0; });
}

TEST_F(ToolsConfigs, AlterThenDescribeShowsOverridesWithSynonyms) {
    const auto empty = configs({"--describe", "--entity-type", "topics", "--entity-name", "orders"});
    ASSERT_EQ(empty.exit_code, 0) << empty.describe();
    EXPECT_EQ(empty.out, "Dynamic configs for topic orders are:\n");

    const auto altered = configs({"--alter", "--entity-type", "topics", "--entity-name", "orders", "--add-config",
                                  "retention.ms=3600000,cleanup.policy=[compact,delete]"});
    ASSERT_EQ(altered.exit_code, 0) << altered.describe();
    EXPECT_EQ(altered.out, "Completed updating config for topic orders.\n");

    const auto described = configs({"--describe", "--topic", "orders"});
    EXPECT_EQ(lines_of(described.out),
              (std::vector<std::string>{
                  "Dynamic configs for topic orders are:",
                  "  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy="
                  "compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}",
                  "  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000, "
                  "DEFAULT_CONFIG:log.retention.hours=168}"}))
        << described.describe();

    // --all shows where each value comes from.
    const auto all = lines_of(configs({"--describe", "--topic", "orders", "--all"}).out);
    EXPECT_TRUE(has_line_starting(all, "  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:"
                                       "retention.ms=3600000, DEFAULT_CONFIG:log.retention.hours=168}"));
    EXPECT_TRUE(has_line_starting(all, "  segment.ms=604800000 sensitive=false synonyms={DEFAULT_CONFIG:"));

    // The broker applies the override: brook-topics shows it too.
    const auto topic = run_tool("brook-topics", {"--bootstrap-server", broker.bootstrap(), "--describe", "--topic",
                                                 "orders", "--topics-with-overrides"});
    EXPECT_NE(topic.out.find("retention.ms=3600000"), std::string::npos) << topic.describe();

    const auto deleted = configs({"--alter", "--topic", "orders", "--delete-config", "retention.ms"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
    const auto after = lines_of(configs({"--describe", "--topic", "orders"}).out);
    EXPECT_EQ(after.size(), 2u);
    EXPECT_TRUE(has_line_starting(after, "  cleanup.policy=compact,delete "));
    EXPECT_FALSE(has_line_starting(after, "  retention.ms="));

    // After a restart the override is still there (the metadata log has it).
    ASSERT_TRUE(broker.restart());
    EXPECT_EQ(lines_of(configs({"--describe", "--topic", "orders"}).out), after);
}

TEST_F(ToolsConfigs, AllListsEveryConfigWithItsSource) {
    const auto all = configs({"--describe", "--topic", "orders", "--all"});
    ASSERT_EQ(all.exit_code, 0) << all.describe();
    const auto lines = lines_of(all.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "All configs for topic orders are:");
    EXPECT_TRUE(has_line_starting(
        lines, "  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}"))
        << all.out;
    EXPECT_TRUE(has_line_starting(lines, "  min.insync.replicas=1 "));
    EXPECT_GT(lines.size(), 20u);
    EXPECT_TRUE(std::is_sorted(lines.begin() + 1, lines.end()));
}

TEST_F(ToolsConfigs, AddConfigFileAndEveryTopicWithoutAName) {
    create_topic(broker, "payments", 1);
    const auto file = broker.directory() / "overrides.properties";
    std::ofstream(file) << "# overrides\nretention.bytes=1048576\nsegment.ms=600000\n";
    const auto altered = configs({"--alter", "--topic", "payments", "--add-config-file", file.string()});
    ASSERT_EQ(altered.exit_code, 0) << altered.describe();

    const auto every = lines_of(configs({"--describe", "--entity-type", "topics"}).out);
    EXPECT_EQ(every, (std::vector<std::string>{
                         "Dynamic configs for topic orders are:",
                         "Dynamic configs for topic payments are:",
                         "  retention.bytes=1048576 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.bytes="
                         "1048576, DEFAULT_CONFIG:log.retention.bytes=-1}",
                         "  segment.ms=600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.ms=600000, "
                         "DEFAULT_CONFIG:log.roll.hours=168}"}));
}

TEST_F(ToolsConfigs, BrokerConfigsAreDescribedAndRefusedAtRuntime) {
    // Brook's broker configuration is fixed at startup (server.properties):
    // no broker config is dynamically alterable, so alter is refused readably.
    const auto dynamic = configs({"--describe", "--entity-type", "brokers", "--entity-name", "1"});
    ASSERT_EQ(dynamic.exit_code, 0) << dynamic.describe();
    EXPECT_EQ(dynamic.out, "Dynamic configs for broker 1 are:\n");

    const auto all = lines_of(configs({"--describe", "--broker", "1", "--all"}).out);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all[0], "All configs for broker 1 are:");
    EXPECT_TRUE(has_line_starting(all, "  num.partitions=")) << all.size();

    const auto defaults = configs({"--describe", "--entity-type", "brokers", "--entity-default"});
    EXPECT_EQ(defaults.out, "Default configs for brokers in the cluster are:\n") << defaults.describe();

    const auto refused = configs({"--alter", "--broker", "1", "--add-config", "log.retention.ms=1000"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_EQ(refused.out, "");
    const auto lines = lines_of(refused.err);
    ASSERT_EQ(lines.size(), 2u) << refused.describe();
    EXPECT_EQ(lines[0], "Error while executing config command with args '--bootstrap-server " + broker.bootstrap() +
                            " --alter --broker 1 --add-config log.retention.ms=1000'");
    EXPECT_EQ(lines[1],
              "Brook does not change broker configs at runtime: log.retention.ms can only be set in "
              "server.properties, followed by a restart");

    const auto read_only = configs({"--alter", "--broker-defaults", "--add-config", "node.id=7"});
    EXPECT_EQ(read_only.exit_code, 1);
    EXPECT_EQ(last_line(read_only.err), "Cannot update these configs dynamically: [node.id]")
        << read_only.describe();
    const auto unknown =
        configs({"--alter", "--entity-type", "brokers", "--entity-name", "1", "--add-config", "foo=1"});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_EQ(last_line(unknown.err), "Unknown broker config name: foo") << unknown.describe();

    // A broker id the cluster does not have: Kafka's sentence.
    const auto missing = configs({"--describe", "--broker", "7"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.out, "The broker '7' doesn't exist and doesn't have dynamic config.\n") << missing.describe();
}

TEST_F(ToolsConfigs, BrokerErrorsAreReportedAndChangeNothing) {
    const auto unknown_topic = configs({"--alter", "--topic", "missing", "--add-config", "retention.ms=1"});
    EXPECT_EQ(unknown_topic.exit_code, 1);
    EXPECT_EQ(unknown_topic.out, "");
    EXPECT_EQ(last_line(unknown_topic.err), "The topic 'missing' does not exist.") << unknown_topic.describe();
    const auto describe_missing = configs({"--describe", "--topic", "missing"});
    EXPECT_EQ(describe_missing.exit_code, 1);
    EXPECT_EQ(describe_missing.out, "The topic 'missing' doesn't exist and doesn't have dynamic config.\n")
        << describe_missing.describe();
    const auto describe_all_missing = configs({"--describe", "--topic", "missing", "--all"});
    EXPECT_EQ(describe_all_missing.exit_code, 1);
    EXPECT_EQ(last_line(describe_all_missing.err), "This server does not host this topic-partition.")
        << describe_all_missing.describe();
    // Neither call created it.
    const auto listed = run_tool("brook-topics", {"--bootstrap-server", broker.bootstrap(), "--list"});
    EXPECT_EQ(listed.out, "orders\n");

    const auto unknown_config = configs({"--alter", "--topic", "orders", "--add-config", "no.such.config=1"});
    EXPECT_EQ(unknown_config.exit_code, 1);
    EXPECT_EQ(last_line(unknown_config.err), "Unknown topic config name: no.such.config")
        << unknown_config.describe();

    const auto bad_value = configs({"--alter", "--topic", "orders", "--add-config", "retention.ms=soon,segment.ms=1"});
    EXPECT_EQ(bad_value.exit_code, 1);
    ASSERT_FALSE(bad_value.err.empty());
    EXPECT_NE(last_line(bad_value.err).find("retention.ms"), std::string::npos) << bad_value.describe();
    // All or nothing: segment.ms was not set either.
    EXPECT_EQ(configs({"--describe", "--topic", "orders"}).out, "Dynamic configs for topic orders are:\n");
}

TEST_F(ToolsConfigs, CommandLineMistakes) {
    const struct {
        std::vector<std::string> arguments;
        std::string message;
    } cases[] = {
        {{"--describe"}, "At least one entity type must be specified"},
        {{"--describe", "--alter", "--topic", "orders"}, "exactly one action"},
        {{"--alter", "--entity-type", "topics", "--add-config", "a=1"},
         "An entity name must be specified with --alter of topics"},
        {{"--alter", "--entity-type", "brokers", "--add-config", "a=1"},
         "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips"},
        {{"--describe", "--entity-type", "topics", "--entity-default"},
         "--entity-default must not be specified with --describe of topics"},
        {{"--describe", "--entity-type", "topics", "--topic", "orders"},
         "--entity-{type,name,default} should not be used in conjunction with specific entity flags"},
        {{"--alter", "--topic", "orders", "--add-config", "a=1", "--add-config-file", "x.properties"},
         "Only one of --add-config or --add-config-file must be specified"},
        {{"--alter", "--topic", "orders", "--add-config", "bad key=1"},
         "Invalid character found for config key: bad key"},
        {{"--alter", "--topic", "orders"}, "At least one of --add-config, --add-config-file, or --delete-config"},
        {{"--describe", "--entity-type", "widgets"}, "Invalid entity type widgets"},
        {{"--describe", "--entity-type", "users"}, "not supported by Brook yet"},
        {{"--describe", "--entity-type", "brokers", "--entity-name", "one"}, "must be a valid integer broker id"},
        {{"--alter", "--topic", "orders", "--add-config", "retention.ms"},
         "Invalid entity config: all configs to be added must be in the format \"key=val\""},
        {{"--alter", "--topic", "orders", "--add-config", "a=1", "--delete-config", "a"}, "both added and deleted"},
        {{"--describe", "--topic", "orders", "--add-config", "a=1"}, "can only be used with --alter"},
    };
    for (const auto& c : cases) {
        const auto result = configs(c.arguments);
        EXPECT_EQ(result.exit_code, 1) << result.describe();
        EXPECT_EQ(result.out, "") << result.describe();
        EXPECT_NE(result.err.find(c.message), std::string::npos) << c.message << "\n" << result.describe();
    }
    const auto help = configs({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--add-config"), std::string::npos);
}

}  // namespace
}  // namespace brook::integration
