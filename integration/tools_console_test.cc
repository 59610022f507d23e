// brook-console-producer and brook-console-consumer against a real brook:
// lines with keys and headers in, Kafka's DefaultMessageFormatter layout out;
// Kafka's murmur2 partitioner; where consumption starts (--from-beginning,
// latest, --partition/--offset, a group's committed offsets); stop
// conditions (--max-messages, --timeout-ms, SIGTERM); compression and acks;
// and the error paths people hit, checked by stdout, stderr and exit code.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "tool_runner.h"

namespace brook::integration {
namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A tool left running in the background (a consumer waiting for records).
class background_tool : public background_program {
public:
    background_tool(const std::string& name, const std::vector<std::string>& arguments)
        : background_program(tool_path(name), arguments) {}
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout = request_timeout) {
        return background_program::wait_for_exit(timeout);
    }
};

class ToolsConsole : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(broker.start()); }

    tool_output produce(std::vector<std::string> arguments, const std::string& input) {
        arguments.insert(arguments.begin(), {"--bootstrap-server", broker.bootstrap()});
        return run_tool("brook-console-producer", arguments, input);
    }
    tool_output consume(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"--bootstrap-server", broker.bootstrap()});
        return run_tool("brook-console-consumer", arguments);
    }
    // Every record of a topic (values only), from the beginning, by a
    // consumer that stops after `count`.
    std::vector<std::string> consume_values(const std::string& topic, int count) {
        const auto result = consume({"--topic", topic, "--from-beginning", "--max-messages", std::to_string(count),
                                     "--timeout-ms", "30000"});
        EXPECT_EQ(result.exit_code, 0) << result.describe();
        return lines_of(result.out);
    }

    broker_process broker;
};

std::string processed(int count) { return "Processed a total of " + std::to_string(count) + " messages"; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Lines with headers, keys and values (and a null marker), read back with
// every print.* property: timestamp, partition, offset, headers, key, value,
// tab-separated in that order, as Kafka's DefaultMessageFormatter prints them.
TEST_F(ToolsConsole, ProducesKeysAndHeadersAndPrintsThemInKafkasLayout) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "events", 1));
    const auto before = now_ms();
    const auto produced = produce({"--topic", "events", "--property", "parse.key=true", "--property",
                                   "parse.headers=true", "--property", "null.marker=<null>"},
                                  "trace:abc,user:42\tk1\tfirst value\n"
                                  "<null>\tk2\tsecond\n"
                                  "h:<null>\t<null>\t<null>\n"
                                  "h:v\tk4\t\n");
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();
    EXPECT_EQ(produced.out, "");
    const auto after = now_ms();

    const auto consumed =
        consume({"--topic", "events", "--from-beginning", "--max-messages", "4", "--timeout-ms", "30000",
                 "--property", "print.timestamp=true", "--property", "print.partition=true", "--property",
                 "print.offset=true", "--property", "print.headers=true", "--property", "print.key=true"});
    ASSERT_EQ(consumed.exit_code, 0) << consumed.describe();
    EXPECT_TRUE(has(consumed.err, processed(4))) << consumed.err;
    const auto lines = lines_of(consumed.out);
    ASSERT_EQ(lines.size(), 4u) << consumed.out;
    const std::vector<std::string> expected{
        "\tPartition:0\tOffset:0\ttrace:abc,user:42\tk1\tfirst value",
        "\tPartition:0\tOffset:1\tNO_HEADERS\tk2\tsecond",
        "\tPartition:0\tOffset:2\th:null\tnull\tnull",
        "\tPartition:0\tOffset:3\th:v\tk4\t",
    };
    const std::regex timestamp("CreateTime:([0-9]+)(.*)");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::smatch match;
        ASSERT_TRUE(std::regex_match(lines[i], match, timestamp)) << lines[i];
        const auto stamp = std::stoll(match[1]);
        EXPECT_GE(stamp, before);
        EXPECT_LE(stamp, after);
        EXPECT_EQ(match[2].str(), expected[i]);
    }

    // Other separators, a null literal, and value-only output.
    const auto custom = consume({"--topic", "events", "--from-beginning", "--max-messages", "4", "--timeout-ms",
                                 "30000", "--property", "print.key=true", "--property", "key.separator= | ",
                                 "--property", "null.literal=NULL", "--property", "print.headers=true",
                                 "--property", "headers.separator=;"});
    ASSERT_EQ(custom.exit_code, 0) << custom.describe();
    EXPECT_EQ(custom.out,
              "trace:abc;user:42 | k1 | first value\nNO_HEADERS | k2 | second\nh:NULL | NULL | NULL\nh:v | k4 | \n");
    const auto values_only = consume({"--topic", "events", "--from-beginning", "--max-messages", "2"});
    EXPECT_EQ(values_only.out, "first value\nsecond\n") << values_only.describe();
}

// Keyed records go where Kafka's default partitioner puts them:
// (murmur2(key) & 0x7fffffff) % partitions. The hashes are the Java client's
// (Kafka's UtilsTest.testMurmur2 vectors).
TEST_F(ToolsConsole, KeyedRecordsLandOnTheMurmur2Partition) {
    constexpr int partitions = 7;
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "keyed", partitions));
    const std::map<std::string, std::int32_t> java_hashes{
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    std::string input;
    std::map<std::string, int> expected;
    std::set<int> used;
    for (const auto& [key, hash] : java_hashes) {
        input += key + ":value-of-" + key + "\n";
        expected[key] = static_cast<int>((static_cast<std::uint32_t>(hash) & 0x7fffffffU) % partitions);
        used.insert(expected[key]);
    }
    ASSERT_GT(used.size(), 3u);  // the keys spread, so a wrong hash shows
    const auto produced = produce({"--topic", "keyed", "--property", "parse.key=true", "--property",
                                   "key.separator=:"},
                                  input);
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();

    const auto consumed = consume({"--topic", "keyed", "--from-beginning", "--max-messages", "6", "--timeout-ms",
                                   "30000", "--property", "print.partition=true", "--property", "print.key=true",
                                   "--property", "print.value=false"});
    ASSERT_EQ(consumed.exit_code, 0) << consumed.describe();
    const auto lines = lines_of(consumed.out);
    ASSERT_EQ(lines.size(), java_hashes.size()) << consumed.out;
    for (const auto& line : lines) {
        const std::regex layout("Partition:([0-9]+)\t(.*)");
        std::smatch match;
        ASSERT_TRUE(std::regex_match(line, match, layout)) << line;
        ASSERT_EQ(expected.count(match[2]), 1u) << line;
        EXPECT_EQ(std::stoi(match[1]), expected[match[2]]) << "key " << match[2];
    }

    // The same seen from one partition: --partition with --offset earliest.
    const auto& [key, partition] = *expected.begin();
    const auto one = consume({"--topic", "keyed", "--partition", std::to_string(partition), "--offset", "earliest",
                              "--timeout-ms", "5000", "--property", "print.key=true"});
    EXPECT_EQ(one.exit_code, 0) << one.describe();
    EXPECT_TRUE(has(one.out, key + "\tvalue-of-" + key + "\n")) << one.describe();
}

// Unkeyed records stick to one partition while batch.size allows; with a
// tiny batch.size they move on, so every partition gets some.
TEST_F(ToolsConsole, UnkeyedRecordsAreSpreadAcrossPartitions) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "spread", 3));
    std::string input;
    for (int i = 0; i < 30; ++i) input += "record-" + std::to_string(i) + "\n";
    const auto produced = produce({"--topic", "spread", "--batch-size", "1"}, input);
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();
    const auto consumed = consume({"--topic", "spread", "--from-beginning", "--max-messages", "30", "--timeout-ms",
                                   "30000", "--property", "print.partition=true"});
    ASSERT_EQ(consumed.exit_code, 0) << consumed.describe();
    std::set<std::string> seen;
    for (const auto& line : lines_of(consumed.out)) seen.insert(line.substr(0, line.find('\t')));
    EXPECT_EQ(seen, (std::set<std::string>{"Partition:0", "Partition:1", "Partition:2"})) << consumed.out;
}

// A fresh consumer starts at the end (latest) unless --from-beginning;
// SIGTERM closes it cleanly and it still reports its total.
TEST_F(ToolsConsole, StartsAtTheEndUnlessFromBeginningAndStopsOnSigterm) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "start", 1));
    ASSERT_EQ(produce({"--topic", "start"}, "old-0\nold-1\nold-2\n").exit_code, 0);

    // --partition without --offset: latest, so nothing of the old records.
    const auto latest = consume({"--topic", "start", "--partition", "0", "--timeout-ms", "2000"});
    EXPECT_EQ(latest.exit_code, 0) << latest.describe();
    EXPECT_EQ(latest.out, "");
    EXPECT_TRUE(has(latest.err, processed(0))) << latest.err;

    // A group member without --from-beginning: only what arrives after it joined.
    background_tool follower("brook-console-consumer", {"--bootstrap-server", broker.bootstrap(), "--topic", "start"});
    int sent = 0;
    ASSERT_TRUE(eventually(
        [&] {
            produce({"--topic", "start"}, "new-" + std::to_string(sent++) + "\n");
            return !follower.out().empty();
        },
        request_timeout, 500ms))
        << follower.err();
    follower.signal(SIGTERM);
    const auto code = follower.wait_for_exit();
    ASSERT_TRUE(code.has_value()) << "the consumer did not stop on SIGTERM";
    EXPECT_EQ(*code, 0) << follower.err();
    const auto lines = lines_of(follower.out());
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) EXPECT_EQ(line.rfind("new-", 0), 0u) << follower.out();
    EXPECT_TRUE(has(follower.err(), processed(static_cast<int>(lines.size())))) << follower.err();

    // --from-beginning: the old ones first.
    const auto all = consume({"--topic", "start", "--from-beginning", "--max-messages", "3", "--timeout-ms", "30000"});
    EXPECT_EQ(all.out, "old-0\nold-1\nold-2\n") << all.describe();
}

// --partition with --offset N starts exactly there; --max-messages stops
// exactly after N records.
TEST_F(ToolsConsole, PartitionOffsetAndMaxMessages) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "numbers", 2));
    std::string input;
    for (int i = 0; i < 10; ++i) input += "n" + std::to_string(i) + "\n";
    // One partition: --sync sends one record per request, all to the sticky partition.
    ASSERT_EQ(produce({"--topic", "numbers", "--sync"}, input).exit_code, 0);

    // Find the partition that got them.
    const auto first = consume({"--topic", "numbers", "--from-beginning", "--max-messages", "1", "--timeout-ms",
                                "30000", "--property", "print.partition=true"});
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    const auto partition = first.out.substr(std::string("Partition:").size(), 1);

    const auto from_four = consume({"--topic", "numbers", "--partition", partition, "--offset", "4",
                                    "--max-messages", "3", "--timeout-ms", "30000", "--property", "print.offset=true"});
    EXPECT_EQ(from_four.exit_code, 0) << from_four.describe();
    EXPECT_EQ(from_four.out, "Offset:4\tn4\nOffset:5\tn5\nOffset:6\tn6\n");
    EXPECT_TRUE(has(from_four.err, processed(3))) << from_four.err;

    const auto some = consume({"--topic", "numbers", "--from-beginning", "--max-messages", "4"});
    EXPECT_EQ(some.exit_code, 0) << some.describe();
    EXPECT_EQ(lines_of(some.out), (std::vector<std::string>{"n0", "n1", "n2", "n3"}));
    EXPECT_TRUE(has(some.err, processed(4))) << some.err;

    // --timeout-ms ends a consumer that has read everything.
    const auto rest = consume({"--topic", "numbers", "--partition", partition, "--offset", "8", "--timeout-ms",
                               "3000"});
    EXPECT_EQ(rest.exit_code, 0) << rest.describe();
    EXPECT_EQ(rest.out, "n8\nn9\n");
    EXPECT_TRUE(has(rest.err, processed(2))) << rest.err;
}

// A named group commits what it printed (and only that, with --max-messages):
// the next run of the same group continues there, without --from-beginning.
TEST_F(ToolsConsole, GroupConsumerCommitsWhatItConsumed) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "work", 1));
    ASSERT_EQ(produce({"--topic", "work"}, "r0\nr1\nr2\nr3\nr4\n").exit_code, 0);

    const auto first = consume({"--topic", "work", "--group", "workers", "--from-beginning", "--max-messages", "3",
                                "--timeout-ms", "30000"});
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    EXPECT_EQ(first.out, "r0\nr1\nr2\n");

    const auto second = consume({"--topic", "work", "--group", "workers", "--max-messages", "2", "--timeout-ms",
                                 "30000"});
    ASSERT_EQ(second.exit_code, 0) << second.describe();
    EXPECT_EQ(second.out, "r3\nr4\n");

    ASSERT_EQ(produce({"--topic", "work"}, "r5\n").exit_code, 0);
    const auto third = consume({"--topic", "work", "--group", "workers", "--timeout-ms", "5000"});
    ASSERT_EQ(third.exit_code, 0) << third.describe();
    EXPECT_EQ(third.out, "r5\n");
    EXPECT_TRUE(has(third.err, processed(1))) << third.err;

    // A consumer without --group makes up its own and commits nothing, so
    // it reads from the start again.
    EXPECT_EQ(consume_values("work", 6), (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4", "r5"}));
}

// Every codec and every acks value round-trips.
TEST_F(ToolsConsole, CompressionAndAcksRoundTrip) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--producer-property", "acks=all", "--producer-property", "compression.type=gzip"}, "gzip"},
        {{"--request-required-acks", "all", "--compression-codec", "zstd"}, "zstd"},
        {{"--producer-property", "acks=1", "--compression-codec", "snappy"}, "snappy"},
        {{"--producer-property", "acks=-1", "--producer-property", "compression.type=lz4", "--sync"}, "lz4"},
        {{"--compression-codec"}, "implicit-gzip"},
        {{"--producer-property", "acks=0"}, "acks0"},
    };
    for (const auto& [flags, name] : cases) {
        SCOPED_TRACE(name);
        std::vector<std::string> arguments{"--topic", "codec-" + name, "--property", "parse.key=true"};
        arguments.insert(arguments.end(), flags.begin(), flags.end());
        std::string input;
        std::vector<std::string> expected;
        for (int i = 0; i < 50; ++i) {
            const std::string value = name + " payload " + std::string(static_cast<std::size_t>(i), 'x');
            input += "k" + std::to_string(i) + "\t" + value + "\n";
            expected.push_back(value);
        }
        const auto produced = produce(arguments, input);
        ASSERT_EQ(produced.exit_code, 0) << produced.describe();
        EXPECT_EQ(produced.err, "");
        auto values = consume_values("codec-" + name, 50);
        std::sort(values.begin(), values.end());
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(values, expected);
    }
}

// What a user gets wrong on the producer side: readable errors, exit 1.
TEST_F(ToolsConsole, ProducerErrors) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "errors", 1));

    // A line without the key separator: Kafka's message; lines before it are sent.
    const auto no_separator = produce({"--topic", "errors", "--property", "parse.key=true"}, "a\t1\nno separator\nc\t3\n");
    EXPECT_EQ(no_separator.exit_code, 1) << no_separator.describe();
    EXPECT_TRUE(has(no_separator.err, "No key separator found on line number 2: 'no separator'"))
        << no_separator.describe();
    EXPECT_EQ(consume_values("errors", 1), std::vector<std::string>{"1"});
    // With ignore.error=true the whole line is the value.
    const auto ignored = produce({"--topic", "errors", "--property", "parse.key=true", "--property",
                                  "ignore.error=true"},
                                 "no separator\n");
    EXPECT_EQ(ignored.exit_code, 0) << ignored.describe();
    EXPECT_EQ(consume_values("errors", 2), (std::vector<std::string>{"1", "no separator"}));

    const auto bad_header = produce({"--topic", "errors", "--property", "parse.headers=true"}, "h1\tvalue\n");
    EXPECT_EQ(bad_header.exit_code, 1) << bad_header.describe();
    EXPECT_TRUE(has(bad_header.err, "No header key separator found in pair 'h1' on line number 1"))
        << bad_header.describe();

    const auto no_topic = produce({}, "x\n");
    EXPECT_EQ(no_topic.exit_code, 1) << no_topic.describe();
    EXPECT_TRUE(has(no_topic.err, "Missing required argument \"[topic]\"")) << no_topic.describe();

    const auto bad_acks = produce({"--topic", "errors", "--producer-property", "acks=2"}, "x\n");
    EXPECT_EQ(bad_acks.exit_code, 1) << bad_acks.describe();
    EXPECT_TRUE(has(bad_acks.err, "Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1"))
        << bad_acks.describe();

    const auto bad_codec = produce({"--topic", "errors", "--compression-codec", "brotli"}, "x\n");
    EXPECT_EQ(bad_codec.exit_code, 1) << bad_codec.describe();
    EXPECT_TRUE(has(bad_codec.err, "Invalid value brotli for configuration compression.type")) << bad_codec.describe();

    const auto bad_linger = produce({"--topic", "errors", "--producer-property", "linger.ms=soon"}, "x\n");
    EXPECT_EQ(bad_linger.exit_code, 1) << bad_linger.describe();
    EXPECT_TRUE(has(bad_linger.err, "Invalid value soon for configuration linger.ms")) << bad_linger.describe();

    const auto same_separators = produce({"--topic", "errors", "--property", "headers.separator=:"}, "x\n");
    EXPECT_EQ(same_separators.exit_code, 1) << same_separators.describe();
    EXPECT_TRUE(has(same_separators.err, "headers.separator and headers.key.separator may not be equal"));

    const auto bad_topic = produce({"--topic", "bad topic!"}, "x\n");
    EXPECT_EQ(bad_topic.exit_code, 1) << bad_topic.describe();
    EXPECT_TRUE(has(bad_topic.err, "Invalid topics: [bad topic!]")) << bad_topic.describe();

    // Nothing listening: a readable error, soon.
    const auto port = std::to_string(pick_free_port());
    const auto down = run_tool("brook-console-producer", {"--bootstrap-server", "127.0.0.1:" + port, "--topic", "t"},
                               "x\n");
    EXPECT_EQ(down.exit_code, 1) << down.describe();
    EXPECT_TRUE(has(down.err, "Connection refused")) << down.describe();

    // Nothing on stdin: nothing to do, not even a connection.
    const auto empty = run_tool("brook-console-producer", {"--bootstrap-server", "127.0.0.1:" + port, "--topic", "t"});
    EXPECT_EQ(empty.exit_code, 0) << empty.describe();
}

// Producing to a topic that does not exist creates it (Metadata with
// allow_auto_topic_creation, as Kafka's producer asks); when the broker does
// not create topics, the producer gives up after max.block.ms.
TEST_F(ToolsConsole, UnknownTopicIsCreatedOrReported) {
    ASSERT_EQ(produce({"--topic", "fresh"}, "hello\n").exit_code, 0);
    EXPECT_EQ(consume_values("fresh", 1), std::vector<std::string>{"hello"});

    broker_process strict(broker_options(std::map<std::string, std::string>{{"auto.create.topics.enable", "false"}}));
    ASSERT_TRUE(strict.start());
    const auto refused = run_tool("brook-console-producer", {"--bootstrap-server", strict.bootstrap(), "--topic",
                                                             "absent", "--max-block-ms", "2000"},
                                  "hello\n");
    EXPECT_EQ(refused.exit_code, 1) << refused.describe();
    EXPECT_TRUE(has(refused.err, "Topic absent not present in metadata after 2000 ms.")) << refused.describe();
}

// --include subscribes to every topic whose whole name matches.
TEST_F(ToolsConsole, IncludeSubscribesByRegex) {
    for (const auto* topic : {"inc-a", "inc-b", "other"}) {
        ASSERT_NO_FATAL_FAILURE(create_topic(broker, topic, 1));
        ASSERT_EQ(produce({"--topic", topic}, std::string("from ") + topic + "\n").exit_code, 0);
    }
    const auto consumed = consume({"--include", "inc-.*", "--from-beginning", "--max-messages", "2", "--timeout-ms",
                                   "30000"});
    ASSERT_EQ(consumed.exit_code, 0) << consumed.describe();
    auto lines = lines_of(consumed.out);
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, (std::vector<std::string>{"from inc-a", "from inc-b"}));
}

// What a user gets wrong on the consumer side.
TEST_F(ToolsConsole, ConsumerErrors) {
    const auto check = [&](const std::vector<std::string>& arguments, const std::string& message) {
        const auto result = consume(arguments);
        EXPECT_EQ(result.exit_code, 1) << result.describe();
        EXPECT_TRUE(has(result.err, message)) << result.describe();
        EXPECT_EQ(result.out, "");
    };
    check({}, "Exactly one of the following arguments is required: [topic], [include]");
    check({"--topic", "a", "--include", "a.*"}, "Exactly one of the following arguments is required");
    check({"--include", "a", "--partition", "0"}, "The topic is required when partition is specified.");
    check({"--topic", "a", "--offset", "5"}, "The partition is required when offset is specified.");
    check({"--topic", "a", "--partition", "0", "--offset", "-3"},
          "The provided offset value '-3' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.");
    check({"--topic", "a", "--partition", "0", "--group", "g"}, "Options group and partition cannot be specified together.");
    check({"--topic", "a", "--partition", "0", "--offset", "1", "--from-beginning"},
          "Options from-beginning and offset cannot be specified together.");
    check({"--topic", "a", "--from-beginning", "--consumer-property", "auto.offset.reset=latest"},
          "Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option");
    check({"--topic", "a", "--group", "g1", "--consumer-property", "group.id=g2"},
          "The group ids provided in different places");
    check({"--topic", "a", "--max-messages", "many"}, "max-messages");
    check({"--topic", "a", "--consumer-property", "session.timeout.ms=soon"},
          "Invalid value soon for configuration session.timeout.ms");

    // An unknown topic is not an error: the consumer waits, here until --timeout-ms.
    const auto unknown = consume({"--topic", "nobody-made-this", "--timeout-ms", "2000"});
    EXPECT_EQ(unknown.exit_code, 0) << unknown.describe();
    EXPECT_EQ(unknown.out, "");
    EXPECT_TRUE(has(unknown.err, processed(0))) << unknown.err;
}

}  // namespace
}  // namespace brook::integration
