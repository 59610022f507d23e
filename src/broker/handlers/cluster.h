#pragma once
// Helpers the metadata-shaped handlers share.

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

}  // namespace brook::broker::handlers
