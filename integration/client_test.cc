// brook_client (src/client) against real brook processes: version
// negotiation, Metadata, admin requests to the controller, pipelining on one
// connection, failure and recovery across a broker restart, Produce and
// Fetch through the partition leader, and the blocking facade the tools use.

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

#include "brook/client/blocking_client.h"
#include "brook/client/connection.h"
#include "brook/client/kafka_client.h"
#include "brook/messages/api_versions_request.h"
#include "brook/messages/create_topics_request.h"
#include "brook/messages/create_topics_response.h"
#include "brook/messages/error_codes.h"
#include "brook/messages/fetch_request.h"
#include "brook/messages/fetch_response.h"
#include "brook/messages/metadata_request.h"
#include "brook/messages/metadata_response.h"
#include "brook/messages/produce_request.h"
#include "brook/messages/produce_response.h"
#include "brook/record/record_batch.h"
#include "harness.h"

namespace brook::integration {
namespace {

namespace asio = boost::asio;
using client::blocking_client;
using client::client_options;
using messages::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

client_options options_for(const broker_process& broker) {
    client_options options;
    options.bootstrap_servers = broker.bootstrap();
    options.client_id = "brook-client-test";
    options.request_timeout = request_timeout;
    return options;
}

std::int16_t code(error_code value) { return static_cast<std::int16_t>(value); }

messages::CreateTopicsRequest create_topics_request(const std::string& name, std::int32_t partitions) {
    messages::CreateTopicsRequest request;
    auto& topic = request.topics.emplace_back();
    topic.name = name;
    topic.num_partitions = partitions;
    topic.replication_factor = 1;
    request.timeout_ms = 30'000;
    return request;
}

// Creates a one-partition topic through the controller and waits (bounded)
// until Metadata names its leader.
::testing::AssertionResult create_topic_with_leader(blocking_client& client, const std::string& topic) {
    const auto created = client.send_to_controller(create_topics_request(topic, 1));
    if (!created) return ::testing::AssertionFailure() << "CreateTopics: " << created.message();
    if (created->topics.at(0).error_code != code(error_code::none)) {
        return ::testing::AssertionFailure() << "CreateTopics error " << created->topics.at(0).error_code;
    }
    const bool led = eventually([&] {
        const auto view = client.metadata(std::vector<std::string>{topic});
        return view && view->leader_of(topic, 0).has_value();
    });
    if (!led) return ::testing::AssertionFailure() << "no leader for " << topic;
    return ::testing::AssertionSuccess();
}

messages::MetadataRequest metadata_request(const std::string& topic) {
    messages::MetadataRequest request;
    request.allow_auto_topic_creation = false;
    auto& entry = request.topics->emplace_back();
    entry.name = topic;
    return request;
}

// One record batch of `values`, as a producer sends it.
wire::bytes make_batch(const std::vector<std::string>& values) {
    record::batch_builder builder(record::batch_options{});
    for (const auto& value : values) {
        record::new_record entry;
        entry.value = wire::bytes_view(reinterpret_cast<const wire::byte*>(value.data()), value.size());
        entry.timestamp_ms = 1'700'000'000'000;
        EXPECT_EQ(builder.append(entry), wire::errc::ok);
    }
    wire::bytes out;
    EXPECT_EQ(builder.build(out), wire::errc::ok);
    return out;
}

messages::ProduceRequest produce_request(const std::string& topic, std::int16_t acks, wire::bytes batch) {
    messages::ProduceRequest request;
    request.acks = acks;
    request.timeout_ms = 30'000;
    auto& data = request.topic_data.emplace_back();
    data.name = topic;
    auto& partition = data.partition_data.emplace_back();
    partition.index = 0;
    partition.records = wire::record_set::owning(std::move(batch));
    return request;
}

// Appends the record values of every complete batch in a Fetch response to
// `values` and moves `next_offset` past them.
void collect_values(const messages::FetchResponse& response, std::vector<std::string>& values,
                    std::int64_t& next_offset) {
    for (const auto& topic : response.responses) {
        for (const auto& partition : topic.partitions) {
            record::batch_splitter batches(partition.records.data());
            while (auto bytes = batches.next()) {
                record::batch_view batch;
                if (record::parse_batch(*bytes, batch) != wire::errc::ok) break;
                record::decoded_records records;
                if (record::decode_records(batch, {.max_uncompressed_bytes = 1 << 20}, records) != wire::errc::ok) {
                    break;
                }
                for (const auto& entry : records) {
                    if (entry.value) values.emplace_back(entry.value->begin(), entry.value->end());
                }
                next_offset = batch.header.last_offset() + 1;
            }
        }
    }
}

TEST(ClientTest, NegotiatesVersionsWithinWhatTheBrokerAdvertises) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    blocking_client client(options_for(broker));

    auto link = client.run(client.client().any_node());
    ASSERT_TRUE(link) << link.message();
    const auto& connection = **link;
    EXPECT_EQ(connection.api_versions_version(), 3);
    ASSERT_FALSE(connection.api_versions().empty());

    const auto check = [&](std::int16_t api_key, std::int16_t lowest, std::int16_t highest,
                           std::optional<std::int16_t> picked) {
        const auto advertised = connection.broker_versions(api_key);
        ASSERT_TRUE(advertised) << "broker does not list API " << api_key;
        ASSERT_TRUE(picked) << "no version for API " << api_key;
        EXPECT_GE(*picked, std::max(lowest, advertised->min_version));
        EXPECT_LE(*picked, std::min(highest, advertised->max_version));
        EXPECT_EQ(*picked, std::min(highest, advertised->max_version));
    };
    check(messages::MetadataRequest::api_key, messages::MetadataRequest::lowest_version,
          messages::MetadataRequest::highest_version, connection.pick_version<messages::MetadataRequest>());
    check(messages::FetchRequest::api_key, messages::FetchRequest::lowest_version,
          messages::FetchRequest::highest_version, connection.pick_version<messages::FetchRequest>());
    check(messages::ProduceRequest::api_key, messages::ProduceRequest::lowest_version,
          messages::ProduceRequest::highest_version, connection.pick_version<messages::ProduceRequest>());
    // An API the broker does not list has no version.
    EXPECT_FALSE(connection.pick_version(9999, 0, 5));
    // A range that misses the broker's entirely has none either.
    const auto metadata_range = connection.broker_versions(messages::MetadataRequest::api_key);
    EXPECT_FALSE(connection.pick_version(messages::MetadataRequest::api_key,
                                         static_cast<std::int16_t>(metadata_range->max_version + 1),
                                         static_cast<std::int16_t>(metadata_range->max_version + 3)));
}

TEST(ClientTest, MetadataFindsTheBrokerAndTheClusterId) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    blocking_client client(options_for(broker));

    const auto view = client.metadata();
    ASSERT_TRUE(view) << view.message();
    ASSERT_EQ(view->brokers.size(), 1u);
    EXPECT_EQ(view->brokers[0].port, broker.port());
    EXPECT_FALSE(view->cluster_id.empty());
    EXPECT_NE(view->find_broker(view->brokers[0].node_id), nullptr);
    // The same cluster id a raw Metadata v12 reports.
    const auto raw = fetch_raw_metadata(broker.port());
    ASSERT_TRUE(raw);
    EXPECT_EQ(view->cluster_id, raw->cluster_id);
    EXPECT_EQ(view->controller_id, raw->controller_id);
}

TEST(ClientTest, CreateTopicsThroughTheController) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    blocking_client client(options_for(broker));

    const auto request = create_topics_request("created-by-client", 3);
    const auto first = client.send_to_controller(request);
    ASSERT_TRUE(first) << first.message();
    ASSERT_EQ(first->topics.size(), 1u);
    EXPECT_EQ(first->topics[0].error_code, code(error_code::none));

    const auto second = client.send_to_controller(request);
    ASSERT_TRUE(second) << second.message();
    ASSERT_EQ(second->topics.size(), 1u);
    EXPECT_EQ(second->topics[0].error_code, code(error_code::topic_already_exists));

    ASSERT_TRUE(eventually([&] {
        const auto view = client.metadata(std::vector<std::string>{"created-by-client"});
        const auto* topic = view ? view->find_topic("created-by-client") : nullptr;
        return topic != nullptr && topic->error_code == 0 && topic->partitions.size() == 3;
    }));
}

// 200 Metadata requests for 200 different (missing) topics, all issued at
// once on one connection with an in-flight limit of 64: every one completes
// with the answer to its own question.
TEST(ClientTest, PipelinesManyRequestsOnOneConnection) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    blocking_client client(options_for(broker));
    constexpr int request_count = 200;

    struct outcome {
        bool done = false;
        std::string answered_topic;
        std::string error;
    };
    const auto outcomes = client.run([](client::kafka_client& kafka) -> asio::awaitable<std::vector<outcome>> {
        std::vector<outcome> results(request_count);
        auto link_op = kafka.any_node();
        auto link = co_await std::move(link_op);
        if (!link) {
            for (auto& entry : results) entry.error = link.message();
            co_return results;
        }
        std::shared_ptr<client::connection> connection = *link;
        const auto executor = co_await asio::this_coro::executor;
        int remaining = request_count;
        std::size_t most_in_flight = 0;
        asio::steady_timer all_done(executor, std::chrono::steady_clock::time_point::max());

        const auto one = [](std::shared_ptr<client::connection> on, int index, outcome& into, int& left,
                            std::size_t& peak, asio::steady_timer& done_signal) -> asio::awaitable<void> {
            const auto request = metadata_request("missing-" + std::to_string(index));
            auto op = on->request(request, request_timeout);
            auto reply = co_await std::move(op);
            // A freed slot goes straight to a waiting request, so the count
            // stays at the limit while requests queue.
            peak = std::max(peak, on->in_flight());
            if (!reply) {
                into.error = reply.message();
            } else if (reply->topics.size() == 1) {
                into.answered_topic = reply->topics[0].name.value_or("");
            }
            into.done = true;
            if (--left == 0) done_signal.cancel();
        };
        for (int i = 0; i < request_count; ++i) {
            auto task = one(connection, i, results[static_cast<std::size_t>(i)], remaining, most_in_flight, all_done);
            asio::co_spawn(executor, std::move(task), asio::detached);
        }
        asio::steady_timer deadline(executor, request_timeout);
        while (remaining > 0) {
            all_done.expires_at(deadline.expiry());
            auto [woken] = co_await all_done.async_wait(use_tuple);
            if (!woken) break;  // the deadline passed
        }
        // Pipelined (more than one outstanding at a time) and bounded.
        EXPECT_GT(most_in_flight, 1u);
        EXPECT_LE(most_in_flight, 64u);
        co_return results;
    }(client.client()));

    ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(request_count));
    for (int i = 0; i < request_count; ++i) {
        const auto& entry = outcomes[static_cast<std::size_t>(i)];
        EXPECT_TRUE(entry.done) << "request " << i << " did not complete";
        EXPECT_EQ(entry.error, "") << "request " << i;
        EXPECT_EQ(entry.answered_topic, "missing-" + std::to_string(i));
    }
}

TEST(ClientTest, FailsWhileTheBrokerIsDownAndRecoversAfterRestart) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    auto options = options_for(broker);
    options.connect_timeout = 2s;
    options.request_timeout = 5s;
    options.retry_backoff = 20ms;
    options.retry_backoff_max = 100ms;
    options.max_attempts = 3;
    blocking_client client(options);
    ASSERT_TRUE(client.metadata());

    ASSERT_TRUE(broker.stop());
    const auto started = clock_type::now();
    const auto down = client.send_to_any(metadata_request("anything"));
    const auto elapsed = clock_type::now() - started;
    ASSERT_FALSE(down);
    EXPECT_TRUE(down.error() == client::errc::connect_failed || down.error() == client::errc::connection_broken)
        << down.message();
    // Bounded by attempts x (connect timeout + backoff), far below this.
    EXPECT_LT(elapsed, 30s);

    ASSERT_TRUE(broker.restart());
    // The broker may take a moment to answer Metadata after it accepts
    // connections; the same client reopens its connection and succeeds.
    ASSERT_TRUE(eventually([&] { return static_cast<bool>(client.send_to_any(metadata_request("anything"))); }));
    const auto view = client.metadata();
    ASSERT_TRUE(view) << view.message();
    EXPECT_EQ(view->brokers.size(), 1u);
}

TEST(ClientTest, ProducesAndFetchesThroughTheLeader) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    blocking_client client(options_for(broker));
    const std::string topic = "client-data";

    ASSERT_TRUE(create_topic_with_leader(client, topic));

    const auto produced = client.send_to_leader(topic, 0, produce_request(topic, -1, make_batch({"one", "two"})));
    ASSERT_TRUE(produced) << produced.message();
    ASSERT_EQ(produced->responses.size(), 1u);
    const auto& answer = produced->responses[0].partition_responses.at(0);
    EXPECT_EQ(answer.error_code, code(error_code::none));
    EXPECT_EQ(answer.base_offset, 0);

    // acks=0: the broker sends nothing back; the connection only writes.
    const auto fire_and_forget =
        client.send_to_leader_without_response(topic, 0, produce_request(topic, 0, make_batch({"three"})));
    ASSERT_TRUE(fire_and_forget) << fire_and_forget.message();
    // The acks=0 batch took offset 2, so the next one starts at 3.
    const auto after = client.send_to_leader(topic, 0, produce_request(topic, 1, make_batch({"four"})));
    ASSERT_TRUE(after) << after.message();
    EXPECT_EQ(after->responses.at(0).partition_responses.at(0).base_offset, 3);

    const auto topic_id = client.metadata(std::vector<std::string>{topic})->find_topic(topic)->topic_id;
    // Fetch from the leader the way a consumer does, moving the offset on
    // past what each answer returned.
    std::vector<std::string> values;
    std::int64_t next_offset = 0;
    ASSERT_TRUE(eventually([&] {
        messages::FetchRequest request;
        request.max_wait_ms = 0;
        request.min_bytes = 0;
        request.max_bytes = 1 << 20;
        auto& fetch_topic = request.topics.emplace_back();
        fetch_topic.topic = topic;
        fetch_topic.topic_id = topic_id;
        auto& partition = fetch_topic.partitions.emplace_back();
        partition.partition = 0;
        partition.fetch_offset = next_offset;
        partition.partition_max_bytes = 1 << 20;
        const auto fetched = client.send_to_leader(topic, 0, request);
        if (!fetched) return false;
        collect_values(*fetched, values, next_offset);  // records view the frame the result keeps
        return values.size() >= 4;
    })) << "fetched " << values.size() << " records";
    EXPECT_EQ(values, (std::vector<std::string>{"one", "two", "three", "four"}));
}

// A long-poll Fetch that outlives its timeout fails with timed_out; the
// connection stays usable: the late response is read and dropped, and the
// next request on it gets its own answer.
TEST(ClientTest, TimesOutWithoutBreakingTheConnection) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    blocking_client client(options_for(broker));
    const std::string topic = "quiet";
    ASSERT_TRUE(create_topic_with_leader(client, topic));
    const auto topic_id = client.cached_metadata().find_topic(topic)->topic_id;

    struct outcomes {
        std::string fetch;
        std::string metadata;
        bool broken = true;
    };
    const auto seen = client.run(
        [](client::kafka_client& kafka, std::string name, wire::uuid id) -> asio::awaitable<outcomes> {
            outcomes out;
            auto link_op = kafka.any_node();
            auto link = co_await std::move(link_op);
            if (!link) {
                out.fetch = link.message();
                co_return out;
            }
            messages::FetchRequest fetch;
            fetch.max_wait_ms = 5'000;
            fetch.min_bytes = 1;
            auto& fetch_topic = fetch.topics.emplace_back();
            fetch_topic.topic = name;
            fetch_topic.topic_id = id;
            auto& partition = fetch_topic.partitions.emplace_back();
            partition.partition_max_bytes = 1 << 20;
            auto fetch_op = (*link)->request(fetch, 300ms);
            auto fetched = co_await std::move(fetch_op);
            out.fetch = fetched ? "answered" : fetched.message();
            if (!fetched && fetched.error() == client::errc::timed_out) out.fetch = "timed out";

            const auto request = metadata_request(name);
            auto metadata_op = (*link)->request(request, request_timeout);
            auto answered = co_await std::move(metadata_op);
            out.metadata = answered ? answered->topics.at(0).name.value_or("") : answered.message();
            out.broken = (*link)->is_broken();
            co_return out;
        }(client.client(), topic, topic_id));
    EXPECT_EQ(seen.fetch, "timed out");
    EXPECT_EQ(seen.metadata, topic);
    EXPECT_FALSE(seen.broken);
}

// Requests in flight when the broker dies all fail with connection_broken,
// at once rather than at their deadlines.
TEST(ClientTest, FailsEveryInFlightRequestWhenTheBrokerDies) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    auto options = options_for(broker);
    options.max_attempts = 1;
    blocking_client client(options);
    const std::string topic = "doomed";
    ASSERT_TRUE(create_topic_with_leader(client, topic));
    const auto topic_id = client.cached_metadata().find_topic(topic)->topic_id;
    constexpr int request_count = 3;

    const auto started = clock_type::now();
    const auto errors = client.run(
        [](client::kafka_client& kafka, broker_process& victim, std::string name,
           wire::uuid id) -> asio::awaitable<std::vector<std::string>> {
            std::vector<std::string> out(request_count, "not finished");
            auto link_op = kafka.any_node();
            auto link = co_await std::move(link_op);
            if (!link) co_return std::vector<std::string>(request_count, link.message());
            std::shared_ptr<client::connection> connection = *link;
            const auto executor = co_await asio::this_coro::executor;
            int remaining = request_count;
            asio::steady_timer all_done(executor, std::chrono::steady_clock::time_point::max());

            const auto long_poll = [](std::shared_ptr<client::connection> on, std::string topic_name,
                                      wire::uuid fetch_topic_id, std::string& into, int& left,
                                      asio::steady_timer& done_signal) -> asio::awaitable<void> {
                messages::FetchRequest fetch;
                fetch.max_wait_ms = 20'000;
                fetch.min_bytes = 1;
                auto& fetch_topic = fetch.topics.emplace_back();
                fetch_topic.topic = topic_name;
                fetch_topic.topic_id = fetch_topic_id;
                auto& partition = fetch_topic.partitions.emplace_back();
                partition.partition_max_bytes = 1 << 20;
                auto op = on->request(fetch, request_timeout);
                auto reply = co_await std::move(op);
                into = reply ? std::string("answered") : reply.error().code.message();
                if (--left == 0) done_signal.cancel();
            };
            for (int i = 0; i < request_count; ++i) {
                auto task = long_poll(connection, name, id, out[static_cast<std::size_t>(i)], remaining, all_done);
                asio::co_spawn(executor, std::move(task), asio::detached);
            }
            // Bounded wait until all three are admitted and written.
            asio::steady_timer pause(executor);
            for (int polls = 0; polls < 500 && connection->in_flight() < static_cast<std::size_t>(request_count); ++polls) {
                pause.expires_after(10ms);
                co_await pause.async_wait(use_tuple);
            }
            victim.kill9();
            all_done.expires_after(request_timeout);
            while (remaining > 0) {
                auto [woken] = co_await all_done.async_wait(use_tuple);
                if (!woken) break;  // the deadline passed
            }
            co_return out;
        }(client.client(), broker, topic, topic_id));
    const auto elapsed = clock_type::now() - started;
    const std::string broken = make_error_code(client::errc::connection_broken).message();
    EXPECT_EQ(errors, std::vector<std::string>(request_count, broken));
    EXPECT_LT(elapsed, 15s);  // well before the 20 s long poll or the 30 s timeout
}

// A response frame over the connection's limit breaks it with frame_too_large
// (here already the ApiVersions answer to the handshake).
TEST(ClientTest, RejectsResponseFramesOverTheLimit) {
    broker_process broker;
    ASSERT_TRUE(broker.start());
    auto options = options_for(broker);
    options.max_response_bytes = 64;
    blocking_client client(options);
    const auto view = client.metadata();
    ASSERT_FALSE(view);
    EXPECT_TRUE(view.error() == client::errc::frame_too_large) << view.message();
}

TEST(ClientTest, RejectsABadBootstrapListWithoutThrowing) {
    blocking_client client(client_options{.bootstrap_servers = "localhost"});
    const auto view = client.metadata();
    ASSERT_FALSE(view);
    EXPECT_TRUE(view.error() == client::errc::invalid_bootstrap) << view.message();

    const auto parsed = client::parse_bootstrap_servers(" 127.0.0.1:9092, [::1]:9093 ,");
    ASSERT_TRUE(parsed) << parsed.message();
    ASSERT_EQ(parsed->size(), 2u);
    EXPECT_EQ((*parsed)[1].host, "::1");
    EXPECT_EQ((*parsed)[1].port, 9093);
}

}  // namespace
}  // namespace brook::integration
