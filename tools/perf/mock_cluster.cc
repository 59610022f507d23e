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
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

constexpr int max_brokers = 64;
constexpr int max_partitions_per_topic = 100'000;
constexpr std::size_t max_topic_name_length = 249;  // Kafka's limit.
constexpr std::size_t max_command_line_bytes = 4096;
constexpr int stdin_poll_timeout_ms = 200;

std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_stop_signal(int /*signal_number*/) { stop_requested.store(true); }

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

void print_usage(std::FILE* out) {
    std::fputs(
        "usage: brook-mock-cluster [--brokers N] [--topic name:partitions]... [--help]\n"
        "Runs librdkafka's mock cluster, prints its bootstrap servers on one line,\n"
        "then reads commands from stdin, one per line:\n"
        "  create <topic> <partitions>   answers 'ok' or 'error: <text>'\n"
        "Exits on stdin EOF, SIGINT or SIGTERM.\n"
        "  --brokers N               number of brokers, 1..64 (default 1)\n"
        "  --topic name:partitions   create a topic at start, replication factor 1 (repeatable)\n",
        out);
}

std::optional<int> parse_int(std::string_view text, int low, int high) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < low || value > high) {
        return std::nullopt;
    }
    return value;
}

// Kafka's topic name rule: 1..249 characters of [a-zA-Z0-9._-], not "." or
// "..". The mock itself accepts anything; a name a real broker would refuse
// would make a benchmark against the mock meaningless.
std::optional<std::string> topic_name_error(std::string_view name) {
    if (name.empty() || name.size() > max_topic_name_length) {
        return "topic name must have 1 to 249 characters";
    }
    if (name == "." || name == "..") {
        return "topic name cannot be '.' or '..'";
    }
    for (const char c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                             c == '_' || c == '-';
        if (!allowed) {
            return "topic name may contain only ASCII letters, digits, '.', '_' and '-'";
        }
    }
    return std::nullopt;
}

std::optional<topic_spec> parse_topic_flag(std::string_view text, std::string& error) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        error = "--topic expects name:partitions, got '" + std::string(text) + "'";
        return std::nullopt;
    }
    const std::string_view name = text.substr(0, colon);
    if (const auto name_error = topic_name_error(name)) {
        error = "--topic '" + std::string(text) + "': " + *name_error;
        return std::nullopt;
    }
    const auto partitions = parse_int(text.substr(colon + 1), 1, max_partitions_per_topic);
    if (!partitions) {
        error = "--topic '" + std::string(text) + "': partitions must be an integer from 1 to 100000";
        return std::nullopt;
    }
    return topic_spec{std::string(name), *partitions};
}

// Returns nullopt after printing the reason; `help` is set for --help.
std::optional<options> parse_options(int argc, char** argv, bool& help) {
    options result;
    std::string error;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            help = true;
            return std::nullopt;
        }
        if (flag != "--brokers" && flag != "--topic") {
            std::fprintf(stderr, "brook-mock-cluster: unknown argument '%s'\n", argv[i]);
            return std::nullopt;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "brook-mock-cluster: %s needs a value\n", argv[i]);
            return std::nullopt;
        }
        const std::string_view value = argv[++i];
        if (flag == "--brokers") {
            const auto brokers = parse_int(value, 1, max_brokers);
            if (!brokers) {
                std::fprintf(stderr, "brook-mock-cluster: --brokers must be an integer from 1 to %d, got '%s'\n",
                             max_brokers, argv[i]);
                return std::nullopt;
            }
            result.brokers = *brokers;
        } else {
            auto topic = parse_topic_flag(value, error);
            if (!topic) {
                std::fprintf(stderr, "brook-mock-cluster: %s\n", error.c_str());
                return std::nullopt;
            }
            result.topics.push_back(std::move(*topic));
        }
    }
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
        std::fprintf(stderr, "brook-mock-cluster: cannot create a librdkafka handle: %s\n", error);
        return nullptr;  // On failure rd_kafka_new leaves conf to us; conf_ptr frees it.
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
    if (const auto name_error = topic_name_error(words[1])) {
        return "error: " + *name_error;
    }
    const auto partitions = parse_int(words[2], 1, max_partitions_per_topic);
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
    while (!stop_requested.load()) {
        pollfd input{STDIN_FILENO, POLLIN, 0};
        const int ready = ::poll(&input, 1, stdin_poll_timeout_ms);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            std::fprintf(stderr, "brook-mock-cluster: poll on stdin: %s\n", std::strerror(errno));
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
            std::fprintf(stderr, "brook-mock-cluster: read stdin: %s\n", std::strerror(errno));
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
                std::fprintf(stderr, "brook-mock-cluster: cannot write to stdout\n");
                return loop_end::failed;
            }
        }
    }
    return loop_end::signalled;
}

bool install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // No SA_RESTART: a blocked call returns EINTR.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    // SIGPIPE is ignored so a closed stdout is an error we report, not a kill.
    return ::sigaction(SIGINT, &action, nullptr) == 0 && ::sigaction(SIGTERM, &action, nullptr) == 0 &&
           ::sigaction(SIGPIPE, &ignore, nullptr) == 0;
}

int run(int argc, char** argv) {
    bool help = false;
    const auto parsed = parse_options(argc, argv, help);
    if (help) {
        print_usage(stdout);
        return 0;
    }
    if (!parsed) {
        print_usage(stderr);
        return 1;
    }
    if (!install_signal_handlers()) {
        std::fprintf(stderr, "brook-mock-cluster: sigaction: %s\n", std::strerror(errno));
        return 1;
    }
    // Declared before the cluster so it is destroyed after it.
    const handle_ptr host = make_host_handle();
    if (!host) {
        return 1;
    }
    const cluster_ptr cluster(rd_kafka_mock_cluster_new(host.get(), parsed->brokers));
    if (!cluster) {
        std::fprintf(stderr, "brook-mock-cluster: rd_kafka_mock_cluster_new failed\n");
        return 1;
    }
    for (const topic_spec& topic : parsed->topics) {
        if (const auto error = create_topic(cluster.get(), topic)) {
            std::fprintf(stderr, "brook-mock-cluster: cannot create topic '%s': %s\n", topic.name.c_str(),
                         error->c_str());
            return 1;
        }
    }
    if (!answer(rd_kafka_mock_cluster_bootstraps(cluster.get()))) {
        std::fprintf(stderr, "brook-mock-cluster: cannot write to stdout\n");
        return 1;
    }
    return serve_commands(cluster.get()) == loop_end::failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "brook-mock-cluster: %s\n", error.what());
    } catch (...) {
        std::fprintf(stderr, "brook-mock-cluster: unknown exception\n");
    }
    return 1;
}
