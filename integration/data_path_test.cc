// The data path against real brook processes with librdkafka: produce and
// consume, limits, codecs, headers, offsets by time, restarts, kill -9 and
// retention.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace brook::integration {
namespace {

// A record as a test sends or sees it.
struct record {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    std::int64_t timestamp_ms = -1;
};

// Delivery reports land here, from librdkafka's poll on the test thread.
struct delivery_log {
    std::mutex mutex;
    std::vector<record> acknowledged;  // in the order reports arrived
    std::map<rd_kafka_resp_err_t, int> errors;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    auto* log = static_cast<delivery_log*>(opaque);
    std::lock_guard lock(log->mutex);
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++log->errors[message->err];
        return;
    }
    record r;
    r.partition = message->partition;
    r.offset = message->offset;
    if (message->payload != nullptr) r.value = std::string(static_cast<const char*>(message->payload), message->len);
    log->acknowledged.push_back(std::move(r));
}

// A producer whose delivery reports go to `log`.
kafka_handle make_producer(const std::string& bootstrap, delivery_log& log,
                           std::map<std::string, std::string> properties = {}) {
    char error[512] = {};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    properties.emplace("bootstrap.servers", bootstrap);
    properties.emplace("log_level", "4");
    properties.emplace("linger.ms", "5");
    for (const auto& [key, value] : properties) {
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
            ADD_FAILURE() << key << "=" << value << ": " << error;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &log);
    rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    if (producer == nullptr) ADD_FAILURE() << "rd_kafka_new: " << error;
    return kafka_handle(producer);
}

// Sends one record; retries while librdkafka's local queue is full.
rd_kafka_resp_err_t send(rd_kafka_t* producer, const std::string& topic, const record& r) {
    for (;;) {
        rd_kafka_headers_t* headers = nullptr;
        if (!r.headers.empty()) {
            headers = rd_kafka_headers_new(r.headers.size());
            for (const auto& [name, value] : r.headers) {
                rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()),
                                    value ? value->data() : nullptr, value ? static_cast<ssize_t>(value->size()) : 0);
            }
        }
        // The RD_KAFKA_V_* macros cast their arguments: pass plain values.
        const void* key = r.key ? r.key->data() : nullptr;
        const std::size_t key_size = r.key ? r.key->size() : 0;
        void* value = r.value ? const_cast<char*>(r.value->data()) : nullptr;
        const std::size_t value_size = r.value ? r.value->size() : 0;
        const std::int64_t timestamp = r.timestamp_ms > 0 ? r.timestamp_ms : 0;
        const auto error = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(r.partition),
                                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
                                             RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_TIMESTAMP(timestamp),
                                             RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
        if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (headers != nullptr) rd_kafka_headers_destroy(headers);
            rd_kafka_poll(producer, 10);
            continue;
        }
        if (error != RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) rd_kafka_headers_destroy(headers);
        return error;
    }
}

// Waits (bounded) until every queued record has a delivery report.
bool flush(rd_kafka_t* producer, std::chrono::milliseconds timeout = request_timeout) {
    return rd_kafka_flush(producer, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

// Reads every partition of `topic` from `start` (an offset, or
// RD_KAFKA_OFFSET_BEGINNING) until `count` records arrived or the timeout.
std::vector<record> consume(const std::string& bootstrap, const std::string& topic, int partitions, std::size_t count,
                            std::int64_t start = RD_KAFKA_OFFSET_BEGINNING,
                            std::chrono::milliseconds timeout = request_timeout) {
    std::vector<record> out;
    auto consumer = make_client(bootstrap, RD_KAFKA_CONSUMER,
                                {{"group.id", "data-path-test"}, {"enable.auto.commit", "false"}});
    if (!consumer) return out;
    rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset = start;
    rd_kafka_assign(consumer.get(), assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
        if (message == nullptr) continue;
        if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            record r;
            r.partition = message->partition;
            r.offset = message->offset;
            if (message->key != nullptr) r.key = std::string(static_cast<const char*>(message->key), message->key_len);
            if (message->payload != nullptr) {
                r.value = std::string(static_cast<const char*>(message->payload), message->len);
            }
            rd_kafka_timestamp_type_t type;
            r.timestamp_ms = rd_kafka_message_timestamp(message, &type);
            rd_kafka_headers_t* headers = nullptr;
            if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char* name;
                const void* value;
                size_t size;
                for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
                     ++i) {
                    r.headers.emplace_back(name, value ? std::optional<std::string>(std::string(
                                                             static_cast<const char*>(value), size))
                                                       : std::nullopt);
                }
            }
            out.push_back(std::move(r));
        } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ADD_FAILURE() << "consume error: " << rd_kafka_message_errstr(message);
        }
        rd_kafka_message_destroy(message);
    }
    rd_kafka_consumer_close(consumer.get());
    return out;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Proves a million small records sent to 6 partitions all arrive, each
// partition in the order it was written, with contiguous offsets.
TEST(DataPath, MillionMessagesInOrderPerPartition) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    create_topic(broker, "million", 6);
    constexpr int total = 1'000'000;
    delivery_log log;
    auto producer = make_producer(broker.bootstrap(), log, {{"acks", "1"}, {"linger.ms", "20"},
                                                            {"batch.num.messages", "10000"}});
    ASSERT_TRUE(producer);
    for (int i = 0; i < total; ++i) {
        record r;
        r.partition = i % 6;
        r.value = std::to_string(i);
        ASSERT_EQ(send(producer.get(), "million", r), RD_KAFKA_RESP_ERR_NO_ERROR);
        if (i % 10000 == 0) rd_kafka_poll(producer.get(), 0);
    }
    ASSERT_TRUE(flush(producer.get(), 120s));
    ASSERT_TRUE(log.errors.empty());
    ASSERT_EQ(log.acknowledged.size(), static_cast<std::size_t>(total));

    const auto records = consume(broker.bootstrap(), "million", 6, total, RD_KAFKA_OFFSET_BEGINNING, 120s);
    ASSERT_EQ(records.size(), static_cast<std::size_t>(total));
    std::vector<std::int64_t> next_offset(6, 0);
    std::vector<int> last_value(6, -1);
    for (const auto& r : records) {
        ASSERT_EQ(r.offset, next_offset[r.partition]++) << "partition " << r.partition;
        const int value = std::stoi(*r.value);
        ASSERT_EQ(value % 6, r.partition);
        ASSERT_GT(value, last_value[r.partition]);
        last_value[r.partition] = value;
    }
}

// Proves a record as large as max.message.bytes is stored and read back,
// and one above it gets MESSAGE_TOO_LARGE without disturbing the partition.
TEST(DataPath, MessageSizeLimit) {
    broker_process broker(broker_options(std::map<std::string, std::string>{{"message.max.bytes", "200000"}}));
    ASSERT_TRUE(broker.start());
    create_topic(broker, "sizes", 1);
    delivery_log log;
    // The client's own limit is raised so that the broker is the one to say no.
    auto producer = make_producer(broker.bootstrap(), log, {{"message.max.bytes", "1000000"}, {"acks", "all"}});
    record fits;
    fits.partition = 0;
    fits.value = std::string(199000, 'f');
    record too_large;
    too_large.partition = 0;
    too_large.value = std::string(300000, 't');
    ASSERT_EQ(send(producer.get(), "sizes", fits), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(flush(producer.get()));
    ASSERT_EQ(send(producer.get(), "sizes", too_large), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(flush(producer.get()));
    EXPECT_EQ(log.errors[RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE], 1);
    ASSERT_EQ(log.acknowledged.size(), 1u);

    const auto records = consume(broker.bootstrap(), "sizes", 1, 1);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].value, fits.value);
}

// Proves records compressed by the producer with each codec round-trip.
TEST(DataPath, EveryCompressionCodec) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    for (const std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
        SCOPED_TRACE(codec);
        const std::string topic = "codec-" + codec;
        create_topic(broker, topic, 2);
        delivery_log log;
        auto producer = make_producer(broker.bootstrap(), log, {{"compression.type", codec}});
        std::vector<std::string> sent;
        for (int i = 0; i < 2000; ++i) {
            record r;
            r.partition = i % 2;
            r.value = codec + "-" + std::string(static_cast<std::size_t>(i % 97), 'x') + std::to_string(i);
            sent.push_back(*r.value);
            ASSERT_EQ(send(producer.get(), topic, r), RD_KAFKA_RESP_ERR_NO_ERROR);
        }
        ASSERT_TRUE(flush(producer.get()));
        ASSERT_TRUE(log.errors.empty());
        const auto records = consume(broker.bootstrap(), topic, 2, sent.size());
        ASSERT_EQ(records.size(), sent.size());
        std::multiset<std::string> expected(sent.begin(), sent.end());
        std::multiset<std::string> actual;
        for (const auto& r : records) actual.insert(*r.value);
        EXPECT_EQ(actual, expected);
    }
}

// Proves keys, null keys, empty and null values, and headers (with null
// header values) come back exactly as sent.
TEST(DataPath, KeysValuesAndHeaders) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    create_topic(broker, "shapes", 1);
    std::vector<record> sent(4);
    sent[0].key = "key-0";
    sent[0].value = "value-0";
    sent[0].headers = {{"trace", std::string("abc")}, {"empty", std::string()}, {"null", std::nullopt}};
    sent[1].value = "no key";
    sent[2].key = "empty value";
    sent[2].value = std::string();
    sent[3].key = "tombstone";
    delivery_log log;
    auto producer = make_producer(broker.bootstrap(), log);
    for (auto& r : sent) {
        r.partition = 0;
        ASSERT_EQ(send(producer.get(), "shapes", r), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    ASSERT_TRUE(flush(producer.get()));
    const auto records = consume(broker.bootstrap(), "shapes", 1, sent.size());
    ASSERT_EQ(records.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(records[i].key, sent[i].key) << i;
        // librdkafka reports an empty value as a null payload pointer only for
        // a null value; an empty one arrives as "".
        EXPECT_EQ(records[i].value.value_or("<null>"), sent[i].value.value_or("<null>")) << i;
        EXPECT_EQ(records[i].headers, sent[i].headers) << i;
    }
}

// Proves ListOffsets by timestamp finds the first record at or after a
// time, and that latest and earliest are the watermarks.
TEST(DataPath, OffsetsByTime) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    create_topic(broker, "times", 1);
    const std::int64_t base = now_ms() - 60'000;
    delivery_log log;
    auto producer = make_producer(broker.bootstrap(), log, {{"linger.ms", "0"}});
    for (int i = 0; i < 10; ++i) {
        record r;
        r.partition = 0;
        r.value = std::to_string(i);
        r.timestamp_ms = base + i * 1000;
        ASSERT_EQ(send(producer.get(), "times", r), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(flush(producer.get()));  // one batch per record: the time index sees each
    }
    ASSERT_EQ(log.acknowledged.size(), 10u);

    auto consumer = make_client(broker.bootstrap(), RD_KAFKA_CONSUMER, {{"group.id", "times"}});
    const auto offset_for = [&](std::int64_t timestamp) {
        rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, "times", 0)->offset = timestamp;
        const auto error = rd_kafka_offsets_for_times(consumer.get(), list, 10000);
        EXPECT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR);
        const std::int64_t offset = list->elems[0].offset;
        rd_kafka_topic_partition_list_destroy(list);
        return offset;
    };
    EXPECT_EQ(offset_for(base), 0);
    EXPECT_EQ(offset_for(base + 3500), 4);
    EXPECT_EQ(offset_for(base + 9000), 9);
    EXPECT_EQ(offset_for(base + 10'000), -1);  // nothing that late: the end
    std::int64_t low = -1;
    std::int64_t high = -1;
    ASSERT_EQ(rd_kafka_query_watermark_offsets(consumer.get(), "times", 0, &low, &high, 10000),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(low, 0);
    EXPECT_EQ(high, 10);
}

// Proves producing to an unknown topic with auto-creation off fails with
// UNKNOWN_TOPIC_OR_PARTITION and creates nothing.
TEST(DataPath, ProduceToUnknownTopicWithoutAutoCreation) {
    broker_process broker(broker_options(std::map<std::string, std::string>{{"auto.create.topics.enable", "false"}}));
    ASSERT_TRUE(broker.start());
    delivery_log log;
    auto producer = make_producer(broker.bootstrap(), log, {{"message.timeout.ms", "3000"}});
    record r;
    r.value = "lost?";
    ASSERT_EQ(send(producer.get(), "nowhere", r), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(flush(producer.get()));
    EXPECT_TRUE(log.acknowledged.empty());
    EXPECT_FALSE(log.errors.empty());
    auto client = make_client(broker.bootstrap(), RD_KAFKA_PRODUCER);
    const auto metadata = fetch_metadata(client.get());
    EXPECT_FALSE(metadata.has_topic("nowhere"));
}

// Proves everything acknowledged before a clean stop is read back after the
// restart, and appends continue at the right offset.
TEST(DataPath, RestartKeepsEverything) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    create_topic(broker, "kept", 3);
    delivery_log log;
    {
        auto producer = make_producer(broker.bootstrap(), log, {{"acks", "1"}});
        for (int i = 0; i < 30000; ++i) {
            record r;
            r.partition = i % 3;
            r.value = std::to_string(i);
            ASSERT_EQ(send(producer.get(), "kept", r), RD_KAFKA_RESP_ERR_NO_ERROR);
        }
        ASSERT_TRUE(flush(producer.get()));
    }
    ASSERT_EQ(log.acknowledged.size(), 30000u);
    ASSERT_TRUE(broker.stop());
    ASSERT_TRUE(broker.restart());
    EXPECT_EQ(consume(broker.bootstrap(), "kept", 3, 30000).size(), 30000u);
    delivery_log after;
    auto producer = make_producer(broker.bootstrap(), after);
    record r;
    r.partition = 0;
    r.value = "after restart";
    ASSERT_EQ(send(producer.get(), "kept", r), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(flush(producer.get()));
    ASSERT_EQ(after.acknowledged.size(), 1u);
    EXPECT_EQ(after.acknowledged[0].offset, 10000);
}

// Proves durability: while a producer with acks=all is sending, the broker
// is killed with SIGKILL; after a restart every acknowledged record is
// there at the offset it was acknowledged with.
TEST(DataPath, KillNineDuringAcksAllLosesNothingAcknowledged) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    create_topic(broker, "durable", 2);
    delivery_log log;
    {
        auto producer = make_producer(broker.bootstrap(), log,
                                      {{"acks", "all"}, {"linger.ms", "1"}, {"message.timeout.ms", "5000"},
                                       {"retries", "0"}});
        int sent = 0;
        // Send until enough records were acknowledged, then kill mid-stream.
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < deadline) {
            for (int i = 0; i < 500; ++i, ++sent) {
                record r;
                r.partition = sent % 2;
                r.value = "d" + std::to_string(sent);
                ASSERT_EQ(send(producer.get(), "durable", r), RD_KAFKA_RESP_ERR_NO_ERROR);
            }
            rd_kafka_poll(producer.get(), 1);
            std::lock_guard lock(log.mutex);
            if (log.acknowledged.size() >= 20000) break;
        }
        broker.kill9();
        flush(producer.get(), 10s);  // the rest fail: the broker is gone
    }
    const auto acknowledged = log.acknowledged;
    ASSERT_GE(acknowledged.size(), 20000u);
    ASSERT_TRUE(broker.restart());
    // The log may also hold records written before the kill whose
    // acknowledgements never arrived: read every partition to its end.
    auto watermarks = make_client(broker.bootstrap(), RD_KAFKA_CONSUMER, {{"group.id", "durable"}});
    std::size_t stored_count = 0;
    for (int p = 0; p < 2; ++p) {
        std::int64_t low = -1;
        std::int64_t high = -1;
        ASSERT_EQ(rd_kafka_query_watermark_offsets(watermarks.get(), "durable", p, &low, &high, 10000),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
        stored_count += static_cast<std::size_t>(high - low);
    }
    ASSERT_GE(stored_count, acknowledged.size());
    const auto records = consume(broker.bootstrap(), "durable", 2, stored_count, RD_KAFKA_OFFSET_BEGINNING, 60s);
    ASSERT_EQ(records.size(), stored_count);
    std::map<std::pair<std::int32_t, std::int64_t>, std::string> stored;
    for (const auto& r : records) stored[{r.partition, r.offset}] = *r.value;
    for (const auto& a : acknowledged) {
        const auto it = stored.find({a.partition, a.offset});
        ASSERT_NE(it, stored.end()) << "acknowledged record at " << a.partition << "/" << a.offset << " was lost";
        ASSERT_EQ(it->second, *a.value);
    }
}

// Proves retention by time deletes whole old segments, never the active
// one, and moves the log start offset forward.
TEST(DataPath, RetentionDeletesOldSegments) {
    broker_process broker(broker_options(std::map<std::string, std::string>{{"log.retention.check.interval.ms", "200"}}));
    ASSERT_TRUE(broker.start());
    create_topic(broker, "retained", 1, {{"segment.bytes", "4096"}, {"retention.ms", "2000"}});
    delivery_log log;
    auto producer = make_producer(broker.bootstrap(), log, {{"linger.ms", "0"}});
    for (int i = 0; i < 200; ++i) {
        record r;
        r.partition = 0;
        r.value = std::string(100, 'r') + std::to_string(i);
        ASSERT_EQ(send(producer.get(), "retained", r), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_TRUE(flush(producer.get()));
    }
    const auto directory = broker.data_directory() / "retained-0";
    const auto segments = [&] {
        int count = 0;
        for (const auto& entry : std::filesystem::directory_iterator(directory)) {
            if (entry.path().extension() == ".log") ++count;
        }
        return count;
    };
    ASSERT_GT(segments(), 3);
    auto consumer = make_client(broker.bootstrap(), RD_KAFKA_CONSUMER, {{"group.id", "retained"}});
    std::int64_t low = -1;
    std::int64_t high = -1;
    EXPECT_TRUE(eventually([&] {
        rd_kafka_query_watermark_offsets(consumer.get(), "retained", 0, &low, &high, 5000);
        return low > 0 && segments() == 1;
    }, 30s)) << "log start " << low << ", segments " << segments();
    EXPECT_EQ(high, 200);
    const auto records = consume(broker.bootstrap(), "retained", 1, static_cast<std::size_t>(high - low));
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.front().offset, low);
    EXPECT_EQ(records.back().offset, 199);
}

}  // namespace
}  // namespace brook::integration
