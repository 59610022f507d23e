#pragma once
// The shell around the group coordinator state machine (group/coordinator.h).
//
// Groups live in the internal topic __consumer_offsets: a group belongs to
// partition abs(java_hash(group id)) % offsets.topic.num.partitions, as in
// Kafka, and the coordinator of that partition runs on the shard that owns
// the partition, so its records are appended locally. The shell:
// - creates __consumer_offsets on first use (FindCoordinator);
// - loads a partition's coordinator on first use by replaying the partition;
// - feeds requests with the time and a token, appends the records a step
//   returns, waits for the group commit (fsync), then hands each reply to the
//   request that waits for it, wherever it runs;
// - ticks each coordinator at its next deadline (session and rebalance
//   timeouts, offset expiry).

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brook/group/coordinator.h"
#include "brook/messages/error_codes.h"

namespace brook::broker {

namespace asio = boost::asio;
struct broker_services;
class partition;

inline constexpr std::string_view offsets_topic_name = "__consumer_offsets";

// Java's String.hashCode over the UTF-16 code units of `text`, which Kafka
// uses to place groups; invalid UTF-8 bytes count as one unit each.
std::int32_t java_string_hash(std::string_view text) noexcept;

class group_manager {
public:
    explicit group_manager(broker_services& services);
    ~group_manager();
    group_manager(const group_manager&) = delete;
    group_manager& operator=(const group_manager&) = delete;

    // The __consumer_offsets partition of a group.
    std::int32_t partition_for(std::string_view group_id) const noexcept;
    std::int32_t partition_count() const noexcept { return partition_count_; }

    // Creates __consumer_offsets when it does not exist yet; none on success.
    asio::awaitable<messages::error_code> ensure_offsets_topic();

    // A request to a group's coordinator: `step` runs on the coordinator's
    // shard with the coordinator, a token and the time, and the reply for
    // that token is returned once its records are durable. Fails with
    // COORDINATOR_NOT_AVAILABLE while __consumer_offsets does not exist here,
    // or REQUEST_TIMED_OUT when no reply came within `max_wait`.
    using step_function =
        std::function<group::effects(group::coordinator&, group::request_token, group::time_ms)>;
    struct call_result {
        messages::error_code error = messages::error_code::none;
        std::optional<group::reply_body> reply;
    };
    asio::awaitable<call_result> call(const std::string& group_id, step_function step,
                                      std::chrono::milliseconds max_wait);

    // Runs a read-only `query` on the coordinator of `partition`, on its
    // shard. Whatever it captures it must only touch there; the caller reads
    // it after the await.
    using query_function = std::function<void(const group::coordinator&)>;
    asio::awaitable<messages::error_code> query(std::int32_t partition, query_function query);

    // Stops every coordinator's timer (shutdown); later calls fail.
    asio::awaitable<void> stop();

private:
    struct shard_state;
    struct hosted;
    struct waiter;

    shard_state& here();
    // On the owner shard: the hosted __consumer_offsets partition, or null.
    partition* offsets_partition(std::int32_t partition);
    // On the owner shard: the partition's coordinator, loaded on first use.
    hosted* coordinator_for(std::int32_t partition, messages::error_code& error);
    asio::awaitable<void> apply(std::int32_t partition, std::uint64_t incarnation, group::effects effects);
    messages::error_code append(std::int32_t partition, const std::vector<group::record>& records);
    void deliver(const group::reply& reply);
    void rearm(std::int32_t partition);
    void on_timer(std::int32_t partition, std::uint64_t incarnation);
    group::time_ms now();

    broker_services& services_;
    std::int32_t partition_count_;
    std::atomic<group::request_token> next_token_{1};
    std::atomic<bool> stopping_{false};
    std::vector<std::unique_ptr<shard_state>> shards_;
};

}  // namespace brook::broker
