// Fetch on the wire, beyond what librdkafka shows:
// - incremental fetch sessions (KIP-227): librdkafka 2.0.2 does not use them
//   (it always sends epoch -1), so these requests are built with the
//   generated codecs, the way the Java consumer sends them;
// - records sent from segment files with sendfile(2), to clients that read
//   them and to clients that hang up halfway.

#include <gtest/gtest.h>

#include <string>

#include "brook/messages/error_codes.h"
#include "brook/messages/fetch_request.h"
#include "brook/messages/fetch_response.h"
#include "brook/messages/produce_request.h"
#include "brook/messages/produce_response.h"
#include "brook/record/record_batch.h"
#include "harness.h"

namespace brook::integration {
namespace {

using messages::error_code;

struct partition_answer {
    std::string topic;
    wire::uuid topic_id;
    std::int32_t partition = -1;
    std::int16_t error = 0;
    std::int64_t high_watermark = -1;
    std::int64_t first_offset = -1;  // of the first batch returned, -1 when none
    std::int64_t records = 0;        // records in the complete batches returned
};

struct fetch_answer {
    std::int16_t error = 0;
    std::int32_t session_id = 0;
    std::vector<partition_answer> partitions;
    const partition_answer* find(std::int32_t partition) const {
        for (const auto& p : partitions) {
            if (p.partition == partition) return &p;
        }
        return nullptr;
    }
};

fetch_answer summarize(const messages::FetchResponse& response) {
    fetch_answer out;
    out.error = response.error_code;
    out.session_id = response.session_id;
    for (const auto& topic : response.responses) {
        for (const auto& partition : topic.partitions) {
            partition_answer answer{topic.topic, topic.topic_id, partition.partition_index, partition.error_code,
                                    partition.high_watermark};
            record::batch_splitter batches(partition.records.data());
            while (auto batch = batches.next()) {
                record::batch_view view;
                if (record::parse_batch(*batch, view) != wire::errc::ok) break;
                if (answer.first_offset < 0) answer.first_offset = view.header.base_offset;
                answer.records += view.header.record_count;
            }
            out.partitions.push_back(answer);
        }
    }
    return out;
}

// A fetch of `topic` (by name before v13, by id from v13) that never waits.
messages::FetchRequest fetch_request(std::int32_t session_id, std::int32_t epoch) {
    messages::FetchRequest request;
    request.max_wait_ms = 0;
    request.min_bytes = 0;
    request.max_bytes = 1 << 20;
    request.session_id = session_id;
    request.session_epoch = epoch;
    return request;
}

void add_partition(messages::FetchRequest& request, std::int16_t version, const std::string& topic,
                   const wire::uuid& topic_id, std::int32_t partition, std::int64_t offset) {
    if (request.topics.empty() || (version >= 13 ? request.topics.back().topic_id != topic_id
                                                 : request.topics.back().topic != topic)) {
        auto& t = request.topics.emplace_back();
        if (version >= 13) {
            t.topic_id = topic_id;
        } else {
            t.topic = topic;
        }
    }
    auto& p = request.topics.back().partitions.emplace_back();
    p.partition = partition;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
}

class FetchSessions : public ::testing::TestWithParam<std::int16_t> {};

// A session is created by a full fetch at epoch 0; incremental fetches then
// answer only partitions with news, keep the positions the client last sent,
// add partitions, forget them, and check the epoch; epoch -1 closes it.
TEST_P(FetchSessions, IncrementalFetchesAnswerOnlyNews) {
    const std::int16_t version = GetParam();
    broker_process broker;
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "sessions", 3));
    for (int partition = 0; partition < 2; ++partition) {
        ASSERT_EQ(produce_messages(broker.bootstrap(), "sessions", 10, "m", partition).delivered, 10);
    }
    const auto metadata = fetch_raw_metadata(broker.port(), std::vector<std::string>{"sessions"});
    ASSERT_TRUE(metadata && metadata->find("sessions"));
    const wire::uuid id = metadata->find("sessions")->id;

    raw_connection connection(broker.port());
    std::int32_t correlation = 0;
    auto fetch = [&](const messages::FetchRequest& request) {
        const auto response = exchange_keeping_frame<messages::FetchResponse>(connection, request, version, ++correlation);
        EXPECT_TRUE(response.has_value());
        return response ? summarize(response->body) : fetch_answer{};
    };

    // Full fetch that opens a session: both partitions answered in full.
    auto request = fetch_request(0, 0);
    add_partition(request, version, "sessions", id, 0, 0);
    add_partition(request, version, "sessions", id, 1, 0);
    auto answer = fetch(request);
    ASSERT_EQ(answer.error, 0);
    ASSERT_NE(answer.session_id, 0);
    const std::int32_t session = answer.session_id;
    ASSERT_EQ(answer.partitions.size(), 2u);
    EXPECT_EQ(answer.find(0)->records, 10);
    EXPECT_EQ(answer.find(1)->records, 10);
    EXPECT_EQ(answer.find(1)->high_watermark, 10);
    if (version >= 13) {
        EXPECT_EQ(answer.partitions[0].topic_id, id);
    } else {
        EXPECT_EQ(answer.partitions[0].topic, "sessions");
    }

    // Epoch 1: the client moved both positions to 10; nothing is new.
    request = fetch_request(session, 1);
    add_partition(request, version, "sessions", id, 0, 10);
    add_partition(request, version, "sessions", id, 1, 10);
    answer = fetch(request);
    EXPECT_EQ(answer.error, 0);
    EXPECT_EQ(answer.session_id, session);
    EXPECT_TRUE(answer.partitions.empty());

    // New data on partition 1 only: an empty incremental request gets just it,
    // read from the position the session remembers.
    ASSERT_EQ(produce_messages(broker.bootstrap(), "sessions", 5, "n", 1).delivered, 5);
    answer = fetch(fetch_request(session, 2));
    EXPECT_EQ(answer.error, 0);
    ASSERT_EQ(answer.partitions.size(), 1u);
    EXPECT_EQ(answer.partitions[0].partition, 1);
    EXPECT_EQ(answer.partitions[0].first_offset, 10);
    EXPECT_EQ(answer.partitions[0].records, 5);
    EXPECT_EQ(answer.partitions[0].high_watermark, 15);

    // A repeated epoch is refused and changes nothing.
    answer = fetch(fetch_request(session, 2));
    EXPECT_EQ(answer.error, static_cast<std::int16_t>(error_code::invalid_fetch_session_epoch));

    // Move partition 1 past what it got, add partition 2 (empty: answered
    // once, since the client has never seen its high watermark) and forget
    // partition 0.
    request = fetch_request(session, 3);
    add_partition(request, version, "sessions", id, 1, 15);
    add_partition(request, version, "sessions", id, 2, 0);
    auto& forgotten = request.forgotten_topics_data.emplace_back();
    if (version >= 13) {
        forgotten.topic_id = id;
    } else {
        forgotten.topic = "sessions";
    }
    forgotten.partitions = {0};
    answer = fetch(request);
    EXPECT_EQ(answer.error, 0);
    ASSERT_EQ(answer.partitions.size(), 1u);
    EXPECT_EQ(answer.partitions[0].partition, 2);
    EXPECT_EQ(answer.partitions[0].high_watermark, 0);

    // Partition 0 is out of the session: its new data is not sent.
    ASSERT_EQ(produce_messages(broker.bootstrap(), "sessions", 3, "o", 0).delivered, 3);
    answer = fetch(fetch_request(session, 4));
    EXPECT_EQ(answer.error, 0);
    EXPECT_TRUE(answer.partitions.empty());

    // Epoch -1 closes the session (a full, sessionless fetch) ...
    request = fetch_request(session, -1);
    add_partition(request, version, "sessions", id, 0, 10);
    answer = fetch(request);
    EXPECT_EQ(answer.error, 0);
    EXPECT_EQ(answer.session_id, 0);
    ASSERT_EQ(answer.partitions.size(), 1u);
    EXPECT_EQ(answer.partitions[0].records, 3);
    // ... so it is gone.
    answer = fetch(fetch_request(session, 5));
    EXPECT_EQ(answer.error, static_cast<std::int16_t>(error_code::fetch_session_id_not_found));
}

INSTANTIATE_TEST_SUITE_P(Versions, FetchSessions, ::testing::Values<std::int16_t>(7, 12, 13, 17));

// A session opened with topic names cannot be continued with topic ids.
TEST(FetchSessionsAcrossVersions, NamesAndIdsDoNotMix) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "mixed", 1));
    raw_connection connection(broker.port());
    auto request = fetch_request(0, 0);
    add_partition(request, 12, "mixed", {}, 0, 0);
    const auto opened = exchange_keeping_frame<messages::FetchResponse>(connection, request, 12, 1);
    ASSERT_TRUE(opened.has_value());
    ASSERT_NE(opened->body.session_id, 0);
    const auto continued = exchange_keeping_frame<messages::FetchResponse>(connection, fetch_request(opened->body.session_id, 1), 13, 2);
    ASSERT_TRUE(continued.has_value());
    EXPECT_EQ(continued->body.error_code, static_cast<std::int16_t>(error_code::fetch_session_topic_id_error));
    // An incremental fetch without a session id is an epoch error.
    const auto orphan = exchange_keeping_frame<messages::FetchResponse>(connection, fetch_request(0, 3), 12, 3);
    ASSERT_TRUE(orphan.has_value());
    EXPECT_EQ(orphan->body.error_code, static_cast<std::int16_t>(error_code::invalid_fetch_session_epoch));
}

// With max.incremental.fetch.session.cache.slots=0 sessions are off: a fetch
// asking for one is answered in full with session id 0, as KIP-227 allows.
TEST(FetchSessionsAcrossVersions, NoSlotsMeansSessionlessFetches) {
    broker_process broker(broker_options(std::map<std::string, std::string>{{"max.incremental.fetch.session.cache.slots", "0"}}));
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "nosessions", 1));
    ASSERT_EQ(produce_messages(broker.bootstrap(), "nosessions", 4, "m", 0).delivered, 4);
    raw_connection connection(broker.port());
    auto request = fetch_request(0, 0);
    add_partition(request, 12, "nosessions", {}, 0, 0);
    const auto response = exchange_keeping_frame<messages::FetchResponse>(connection, request, 12, 1);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body.error_code, 0);
    EXPECT_EQ(response->body.session_id, 0);
    EXPECT_EQ(summarize(response->body).partitions.at(0).records, 4);
}

// Responses are sent with sendfile(2), which cannot suppress SIGPIPE: a
// client that hangs up in the middle of a large response must cost only its
// own connection. Then a full read of the same data proves the bytes that
// sendfile sends are the log's.
TEST(FetchFromFiles, ClientsHangingUpMidResponseLeaveTheBrokerServing) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "big", 1));
    ASSERT_EQ(produce_messages(broker.bootstrap(), "big", 20000, std::string(400, 'x'), 0).delivered, 20000);

    for (int attempt = 0; attempt < 5; ++attempt) {
        raw_connection connection(broker.port());
        auto request = fetch_request(0, -1);
        request.max_bytes = 64 << 20;
        add_partition(request, 12, "big", {}, 0, 0);
        request.topics[0].partitions[0].partition_max_bytes = 64 << 20;
        ASSERT_TRUE(connection.send_frame(encode_request(request, 12, attempt)));
        // Read a little, then close with the rest of the response unread.
        (void)connection.read_frame(std::chrono::milliseconds(1));
    }

    raw_connection connection(broker.port());
    std::int64_t next = 0;
    std::int64_t records = 0;
    for (int round = 0; round < 100 && next < 20000; ++round) {
        auto request = fetch_request(0, -1);
        add_partition(request, 12, "big", {}, 0, next);
        const auto response = exchange_keeping_frame<messages::FetchResponse>(connection, request, 12, 100 + round);
        ASSERT_TRUE(response.has_value());
        const auto answer = summarize(response->body);
        ASSERT_EQ(answer.partitions.size(), 1u);
        ASSERT_EQ(answer.partitions[0].error, 0);
        ASSERT_EQ(answer.partitions[0].first_offset, next);
        ASSERT_GT(answer.partitions[0].records, 0);
        records += answer.partitions[0].records;
        next += answer.partitions[0].records;
    }
    EXPECT_EQ(records, 20000);
    EXPECT_TRUE(broker.running());
}

}  // namespace
}  // namespace brook::integration

namespace brook::integration {
namespace {

// One batch of one record, for a Produce built by hand.
wire::bytes one_record_batch(int n) {
    record::batch_builder builder(record::batch_options{});
    const std::string value = "poll-" + std::to_string(n);
    record::new_record entry;
    entry.value = wire::bytes_view(reinterpret_cast<const wire::byte*>(value.data()), value.size());
    EXPECT_EQ(builder.append(entry), wire::errc::ok);
    wire::bytes out;
    EXPECT_EQ(builder.build(out), wire::errc::ok);
    return out;
}

// Regression (found by the end-to-end latency benchmark): a long-polling
// Fetch must answer as soon as records arrive, also when they arrive while
// it is between reading the log and registering to be woken. That wake-up
// was lost, so such a Fetch sat out its whole max wait (librdkafka's 500 ms
// by default) with the records there. Here the max wait is two minutes, so a
// lost wake-up leaves a Fetch unanswered past the harness's 30 s read limit;
// the Produce right behind each Fetch lands in that window often enough in
// 200 rounds.
TEST(FetchLongPoll, AnswersWhenRecordsArriveWhileItRegisters) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    ASSERT_NO_FATAL_FAILURE(create_topic(broker, "poll", 1));
    raw_connection consumer(broker.port());
    raw_connection producer(broker.port());
    ASSERT_TRUE(consumer.connected() && producer.connected());
    constexpr std::int16_t fetch_version = 11;
    for (int round = 0; round < 200; ++round) {
        messages::FetchRequest fetch = fetch_request(0, -1);
        fetch.max_wait_ms = 120'000;
        fetch.min_bytes = 1;
        add_partition(fetch, fetch_version, "poll", {}, 0, round);
        ASSERT_TRUE(consumer.send_frame(encode_request(fetch, fetch_version, round)));

        messages::ProduceRequest produce;
        produce.acks = 1;
        produce.timeout_ms = 30'000;
        auto& data = produce.topic_data.emplace_back();
        data.name = "poll";
        auto& entry = data.partition_data.emplace_back();
        entry.index = 0;
        entry.records = wire::record_set::owning(one_record_batch(round));
        const auto produced = exchange<messages::ProduceResponse>(producer, produce, 9, round);
        ASSERT_TRUE(produced.has_value());
        ASSERT_EQ(produced->responses.at(0).partition_responses.at(0).error_code, 0);
        ASSERT_EQ(produced->responses.at(0).partition_responses.at(0).base_offset, round);

        const auto frame = consumer.read_frame();
        ASSERT_TRUE(frame.has_value()) << "the Fetch at offset " << round
                                       << " was not answered when its record arrived";
        wire::reader in(*frame);
        messages::ResponseHeader header;
        ASSERT_EQ(header.decode(in, messages::response_header_version(messages::FetchRequest::api_key, fetch_version)),
                  wire::errc::ok);
        EXPECT_EQ(header.correlation_id, round);
        messages::FetchResponse response;
        ASSERT_EQ(response.decode(in, fetch_version), wire::errc::ok);
        const auto answer = summarize(response);
        ASSERT_EQ(answer.partitions.size(), 1u);
        EXPECT_EQ(answer.partitions[0].first_offset, round);
        EXPECT_EQ(answer.partitions[0].records, 1);
    }
}

}  // namespace
}  // namespace brook::integration
