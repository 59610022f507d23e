#pragma once
// Helpers the metadata-shaped handlers share.

#include <string_view>
#include <vector>

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

// Runs a controller operation on the controller's shard.
template <typename F>
auto on_controller(const broker_services& services, F f) {
    return io::submit_to(services.controller_executor(), std::move(f));
}

std::int64_t now_ms();

}  // namespace brook::broker::handlers
