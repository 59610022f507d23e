#include "harness.h"
#include "tool_runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "brook/messages/describe_cluster_request.h"
#include "brook/messages/describe_cluster_response.h"
#include "brook/messages/metadata_request.h"
#include "brook/messages/metadata_response.h"

#ifndef BROOK_BINARY
#error "BROOK_BINARY must name the brook executable"
#endif

namespace brook::integration {
namespace {

int remaining_ms(clock_type::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
    if (left <= 0) return 0;
    return static_cast<int>(std::min<long long>(left, 1000 * 1000));
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A socket bound to 127.0.0.1:0, so the kernel picks a free port; -1 on failure.
int bind_any_port(std::uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof(address);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        return -1;
    }
    port = ntohs(address.sin_port);
    return fd;
}

std::string sanitized_test_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "broker";
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
    }
    if (name.size() > 80) name.resize(80);
    return name;
}

std::filesystem::path make_temp_directory() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        (std::filesystem::path(base != nullptr && *base != '\0' ? base : "/tmp") /
         ("brook-it-" + sanitized_test_name() + "-XXXXXX"))
            .string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
        throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    }
    return std::filesystem::path(buffer.data());
}

}  // namespace

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
    const auto deadline = clock_type::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (clock_type::now() >= deadline) return false;
        // Paces the polling only; the condition is what synchronises.
        std::this_thread::sleep_for(interval);
    }
}

std::uint16_t pick_free_port() {
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::uint16_t port = 0;
        const int fd = bind_any_port(port);
        if (fd < 0) continue;
        ::close(fd);
        if (port != 0) return port;
    }
    throw std::runtime_error("no free loopback port");
}

// ---------------------------------------------------------------------------
// broker_process

broker_process::broker_process(broker_options options)
    : options_(std::move(options)), directory_(make_temp_directory()) {}

broker_process::~broker_process() {
    kill9();
    // A sanitizer report in the broker fails the test even when every
    // request happened to succeed.
    const std::string text = log();
    for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
        if (text.find(marker) != std::string::npos) {
            ADD_FAILURE() << "brook reported '" << marker << "'; log:\n" << log_tail(20000);
            break;
        }
    }
    const bool failed = ::testing::Test::HasFailure();
    std::error_code ignored;
    if (failed) {
        std::cerr << "[harness] test failed: keeping " << directory_.string() << " (brook.log, data/)\n"
                  << "[harness] last lines of brook.log:\n"
                  << log_tail() << "\n";
    } else {
        std::filesystem::remove_all(directory_, ignored);
    }
}

void broker_process::write_properties() {
    std::map<std::string, std::string> values{
        {"process.roles", "broker,controller"},
        {"node.id", "1"},
        {"listeners", "PLAINTEXT://127.0.0.1:" + std::to_string(port_) + ",CONTROLLER://127.0.0.1:" +
                          std::to_string(controller_port_)},
        {"controller.listener.names", "CONTROLLER"},
        {"listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"},
        {"controller.quorum.voters", "1@127.0.0.1:" + std::to_string(controller_port_)},
        {"log.dirs", data_directory().string()},
        {"brook.shards", "2"},
    };
    for (const auto& [key, value] : options_.properties) values[key] = value;
    std::ofstream out(directory_ / "server.properties", std::ios::trunc);
    out << "# written by the integration harness\n";
    for (const auto& [key, value] : values) out << key << "=" << value << "\n";
    if (!out) throw std::runtime_error("cannot write " + (directory_ / "server.properties").string());
}

bool broker_process::launch() {
    ++runs_;
    const std::filesystem::path log_path = directory_ / "brook.log";
    {
        std::ofstream marker(log_path, std::ios::app);
        marker << "==== [harness] run " << runs_ << " on port " << port_ << " ====\n";
    }
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) return false;

    // Everything the child needs is prepared before fork(): after it only
    // async-signal-safe calls are allowed (librdkafka threads may exist).
    const std::string binary = BROOK_BINARY;
    const std::string properties = (directory_ / "server.properties").string();
    const std::string workdir = directory_.string();
    std::vector<char*> argv{const_cast<char*>("brook"), const_cast<char*>(properties.c_str()), nullptr};
    const pid_t parent = ::getpid();

    const pid_t child = ::fork();
    if (child < 0) {
        ::close(log_fd);
        return false;
    }
    if (child == 0) {
        // The broker must not outlive a crashed test binary.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(126);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        if (::chdir(workdir.c_str()) != 0) ::_exit(126);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(log_fd);
    pid_ = child;
    exit_code_.reset();
    return true;
}

void broker_process::reap(bool block) {
    if (pid_ <= 0) return;
    int status = 0;
    pid_t result;
    do {
        result = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == pid_) {
        if (WIFEXITED(status)) {
            exit_code_ = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            exit_code_ = 128 + WTERMSIG(status);
        }
        pid_ = -1;
    } else if (result < 0) {
        pid_ = -1;  // not our child any more; nothing to wait for
    }
}

bool broker_process::running() {
    reap(false);
    return pid_ > 0;
}

bool broker_process::accepts_connections() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const sockaddr_in address = loopback(port_);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return ok;
}

::testing::AssertionResult broker_process::start() {
    if (running()) return ::testing::AssertionFailure() << "brook is already running";
    if (::access(BROOK_BINARY, X_OK) != 0) {
        return ::testing::AssertionFailure() << "cannot execute " << BROOK_BINARY << ": " << std::strerror(errno);
    }
    const bool fresh_ports = port_ == 0;
    for (int attempt = 1; attempt <= 5; ++attempt) {
        if (fresh_ports) {
            // Both ports are held open together so they differ, then released for brook.
            std::uint16_t kafka = 0;
            std::uint16_t controller = 0;
            const int a = bind_any_port(kafka);
            const int b = bind_any_port(controller);
            if (a >= 0) ::close(a);
            if (b >= 0) ::close(b);
            if (a < 0 || b < 0) continue;
            port_ = kafka;
            controller_port_ = controller;
        }
        write_properties();
        const std::size_t log_before = log().size();
        if (!launch()) return ::testing::AssertionFailure() << "fork failed: " << std::strerror(errno);
        if (!options_.wait_until_ready) return ::testing::AssertionSuccess();

        // Ready = the listener accepts connections and brook has logged that
        // it registered ("... started: node N ..."), so metadata lists it.
        bool exited = false;
        const bool ready = eventually(
            [&] {
                if (!running()) {
                    exited = true;
                    return true;
                }
                return accepts_connections() && log().find(" started: node ", log_before) != std::string::npos;
            },
            startup_timeout, 20ms);
        if (ready && !exited) return ::testing::AssertionSuccess();
        if (!ready) {
            kill9();
            return ::testing::AssertionFailure()
                   << "brook did not accept connections on " << bootstrap() << " within "
                   << startup_timeout.count() << " ms; log:\n"
                   << log_tail();
        }
        // It exited: another process may have taken a port between our
        // probe and brook's bind. Retry with new ports if they were ours to pick.
        const std::string this_run = log().substr(log_before);
        const bool bind_failed = this_run.find("cannot listen") != std::string::npos ||
                                 this_run.find("Address already in use") != std::string::npos;
        if (!(fresh_ports && bind_failed)) {
            return ::testing::AssertionFailure() << "brook exited with code " << exit_code_.value_or(-1)
                                                 << (exit_code_ == 127 ? " (exec of " BROOK_BINARY " failed)" : "")
                                                 << " during startup; log:\n"
                                                 << log_tail();
        }
    }
    return ::testing::AssertionFailure() << "could not find free ports for brook; log:\n" << log_tail();
}

std::optional<int> broker_process::wait_for_exit(std::chrono::milliseconds timeout) {
    eventually([&] { return !running(); }, timeout, 20ms);
    if (running()) return std::nullopt;
    return exit_code_;
}

::testing::AssertionResult broker_process::stop(std::chrono::milliseconds timeout) {
    if (!running()) {
        return ::testing::AssertionFailure() << "brook was not running (exit code " << exit_code_.value_or(-1)
                                             << "); log:\n"
                                             << log_tail();
    }
    ::kill(pid_, SIGTERM);
    const auto code = wait_for_exit(timeout);
    if (!code) {
        kill9();
        return ::testing::AssertionFailure() << "brook did not exit within " << timeout.count()
                                             << " ms of SIGTERM (killed); log:\n"
                                             << log_tail();
    }
    if (*code != 0) {
        return ::testing::AssertionFailure() << "brook exited with code " << *code << " after SIGTERM; log:\n"
                                             << log_tail();
    }
    return ::testing::AssertionSuccess();
}

void broker_process::kill9() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    reap(true);
}

::testing::AssertionResult broker_process::restart() {
    if (running()) {
        auto stopped = stop();
        if (!stopped) return stopped;
    }
    return start();
}

std::string broker_process::bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }

std::string broker_process::log() const { return read_file(directory_ / "brook.log"); }

std::string broker_process::log_tail(std::size_t max_bytes) const {
    std::string text = log();
    if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
    return text;
}

// ---------------------------------------------------------------------------
// librdkafka clients

void rd_kafka_deleter::operator()(rd_kafka_t* client) const {
    if (client == nullptr) return;
    rd_kafka_destroy_flags(client, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

kafka_handle make_client(const std::string& bootstrap, rd_kafka_type_t type,
                         const std::map<std::string, std::string>& properties) {
    char error[512] = {};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::map<std::string, std::string> values{
        {"bootstrap.servers", bootstrap},
        {"client.id", "brook-integration"},
        // Only warnings and errors reach the test output.
        {"log_level", "4"},
    };
    for (const auto& [key, value] : properties) values[key] = value;
    for (const auto& [key, value] : values) {
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
            ADD_FAILURE() << "librdkafka property " << key << "=" << value << ": " << error;
            rd_kafka_conf_destroy(conf);
            return nullptr;
        }
    }
    rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof(error));
    if (client == nullptr) {
        ADD_FAILURE() << "rd_kafka_new: " << error;
        rd_kafka_conf_destroy(conf);
        return nullptr;
    }
    return kafka_handle(client);
}

const topic_info* cluster_metadata::find(const std::string& name) const {
    for (const auto& topic : topics) {
        if (topic.name == name) return &topic;
    }
    return nullptr;
}

bool cluster_metadata::has_topic(const std::string& name) const {
    const topic_info* topic = find(name);
    return topic != nullptr && topic->error == RD_KAFKA_RESP_ERR_NO_ERROR;
}

cluster_metadata fetch_metadata(rd_kafka_t* client, const std::optional<std::string>& topic,
                                std::chrono::milliseconds timeout) {
    cluster_metadata result;
    if (client == nullptr) {
        result.error = RD_KAFKA_RESP_ERR__INVALID_ARG;
        return result;
    }
    rd_kafka_topic_t* handle = topic ? rd_kafka_topic_new(client, topic->c_str(), nullptr) : nullptr;
    const rd_kafka_metadata_t* metadata = nullptr;
    result.error = rd_kafka_metadata(client, topic ? 0 : 1, handle, &metadata, static_cast<int>(timeout.count()));
    if (result.error == RD_KAFKA_RESP_ERR_NO_ERROR && metadata != nullptr) {
        result.answering_broker = metadata->orig_broker_id;
        for (int i = 0; i < metadata->broker_cnt; ++i) {
            const auto& broker = metadata->brokers[i];
            result.brokers.push_back({broker.id, broker.host != nullptr ? broker.host : "", broker.port});
        }
        for (int i = 0; i < metadata->topic_cnt; ++i) {
            const auto& source = metadata->topics[i];
            topic_info info;
            info.name = source.topic != nullptr ? source.topic : "";
            info.error = source.err;
            for (int p = 0; p < source.partition_cnt; ++p) {
                const auto& partition = source.partitions[p];
                partition_info out;
                out.id = partition.id;
                out.leader = partition.leader;
                out.error = partition.err;
                out.replicas.assign(partition.replicas, partition.replicas + partition.replica_cnt);
                out.isrs.assign(partition.isrs, partition.isrs + partition.isr_cnt);
                info.partitions.push_back(std::move(out));
            }
            result.topics.push_back(std::move(info));
        }
    }
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    if (handle != nullptr) rd_kafka_topic_destroy(handle);
    return result;
}

const topic_result* admin_result::find(const std::string& name) const {
    for (const auto& topic : topics) {
        if (topic.name == name) return &topic;
    }
    return nullptr;
}

admin_client::admin_client(const std::string& bootstrap) : client_(make_client(bootstrap, RD_KAFKA_PRODUCER)) {}

namespace {

void collect_topic_results(const rd_kafka_topic_result_t* const* results, std::size_t count, admin_result& out) {
    for (std::size_t i = 0; i < count; ++i) {
        topic_result topic;
        topic.name = rd_kafka_topic_result_name(results[i]);
        topic.error = rd_kafka_topic_result_error(results[i]);
        const char* message = rd_kafka_topic_result_error_string(results[i]);
        if (topic.error != RD_KAFKA_RESP_ERR_NO_ERROR && message != nullptr) topic.message = message;
        out.topics.push_back(std::move(topic));
    }
}

}  // namespace

admin_result admin_client::run(rd_kafka_event_type_t expected, std::chrono::milliseconds timeout,
                               const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& submit) {
    admin_result result;
    if (!client_) {
        result.error = RD_KAFKA_RESP_ERR__INVALID_ARG;
        result.message = "no client";
        return result;
    }
    char error[512] = {};
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(client_.get(), RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), error, sizeof(error));
    rd_kafka_queue_t* queue = rd_kafka_queue_new(client_.get());
    submit(options, queue);

    const auto deadline = clock_type::now() + timeout + 5s;
    rd_kafka_event_t* event = nullptr;
    while (event == nullptr && clock_type::now() < deadline) {
        event = rd_kafka_queue_poll(queue, std::min(remaining_ms(deadline), 500));
    }
    if (event == nullptr) {
        result.error = RD_KAFKA_RESP_ERR__TIMED_OUT;
        result.message = "no admin result within the deadline";
    } else if (rd_kafka_event_type(event) != expected) {
        result.error = RD_KAFKA_RESP_ERR__FAIL;
        result.message = std::string("unexpected admin event ") + rd_kafka_event_name(event);
    } else {
        result.error = rd_kafka_event_error(event);
        if (const char* message = rd_kafka_event_error_string(event);
            result.error != RD_KAFKA_RESP_ERR_NO_ERROR && message != nullptr) {
            result.message = message;
        }
        std::size_t count = 0;
        if (expected == RD_KAFKA_EVENT_CREATETOPICS_RESULT) {
            const auto* topics = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
            collect_topic_results(topics, count, result);
        } else if (expected == RD_KAFKA_EVENT_DELETETOPICS_RESULT) {
            const auto* topics = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count);
            collect_topic_results(topics, count, result);
        } else if (expected == RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT) {
            const auto* topics =
                rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &count);
            collect_topic_results(topics, count, result);
        }
    }
    if (event != nullptr) rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    return result;
}

admin_result admin_client::create_topics(const std::vector<new_topic>& topics, bool validate_only,
                                         std::chrono::milliseconds timeout) {
    std::vector<rd_kafka_NewTopic_t*> requests;
    admin_result failed;
    char error[512] = {};
    for (const auto& topic : topics) {
        rd_kafka_NewTopic_t* request = rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                                             topic.replication_factor, error, sizeof(error));
        if (request == nullptr) {
            failed.error = RD_KAFKA_RESP_ERR__INVALID_ARG;
            failed.message = std::string("rd_kafka_NewTopic_new: ") + error;
            break;
        }
        for (const auto& [key, value] : topic.configs) {
            rd_kafka_NewTopic_set_config(request, key.c_str(), value.c_str());
        }
        requests.push_back(request);
    }
    if (failed.error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
        return failed;
    }
    auto result = run(RD_KAFKA_EVENT_CREATETOPICS_RESULT, timeout,
                      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                          char text[512] = {};
                          rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count() / 2),
                                                                      text, sizeof(text));
                          if (validate_only) rd_kafka_AdminOptions_set_validate_only(options, 1, text, sizeof(text));
                          rd_kafka_CreateTopics(client_.get(), requests.data(), requests.size(), options, queue);
                      });
    rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
    return result;
}

admin_result admin_client::delete_topics(const std::vector<std::string>& names, std::chrono::milliseconds timeout) {
    std::vector<rd_kafka_DeleteTopic_t*> requests;
    for (const auto& name : names) requests.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
    auto result = run(RD_KAFKA_EVENT_DELETETOPICS_RESULT, timeout,
                      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                          char text[512] = {};
                          rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count() / 2),
                                                                      text, sizeof(text));
                          rd_kafka_DeleteTopics(client_.get(), requests.data(), requests.size(), options, queue);
                      });
    rd_kafka_DeleteTopic_destroy_array(requests.data(), requests.size());
    return result;
}

admin_result admin_client::create_partitions(const std::string& topic, int total_partitions,
                                             std::chrono::milliseconds timeout) {
    char error[512] = {};
    rd_kafka_NewPartitions_t* request =
        rd_kafka_NewPartitions_new(topic.c_str(), static_cast<std::size_t>(total_partitions), error, sizeof(error));
    if (request == nullptr) {
        admin_result failed;
        failed.error = RD_KAFKA_RESP_ERR__INVALID_ARG;
        failed.message = std::string("rd_kafka_NewPartitions_new: ") + error;
        return failed;
    }
    auto result = run(RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, timeout,
                      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                          char text[512] = {};
                          rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count() / 2),
                                                                      text, sizeof(text));
                          rd_kafka_CreatePartitions(client_.get(), &request, 1, options, queue);
                      });
    rd_kafka_NewPartitions_destroy(request);
    return result;
}

// ---------------------------------------------------------------------------
// Produce / consume (for the data-path tests to come)

namespace {

struct delivery_state {
    int delivered = 0;
    int reported = 0;
    std::vector<std::string> errors;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    auto* state = static_cast<delivery_state*>(opaque);
    ++state->reported;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++state->delivered;
    } else {
        state->errors.push_back(rd_kafka_err2str(message->err));
    }
}

}  // namespace

void create_topic(const broker_process& broker, const std::string& name, int partitions,
                  std::map<std::string, std::string> configs) {
    admin_client admin(broker.bootstrap());
    const auto result = admin.create_topic(new_topic(name, partitions, 1, std::move(configs)));
    ASSERT_EQ(result.error, RD_KAFKA_RESP_ERR_NO_ERROR) << result.message;
    ASSERT_EQ(result.topics.at(0).error, RD_KAFKA_RESP_ERR_NO_ERROR) << result.topics.at(0).message;
}

produce_outcome produce_messages(const std::string& bootstrap, const std::string& topic, int count,
                                 const std::string& prefix, std::int32_t partition,
                                 const std::map<std::string, std::string>& properties,
                                 std::chrono::milliseconds timeout) {
    produce_outcome outcome;
    delivery_state state;
    char error[512] = {};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::map<std::string, std::string> values{{"bootstrap.servers", bootstrap},
                                              {"client.id", "brook-integration-producer"},
                                              {"log_level", "4"},
                                              {"message.timeout.ms", std::to_string(timeout.count())}};
    for (const auto& [key, value] : properties) values[key] = value;
    for (const auto& [key, value] : values) {
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
            outcome.errors.push_back(key + ": " + error);
            rd_kafka_conf_destroy(conf);
            return outcome;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &state);
    kafka_handle producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
    if (!producer) {
        rd_kafka_conf_destroy(conf);
        outcome.errors.push_back(std::string("rd_kafka_new: ") + error);
        return outcome;
    }
    const auto deadline = clock_type::now() + timeout;
    for (int i = 0; i < count; ++i) {
        const std::string key = "k" + std::to_string(i);
        const std::string value = prefix + "-" + std::to_string(i);
        for (;;) {
            const rd_kafka_resp_err_t result = rd_kafka_producev(
                producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
            if (result == RD_KAFKA_RESP_ERR_NO_ERROR) break;
            if (result != RD_KAFKA_RESP_ERR__QUEUE_FULL || clock_type::now() >= deadline) {
                outcome.errors.push_back(rd_kafka_err2str(result));
                break;
            }
            rd_kafka_poll(producer.get(), 100);  // serves delivery reports, freeing queue space
        }
    }
    rd_kafka_flush(producer.get(), remaining_ms(deadline));
    rd_kafka_poll(producer.get(), 0);
    outcome.delivered = state.delivered;
    outcome.errors.insert(outcome.errors.end(), state.errors.begin(), state.errors.end());
    if (state.reported < count) {
        outcome.errors.push_back(std::to_string(count - state.reported) + " messages without a delivery report");
    }
    return outcome;
}

std::vector<std::string> consume_messages(const std::string& bootstrap, const std::string& topic,
                                          int partition_count, int count, std::chrono::milliseconds timeout) {
    std::vector<std::string> payloads;
    kafka_handle consumer = make_client(bootstrap, RD_KAFKA_CONSUMER,
                                        {{"group.id", "brook-integration"},
                                         {"enable.auto.commit", "false"},
                                         {"enable.partition.eof", "false"},
                                         {"auto.offset.reset", "earliest"}});
    if (!consumer) return payloads;
    rd_kafka_poll_set_consumer(consumer.get());
    rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partition_count);
    for (int p = 0; p < partition_count; ++p) {
        rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    const rd_kafka_resp_err_t assigned = rd_kafka_assign(consumer.get(), assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ADD_FAILURE() << "rd_kafka_assign: " << rd_kafka_err2str(assigned);
        return payloads;
    }
    const auto deadline = clock_type::now() + timeout;
    while (static_cast<int>(payloads.size()) < count && clock_type::now() < deadline) {
        rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), std::min(remaining_ms(deadline), 500));
        if (message == nullptr) continue;
        if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            payloads.emplace_back(static_cast<const char*>(message->payload), message->len);
        }
        rd_kafka_message_destroy(message);
    }
    rd_kafka_assign(consumer.get(), nullptr);
    return payloads;
}

// ---------------------------------------------------------------------------
// raw_connection

raw_connection::raw_connection(std::uint16_t port, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return;
    const sockaddr_in address = loopback(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        if (errno != EINPROGRESS) {
            ::close(fd);
            return;
        }
        pollfd waiting{fd, POLLOUT, 0};
        int error = 0;
        socklen_t length = sizeof(error);
        if (::poll(&waiting, 1, static_cast<int>(timeout.count())) != 1 ||
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
            ::close(fd);
            return;
        }
    }
    fd_ = fd;
}

raw_connection::~raw_connection() {
    if (fd_ >= 0) ::close(fd_);
}

bool raw_connection::send_raw(wire::bytes_view data) {
    if (fd_ < 0) return false;
    const auto deadline = clock_type::now() + request_timeout;
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            pollfd waiting{fd_, POLLOUT, 0};
            if (::poll(&waiting, 1, remaining_ms(deadline)) <= 0) return false;
            continue;
        }
        return false;
    }
    return true;
}

bool raw_connection::send_frame(wire::bytes_view frame) {
    wire::writer out;
    out.write_int32(static_cast<std::int32_t>(frame.size()));
    out.write_bytes(frame);
    return send_raw(out.view());
}

bool raw_connection::read_exact(wire::byte* out, std::size_t count, clock_type::time_point deadline) {
    std::size_t got = 0;
    while (got < count) {
        const ssize_t n = ::recv(fd_, out + got, count - got, 0);
        if (n > 0) {
            got += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) return false;  // closed by the peer
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            pollfd waiting{fd_, POLLIN, 0};
            if (::poll(&waiting, 1, remaining_ms(deadline)) <= 0) return false;
            continue;
        }
        return false;
    }
    return true;
}

std::optional<wire::bytes> raw_connection::read_frame(std::chrono::milliseconds timeout) {
    if (fd_ < 0) return std::nullopt;
    const auto deadline = clock_type::now() + timeout;
    std::array<wire::byte, 4> size_bytes{};
    if (!read_exact(size_bytes.data(), size_bytes.size(), deadline)) return std::nullopt;
    wire::reader size_reader(size_bytes);
    const std::int32_t size = size_reader.read_int32();
    if (size < 0 || size > 64 * 1024 * 1024) return std::nullopt;
    wire::bytes frame(static_cast<std::size_t>(size));
    if (!read_exact(frame.data(), frame.size(), deadline)) return std::nullopt;
    return frame;
}

bool raw_connection::wait_closed(std::chrono::milliseconds timeout) {
    if (fd_ < 0) return true;
    const auto deadline = clock_type::now() + timeout;
    std::array<wire::byte, 4096> sink{};
    for (;;) {
        const ssize_t n = ::recv(fd_, sink.data(), sink.size(), 0);
        if (n == 0) return true;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;  // reset
        if (n > 0) continue;
        pollfd waiting{fd_, POLLIN, 0};
        const int ready = ::poll(&waiting, 1, remaining_ms(deadline));
        if (ready == 0) return false;
        if (ready < 0 && errno != EINTR) return false;
    }
}

// ---------------------------------------------------------------------------
// Raw Metadata and DescribeCluster

const topic_identity* raw_metadata::find(const std::string& name) const {
    for (const auto& topic : topics) {
        if (topic.name == name) return &topic;
    }
    return nullptr;
}

std::optional<raw_metadata> fetch_raw_metadata(std::uint16_t port,
                                               const std::optional<std::vector<std::string>>& topics,
                                               bool allow_auto_topic_creation) {
    raw_connection connection(port);
    if (!connection.connected()) {
        ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
        return std::nullopt;
    }
    messages::MetadataRequest request;
    if (topics) {
        request.topics.emplace();
        for (const auto& name : *topics) request.topics->emplace_back().name = name;
    } else {
        request.topics.reset();
    }
    request.allow_auto_topic_creation = allow_auto_topic_creation;
    const auto response = exchange<messages::MetadataResponse>(connection, request, 12);
    if (!response) return std::nullopt;
    raw_metadata result;
    result.cluster_id = response->cluster_id.value_or("");
    result.controller_id = response->controller_id;
    for (const auto& topic : response->topics) {
        result.topics.push_back({topic.name.value_or(""), topic.topic_id, topic.partitions.size(), topic.error_code});
    }
    return result;
}

std::optional<cluster_description> describe_cluster(std::uint16_t port) {
    raw_connection connection(port);
    if (!connection.connected()) {
        ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
        return std::nullopt;
    }
    const auto response = exchange<messages::DescribeClusterResponse>(connection, messages::DescribeClusterRequest{}, 0);
    if (!response) return std::nullopt;
    cluster_description result;
    result.error = response->error_code;
    result.cluster_id = response->cluster_id;
    result.controller_id = response->controller_id;
    for (const auto& broker : response->brokers) result.brokers.push_back({broker.broker_id, broker.host, broker.port});
    return result;
}

}  // namespace brook::integration
