#pragma once
// Helpers the metadata-shaped handlers share.

#include <map>
#include <string_view>
#include <vector>

#include "brook/broker/partition_manager.h"
#include "brook/broker/services.h"

namespace brook::broker::handlers {

// A broker as clients reach it on the listener a request arrived on.
struct reachable_broker {
    std::int32_t id;
    std::string host;
    std::int32_t port;
    std::optional<std::string> rack;
};

// Unfenced brokers with an endpoint for `listener`, by id.
std::vector<reachable_broker> reachable_brokers(const broker_services& services, const metadata::image& image,
                                                std::string_view listener);

// The controller id clients should see (KRaft brokers report a random live
// broker; with one node it is this node).
std::int32_t visible_controller_id(const broker_services& services);

bool is_internal_topic(std::string_view name);

// Authorized-operations bitfields for when a client asks: Brook has no
// authorizer yet, so every operation on a topic or the cluster is allowed.
std::int32_t all_topic_operations();
std::int32_t all_cluster_operations();

// Runs a metadata change on the controller's shard, then brings the hosted
// partitions in line with the new image before the caller answers, so a
// client can use a topic as soon as it hears that it exists.
template <typename F>
asio::awaitable<std::invoke_result_t<F&>> change_metadata(broker_services& services, F operation) {
    auto hop = io::submit_to(services.controller_executor(), std::move(operation));
    auto result = co_await std::move(hop);
    auto reconcile = services.partitions->reconcile(services.image());
    co_await std::move(reconcile);
    co_return result;
}

std::int64_t now_ms();

// Runs `work(partition*, item)` for every item on the shard that owns the
// item's partition (`partition` is nullptr when this node does not host it)
// and returns the results in item order. Items need `topic_id` and
// `partition` members; `work` must be safe to copy to other shards.
template <typename Item, typename Work>
asio::awaitable<std::vector<std::invoke_result_t<Work&, partition*, const Item&>>> on_partition_owners(
    broker_services& services, std::vector<Item> items, Work work) {
    using result = std::invoke_result_t<Work&, partition*, const Item&>;
    std::vector<result> results(items.size());
    std::map<io::shard_id, std::vector<std::size_t>> by_shard;
    for (std::size_t i = 0; i < items.size(); ++i) {
        by_shard[services.partitions->owner(items[i].topic_id, items[i].partition)].push_back(i);
    }
    for (const auto& [shard, positions] : by_shard) {
        std::vector<Item> shard_items;
        for (const auto i : positions) shard_items.push_back(items[i]);
        auto hop = io::submit_to(services.shards->executor(shard), [&services, shard_items, work]() mutable {
            std::vector<result> out;
            for (const auto& item : shard_items) {
                out.push_back(work(services.partitions->find(item.topic_id, item.partition), item));
            }
            return out;
        });
        auto shard_results = co_await std::move(hop);
        for (std::size_t k = 0; k < positions.size(); ++k) results[positions[k]] = std::move(shard_results[k]);
    }
    co_return results;
}

}  // namespace brook::broker::handlers
