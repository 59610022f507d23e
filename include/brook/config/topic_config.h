#pragma once
// Topic-level configuration with Kafka's names. A topic's effective value of
// each key is its override when it has one, else the broker-wide default from
// the key's broker synonym (retention.ms from log.retention.ms/minutes/hours,
// segment.bytes from log.segment.bytes, ...).
//
// Overrides are plain name -> text maps, as CreateTopics, AlterConfigs and
// the metadata log carry them. validate_topic_overrides() is what
// CreateTopics and AlterConfigs call before accepting a change; resolution and
// describe are pure functions of (broker_config, overrides), callable from
// any shard.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "brook/config/broker_config.h"
#include "brook/config/config_key.h"
#include "brook/config/parse_result.h"

namespace brook::config {

using topic_overrides = std::map<std::string, std::string, std::less<>>;

struct topic_config {
    cleanup_policy cleanup;
    compression_type compression = compression_type::producer;
    std::int64_t delete_retention_ms = 0;
    std::int64_t file_delete_delay_ms = 0;
    std::int64_t flush_messages = 0;
    std::int64_t flush_ms = 0;
    std::int32_t index_interval_bytes = 0;
    std::int64_t max_compaction_lag_ms = 0;
    std::int32_t max_message_bytes = 0;
    timestamp_type message_timestamp_type = timestamp_type::create_time;
    std::int64_t message_timestamp_before_max_ms = 0;
    std::int64_t message_timestamp_after_max_ms = 0;
    double min_cleanable_dirty_ratio = 0;
    std::int64_t min_compaction_lag_ms = 0;
    std::int32_t min_insync_replicas = 0;
    bool preallocate = false;
    std::int64_t retention_bytes = 0;  // -1: unlimited
    std::int64_t retention_ms = 0;     // -1: unlimited
    std::int32_t segment_bytes = 0;
    std::int32_t segment_index_bytes = 0;
    std::int64_t segment_jitter_ms = 0;
    std::int64_t segment_ms = 0;
    bool unclean_leader_election_enable = false;

    bool operator==(const topic_config&) const = default;
};

// Every topic key, in alphabetical order as Kafka lists them.
std::span<const config_key> topic_config_keys();
const config_key* find_topic_config_key(std::string_view name) noexcept;

// The broker keys a topic key falls back to, most specific first.
std::span<const std::string_view> topic_config_broker_synonyms(std::string_view name) noexcept;

// Nothing when every override names a topic key and has a valid value;
// otherwise the first problem: "Unknown topic config name: x", or
// "retention.ms=abc: expected an integer >= -1".
std::optional<std::string> validate_topic_overrides(const topic_overrides& overrides);

// The effective configuration of a topic; fails as validate_topic_overrides does.
parse_result<topic_config> resolve_topic_config(const broker_config& broker, const topic_overrides& overrides);

// The DescribeConfigs entries of a topic, one per topic key in
// topic_config_keys() order. Source is dynamic_topic_config for an override,
// static_broker_config when a broker synonym was set in the file, else
// default_config. Synonyms: the override, then each broker synonym set in the
// file, then the default. Overrides that do not validate are described as
// given, so a describe never fails.
std::vector<described_config> describe_topic_config(const broker_config& broker, const topic_overrides& overrides);

}  // namespace brook::config
