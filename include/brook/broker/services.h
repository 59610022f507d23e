#pragma once
// The services handlers delegate to. Built by the application at start-up and
// shared by every shard; each member says which shard may touch it.

#include <cstdint>
#include <string>
#include <vector>

#include "brook/config/broker_config.h"
#include "brook/io/shards.h"
#include "brook/metadata/controller.h"
#include "brook/metadata/image.h"

namespace brook::broker {

class partition_manager;
class fetch_session_caches;
class group_manager;

// A listener as clients should reach it (advertised.listeners).
struct advertised_listener {
    std::string name;
    std::string host;
    std::uint16_t port = 0;
};

struct broker_settings {
    std::int32_t node_id = 1;
    std::string cluster_id;
    bool auto_create_topics = true;  // auto.create.topics.enable
    std::vector<advertised_listener> listeners;
};

struct broker_services {
    io::shard_set* shards = nullptr;                 // any shard
    const config::broker_config* config = nullptr;   // read-only after start, any shard
    broker_settings settings;                         // read-only after start
    metadata::image_publisher* metadata = nullptr;   // read on any shard
    metadata::controller* controller = nullptr;      // shard 0 only: hop with io::submit_to
    partition_manager* partitions = nullptr;         // each partition on its owner shard only
    group_manager* groups = nullptr;                 // any shard; it hops to each coordinator's shard
    fetch_session_caches* fetch_sessions = nullptr;     // each cache on its own shard only; null: no sessions

    // The current metadata image; never blocks.
    std::shared_ptr<const metadata::image> image() const { return metadata->current(); }
    boost::asio::any_io_executor controller_executor() const { return shards->executor(0); }
};

}  // namespace brook::broker
