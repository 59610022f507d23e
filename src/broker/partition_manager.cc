#include "brook/broker/partition_manager.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "brook/base/assert.h"
#include "brook/config/topic_config.h"
#include "brook/storage/layout.h"

namespace brook::broker {
namespace {

std::string partition_key(const wire::uuid& topic_id, std::int32_t partition) {
    std::string key(topic_id.value.begin(), topic_id.value.end());
    key.append(reinterpret_cast<const char*>(&partition), sizeof(partition));
    return key;
}

std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

storage::log_config log_config_for(const config::topic_config& topic) {
    storage::log_config out;
    out.segment_bytes = static_cast<std::uint64_t>(topic.segment_bytes);
    out.segment_ms = topic.segment_ms;
    out.retention_ms = topic.retention_ms;
    out.retention_bytes = topic.retention_bytes;
    out.index_interval_bytes = static_cast<std::uint32_t>(topic.index_interval_bytes);
    out.max_message_bytes = static_cast<std::uint32_t>(topic.max_message_bytes);
    return out;
}

partition::partition(const metadata::topic_info& topic, std::int32_t index, std::unique_ptr<storage::partition_log> log,
                     config::topic_config config)
    : topic_id_(topic.id), topic_name_(topic.name), index_(index), log_(std::move(log)), config_(std::move(config)) {}

void partition::add_waiter(std::weak_ptr<void> alive, std::function<void()> wake) {
    std::erase_if(waiters_, [](const waiter& w) { return w.alive.expired(); });
    waiters_.push_back({std::move(alive), std::move(wake)});
}

void partition::wake_waiters() {
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) {
        if (!w.alive.expired()) w.wake();
    }
}

// Everything one shard owns. Touched only on that shard.
struct partition_manager::shard_state {
    std::unordered_map<std::string, std::unique_ptr<partition>> partitions;
    // Group commit: requests waiting for the next fsync of this shard, each
    // with the outcome it will see.
    struct flush_waiter {
        asio::steady_timer wakeup;
        std::error_code result;
    };
    std::vector<std::shared_ptr<flush_waiter>> flush_waiters;
    bool flush_scheduled = false;
    // An fsync round is running on the flusher; waiters that came after it
    // started wait for the next round.
    bool flushing = false;
    // The retention check's timer, cancelled at shutdown.
    std::unique_ptr<asio::steady_timer> retention_timer;
    bool stopping = false;
};

partition_manager::partition_manager(io::shard_set& shards, const config::broker_config& config, std::int32_t node_id)
    : shards_(shards), config_(config), node_id_(node_id), log_dir_(config.log_dirs.front()) {
    for (std::size_t i = 0; i < shards.size(); ++i) states_.push_back(std::make_unique<shard_state>());
    flusher_ = std::make_unique<asio::thread_pool>(shards.size());
}

partition_manager::~partition_manager() {
    // Completions of rounds still running are posted to shards that have
    // stopped by now; they are dropped with them.
    flusher_->join();
}

io::shard_id partition_manager::owner(const wire::uuid& topic_id, std::int32_t partition) const noexcept {
    std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a: stable and cheap
    for (const auto b : topic_id.value) hash = (hash ^ b) * 1099511628211ULL;
    hash = (hash ^ static_cast<std::uint32_t>(partition)) * 1099511628211ULL;
    return static_cast<io::shard_id>(hash % shards_.size());
}

partition* partition_manager::find(const wire::uuid& topic_id, std::int32_t partition_index) {
    const auto shard = io::shard_set::current();
    BROOK_ASSERT(shard && *shard == owner(topic_id, partition_index), "partition touched off its owner shard");
    auto& partitions = states_[*shard]->partitions;
    const auto it = partitions.find(partition_key(topic_id, partition_index));
    return it == partitions.end() ? nullptr : it->second.get();
}

void partition_manager::reconcile_shard(io::shard_id shard, const metadata::image& image) {
    auto& partitions = states_[shard]->partitions;
    // Remove partitions whose topic is gone (deleted) from this node.
    for (auto it = partitions.begin(); it != partitions.end();) {
        const auto topic = image.topic(it->second->topic_id());
        if (topic && static_cast<std::size_t>(it->second->index()) < topic->partitions.size()) {
            ++it;
            continue;
        }
        spdlog::info("removing partition {}-{} (topic deleted)", it->second->topic_name(), it->second->index());
        if (const auto error = it->second->log().remove()) {
            spdlog::error("removing {}-{} failed: {}", it->second->topic_name(), it->second->index(), error.message());
        }
        it->second->wake_waiters();
        it = partitions.erase(it);
    }
    // Open partitions this node hosts and this shard owns.
    for (const auto& [name, topic] : image.topics()) {
        const auto resolved = config::resolve_topic_config(
            config_, config::topic_overrides(topic->configs.begin(), topic->configs.end()));
        for (const auto& info : topic->partitions) {
            if (owner(topic->id, info.partition) != shard) continue;
            if (std::find(info.replicas.begin(), info.replicas.end(), node_id_) == info.replicas.end()) continue;
            const std::string key = partition_key(topic->id, info.partition);
            if (auto it = partitions.find(key); it != partitions.end()) {
                it->second->set_leader_epoch(info.leader_epoch);
                // A changed topic config (AlterConfigs) applies to the open log.
                if (resolved && !(resolved.value() == it->second->config())) {
                    it->second->set_config(resolved.value());
                }
                continue;
            }
            if (!resolved) {
                spdlog::error("topic {} has an invalid config ({}); its partitions stay closed", name, resolved.error());
                break;
            }
            const auto directory = log_dir_ / storage::partition_directory_name(topic->name, info.partition);
            auto log = storage::partition_log::open(directory, log_config_for(resolved.value()), wall_clock_ms());
            if (!log) {
                spdlog::error("cannot open {}: {}", directory.string(), log.error().message());
                continue;
            }
            if (const auto error = storage::write_partition_metadata(directory, topic->id)) {
                spdlog::error("cannot write partition.metadata in {}: {}", directory.string(), error.message());
                continue;
            }
            auto hosted = std::make_unique<partition>(*topic, info.partition, std::move(log).value(), resolved.value());
            hosted->set_leader_epoch(info.leader_epoch);
            partitions.emplace(key, std::move(hosted));
        }
    }
}

asio::awaitable<void> partition_manager::reconcile(std::shared_ptr<const metadata::image> image) {
    for (io::shard_id shard = 0; shard < shards_.size(); ++shard) {
        auto hop = io::submit_to(shards_.executor(shard), [this, shard, image] { reconcile_shard(shard, *image); });
        co_await std::move(hop);
    }
}

void partition_manager::remove_strays(const metadata::image& image) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(log_dir_, error)) {
        if (!entry.is_directory() || entry.path().filename() == "__cluster_metadata-0") continue;
        auto id = storage::read_partition_metadata(entry.path());
        if (!id) continue;  // not a partition directory Brook wrote
        if (image.topic(id.value())) continue;
        spdlog::info("removing {}: its topic no longer exists", entry.path().string());
        std::filesystem::remove_all(entry.path(), error);
    }
}

asio::awaitable<std::error_code> partition_manager::flush_shard() {
    const auto shard = io::shard_set::current();
    BROOK_ASSERT(shard.has_value(), "flush_shard off the shards");
    shard_state& state = *states_[*shard];
    auto waiter = std::make_shared<shard_state::flush_waiter>(
        shard_state::flush_waiter{asio::steady_timer(shards_.context(*shard), asio::steady_timer::time_point::max()), {}});
    state.flush_waiters.push_back(waiter);
    if (!state.flush_scheduled && !state.flushing) {
        // Posted behind the requests already queued on this shard, so one
        // fsync covers all of their appends.
        state.flush_scheduled = true;
        asio::post(shards_.context(*shard), [this, s = *shard] { run_flush(s); });
    }
    co_await waiter->wakeup.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return waiter->result;
}

// One group-commit round: the shard notes what every partition must sync,
// the fdatasyncs run on the flusher thread while the shard goes on serving
// (appends made meanwhile wait for the next round), and the shard records
// the outcome and wakes the round's waiters.
void partition_manager::run_flush(io::shard_id shard) {
    shard_state& state = *states_[shard];
    state.flush_scheduled = false;
    auto waiters = std::move(state.flush_waiters);
    state.flush_waiters.clear();
    struct planned {
        std::string key;
        storage::partition_log::flush_plan plan;
    };
    auto round = std::make_shared<std::vector<planned>>();
    std::error_code first_error;
    for (auto& [key, hosted] : state.partitions) {
        if (hosted->log().flushed_offset() == hosted->log().log_end_offset()) continue;
        auto plan = hosted->log().begin_flush();
        if (!plan) {
            if (!first_error) first_error = plan.error();
            continue;
        }
        if (!plan->empty()) round->push_back({key, std::move(*plan)});
    }
    auto finish = [this, shard, round, waiters = std::move(waiters), first_error](
                      const std::vector<std::error_code>& outcomes) mutable {
        shard_state& owner_state = *states_[shard];
        for (std::size_t i = 0; i < round->size(); ++i) {
            const auto& [key, plan] = (*round)[i];
            const auto it = owner_state.partitions.find(key);
            if (it == owner_state.partitions.end()) continue;  // deleted meanwhile
            if (const auto error = it->second->log().finish_flush(plan, outcomes[i])) {
                spdlog::error("fsync of {}-{} failed: {}", it->second->topic_name(), it->second->index(),
                              error.message());
                if (!first_error) first_error = error;
            }
        }
        for (auto& waiter : waiters) {
            waiter->result = first_error;
            waiter->wakeup.cancel();
        }
        owner_state.flushing = false;
        if (!owner_state.flush_waiters.empty() && !owner_state.flush_scheduled) {
            owner_state.flush_scheduled = true;
            asio::post(shards_.context(shard), [this, shard] { run_flush(shard); });
        }
    };
    if (round->empty()) {
        finish({});
        return;
    }
    state.flushing = true;
    asio::post(*flusher_, [this, shard, round, finish = std::move(finish)]() mutable {
        std::vector<std::error_code> outcomes;
        outcomes.reserve(round->size());
        for (const auto& entry : *round) outcomes.push_back(storage::partition_log::sync(entry.plan));
        asio::post(shards_.context(shard),
                   [finish = std::move(finish), outcomes = std::move(outcomes)]() mutable { finish(outcomes); });
    });
}

void partition_manager::start_retention(std::chrono::milliseconds interval) {
    for (io::shard_id shard = 0; shard < shards_.size(); ++shard) {
        asio::co_spawn(shards_.context(shard), retention_loop(shard, interval), asio::detached);
    }
}

asio::awaitable<void> partition_manager::retention_loop(io::shard_id shard, std::chrono::milliseconds interval) {
    shard_state& state = *states_[shard];
    state.retention_timer = std::make_unique<asio::steady_timer>(shards_.context(shard));
    while (!state.stopping) {
        state.retention_timer->expires_after(interval);
        co_await state.retention_timer->async_wait(asio::as_tuple(asio::use_awaitable));
        if (state.stopping) break;
        const std::int64_t now = wall_clock_ms();
        for (auto& [key, hosted] : state.partitions) {
            auto deleted = hosted->log().apply_retention(now, hosted->high_watermark());
            if (!deleted) {
                spdlog::error("retention on {}-{} failed: {}", hosted->topic_name(), hosted->index(),
                              deleted.error().message());
            } else if (deleted.value() > 0) {
                spdlog::info("retention deleted {} segment(s) of {}-{}; log start offset now {}", deleted.value(),
                             hosted->topic_name(), hosted->index(), hosted->log().log_start_offset());
            }
        }
    }
}

void partition_manager::close_all() {
    for (io::shard_id shard = 0; shard < shards_.size(); ++shard) {
        std::promise<void> done;
        asio::post(shards_.context(shard), [this, shard, &done] {
            states_[shard]->stopping = true;
            if (states_[shard]->retention_timer) states_[shard]->retention_timer->cancel();
            for (auto& [key, hosted] : states_[shard]->partitions) {
                if (const auto error = hosted->log().close()) {
                    spdlog::error("closing {}-{} failed: {}", hosted->topic_name(), hosted->index(), error.message());
                }
            }
            states_[shard]->partitions.clear();
            done.set_value();
        });
        done.get_future().wait();
    }
}

}  // namespace brook::broker
