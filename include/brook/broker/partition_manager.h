#pragma once
// The partitions this node hosts, spread over the shards.
//
// Each partition is owned by one shard (chosen by hashing topic id and
// partition) and touched only there: handlers hop to the owner with
// io::submit_to. reconcile() brings each shard in line with a metadata image:
// it opens the logs of new partitions and removes those of deleted topics.
//
// Durability: produce with acks=all waits for flush_shard(), which
// group-commits: every partition appended to since the last round on that
// shard is fsynced once, off the shard's thread, and every waiting request
// completes together; requests arriving during a round share the next.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "brook/config/broker_config.h"
#include "brook/config/topic_config.h"
#include "brook/io/shards.h"
#include "brook/metadata/image.h"
#include "brook/storage/partition_log.h"

namespace brook::broker {

namespace asio = boost::asio;

// The log settings a topic config implies.
storage::log_config log_config_for(const config::topic_config& topic);

// One hosted partition replica. Owned by one shard.
class partition {
public:
    partition(const metadata::topic_info& topic, std::int32_t index, std::unique_ptr<storage::partition_log> log,
              config::topic_config config);

    const wire::uuid& topic_id() const noexcept { return topic_id_; }
    const std::string& topic_name() const noexcept { return topic_name_; }
    std::int32_t index() const noexcept { return index_; }
    storage::partition_log& log() noexcept { return *log_; }
    const config::topic_config& config() const noexcept { return config_; }
    void set_config(config::topic_config config) {
        log_->set_config(log_config_for(config));
        config_ = std::move(config);
    }
    std::int32_t leader_epoch() const noexcept { return leader_epoch_; }
    void set_leader_epoch(std::int32_t epoch) noexcept { leader_epoch_ = epoch; }

    // With one replica the high watermark is the log end: everything appended
    // is on every in-sync replica.
    std::int64_t high_watermark() const noexcept { return log_->log_end_offset(); }

    // Fetches waiting for data register a wake-up here; the next append (or
    // the partition's removal) calls each once. A wake-up runs on this shard
    // and must post to the waiter's own shard. `alive` expires when the
    // waiter gives up, so abandoned registrations are pruned, not kept.
    void add_waiter(std::weak_ptr<void> alive, std::function<void()> wake);
    void wake_waiters();

private:
    wire::uuid topic_id_;
    std::string topic_name_;
    std::int32_t index_;
    std::unique_ptr<storage::partition_log> log_;
    config::topic_config config_;
    std::int32_t leader_epoch_ = 0;
    struct waiter {
        std::weak_ptr<void> alive;
        std::function<void()> wake;
    };
    std::vector<waiter> waiters_;
};

class partition_manager {
public:
    partition_manager(io::shard_set& shards, const config::broker_config& config, std::int32_t node_id);
    ~partition_manager();

    // The shard that owns a partition.
    io::shard_id owner(const wire::uuid& topic_id, std::int32_t partition) const noexcept;
    asio::any_io_executor owner_executor(const wire::uuid& topic_id, std::int32_t partition) const {
        return shards_.executor(owner(topic_id, partition));
    }

    // On the owner shard: the partition, or nullptr when this node does not
    // host it (unknown, deleted, or not yet reconciled).
    partition* find(const wire::uuid& topic_id, std::int32_t partition_index);

    // Brings every shard in line with `image`; returns when all are done.
    asio::awaitable<void> reconcile(std::shared_ptr<const metadata::image> image);
    // Removes partition directories of topics the image does not know (left
    // by a deletion interrupted by a crash). Call once at start-up, before
    // the shards start.
    void remove_strays(const metadata::image& image);

    // Group commit on the calling shard (the owner of the partitions it
    // flushes): waits until every append made on this shard before the call
    // is fsynced. Returns the error of a failed fsync, if any.
    asio::awaitable<std::error_code> flush_shard();

    // Starts the periodic retention check (log.retention.check.interval.ms)
    // on every shard, for the partitions that shard owns.
    void start_retention(std::chrono::milliseconds interval);

    // Stops the retention checks and closes every log on every shard (clean
    // shutdown). Call after the listeners have stopped and before the shards
    // stop.
    void close_all();

private:
    struct shard_state;
    void reconcile_shard(io::shard_id shard, const metadata::image& image);
    void run_flush(io::shard_id shard);
    asio::awaitable<void> retention_loop(io::shard_id shard, std::chrono::milliseconds interval);

    io::shard_set& shards_;
    const config::broker_config& config_;
    std::int32_t node_id_;
    std::filesystem::path log_dir_;
    std::vector<std::unique_ptr<shard_state>> states_;
    // Runs the fdatasyncs of group commits, one thread per shard, so a
    // shard keeps appending while its last round syncs.
    std::unique_ptr<boost::asio::thread_pool> flusher_;
};

}  // namespace brook::broker
