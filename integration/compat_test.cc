// Client compatibility: each mainstream Kafka client, unchanged, runs one
// scenario against a real brook (integration/clients/README.md): metadata,
// create a 3-partition topic, produce 1,000 keyed messages with headers,
// consume them in a group (count, content, per-key order), commit and read
// back offsets, a second member joins, delete the topic.
//
// Each client's scenario is a program that prints one line per step; this
// test runs it, fails on any failed step, and writes what it printed to
// <build>/compat/<client>.txt, from which tools/dev/compat_table.py builds
// the README's compatibility table. A client that is not installed on this
// machine is reported as skipped, with the reason, never as passed.

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "tool_runner.h"

namespace brook::integration {
namespace {

namespace fs = std::filesystem;

const fs::path clients_dir = fs::path(BROOK_SOURCE_DIR) / "integration" / "clients";
const fs::path node_modules = clients_dir / "node" / "node_modules";

const std::vector<std::string> expected_steps{"metadata",       "create_topic",  "produce",     "consume_group",
                                              "commit_offsets", "second_member", "delete_topic"};

struct client_case {
    std::string name;  // also the test's and the result file's name
    std::string program;
    std::vector<std::string> arguments;  // before <bootstrap> <suffix>
    // Why this client cannot run here, or nothing when it can.
    std::function<std::optional<std::string>()> unavailable;
};

void PrintTo(const client_case& client, std::ostream* out) { *out << client.name; }

// Whether `program arguments...` exits 0 (a bounded probe).
bool succeeds(const std::string& program, const std::vector<std::string>& arguments) {
    return run_program(program, arguments, {}, std::chrono::seconds(30)).exit_code == 0;
}

std::optional<std::string> needs_file(const fs::path& path, const std::string& install_hint) {
    if (fs::exists(path)) return std::nullopt;
    return path.string() + " is missing (" + install_hint + ")";
}

std::optional<std::string> needs_python_module(const std::string& module, const std::string& package) {
    if (!fs::exists("/usr/bin/python3")) return "/usr/bin/python3 is missing";
    if (succeeds("/usr/bin/python3", {"-c", "import " + module})) return std::nullopt;
    return "python module " + module + " is not importable (Debian package " + package +
           "; integration/clients/setup.sh installs it)";
}

std::optional<std::string> needs_node_module(const std::string& module) {
    if (!succeeds("node", {"--version"})) return "node is not installed";
    return needs_file(node_modules / module / "package.json", "integration/clients/setup.sh installs it from npm");
}

std::vector<client_case> client_cases() {
    const std::string setup_hint = "integration/clients/setup.sh installs it";
    return {
        {"librdkafka", BROOK_LIBRDKAFKA_SCENARIO, {}, [] { return std::optional<std::string>{}; }},
        {"kcat",
         "/usr/bin/python3",
         {(clients_dir / "kcat_scenario.py").string()},
         [=] { return needs_file("/usr/bin/kcat", "Debian package kcat; " + setup_hint); }},
        {"confluent_kafka_python",
         "/usr/bin/python3",
         {(clients_dir / "confluent_kafka_scenario.py").string()},
         [] { return needs_python_module("confluent_kafka", "python3-confluent-kafka"); }},
        {"kafka_python",
         "/usr/bin/python3",
         {(clients_dir / "kafka_python_scenario.py").string()},
         [] { return needs_python_module("kafka", "python3-kafka"); }},
        {"kafkajs", "node", {(clients_dir / "kafkajs_scenario.mjs").string()}, [] { return needs_node_module("kafkajs"); }},
        {"platformatic_kafka",
         "node",
         {(clients_dir / "platformatic_scenario.mjs").string()},
         [] { return needs_node_module("@platformatic/kafka"); }},
        {"sarama",
         "/bin/bash",
         {(clients_dir / "sarama" / "run.sh").string()},
         [=] {
             if (!succeeds("/bin/bash", {(clients_dir / "sarama" / "run.sh").string(), "--check"})) {
                 return std::optional<std::string>("Go or Debian's golang-github-shopify-sarama-dev is missing; " +
                                                   setup_hint);
             }
             return std::optional<std::string>{};
         }},
    };
}

void write_result(const std::string& client, const std::string& text) {
    const fs::path directory = fs::path(BROOK_BUILD_DIR) / "compat";
    fs::create_directories(directory);
    std::ofstream(directory / (client + ".txt"), std::ios::trunc) << text;
}

class ClientCompat : public ::testing::TestWithParam<client_case> {};

TEST_P(ClientCompat, Scenario) {
    const auto& client = GetParam();
    if (const auto reason = client.unavailable()) {
        write_result(client.name, "skipped " + *reason + "\n");
        GTEST_SKIP() << client.name << " is not available here: " << *reason;
    }

    broker_process broker;
    ASSERT_TRUE(broker.start());
    // Scenarios for clients without an admin API use brook-topics.
    ::setenv("BROOK_TOOLS_DIR", BROOK_TOOLS_DIR, 1);
    auto arguments = client.arguments;
    arguments.push_back(broker.bootstrap());
    arguments.push_back("t" + std::to_string(broker.port()));
    // The scenarios bound themselves to two minutes; this is the backstop.
    const auto output = run_program(client.program, arguments, {}, std::chrono::seconds(170));
    write_result(client.name, output.out);

    const auto lines = lines_of(output.out);
    ASSERT_FALSE(lines.empty()) << output.describe();
    EXPECT_EQ(lines.front().rfind("client ", 0), 0u) << "the first line names the client and its version\n"
                                                     << output.describe();
    std::vector<std::string> steps;
    for (const auto& line : lines) {
        if (line.rfind("step ", 0) != 0) continue;
        std::istringstream in(line.substr(5));
        std::string step, status;
        in >> step >> status;
        steps.push_back(step);
        // "n/a" marks what the client itself cannot do (kcat has no admin
        // API); the scenario then did that step with brook's own tools.
        EXPECT_TRUE(status == "ok" || status == "n/a") << client.name << ": " << line;
    }
    EXPECT_EQ(steps, expected_steps) << output.describe();
    EXPECT_EQ(output.exit_code, 0) << output.describe() << "\n" << broker.log_tail();
}

INSTANTIATE_TEST_SUITE_P(Clients, ClientCompat, ::testing::ValuesIn(client_cases()),
                         [](const ::testing::TestParamInfo<client_case>& test) { return test.param.name; });

}  // namespace
}  // namespace brook::integration
