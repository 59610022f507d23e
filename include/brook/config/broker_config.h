#pragma once
// The broker's static configuration: server.properties with Kafka's key
// names and value rules, parsed once at startup into a typed broker_config.
//
// Every key Brook honours is declared once, in a table in broker_config.cc
// (name, type, default, validator, doc, whether Kafka lets it change at
// runtime); broker_config_keys() exposes it for DescribeConfigs and for the
// README's configuration reference. Defaults are Kafka 4.x's except where
// Brook's design differs, and each such key's doc says so:
//   - node.id 1, process.roles broker,controller, listeners on 127.0.0.1 and a
//     single voter: a node started with no file is a whole single-node cluster;
//   - log.dir ./data;
//   - log.flush.interval.messages 1 and log.flush.interval.ms 0: Brook fsyncs
//     before it acknowledges a produce with acks=all, which is stronger than
//     Kafka's default of leaving the flush to the operating system;
//   - offsets.topic.replication.factor, transaction.state.log.replication.factor
//     and transaction.state.log.min.isr 1, which a single node can satisfy.
//
// Kafka keys Brook knows but does not use are reported as "ignored" issues,
// other unknown keys as "unknown" issues; neither stops startup. A value
// that does not parse or is out of range does, with an error that names the
// key, the value, the line and what is allowed.
//
// Parsed once on the main thread before the shards start; afterwards the
// struct is immutable and shared read-only by every shard.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "brook/config/config_key.h"
#include "brook/config/parse_result.h"
#include "brook/config/properties.h"

namespace brook::config {

// One entry of `listeners` or `advertised.listeners`: NAME://host:port.
struct listener {
    std::string name;
    std::string host;  // empty: every interface
    std::uint16_t port = 0;

    std::string to_string() const;  // NAME://host:port, IPv6 hosts in brackets
    bool operator==(const listener&) const = default;
};

// One entry of `controller.quorum.voters`: id@host:port.
struct quorum_voter {
    std::int32_t id = 0;
    std::string host;
    std::uint16_t port = 0;

    bool operator==(const quorum_voter&) const = default;
};

struct host_port {
    std::string host;
    std::uint16_t port = 0;

    bool operator==(const host_port&) const = default;
};

enum class compression_type { producer, uncompressed, gzip, snappy, lz4, zstd };
enum class timestamp_type { create_time, log_append_time };

struct cleanup_policy {
    bool delete_segments = true;  // "delete"
    bool compact = false;         // "compact"

    bool operator==(const cleanup_policy&) const = default;
};

// Values from the configuration table, resolved: precedence applied (ms over
// minutes over hours, log.dirs over log.dir), defaults derived (advertised
// listeners), formats checked. Durations are in milliseconds, -1 = unlimited.
struct broker_config {
    // Identity and roles.
    std::int32_t node_id = 1;
    bool broker_role = true;
    bool controller_role = true;
    std::optional<std::string> broker_rack;

    // Listeners and the controller quorum.
    std::vector<listener> listeners;
    std::vector<listener> advertised_listeners;
    std::vector<std::string> controller_listener_names;
    std::map<std::string, std::string> listener_security_protocol_map;  // listener name -> protocol
    std::string inter_broker_listener_name;
    std::vector<quorum_voter> controller_quorum_voters;
    std::vector<host_port> controller_quorum_bootstrap_servers;

    // Storage, and the broker-wide defaults of topic configs.
    std::vector<std::string> log_dirs;
    std::int64_t log_retention_ms = 0;
    std::int64_t log_retention_bytes = 0;
    std::int32_t log_segment_bytes = 0;
    std::int64_t log_roll_ms = 0;
    std::int64_t log_roll_jitter_ms = 0;
    std::int32_t log_index_size_max_bytes = 0;
    std::int32_t log_index_interval_bytes = 0;
    std::int64_t log_retention_check_interval_ms = 0;
    std::int64_t log_flush_interval_messages = 0;
    std::int64_t log_flush_interval_ms = 0;
    std::int64_t log_segment_delete_delay_ms = 0;
    bool log_preallocate = false;
    cleanup_policy log_cleanup_policy;
    std::int64_t log_cleaner_delete_retention_ms = 0;
    std::int64_t log_cleaner_min_compaction_lag_ms = 0;
    std::int64_t log_cleaner_max_compaction_lag_ms = 0;
    double log_cleaner_min_cleanable_ratio = 0;
    timestamp_type log_message_timestamp_type = timestamp_type::create_time;
    std::int64_t log_message_timestamp_before_max_ms = 0;
    std::int64_t log_message_timestamp_after_max_ms = 0;
    compression_type compression = compression_type::producer;

    // Topics and replication.
    std::int32_t num_partitions = 0;
    std::int32_t default_replication_factor = 0;
    std::int32_t min_insync_replicas = 0;
    bool auto_create_topics_enable = true;
    bool delete_topic_enable = true;
    bool unclean_leader_election_enable = false;
    std::int32_t message_max_bytes = 0;
    std::int64_t replica_lag_time_max_ms = 0;

    // Network limits.
    std::int32_t socket_request_max_bytes = 0;
    std::int32_t socket_send_buffer_bytes = 0;     // -1: the operating system's default
    std::int32_t socket_receive_buffer_bytes = 0;  // -1: the operating system's default
    std::int64_t connections_max_idle_ms = 0;
    std::int32_t max_connections = 0;
    std::int64_t queued_max_request_bytes = 0;  // -1: no limit
    std::int32_t max_incremental_fetch_session_cache_slots = 0;

    // Group coordinator.
    std::int32_t offsets_topic_num_partitions = 0;
    std::int16_t offsets_topic_replication_factor = 0;
    std::int32_t offsets_retention_minutes = 0;
    std::int32_t group_initial_rebalance_delay_ms = 0;
    std::int32_t group_min_session_timeout_ms = 0;
    std::int32_t group_max_session_timeout_ms = 0;
    std::int32_t group_max_size = 0;
    std::int32_t offset_metadata_max_bytes = 0;
    std::int64_t offsets_retention_check_interval_ms = 0;

    // Transaction coordinator.
    std::int32_t transaction_state_log_num_partitions = 0;
    std::int16_t transaction_state_log_replication_factor = 0;
    std::int32_t transaction_state_log_min_isr = 0;
    std::int32_t transactional_id_expiration_ms = 0;
    std::int32_t transaction_max_timeout_ms = 0;

    // Brook's own keys.
    std::uint32_t shards = 0;  // brook.shards resolved: 0 in the file becomes the hardware thread count
    host_port http_listener;   // brook.http.listener

    // Every honoured key in table order with its value, default, source and
    // line: what DescribeConfigs returns for the broker resource.
    std::vector<described_config> entries;

    // The entry of an honoured key; nullptr for any other name.
    const described_config* find(std::string_view name) const noexcept;
};

// Parses server.properties values. The issues include the duplicates the
// properties file recorded.
parse_result<broker_config> parse_broker_config(const properties& values);

// The configuration of a node started without a file.
broker_config default_broker_config();

// Every key Brook honours, in table order.
std::span<const config_key> broker_config_keys();
const config_key* find_broker_config_key(std::string_view name) noexcept;

// Whether Brook knows the key as one of Kafka's that it accepts and ignores.
bool is_ignored_kafka_key(std::string_view name) noexcept;

// A markdown table of every honoured key (key, type, default, allowed
// values, dynamic, description), from which the README's reference is made.
std::string configuration_reference_markdown();

std::string_view to_string(compression_type type) noexcept;
std::string_view to_string(timestamp_type type) noexcept;

}  // namespace brook::config
