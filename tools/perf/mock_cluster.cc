// brook-mock-cluster: librdkafka's in-process mock cluster as a standalone
// process, so a benchmark can point any Kafka client at it exactly as at a
// broker. It is the peer that costs almost nothing per request, which
// separates a client's own limits from a broker's.
//
// Usage: brook-mock-cluster [--brokers N] [--topic name:partitions]...
// It prints one line, the bootstrap servers, then reads commands from stdin,
// one per line:
//   create <topic> <partitions>   answers "ok" or "error: <text>"
// It exits 0 on stdin EOF, SIGINT or SIGTERM.
//
// What the mock is (librdkafka 2.0.2, src/rdkafka_mock.c and
// src/rdkafka_mock_handlers.c), and so what a number measured against it
// means:
// - Every broker listens on 127.0.0.1 on an ephemeral port, and all brokers
//   are served by one thread.
// - Data lives only in memory. Each partition keeps at most 5 MiB
//   (max_size = 1024 * 1024 * 5) and at most 100,000 produced batches
//   (max_cnt); beyond either, the oldest batches are dropped and the log
//   start offset moves up, but the newest batch is always kept.
// - Produce parses acks and ignores it: every request is answered after the
//   in-memory append, whether acks is 0, 1 or -1. Nothing is replicated or
//   written to disk.
// - Fetch returns at most one produced batch per partition per request.
// - Metadata and Produce for an unknown topic create it with 4 partitions.
//   The replication factor given to rd_kafka_mock_topic_create (we pass 1)
//   is ignored: every partition lists min(3, brokers) replicas, all in
//   sync, with a leader picked at random among them.
// - Control operations (create, and the destroy at exit) go through a queue
//   whose wake-up byte the mock thread drains after serving the queue, so an
//   operation that arrives in between waits for the thread's 1 s poll
//   timeout. A create can therefore take up to 1 s to answer and the exit up
//   to 1 s; the data path (the sockets) is not affected.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "brook/metadata/controller.h"
#include "tool.h"

namespace {

namespace po = boost::program_options;

constexpr int max_brokers = 64;
constexpr int max_partitions_per_topic = 100'000;
constexpr std::size_t max_command_line_bytes = 4096;
constexpr int stdin_poll_timeout_ms = 200;

extern "C" void discard_log(const rd_kafka_t* /*rk*/, int /*level*/, const char* /*facility*/,
                            const char* /*message*/) {}

struct topic_spec {
    std::string name;
    int partitions = 0;
};

struct options {
    int brokers = 1;
    std::vector<topic_spec> topics;
};

// The command line as given; parse_options checks and converts it.
struct mock_command {
    int brokers = 1;
    std::vector<std::string> topics;
    bool help = false;
};

po::options_description describe_options(mock_command& command) {
    po::options_description description(
        "brook-mock-cluster: runs librdkafka's mock cluster, prints its bootstrap servers on one line, then reads\n"
        "commands from stdin, one per line:\n"
        "  create <topic> <partitions>   answers 'ok' or 'error: <text>'\n"
        "Exits on stdin EOF, SIGINT or SIGTERM.\n"
        "Usage: brook-mock-cluster [--brokers N] [--topic name:partitions]...\nOptions");
    description.add_options()
        ("brokers", po::value(&command.brokers)->value_name("N"), "Number of brokers, 1..64 (default 1).")
        ("topic", po::value(&command.topics)->value_name("name:partitions"),
         "Create a topic at start, replication factor 1 (repeatable).")
        ("help,h", po::bool_switch(&command.help), "Print usage information.");
    return description;
}

// A partition count: a whole number from 1 to max_partitions_per_topic.
std::optional<int> parse_partitions(std::string_view text) {
    const auto value = brook::tools::parse_int(text);
    if (!value || *value < 1 || *value > max_partitions_per_topic) return std::nullopt;
    return static_cast<int>(*value);
}

// A --topic flag, name:partitions; usage_error when it is not one.
topic_spec parse_topic_flag(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        throw brook::tools::usage_error("--topic expects name:partitions, got '" + std::string(text) + "'");
    }
    const std::string_view name = text.substr(0, colon);
    if (const auto name_error = brook::metadata::controller::invalid_topic_name(name)) {
        throw brook::tools::usage_error("--topic '" + std::string(text) + "': " + *name_error);
    }
    const auto partitions = parse_partitions(text.substr(colon + 1));
    if (!partitions) {
        throw brook::tools::usage_error("--topic '" + std::string(text) +
                                        "': partitions must be an integer from 1 to 100000");
    }
    return topic_spec{std::string(name), *partitions};
}

// The options, or nothing after printing the help for --help; usage_error
// when they make no sense.
std::optional<options> parse_options(int argc, char** argv) {
    mock_command command;
    const auto description = describe_options(command);
    brook::tools::parse_command_line(argc, argv, description);
    if (command.help) {
        std::cout << description << "\n";
        return std::nullopt;
    }
    if (command.brokers < 1 || command.brokers > max_brokers) {
        throw brook::tools::usage_error("--brokers must be an integer from 1 to " + std::to_string(max_brokers));
    }
    options result;
    result.brokers = command.brokers;
    for (const auto& text : command.topics) result.topics.push_back(parse_topic_flag(text));
    return result;
}

struct handle_deleter {
    void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct conf_deleter {
    void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct cluster_deleter {
    void operator()(rd_kafka_mock_cluster_t* cluster) const { rd_kafka_mock_cluster_destroy(cluster); }
};
using handle_ptr = std::unique_ptr<rd_kafka_t, handle_deleter>;
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;
using cluster_ptr = std::unique_ptr<rd_kafka_mock_cluster_t, cluster_deleter>;

// The handle only hosts the mock cluster (librdkafka needs one for its
// bookkeeping); it never connects anywhere. Its log lines are dropped: this
// process's stdout is a protocol and its stderr is for our own errors.
handle_ptr make_host_handle() {
    conf_ptr conf(rd_kafka_conf_new());
    rd_kafka_conf_set_log_cb(conf.get(), discard_log);
    char error[512] = {};
    rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
    if (handle == nullptr) {
        // On failure rd_kafka_new leaves conf to us; conf_ptr frees it.
        throw brook::tools::tool_error(std::string("cannot create a librdkafka handle: ") + error);
    }
    static_cast<void>(conf.release());  // On success the handle owns conf.
    return handle_ptr(handle);
}

std::optional<std::string> create_topic(rd_kafka_mock_cluster_t* cluster, const topic_spec& topic) {
    const rd_kafka_resp_err_t error = rd_kafka_mock_topic_create(cluster, topic.name.c_str(), topic.partitions, 1);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return std::string(rd_kafka_err2name(error)) + ": " + rd_kafka_err2str(error);
    }
    return std::nullopt;
}

// Writes one protocol line and flushes it; false if stdout is gone.
bool answer(const std::string& line) {
    return std::fputs(line.c_str(), stdout) >= 0 && std::fputc('\n', stdout) != EOF && std::fflush(stdout) == 0;
}

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t position = 0;
    while (position < line.size()) {
        const std::size_t start = line.find_first_not_of(" \t\r", position);
        if (start == std::string_view::npos) {
            break;
        }
        const std::size_t end = std::min(line.find_first_of(" \t\r", start), line.size());
        words.push_back(line.substr(start, end - start));
        position = end;
    }
    return words;
}

std::string run_command(rd_kafka_mock_cluster_t* cluster, std::string_view line) {
    const std::vector<std::string_view> words = split_words(line);
    if (words.empty()) {
        return {};
    }
    if (words[0] != "create") {
        return "error: unknown command '" + std::string(words[0]) + "' (known: create <topic> <partitions>)";
    }
    if (words.size() != 3) {
        return "error: usage: create <topic> <partitions>";
    }
    if (const auto name_error = brook::metadata::controller::invalid_topic_name(words[1])) {
        return "error: " + *name_error;
    }
    const auto partitions = parse_partitions(words[2]);
    if (!partitions) {
        return "error: partitions must be an integer from 1 to 100000";
    }
    if (const auto error = create_topic(cluster, topic_spec{std::string(words[1]), *partitions})) {
        return "error: " + *error;
    }
    return "ok";
}

// Why a poll with a timeout rather than a blocking read: the signal handlers
// are installed without SA_RESTART, but a signal can arrive between the check
// of the flag and the call; the timeout bounds how late it is noticed.
enum class loop_end { input_closed, signalled, failed };

loop_end serve_commands(rd_kafka_mock_cluster_t* cluster) {
    std::string pending;
    bool discarding_long_line = false;
    char buffer[4096];
    while (!brook::tools::stop_requested()) {
        pollfd input{STDIN_FILENO, POLLIN, 0};
        const int ready = ::poll(&input, 1, stdin_poll_timeout_ms);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            std::fprintf(stderr, "Error: poll on stdin: %s\n", std::strerror(errno));
            return loop_end::failed;
        }
        if (ready == 0) {
            continue;
        }
        const ssize_t count = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (count < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            std::fprintf(stderr, "Error: read stdin: %s\n", std::strerror(errno));
            return loop_end::failed;
        }
        if (count == 0) {
            return loop_end::input_closed;  // A last line without '\n' is ignored, as by a shell.
        }
        for (const char c : std::string_view(buffer, static_cast<std::size_t>(count))) {
            if (c != '\n') {
                if (discarding_long_line) {
                    continue;
                }
                if (pending.size() >= max_command_line_bytes) {
                    pending.clear();
                    discarding_long_line = true;
                    continue;
                }
                pending.push_back(c);
                continue;
            }
            std::string reply =
                discarding_long_line ? "error: command line longer than 4096 bytes" : run_command(cluster, pending);
            pending.clear();
            discarding_long_line = false;
            if (!reply.empty() && !answer(reply)) {
                std::fprintf(stderr, "Error: cannot write to stdout\n");
                return loop_end::failed;
            }
        }
    }
    return loop_end::signalled;
}

int run(int argc, char** argv) {
    const auto parsed = parse_options(argc, argv);
    if (!parsed) return 0;  // --help
    // SIGINT and SIGTERM set the stop flag (a blocked call returns EINTR);
    // a closed peer or stdout is an error, not a kill.
    brook::tools::install_stop_signals();
    brook::tools::ignore_broken_pipes();
    // Declared before the cluster so it is destroyed after it.
    const handle_ptr host = make_host_handle();
    const cluster_ptr cluster(rd_kafka_mock_cluster_new(host.get(), parsed->brokers));
    if (!cluster) throw brook::tools::tool_error("rd_kafka_mock_cluster_new failed");
    for (const topic_spec& topic : parsed->topics) {
        if (const auto error = create_topic(cluster.get(), topic)) {
            throw brook::tools::tool_error("cannot create topic '" + topic.name + "': " + *error);
        }
    }
    if (!answer(rd_kafka_mock_cluster_bootstraps(cluster.get()))) throw brook::tools::tool_error("cannot write to stdout");
    return serve_commands(cluster.get()) == loop_end::failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) { return brook::tools::tool_main<mock_command>(argc, argv, "Error: ", run); }
