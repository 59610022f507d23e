// Produce (key 0): append record batches to partition logs.
//
// Version notes:
// - v0-v2 use message formats v0/v1, which Kafka 4.0 no longer stores; they
//   stay advertised because librdkafka refuses a broker without them
//   (KAFKA-18659), and every partition of such a request gets
//   UNSUPPORTED_VERSION.
// - v3: transactional id, record batch v2; v4-v6: same layout; v7: zstd;
//   v8: per-record errors (record_errors, error_message); v9: flexible;
//   v10-v11: current leader and node endpoints as tagged fields (KIP-951).
// - acks 0: no response (and the connection is closed when a partition
//   fails, as Kafka does, so the client notices); acks 1: answered once the
//   batches are written; acks -1 (all): answered once they are fsynced
//   (group commit), which is stronger than Kafka's default durability. A
//   topic with flush.messages above 1 and flush.ms above 0 opts out of the
//   fsync, as Kafka's flush settings allow.

#include <limits>
#include <map>

#include "brook/broker/append_order.h"
#include "brook/broker/handlers/handlers.h"
#include "brook/broker/partition_manager.h"
#include "brook/messages/produce_response.h"
#include "brook/record/record_batch.h"
#include "cluster.h"

namespace brook::broker::handlers {

using messages::error_code;

namespace {

struct partition_outcome {
    error_code error = error_code::none;
    std::string message;
    std::int64_t base_offset = -1;
    std::int64_t log_append_time_ms = -1;
    std::int64_t log_start_offset = -1;
};

// Everything Kafka checks before a producer's batches may touch the log.
// `decoded` is scratch space, reused across the partitions of a request so
// that each batch does not allocate and zero a fresh record table.
partition_outcome validate(wire::bytes_view records, const config::topic_config& topic, std::int64_t now_ms,
                           record::decoded_records& decoded) {
    if (records.empty()) return {error_code::corrupt_message, "The request carries no record batch."};
    record::batch_splitter splitter(records);
    while (auto bytes = splitter.next()) {
        if (bytes->size() > static_cast<std::size_t>(topic.max_message_bytes)) {
            return {error_code::message_too_large,
                    "The batch of " + std::to_string(bytes->size()) + " bytes is larger than max.message.bytes (" +
                        std::to_string(topic.max_message_bytes) + ")."};
        }
        record::batch_view batch;
        if (const auto e = record::parse_batch(*bytes, batch); e != wire::errc::ok) {
            if (e == wire::errc::unsupported_magic) {
                return {error_code::invalid_record, "Only record batch format v2 (magic 2) is supported."};
            }
            return {error_code::corrupt_message, "A record batch is corrupt: " + make_error_code(e).message()};
        }
        if (const auto e = record::check_producer_batch(batch.header); e != wire::errc::ok) {
            return {error_code::invalid_record, "Invalid record batch: " + make_error_code(e).message()};
        }
        const record::decode_options options{static_cast<std::size_t>(topic.max_message_bytes) * 64, true};
        if (const auto e = record::decode_records(batch, options, decoded); e != wire::errc::ok) {
            return {error_code::invalid_record, "Invalid records in a batch: " + make_error_code(e).message()};
        }
        if (topic.message_timestamp_type == config::timestamp_type::create_time &&
            batch.header.timestamp_type() == record::timestamp_type::create_time) {
            // The bounds default to Long.MAX_VALUE: compare without overflowing.
            const std::int64_t max = std::numeric_limits<std::int64_t>::max();
            const std::int64_t earliest = topic.message_timestamp_before_max_ms >= now_ms
                                              ? std::numeric_limits<std::int64_t>::min()
                                              : now_ms - topic.message_timestamp_before_max_ms;
            const std::int64_t latest = topic.message_timestamp_after_max_ms > max - now_ms
                                            ? max
                                            : now_ms + topic.message_timestamp_after_max_ms;
            for (const auto& r : decoded) {
                const std::int64_t timestamp = r.timestamp(batch.header);
                if (timestamp < earliest || timestamp > latest) {
                    return {error_code::invalid_timestamp,
                            "Timestamp " + std::to_string(timestamp) + " of a record is out of the range "
                            "allowed by message.timestamp.before.max.ms and message.timestamp.after.max.ms."};
                }
            }
        }
    }
    if (splitter.error() != wire::errc::ok) {
        return {error_code::corrupt_message, "The record set ends in a partial batch."};
    }
    return {};
}

error_code storage_error_code(const std::error_code& error) {
    if (error == storage::errc::record_batch_too_large) return error_code::record_list_too_large;
    if (error == storage::errc::invalid_record_set) return error_code::corrupt_message;
    return error_code::kafka_storage_error;
}

struct append_job {
    std::size_t topic_position;
    std::size_t partition_position;
    wire::uuid topic_id;
    std::int32_t partition;
    wire::bytes_view records;  // points into the request frame, alive while the handler runs
};

}  // namespace

asio::awaitable<response> produce_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    messages::ProduceResponse body;
    const bool old_format = version < 3;
    if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
        // Kafka answers every partition with INVALID_REQUIRED_ACKS.
        for (const auto& topic : request.topic_data) {
            auto& out = body.responses.emplace_back();
            out.name = topic.name;
            for (const auto& p : topic.partition_data) {
                auto& partition = out.partition_responses.emplace_back();
                partition.index = p.index;
                partition.error_code = static_cast<std::int16_t>(error_code::invalid_required_acks);
            }
        }
        co_return encode_response(context, body);
    }

    const auto image = services.image();
    const std::int64_t now = now_ms();
    std::vector<std::vector<partition_outcome>> outcomes;
    std::map<io::shard_id, std::vector<append_job>> jobs_by_shard;
    for (std::size_t t = 0; t < request.topic_data.size(); ++t) {
        const auto& topic_data = request.topic_data[t];
        auto& topic_outcomes = outcomes.emplace_back(topic_data.partition_data.size());
        const auto topic = image->topic(topic_data.name);
        for (std::size_t p = 0; p < topic_data.partition_data.size(); ++p) {
            const auto& partition_data = topic_data.partition_data[p];
            auto& outcome = topic_outcomes[p];
            if (old_format) {
                outcome = {error_code::unsupported_version, "Produce v0-v2 (message formats v0/v1) is not supported."};
                continue;
            }
            if (!topic || !topic->has_partition(partition_data.index)) {
                outcome = {error_code::unknown_topic_or_partition, "This server does not host this topic-partition."};
                continue;
            }
            if (is_internal_topic(topic_data.name)) {
                // Only the coordinators write their topics, as in Kafka.
                outcome = {error_code::invalid_topic_exception, "Cannot append to internal topic " + topic_data.name + "."};
                continue;
            }
            jobs_by_shard[services.partitions->owner(topic->id, partition_data.index)].push_back(
                {t, p, topic->id, partition_data.index, partition_data.records.data()});
        }
    }

    // Appends in arrival order (append_order.h): wait for the earlier
    // requests on this connection, then let later ones go once ours are in.
    if (context.order != nullptr) co_await context.order->wait_turn(context.ticket);

    // Each owner shard validates and appends its partitions. Shards that
    // appended to a topic with Brook's default flush settings (flush.messages
    // 1, flush.ms 0) must fsync before acks=all is answered; a topic that
    // raises either relaxes that, as Kafka's flush settings do, and its
    // appends reach the disk when the operating system or a later flush
    // writes them.
    struct shard_appends {
        std::vector<partition_outcome> results;
        bool must_flush = false;
    };
    std::vector<io::shard_id> to_flush;
    for (auto& [shard, jobs] : jobs_by_shard) {
        auto hop = io::submit_to(services.shards->executor(shard), [&services, jobs, now]() {
            shard_appends out;
            out.results.resize(jobs.size());
            record::decoded_records scratch;
            for (std::size_t i = 0; i < jobs.size(); ++i) {
                auto& result_i = out.results[i];
                partition* hosted = services.partitions->find(jobs[i].topic_id, jobs[i].partition);
                if (hosted == nullptr) {
                    result_i = {error_code::not_leader_or_follower, "This partition is not open on this broker yet."};
                    continue;
                }
                result_i = validate(jobs[i].records, hosted->config(), now, scratch);
                if (result_i.error != error_code::none) continue;
                const auto timestamp_type = hosted->config().message_timestamp_type == config::timestamp_type::log_append_time
                                                ? record::timestamp_type::log_append_time
                                                : record::timestamp_type::create_time;
                auto result = hosted->log().append(jobs[i].records, hosted->leader_epoch(), timestamp_type, now);
                if (!result) {
                    result_i = {storage_error_code(result.error()), "Append failed: " + result.error().message()};
                    continue;
                }
                result_i.base_offset = result.value().base_offset;
                result_i.log_append_time_ms = result.value().log_append_time_ms;
                result_i.log_start_offset = hosted->log().log_start_offset();
                hosted->wake_waiters();
                out.must_flush = out.must_flush || hosted->config().flush_messages <= 1 || hosted->config().flush_ms == 0;
            }
            return out;
        });
        const auto appended = co_await std::move(hop);
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            outcomes[jobs[i].topic_position][jobs[i].partition_position] = appended.results[i];
        }
        if (appended.must_flush) to_flush.push_back(shard);
    }
    if (context.order != nullptr) context.order->release(context.ticket);

    const std::int16_t acks = request.acks;
    if (acks == -1) {
        for (const io::shard_id shard : to_flush) {
            auto hop = io::submit_to(services.shards->executor(shard),
                                     [&services]() -> asio::awaitable<std::error_code> {
                                         co_return co_await services.partitions->flush_shard();
                                     });
            if (const auto error = co_await std::move(hop)) {
                for (const auto& job : jobs_by_shard[shard]) {
                    auto& outcome = outcomes[job.topic_position][job.partition_position];
                    if (outcome.error == error_code::none) {
                        outcome = {error_code::kafka_storage_error, "fsync failed: " + error.message()};
                    }
                }
            }
        }
    }

    bool any_error = false;
    for (std::size_t t = 0; t < request.topic_data.size(); ++t) {
        auto& out = body.responses.emplace_back();
        out.name = request.topic_data[t].name;
        for (std::size_t p = 0; p < request.topic_data[t].partition_data.size(); ++p) {
            const auto& outcome = outcomes[t][p];
            auto& partition = out.partition_responses.emplace_back();
            partition.index = request.topic_data[t].partition_data[p].index;
            partition.error_code = static_cast<std::int16_t>(outcome.error);
            partition.base_offset = outcome.base_offset;
            partition.log_append_time_ms = outcome.log_append_time_ms;
            partition.log_start_offset = outcome.log_start_offset;
            if (outcome.error != error_code::none) {
                any_error = true;
                if (version >= 8) partition.error_message = outcome.message;
            }
        }
    }
    if (acks == 0) co_return any_error ? response::close() : response::none();
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
