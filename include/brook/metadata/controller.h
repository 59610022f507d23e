#pragma once
// The controller: the only writer of the metadata log. It validates each
// change against the current image exactly as Kafka's controller does, turns
// it into metadata records, and appends them (see metadata_log).
//
// Runs on shard 0 and is called only there (handlers on other shards hop with
// io::submit_to). Every operation validates and appends without suspending,
// so two operations can never interleave between check and write.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "brook/messages/error_codes.h"
#include "brook/metadata/image.h"
#include "brook/metadata/metadata_log.h"

namespace brook::metadata {

struct controller_options {
    std::int32_t node_id = 1;
    std::int32_t default_partitions = 1;              // num.partitions
    std::int16_t default_replication_factor = 1;      // default.replication.factor
    // Checks proposed topic config overrides; returns a readable problem
    // (Kafka's INVALID_CONFIG message) or nothing.
    std::function<std::optional<std::string>(const std::map<std::string, std::string>&)> validate_topic_configs;
};

// The outcome of one operation, as the wire reports it.
struct operation_result {
    messages::error_code error = messages::error_code::none;
    std::string message;  // empty on success

    bool ok() const noexcept { return error == messages::error_code::none; }
};

struct create_topic_request {
    std::string name;
    std::int32_t num_partitions = -1;       // -1: num.partitions
    std::int16_t replication_factor = -1;   // -1: default.replication.factor
    std::map<std::int32_t, std::vector<std::int32_t>> assignments;  // partition -> replicas
    std::map<std::string, std::string> configs;
};

struct create_topic_result : operation_result {
    wire::uuid topic_id;
    std::int32_t num_partitions = -1;
    std::int16_t replication_factor = -1;
};

class controller {
public:
    controller(metadata_log& log, image_publisher& publisher, controller_options options);

    // Registers (or re-registers) this node as a broker with its listeners.
    operation_result register_broker(std::vector<broker_endpoint> endpoints, std::optional<std::string> rack,
                                     std::int64_t now_ms);

    std::vector<create_topic_result> create_topics(const std::vector<create_topic_request>& requests,
                                                   bool validate_only, std::int64_t now_ms);
    operation_result delete_topic(const wire::uuid& topic_id, std::int64_t now_ms);
    operation_result create_partitions(const std::string& topic, std::int32_t new_total,
                                       const std::vector<std::vector<std::int32_t>>& assignments,
                                       bool validate_only, std::int64_t now_ms);
    // Changes a topic's config overrides: each change sets a key (a value) or
    // removes its override (nullopt). The resulting override set is checked
    // with options.validate_topic_configs before anything is written; only
    // keys whose override actually changes become ConfigRecords.
    operation_result alter_topic_configs(const std::string& topic,
                                         const std::map<std::string, std::optional<std::string>>& changes,
                                         bool validate_only, std::int64_t now_ms);

    // Kafka's rules for a topic name; nothing when legal.
    static std::optional<std::string> invalid_topic_name(std::string_view name);

private:
    operation_result append(const std::vector<messages::metadata_record>& records, std::int64_t now_ms);
    // Replicas for new partitions, round-robin over the unfenced brokers.
    std::vector<std::vector<std::int32_t>> place_replicas(std::int32_t first_partition, std::int32_t count,
                                                          std::int16_t replication_factor) const;
    std::vector<std::int32_t> live_brokers() const;

    metadata_log& log_;
    image_publisher& publisher_;
    controller_options options_;
};

}  // namespace brook::metadata
