// The compatibility scenario (README.md in this directory) for librdkafka's
// C API, the library most non-Java clients are built on.
//
// Usage: librdkafka_scenario <bootstrap host:port> <unique-suffix>
// Prints "client librdkafka <version>", then one "step <name> ok|FAIL ..."
// line per step; exits 0 only when every step passed. Every wait is bounded.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto step_time = std::chrono::seconds(30);
constexpr int message_count = 1000;
constexpr int key_count = 20;
constexpr int partition_count = 3;

struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct handle_deleter {
    void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using handle = std::unique_ptr<rd_kafka_t, handle_deleter>;

std::string bootstrap;
std::string topic;
std::string group;

// Delivery reports of a producer: how many succeeded, and the first error.
struct deliveries {
    int delivered = 0;
    std::string first_error;
};

handle make(rd_kafka_type_t type, const std::map<std::string, std::string>& settings,
            deliveries* reports = nullptr) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    std::map<std::string, std::string> all{{"bootstrap.servers", bootstrap}, {"client.id", "compat-librdkafka"}};
    for (const auto& [key, value] : settings) all[key] = value;
    for (const auto& [key, value] : all) {
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw failure("config " + key + ": " + error);
        }
    }
    if (reports != nullptr) {
        rd_kafka_conf_set_opaque(conf, reports);
        rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
            auto* counts = static_cast<deliveries*>(opaque);
            if (message->err) {
                if (counts->first_error.empty()) counts->first_error = rd_kafka_err2str(message->err);
            } else {
                ++counts->delivered;
            }
        });
    }
    rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof(error));
    if (client == nullptr) throw failure(std::string("rd_kafka_new: ") + error);
    if (type == RD_KAFKA_CONSUMER) rd_kafka_poll_set_consumer(client);
    return handle(client);
}

int remaining_ms(clock_type::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
    return static_cast<int>(std::max<long long>(100, left));
}

// The partition count of `name` in fresh metadata, -1 when it is not listed.
int partitions_of(rd_kafka_t* client, const std::string& name, clock_type::time_point deadline) {
    const rd_kafka_metadata_t* metadata = nullptr;
    const auto err = rd_kafka_metadata(client, 1, nullptr, &metadata, remaining_ms(deadline));
    if (err) throw failure(std::string("metadata: ") + rd_kafka_err2str(err));
    int count = -1;
    for (int i = 0; i < metadata->topic_cnt; ++i) {
        if (name == metadata->topics[i].topic && metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            count = metadata->topics[i].partition_cnt;
        }
    }
    rd_kafka_metadata_destroy(metadata);
    return count;
}

void admin_call(rd_kafka_t* admin, bool create, clock_type::time_point deadline) {
    rd_kafka_queue_t* queue = rd_kafka_queue_new(admin);
    char error[512];
    if (create) {
        rd_kafka_NewTopic_t* request = rd_kafka_NewTopic_new(topic.c_str(), partition_count, 1, error, sizeof(error));
        rd_kafka_CreateTopics(admin, &request, 1, nullptr, queue);
        rd_kafka_NewTopic_destroy(request);
    } else {
        rd_kafka_DeleteTopic_t* request = rd_kafka_DeleteTopic_new(topic.c_str());
        rd_kafka_DeleteTopics(admin, &request, 1, nullptr, queue);
        rd_kafka_DeleteTopic_destroy(request);
    }
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, remaining_ms(deadline));
    std::string problem;
    if (event == nullptr) {
        problem = "no answer";
    } else if (rd_kafka_event_error(event)) {
        problem = rd_kafka_event_error_string(event);
    } else {
        size_t count = 0;
        const rd_kafka_topic_result_t** results =
            create ? rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                   : rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count);
        for (size_t i = 0; i < count; ++i) {
            if (rd_kafka_topic_result_error(results[i])) {
                problem = rd_kafka_err2str(rd_kafka_topic_result_error(results[i]));
            }
        }
    }
    if (event != nullptr) rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    if (!problem.empty()) throw failure(problem);
}

handle new_consumer() {
    return make(RD_KAFKA_CONSUMER, {{"group.id", group},
                                    {"auto.offset.reset", "earliest"},
                                    {"enable.auto.commit", "false"},
                                    {"session.timeout.ms", "10000"},
                                    {"heartbeat.interval.ms", "1000"}});
}

void subscribe(rd_kafka_t* consumer) {
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    const auto err = rd_kafka_subscribe(consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) throw failure(std::string("subscribe: ") + rd_kafka_err2str(err));
}

std::set<int> assignment_of(rd_kafka_t* consumer) {
    rd_kafka_topic_partition_list_t* list = nullptr;
    std::set<int> partitions;
    if (rd_kafka_assignment(consumer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR && list != nullptr) {
        for (int i = 0; i < list->cnt; ++i) partitions.insert(list->elems[i].partition);
    }
    if (list != nullptr) rd_kafka_topic_partition_list_destroy(list);
    return partitions;
}

std::map<std::string, bool> results;
bool all_ok = true;

void run(const std::string& step, const std::vector<std::string>& needs, const std::function<void()>& body) {
    for (const auto& need : needs) {
        if (!results[need]) {
            std::printf("step %s FAIL skipped: %s failed\n", step.c_str(), need.c_str());
            results[step] = false;
            all_ok = false;
            return;
        }
    }
    try {
        body();
        std::printf("step %s ok\n", step.c_str());
        results[step] = true;
    } catch (const std::exception& e) {
        std::string reason = e.what();
        for (auto& c : reason) c = (c == '\n') ? ' ' : c;
        std::printf("step %s FAIL %s\n", step.c_str(), reason.c_str());
        results[step] = false;
        all_ok = false;
    }
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <bootstrap host:port> <unique-suffix>\n", argv[0]);
        return 2;
    }
    bootstrap = argv[1];
    topic = std::string("compat-") + argv[2];
    group = std::string("compat-group-") + argv[2];
    std::printf("client librdkafka %s\n", rd_kafka_version_str());
    std::fflush(stdout);

    handle admin = make(RD_KAFKA_PRODUCER, {});
    handle first;

    run("metadata", {}, [&] {
        const rd_kafka_metadata_t* metadata = nullptr;
        const auto err = rd_kafka_metadata(admin.get(), 1, nullptr, &metadata, 30'000);
        if (err) throw failure(std::string("metadata: ") + rd_kafka_err2str(err));
        bool found = false;
        for (int i = 0; i < metadata->broker_cnt; ++i) {
            const std::string address =
                std::string(metadata->brokers[i].host) + ":" + std::to_string(metadata->brokers[i].port);
            found = found || address == bootstrap;
        }
        rd_kafka_metadata_destroy(metadata);
        if (!found) throw failure("no broker at " + bootstrap);
    });

    run("create_topic", {"metadata"}, [&] {
        const auto deadline = clock_type::now() + step_time;
        admin_call(admin.get(), true, deadline);
        while (partitions_of(admin.get(), topic, deadline) != partition_count) {
            if (clock_type::now() > deadline) throw failure("metadata never showed 3 partitions");
        }
    });

    run("produce", {"create_topic"}, [&] {
        const auto deadline = clock_type::now() + step_time;
        deliveries reports;
        handle producer = make(RD_KAFKA_PRODUCER, {{"acks", "all"}, {"linger.ms", "5"}}, &reports);
        for (int i = 0; i < message_count; ++i) {
            const std::string key = "key-" + std::to_string(i % key_count);
            const std::string value = "value-" + std::to_string(i);
            const std::string header = std::to_string(i);
            rd_kafka_resp_err_t err;
            do {
                err = rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                        RD_KAFKA_V_KEY(key.data(), key.size()),
                                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_HEADER("h", header.data(), static_cast<ssize_t>(header.size())),
                                        RD_KAFKA_V_END);
                if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) rd_kafka_poll(producer.get(), 50);
            } while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && clock_type::now() < deadline);
            if (err) throw failure(std::string("produce: ") + rd_kafka_err2str(err));
        }
        rd_kafka_flush(producer.get(), remaining_ms(deadline));
        if (!reports.first_error.empty()) throw failure("delivery failed: " + reports.first_error);
        if (reports.delivered != message_count) {
            throw failure(std::to_string(reports.delivered) + " of 1000 deliveries confirmed");
        }
    });

    run("consume_group", {"produce"}, [&] {
        const auto deadline = clock_type::now() + step_time;
        first = new_consumer();
        subscribe(first.get());
        std::map<int, int> seen;
        std::map<std::string, int> last;
        while (static_cast<int>(seen.size()) < message_count && clock_type::now() < deadline) {
            rd_kafka_message_t* message = rd_kafka_consumer_poll(first.get(), 500);
            if (message == nullptr) continue;
            std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(message, rd_kafka_message_destroy);
            if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
            if (message->err) throw failure(std::string("consume: ") + rd_kafka_message_errstr(message));
            const std::string key(static_cast<const char*>(message->key), message->key_len);
            const std::string value(static_cast<const char*>(message->payload), message->len);
            const int i = std::stoi(value.substr(value.find('-') + 1));
            rd_kafka_headers_t* headers = nullptr;
            const void* header_value = nullptr;
            size_t header_size = 0;
            std::string header;
            if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                rd_kafka_header_get_last(headers, "h", &header_value, &header_size) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                header.assign(static_cast<const char*>(header_value), header_size);
            }
            if (key != "key-" + std::to_string(i % key_count) || header != std::to_string(i)) {
                throw failure("bad record: key " + key + " value " + value + " header " + header);
            }
            if (last.contains(key) && last[key] >= i) {
                throw failure("key " + key + ": " + std::to_string(i) + " after " + std::to_string(last[key]));
            }
            last[key] = i;
            if (++seen[i] > 1) throw failure("value-" + std::to_string(i) + " delivered twice");
        }
        if (static_cast<int>(seen.size()) != message_count) {
            throw failure("read " + std::to_string(seen.size()) + " of 1000 messages");
        }
    });

    run("commit_offsets", {"consume_group"}, [&] {
        const auto deadline = clock_type::now() + step_time;
        auto err = rd_kafka_commit(first.get(), nullptr, 0);
        if (err) throw failure(std::string("commit: ") + rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partition_count);
        for (int p = 0; p < partition_count; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
        err = rd_kafka_committed(first.get(), list, remaining_ms(deadline));
        std::string problem = err ? std::string("committed: ") + rd_kafka_err2str(err) : "";
        std::int64_t total = 0;
        for (int i = 0; problem.empty() && i < list->cnt; ++i) {
            std::int64_t low = 0, high = 0;
            rd_kafka_query_watermark_offsets(first.get(), topic.c_str(), list->elems[i].partition, &low, &high,
                                             remaining_ms(deadline));
            if (list->elems[i].offset != high) {
                problem = "partition " + std::to_string(list->elems[i].partition) + ": committed " +
                          std::to_string(list->elems[i].offset) + ", end offset " + std::to_string(high);
            }
            total += list->elems[i].offset;
        }
        rd_kafka_topic_partition_list_destroy(list);
        if (!problem.empty()) throw failure(problem);
        if (total != message_count) throw failure("committed offsets sum to " + std::to_string(total));
    });

    run("second_member", {"consume_group"}, [&] {
        const auto deadline = clock_type::now() + step_time;
        handle second = new_consumer();
        subscribe(second.get());
        std::set<int> a, b;
        bool settled = false;
        while (!settled && clock_type::now() < deadline) {
            for (rd_kafka_t* consumer : {first.get(), second.get()}) {
                if (rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 200)) {
                    rd_kafka_message_destroy(message);
                }
            }
            a = assignment_of(first.get());
            b = assignment_of(second.get());
            std::set<int> both = a;
            both.insert(b.begin(), b.end());
            settled = !a.empty() && !b.empty() && both.size() == a.size() + b.size() &&
                      static_cast<int>(both.size()) == partition_count;
        }
        rd_kafka_consumer_close(second.get());
        rd_kafka_consumer_close(first.get());
        first.reset();
        if (!settled) {
            throw failure("assignments never settled: " + std::to_string(a.size()) + " and " +
                          std::to_string(b.size()) + " partitions");
        }
    });

    if (first) {
        rd_kafka_consumer_close(first.get());
        first.reset();
    }
    run("delete_topic", {"create_topic"}, [&] {
        const auto deadline = clock_type::now() + step_time;
        admin_call(admin.get(), false, deadline);
        while (partitions_of(admin.get(), topic, deadline) != -1) {
            if (clock_type::now() > deadline) throw failure("topic still listed in metadata");
        }
    });
    admin.reset();
    return all_ok ? 0 : 1;
}
