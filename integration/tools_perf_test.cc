// The benchmark programs (tools/perf/) against a real brook, and Brook's own
// client against librdkafka's mock cluster: what brook-producer-perf-test
// says it sent is what brook-consumer-perf-test (and other readers) find,
// brook-lean-bench's produce and fetch agree with each other and with
// librdkafka, the reports have Kafka's layout, and bad command lines and
// undeliverable records fail with a readable message. How fast anything
// went is never asserted.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.h"
#include "tool_runner.h"

namespace brook::integration {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Kafka's ConsumerPerformance header, word for word.
const std::string consumer_header =
    "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, "
    "fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

// The cells of a comma-separated line, without the blank after each comma.
std::vector<std::string> cells_of(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (;;) {
        const auto comma = line.find(',', start);
        std::string cell = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto first = cell.find_first_not_of(' ');
        cells.push_back(first == std::string::npos ? "" : cell.substr(first));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return cells;
}

// brook-consumer-perf-test's result: the header (unless hidden) and one row.
struct consumer_report {
    std::optional<std::string> header;
    std::vector<std::string> row;  // 10 cells
    std::vector<std::string> other_lines;
};

// Splits the output of a consumer run; fails the test when there is not
// exactly one result row, or a header that is not Kafka's.
consumer_report parse_consumer(const std::string& out) {
    consumer_report report;
    for (const auto& line : lines_of(out)) {
        if (line.rfind("start.time", 0) == 0) {
            EXPECT_FALSE(report.header.has_value()) << "two headers:\n" << out;
            report.header = line;
        } else if (std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, .*)"))) {
            EXPECT_TRUE(report.row.empty()) << "two result rows:\n" << out;
            report.row = cells_of(line);
        } else {
            report.other_lines.push_back(line);
        }
    }
    EXPECT_EQ(report.row.size(), 10u) << out;
    report.row.resize(10);
    if (report.header) {
        EXPECT_EQ(*report.header, consumer_header);
    }
    return report;
}

// Kafka's MB (2^20 bytes) with the consumer's four decimals.
std::string kafka_mb(std::int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

// The leading count of the last "N records <verb>, ..." summary line; -1 without one.
std::int64_t summary_count(const std::string& out, const std::string& verb) {
    std::int64_t count = -1;
    const std::regex summary("^(\\d+) records " + verb + ", .*");
    for (const auto& line : lines_of(out)) {
        std::smatch found;
        if (std::regex_match(line, found, summary)) count = std::stoll(found[1]);
    }
    return count;
}

// "Broker CPU: ... RSS 85.2 MiB" with numbers, not "unknown".
const std::regex broker_cpu_line(
    R"(Broker CPU: [0-9.]+ core-seconds \(user [0-9.]+ s, system [0-9.]+ s\) over [0-9.]+ s = [0-9.]+ cores; )"
    R"([0-9.]+ core-seconds per GB; RSS ([0-9.]+) MiB)");

// The RSS the Broker CPU line names, or nothing without such a line.
std::optional<double> broker_rss_mib(const std::string& out) {
    for (const auto& line : lines_of(out)) {
        std::smatch found;
        if (std::regex_match(line, found, broker_cpu_line)) return std::stod(found[1]);
    }
    return std::nullopt;
}

// brook-mock-cluster in the background with a FIFO as its stdin, held open
// here: commands go in when the test writes them and closing the FIFO is the
// EOF that ends the mock. (background_program hands over all its input at
// once, followed by EOF, on which the mock would exit at once.)
class mock_cluster {
public:
    mock_cluster() {
        char pattern[] = "/tmp/brook-mock-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        directory_ = pattern;
        const std::string fifo = (directory_ / "stdin").string();
        if (::mkfifo(fifo.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
        // The shell opens the FIFO for reading (blocking until a writer comes)
        // and becomes the mock, so the program's pid is the mock's.
        program_ = std::make_unique<background_program>(
            "/bin/sh", std::vector<std::string>{"-c", "exec \"$0\" < \"$1\"", tool_path("brook-mock-cluster"), fifo});
        // A non-blocking open for writing fails (ENXIO) until the reader is
        // there. Close-on-exec, so no tool started later holds the FIFO open.
        eventually(
            [&] {
                writer_ = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
                return writer_ >= 0;
            },
            request_timeout, 10ms);
        if (writer_ >= 0) ::fcntl(writer_, F_SETFL, ::fcntl(writer_, F_GETFL) & ~O_NONBLOCK);
    }
    ~mock_cluster() {
        close_input();
        program_.reset();  // kills the mock if it is still running
        std::error_code ignored;
        std::filesystem::remove_all(directory_, ignored);
    }
    mock_cluster(const mock_cluster&) = delete;
    mock_cluster& operator=(const mock_cluster&) = delete;

    bool input_open() const { return writer_ >= 0; }

    // Writes one command line; false when the mock is gone.
    bool send(const std::string& command) {
        if (writer_ < 0) return false;
        const std::string line = command + "\n";
        // A mock that died would make the write raise SIGPIPE in the test.
        struct sigaction ignore {};
        struct sigaction previous {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ignore, &previous);
        const auto written = ::write(writer_, line.data(), line.size());
        ::sigaction(SIGPIPE, &previous, nullptr);
        return written == static_cast<ssize_t>(line.size());
    }

    // Waits (bounded) until the mock printed at least `count` lines; its lines.
    std::vector<std::string> lines(std::size_t count) {
        eventually([&] { return lines_of(program_->out()).size() >= count; });
        return lines_of(program_->out());
    }

    // The EOF the mock exits on.
    void close_input() {
        if (writer_ >= 0) ::close(writer_);
        writer_ = -1;
    }
    std::optional<int> wait_for_exit() { return program_->wait_for_exit(shutdown_timeout); }
    std::string describe() const { return "stdout:\n" + program_->out() + "\nstderr:\n" + program_->err(); }

private:
    std::filesystem::path directory_;
    std::unique_ptr<background_program> program_;
    int writer_ = -1;
};

class ToolsPerf : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(broker.start()); }

    // brook-producer-perf-test: `records` records of `record_size` bytes, unthrottled, acks=all.
    tool_output producer_perf(const std::string& topic, int records, std::vector<std::string> extra = {},
                              int record_size = 100) {
        std::vector<std::string> arguments{"--topic", topic, "--num-records", std::to_string(records),
                                           "--record-size", std::to_string(record_size), "--throughput", "-1",
                                           "--producer-props", "bootstrap.servers=" + broker.bootstrap(), "acks=all"};
        arguments.insert(arguments.end(), extra.begin(), extra.end());
        return run_tool("brook-producer-perf-test", arguments);
    }
    // brook-consumer-perf-test for `messages` records, giving up after 30 s without one.
    tool_output consumer_perf(const std::string& topic, std::int64_t messages, std::vector<std::string> extra = {}) {
        std::vector<std::string> arguments{"--bootstrap-server", broker.bootstrap(), "--topic", topic, "--messages",
                                           std::to_string(messages), "--timeout", "30000"};
        arguments.insert(arguments.end(), extra.begin(), extra.end());
        return run_tool("brook-consumer-perf-test", arguments);
    }

    broker_process broker;
};

// The producer's summary line, with every number Kafka's tool prints (and the
// percentiles with two decimals).
const std::regex producer_summary(
    R"((\d+) records sent, [0-9.]+ records/sec \([0-9.]+ MB/sec\), [0-9.]+ ms avg latency, [0-9.]+ ms max latency, )"
    R"([0-9.]+ ms 50th, [0-9.]+ ms 95th, [0-9.]+ ms 99th, [0-9.]+ ms 99\.9th\.)");

// 2000 keyed records with acks=all reach the broker whole: the producer says
// 2000 (and what the broker's CPU did), the consumer counts 2000 with and
// without a group, and the records read back are the ones described.
TEST_F(ToolsPerf, ProducedRecordsAreAllConsumedAndCounted) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "perf", 3));
    ASSERT_GT(broker.pid(), 0);
    const auto produced = producer_perf("perf", 2000, {"--keys", "10", "--broker-pid", std::to_string(broker.pid())});
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();
    EXPECT_EQ(produced.err, "");
    const auto produced_lines = lines_of(produced.out);
    ASSERT_FALSE(produced_lines.empty());
    const auto summary_line = std::find_if(produced_lines.begin(), produced_lines.end(), [](const std::string& line) {
        return std::regex_match(line, producer_summary);
    });
    ASSERT_NE(summary_line, produced_lines.end()) << produced.out;
    EXPECT_EQ(summary_line->rfind("2000 records sent, ", 0), 0u) << *summary_line;
    const auto rss = broker_rss_mib(produced.out);
    ASSERT_TRUE(rss.has_value()) << produced.out;
    EXPECT_GT(*rss, 0.0);  // it read the running broker's /proc entry

    // Every partition assigned directly (no group).
    const auto consumed = consumer_perf("perf", 2000);
    ASSERT_EQ(consumed.exit_code, 0) << consumed.describe();
    EXPECT_EQ(lines_of(consumed.out).front(), consumer_header);
    const auto report = parse_consumer(consumed.out);
    EXPECT_TRUE(report.header.has_value());
    EXPECT_EQ(report.row[4], "2000");
    // MB as Kafka counts them: 2^20 bytes of keys and values. 2000 values of
    // 100 bytes and 2000 keys "key-0".."key-9" of 5 bytes: 210000 bytes.
    // (Values alone would be 0.1907, see ConsumerAskedForMore... below.)
    EXPECT_EQ(report.row[2], kafka_mb(2000 * (100 + 5)));
    EXPECT_EQ(report.row[2], "0.2003");
    EXPECT_EQ(report.row[6], "0");  // no group, no rebalance
    EXPECT_FALSE(has(consumed.err, "WARNING")) << consumed.err;

    // As a group member (subscribe, rebalance), without the header.
    const auto grouped = consumer_perf("perf", 2000, {"--group", "g1", "--hide-header"});
    ASSERT_EQ(grouped.exit_code, 0) << grouped.describe();
    const auto group_report = parse_consumer(grouped.out);
    EXPECT_FALSE(group_report.header.has_value()) << grouped.out;
    EXPECT_EQ(group_report.row[4], "2000");
    EXPECT_EQ(group_report.row[2], "0.2003");
    // The group committed what it read: the next member of g1 finds nothing.
    const auto again = run_tool("brook-consumer-perf-test", {"--bootstrap-server", broker.bootstrap(), "--topic",
                                                             "perf", "--messages", "1", "--group", "g1", "--timeout",
                                                             "2000"});
    EXPECT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_EQ(parse_consumer(again.out).row[4], "0") << again.describe();

    // The records themselves: keys key-0..key-9, 200 each, each key on one
    // partition; values of 100 upper-case letters.
    const auto keys = run_tool("brook-console-consumer",
                               {"--bootstrap-server", broker.bootstrap(), "--topic", "perf", "--from-beginning",
                                "--max-messages", "2000", "--timeout-ms", "30000", "--property", "print.partition=true",
                                "--property", "print.key=true"});
    ASSERT_EQ(keys.exit_code, 0) << keys.describe();
    std::map<std::string, int> per_key;
    std::map<std::string, std::set<std::string>> partitions_of_key;
    const std::regex keyed_line(R"((Partition:[0-2])\t(key-[0-9])\t[A-Z]{100})");
    for (const auto& line : lines_of(keys.out)) {
        std::smatch found;
        ASSERT_TRUE(std::regex_match(line, found, keyed_line)) << line;
        ++per_key[found[2]];
        partitions_of_key[found[2]].insert(found[1]);
    }
    ASSERT_EQ(per_key.size(), 10u) << keys.out.substr(0, 2000);
    for (const auto& [key, count] : per_key) {
        EXPECT_EQ(count, 200) << key;
        EXPECT_EQ(partitions_of_key[key].size(), 1u) << key;
    }
}

// Send times embedded by the producer come back as an end-to-end latency.
TEST_F(ToolsPerf, EndToEndLatencyFromEmbeddedSendTimes) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "e2e", 2));
    const auto produced = producer_perf("e2e", 300, {"--embed-send-time"});
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();
    EXPECT_EQ(summary_count(produced.out, "sent"), 300) << produced.out;

    const auto consumed = consumer_perf("e2e", 300, {"--end-to-end-latency"});
    ASSERT_EQ(consumed.exit_code, 0) << consumed.describe();
    const auto report = parse_consumer(consumed.out);
    EXPECT_EQ(report.row[4], "300");
    ASSERT_EQ(report.other_lines.size(), 1u) << consumed.out;
    std::smatch found;
    ASSERT_TRUE(std::regex_match(report.other_lines[0], found,
                                 std::regex(R"(End-to-end latency: ([0-9.]+) ms avg, ([0-9.]+) ms 50th, ([0-9.]+) ms )"
                                            R"(99th, ([0-9.]+) ms 99\.9th, ([0-9.]+) ms max\.)")))
        << consumed.out;
    const double avg = std::stod(found[1]);
    const double max = std::stod(found[5]);
    EXPECT_GE(avg, 0.0);
    EXPECT_GE(max, avg);
    EXPECT_LE(std::stod(found[2]), std::stod(found[3]));  // 50th <= 99th

    // Without the flag there is no such line.
    const auto plain = consumer_perf("e2e", 300);
    ASSERT_EQ(plain.exit_code, 0) << plain.describe();
    EXPECT_FALSE(has(plain.out, "End-to-end latency")) << plain.out;
}

// Asked for more than the topic holds, the consumer stops when nothing came
// for --timeout, says so with Kafka's warning, and reports what it read.
TEST_F(ToolsPerf, ConsumerAskedForMoreThanExistsWarnsAndReportsWhatItRead) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "short", 3));
    const auto produced = producer_perf("short", 2000);
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();
    ASSERT_EQ(summary_count(produced.out, "sent"), 2000) << produced.out;

    const auto consumed = run_tool("brook-consumer-perf-test", {"--bootstrap-server", broker.bootstrap(), "--topic",
                                                                "short", "--messages", "3000", "--timeout", "2000"});
    EXPECT_EQ(consumed.exit_code, 0) << consumed.describe();
    EXPECT_TRUE(has(consumed.err, "WARNING: Exiting before consuming the expected number of messages: timeout "
                                  "(2000 ms) exceeded. You can use the --timeout option to increase the timeout."))
        << consumed.describe();
    EXPECT_FALSE(has(consumed.out, "WARNING")) << consumed.out;
    const auto report = parse_consumer(consumed.out);
    EXPECT_EQ(report.row[4], "2000");
    EXPECT_EQ(report.row[2], "0.1907");  // 2000 x 100 bytes of values, no keys
}

// Bad command lines end with exit code 1 and say what is wrong, on stderr.
TEST_F(ToolsPerf, BadCommandLinesFailWithAMessage) {
    auto result = run_tool("brook-producer-perf-test", {"--topic", "t", "--record-size", "100", "--throughput", "-1",
                                                        "--producer-props", "bootstrap.servers=" + broker.bootstrap()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(has(result.err, "Missing required argument: --num-records")) << result.describe();
    EXPECT_TRUE(has(result.err, "Usage: brook-producer-perf-test")) << result.describe();
    EXPECT_EQ(result.out, "");

    result = run_tool("brook-producer-perf-test", {"--topic", "t", "--num-records", "1", "--record-size", "4",
                                                   "--throughput", "-1", "--embed-send-time"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(has(result.err, "--embed-send-time needs a --record-size of at least 8")) << result.describe();

    result = run_tool("brook-consumer-perf-test", {"--bootstrap-server", broker.bootstrap(), "--messages", "10"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(has(result.err, "Missing required argument: --topic")) << result.describe();
    EXPECT_TRUE(has(result.err, "Usage: brook-consumer-perf-test")) << result.describe();
    EXPECT_EQ(result.out, "");

    result = run_tool("brook-lean-bench", {"produce", "--bootstrap-server", broker.bootstrap(), "--topic", "t",
                                           "--no-such-flag"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(has(result.err, "no-such-flag")) << result.describe();

    result = run_tool("brook-lean-bench", {"consume", "--bootstrap-server", broker.bootstrap(), "--topic", "t"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(has(result.err, "Say produce, fetch or metadata.")) << result.describe();
}

// Records that cannot be delivered fail the producer. Brook creates unknown
// topics on a producer's Metadata request by default (auto.create.topics.enable,
// as Kafka), so there the records arrive; a broker with it off leaves them
// undelivered until message.timeout.ms, and the tool says so and exits 1.
TEST_F(ToolsPerf, UndeliverableRecordsFailTheProducer) {
    const auto created = producer_perf("made-on-demand", 10);
    ASSERT_EQ(created.exit_code, 0) << created.describe();
    EXPECT_EQ(summary_count(created.out, "sent"), 10) << created.out;
    const auto described = run_tool("brook-topics", {"--bootstrap-server", broker.bootstrap(), "--describe", "--topic",
                                                     "made-on-demand"});
    EXPECT_TRUE(has(described.out, "PartitionCount: 1")) << described.describe();
    EXPECT_EQ(parse_consumer(consumer_perf("made-on-demand", 10).out).row[4], "10");

    broker_process strict(broker_options(std::map<std::string, std::string>{{"auto.create.topics.enable", "false"}}));
    ASSERT_TRUE(strict.start());
    const auto failed = run_tool("brook-producer-perf-test",
                                 {"--topic", "missing", "--num-records", "10", "--record-size", "100", "--throughput",
                                  "-1", "--producer-props", "bootstrap.servers=" + strict.bootstrap(), "acks=all",
                                  "message.timeout.ms=3000"});
    EXPECT_EQ(failed.exit_code, 1) << failed.describe();
    EXPECT_TRUE(has(failed.err, "ERROR 10 records were not delivered: ")) << failed.describe();
    EXPECT_EQ(summary_count(failed.out, "sent"), 0) << failed.out;
    const auto listed = run_tool("brook-topics", {"--bootstrap-server", strict.bootstrap(), "--list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.describe();
    EXPECT_FALSE(has(listed.out, "missing")) << listed.out;
}

// The lean generator's batches land whole: a fetch reads back as many records
// as the produce had acknowledged, and librdkafka counts the same.
TEST_F(ToolsPerf, LeanProduceAndFetchAgreeWithLibrdkafka) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "lean", 2));
    const std::string bytes = std::to_string(2 << 20);
    const auto produced = run_tool("brook-lean-bench", {"produce", "--topic", "lean", "--partitions", "2",
                                                        "--record-size", "1024", "--batch-bytes", "65536", "--acks",
                                                        "-1", "--bytes", bytes, "--bootstrap-server",
                                                        broker.bootstrap(), "--broker-pid",
                                                        std::to_string(broker.pid())});
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();
    const auto records = summary_count(produced.out, "sent");
    // At least --bytes of 1 KiB values, in whole batches of under 64 KiB.
    EXPECT_GE(records * 1024, std::int64_t{2} << 20) << produced.out;
    EXPECT_LT(records * 1024, (std::int64_t{2} << 20) + 65536) << produced.out;
    EXPECT_TRUE(has(produced.out, ", acks=-1, ")) << produced.out;
    EXPECT_TRUE(broker_rss_mib(produced.out).has_value()) << produced.out;

    const auto fetched = run_tool("brook-lean-bench", {"fetch", "--topic", "lean", "--partitions", "2", "--bytes",
                                                       bytes, "--bootstrap-server", broker.bootstrap()});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.describe();
    EXPECT_EQ(summary_count(fetched.out, "fetched"), records) << fetched.out << "\nproduce:\n" << produced.out;

    const auto consumed = consumer_perf("lean", records);
    ASSERT_EQ(consumed.exit_code, 0) << consumed.describe();
    const auto report = parse_consumer(consumed.out);
    EXPECT_EQ(report.row[4], std::to_string(records));
    EXPECT_EQ(report.row[2], kafka_mb(records * 1024));  // no keys
    // And not one more.
    const auto more = run_tool("brook-consumer-perf-test", {"--bootstrap-server", broker.bootstrap(), "--topic",
                                                            "lean", "--messages", std::to_string(records + 1),
                                                            "--timeout", "2000"});
    EXPECT_EQ(parse_consumer(more.out).row[4], std::to_string(records)) << more.describe();
}

// A failed Fetch ends brook-lean-bench with the broker's error, promptly:
// its own connection is closed on the way out (it once kept the client's
// thread alive and the tool hung).
TEST_F(ToolsPerf, LeanFetchOutsideTheLogFailsWithTheBrokersError) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "short-log", 1));
    const auto produced = run_tool("brook-lean-bench", {"produce", "--topic", "short-log", "--record-size", "100",
                                                        "--batch-bytes", "4096", "--bytes", "10000",
                                                        "--bootstrap-server", broker.bootstrap()});
    ASSERT_EQ(produced.exit_code, 0) << produced.describe();
    const auto fetched =
        run_tool("brook-lean-bench",
                 {"fetch", "--topic", "short-log", "--from", "1000000", "--bytes", "10000", "--seconds", "10",
                  "--bootstrap-server", broker.bootstrap()},
                 "", std::chrono::seconds(30));
    EXPECT_EQ(fetched.exit_code, 1) << fetched.describe();
    EXPECT_TRUE(has(fetched.err, "Error: Fetch of partition 0 failed: ")) << fetched.describe();
    EXPECT_TRUE(has(fetched.err, "offset")) << fetched.describe();
    EXPECT_EQ(fetched.out, "") << fetched.describe();
}

// brook-lean-bench metadata counts what Metadata for every topic names, on
// Brook and on librdkafka's mock cluster. The mock is a broker that is not
// Brook (its ApiVersions and Metadata versions differ), so this checks that
// Brook's client negotiates versions rather than assuming Brook's.
TEST_F(ToolsPerf, LeanMetadataAgainstBrookAndLibrdkafkasMockCluster) {
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "a", 2));
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "b", 3));
    const auto own = run_tool("brook-lean-bench", {"metadata", "--bootstrap-server", broker.bootstrap(), "--requests",
                                                   "3"});
    ASSERT_EQ(own.exit_code, 0) << own.describe();
    EXPECT_EQ(lines_of(own.out).front(), "Metadata for all topics: 2 topics, 5 partitions, 3 requests.") << own.out;

    mock_cluster mock;
    ASSERT_TRUE(mock.input_open()) << mock.describe();
    auto lines = mock.lines(1);
    ASSERT_GE(lines.size(), 1u) << mock.describe();
    const std::string bootstrap = lines[0];
    ASSERT_TRUE(std::regex_match(bootstrap, std::regex(R"(127\.0\.0\.1:\d+)"))) << mock.describe();
    ASSERT_TRUE(mock.send("create m 2"));
    lines = mock.lines(2);
    ASSERT_EQ(lines.size(), 2u) << mock.describe();
    EXPECT_EQ(lines[1], "ok");

    const auto peer = run_tool("brook-lean-bench", {"metadata", "--bootstrap-server", bootstrap, "--requests", "3"});
    ASSERT_EQ(peer.exit_code, 0) << peer.describe() << "\nmock:\n" << mock.describe();
    EXPECT_EQ(lines_of(peer.out).front(), "Metadata for all topics: 1 topics, 2 partitions, 3 requests.") << peer.out;

    // Still serving commands afterwards, and gone with its input.
    ASSERT_TRUE(mock.send("create m2 0"));
    lines = mock.lines(3);
    ASSERT_EQ(lines.size(), 3u) << mock.describe();
    EXPECT_EQ(lines[2], "error: partitions must be an integer from 1 to 100000");
    mock.close_input();
    const auto code = mock.wait_for_exit();
    ASSERT_TRUE(code.has_value()) << "the mock did not exit on EOF\n" << mock.describe();
    EXPECT_EQ(*code, 0) << mock.describe();
}

}  // namespace
}  // namespace brook::integration
