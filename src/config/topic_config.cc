#include "brook/config/topic_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

#include "value.h"

namespace brook::config {
namespace {

using detail::definition;
using detail::int64_max;
using detail::list_value;
using detail::typed_value;

constexpr std::array<std::string_view, 6> compression_choices{"uncompressed", "zstd", "lz4", "snappy", "gzip",
                                                              "producer"};
constexpr std::array<std::string_view, 2> timestamp_type_choices{"CreateTime", "LogAppendTime"};
constexpr std::array<std::string_view, 2> cleanup_policy_choices{"compact", "delete"};

constexpr std::array<std::string_view, 1> cleanup_policy_synonyms{"log.cleanup.policy"};
constexpr std::array<std::string_view, 1> compression_synonyms{"compression.type"};
constexpr std::array<std::string_view, 1> delete_retention_synonyms{"log.cleaner.delete.retention.ms"};
constexpr std::array<std::string_view, 1> file_delete_delay_synonyms{"log.segment.delete.delay.ms"};
constexpr std::array<std::string_view, 1> flush_messages_synonyms{"log.flush.interval.messages"};
constexpr std::array<std::string_view, 1> flush_ms_synonyms{"log.flush.interval.ms"};
constexpr std::array<std::string_view, 1> index_interval_synonyms{"log.index.interval.bytes"};
constexpr std::array<std::string_view, 1> max_compaction_lag_synonyms{"log.cleaner.max.compaction.lag.ms"};
constexpr std::array<std::string_view, 1> max_message_bytes_synonyms{"message.max.bytes"};
constexpr std::array<std::string_view, 1> timestamp_after_synonyms{"log.message.timestamp.after.max.ms"};
constexpr std::array<std::string_view, 1> timestamp_before_synonyms{"log.message.timestamp.before.max.ms"};
constexpr std::array<std::string_view, 1> timestamp_type_synonyms{"log.message.timestamp.type"};
constexpr std::array<std::string_view, 1> cleanable_ratio_synonyms{"log.cleaner.min.cleanable.ratio"};
constexpr std::array<std::string_view, 1> min_compaction_lag_synonyms{"log.cleaner.min.compaction.lag.ms"};
constexpr std::array<std::string_view, 1> min_insync_synonyms{"min.insync.replicas"};
constexpr std::array<std::string_view, 1> preallocate_synonyms{"log.preallocate"};
constexpr std::array<std::string_view, 1> retention_bytes_synonyms{"log.retention.bytes"};
constexpr std::array<std::string_view, 3> retention_ms_synonyms{"log.retention.ms", "log.retention.minutes",
                                                                "log.retention.hours"};
constexpr std::array<std::string_view, 1> segment_bytes_synonyms{"log.segment.bytes"};
constexpr std::array<std::string_view, 1> segment_index_synonyms{"log.index.size.max.bytes"};
constexpr std::array<std::string_view, 2> segment_jitter_synonyms{"log.roll.jitter.ms", "log.roll.jitter.hours"};
constexpr std::array<std::string_view, 2> segment_ms_synonyms{"log.roll.ms", "log.roll.hours"};
constexpr std::array<std::string_view, 1> unclean_synonyms{"unclean.leader.election.enable"};

struct topic_key {
    definition key;
    std::span<const std::string_view> synonyms;
};

topic_key long_key(std::string_view name, std::string_view default_value, std::int64_t min,
                   std::span<const std::string_view> synonyms, std::string_view doc) {
    return {definition{.name = name, .type = config_type::int64, .default_value = default_value, .min = min,
                       .dynamic = true, .doc = doc},
            synonyms};
}

topic_key int_key(std::string_view name, std::string_view default_value, std::int64_t min,
                  std::span<const std::string_view> synonyms, std::string_view doc) {
    return {definition{.name = name, .type = config_type::int32, .default_value = default_value, .min = min,
                       .dynamic = true, .doc = doc},
            synonyms};
}

topic_key boolean_key(std::string_view name, std::string_view default_value,
                      std::span<const std::string_view> synonyms, std::string_view doc) {
    return {definition{.name = name, .type = config_type::boolean, .default_value = default_value, .dynamic = true,
                       .doc = doc},
            synonyms};
}

// Every topic key with its validator and broker synonyms. The defaults shown
// are Brook's built-in ones; a topic's real default is its broker synonym's
// value.
const std::vector<topic_key>& table() {
    constexpr std::int64_t no_min = std::numeric_limits<std::int64_t>::min();
    static const std::vector<topic_key> keys{
        {definition{.name = "cleanup.policy", .type = config_type::list, .default_value = "delete",
                    .choices = cleanup_policy_choices, .non_empty_list = true, .dynamic = true,
                    .doc = "delete old segments, compact by key, or both (\"compact,delete\")."},
         cleanup_policy_synonyms},
        {definition{.name = "compression.type", .type = config_type::string, .default_value = "producer",
                    .choices = compression_choices, .dynamic = true,
                    .doc = "The compression of stored batches; producer keeps the producer's."},
         compression_synonyms},
        long_key("delete.retention.ms", "86400000", 0, delete_retention_synonyms,
                 "How long delete markers stay in a compacted topic."),
        long_key("file.delete.delay.ms", "60000", 0, file_delete_delay_synonyms,
                 "How long a removed segment's files stay on disk before deletion."),
        long_key("flush.messages", "1", 1, flush_messages_synonyms,
                 "Messages appended before a forced fsync (Brook's default 1: fsync before acks=all is answered)."),
        long_key("flush.ms", "0", 0, flush_ms_synonyms, "The most time appended data may wait for an fsync."),
        int_key("index.interval.bytes", "4096", 0, index_interval_synonyms,
                "Bytes of batches between two offset index entries."),
        long_key("max.compaction.lag.ms", "9223372036854775807", 1, max_compaction_lag_synonyms,
                 "The most time a message may stay uncompacted."),
        int_key("max.message.bytes", "1048588", 0, max_message_bytes_synonyms,
                "The largest record batch this topic accepts, in bytes."),
        long_key("message.timestamp.after.max.ms", "3600000", 0, timestamp_after_synonyms,
                 "How far in the future a CreateTime timestamp may be."),
        long_key("message.timestamp.before.max.ms", "9223372036854775807", 0, timestamp_before_synonyms,
                 "How far in the past a CreateTime timestamp may be."),
        {definition{.name = "message.timestamp.type", .type = config_type::string, .default_value = "CreateTime",
                    .choices = timestamp_type_choices, .dynamic = true,
                    .doc = "CreateTime keeps the producer's timestamps; LogAppendTime uses the broker's clock."},
         timestamp_type_synonyms},
        {definition{.name = "min.cleanable.dirty.ratio", .type = config_type::float64, .default_value = "0.5",
                    .min_double = 0.0, .max_double = 1.0, .dynamic = true,
                    .doc = "The uncompacted share of the log that triggers compaction."},
         cleanable_ratio_synonyms},
        long_key("min.compaction.lag.ms", "0", 0, min_compaction_lag_synonyms,
                 "The least time a message stays uncompacted."),
        int_key("min.insync.replicas", "1", 1, min_insync_synonyms,
                "In-sync replicas needed for an acks=all produce to succeed."),
        boolean_key("preallocate", "false", preallocate_synonyms, "Whether segment files are preallocated."),
        long_key("retention.bytes", "-1", no_min, retention_bytes_synonyms,
                 "The size a partition may reach before old segments go; -1 for no limit."),
        long_key("retention.ms", "604800000", -1, retention_ms_synonyms,
                 "How long data is kept; -1 keeps it forever."),
        int_key("segment.bytes", "1073741824", 14, segment_bytes_synonyms, "The size at which a new segment starts."),
        int_key("segment.index.bytes", "10485760", 4, segment_index_synonyms, "The largest offset index per segment."),
        long_key("segment.jitter.ms", "0", 0, segment_jitter_synonyms,
                 "The most random time taken off segment.ms, to spread rolls out."),
        long_key("segment.ms", "604800000", 1, segment_ms_synonyms,
                 "The age at which a new segment starts even if the current one is not full."),
        boolean_key("unclean.leader.election.enable", "false", unclean_synonyms,
                    "Whether a replica outside the ISR may lead, at the cost of losing data."),
    };
    return keys;
}

const topic_key* find_key(std::string_view name) noexcept {
    const auto& keys = table();
    const auto found = std::find_if(keys.begin(), keys.end(), [&](const topic_key& k) { return k.key.name == name; });
    return found == keys.end() ? nullptr : &*found;
}

// The broker-wide effective value a topic key falls back to, as text.
std::string broker_default_text(const topic_key& key, const broker_config& broker) {
    if (key.key.name == "retention.ms") {
        return std::to_string(broker.log_retention_ms);
    }
    if (key.key.name == "segment.ms") {
        return std::to_string(broker.log_roll_ms);
    }
    if (key.key.name == "segment.jitter.ms") {
        return std::to_string(broker.log_roll_jitter_ms);
    }
    BROOK_ASSERT(key.synonyms.size() == 1, "a topic key with several synonyms needs its own resolution");
    const described_config* entry = broker.find(key.synonyms.front());
    BROOK_ASSERT(entry != nullptr && entry->value.has_value(), "a topic key's broker synonym has no value");
    return *entry->value;
}

std::optional<std::string> check_override(const std::string& name, const std::string& value) {
    const topic_key* key = find_key(name);
    if (key == nullptr) {
        return fmt::format("Unknown topic config name: {}", name);
    }
    auto parsed = detail::parse_value(key->key, value);
    if (auto* failure = std::get_if<std::string>(&parsed)) {
        return fmt::format("{}={}: {}", name, detail::trim(value), *failure);
    }
    return std::nullopt;
}

}  // namespace

std::span<const config_key> topic_config_keys() {
    static const std::vector<config_key> keys = [] {
        std::vector<config_key> out;
        for (const topic_key& key : table()) {
            out.push_back(detail::to_config_key(key.key));
        }
        return out;
    }();
    return keys;
}

const config_key* find_topic_config_key(std::string_view name) noexcept {
    const auto keys = topic_config_keys();
    const auto found = std::find_if(keys.begin(), keys.end(), [&](const config_key& k) { return k.name == name; });
    return found == keys.end() ? nullptr : &*found;
}

std::span<const std::string_view> topic_config_broker_synonyms(std::string_view name) noexcept {
    const topic_key* key = find_key(name);
    return key == nullptr ? std::span<const std::string_view>() : key->synonyms;
}

std::optional<std::string> validate_topic_overrides(const topic_overrides& overrides) {
    for (const auto& [name, value] : overrides) {
        if (auto failure = check_override(name, value)) {
            return failure;
        }
    }
    return std::nullopt;
}

parse_result<topic_config> resolve_topic_config(const broker_config& broker, const topic_overrides& overrides) {
    if (auto failure = validate_topic_overrides(overrides)) {
        return parse_result<topic_config>::failure(std::move(*failure));
    }
    const auto value_of = [&](std::string_view name) -> typed_value {
        const topic_key* key = find_key(name);
        BROOK_ASSERT(key != nullptr, "resolve reads a key missing from the topic table");
        const auto override_value = overrides.find(name);
        const std::string text =
            override_value != overrides.end() ? override_value->second : broker_default_text(*key, broker);
        auto parsed = detail::parse_value(key->key, text);
        // Overrides were validated above, and the broker's values passed the
        // broker validators, which are never looser than the topic ones.
        BROOK_ASSERT(std::holds_alternative<typed_value>(parsed), "a broker default fails a topic validator");
        return std::get<typed_value>(std::move(parsed));
    };
    const auto integer = [&](std::string_view name) { return std::get<std::int64_t>(value_of(name)); };
    const auto int32 = [&](std::string_view name) { return static_cast<std::int32_t>(integer(name)); };
    const auto boolean = [&](std::string_view name) { return std::get<bool>(value_of(name)); };
    const auto text = [&](std::string_view name) { return std::get<std::string>(value_of(name)); };

    topic_config t;
    const list_value policy = std::get<list_value>(value_of("cleanup.policy"));
    t.cleanup.delete_segments = std::find(policy.begin(), policy.end(), "delete") != policy.end();
    t.cleanup.compact = std::find(policy.begin(), policy.end(), "compact") != policy.end();
    const std::string compression = text("compression.type");
    for (const compression_type candidate : {compression_type::producer, compression_type::uncompressed,
                                             compression_type::gzip, compression_type::snappy, compression_type::lz4,
                                             compression_type::zstd}) {
        if (to_string(candidate) == compression) {
            t.compression = candidate;
        }
    }
    t.delete_retention_ms = integer("delete.retention.ms");
    t.file_delete_delay_ms = integer("file.delete.delay.ms");
    t.flush_messages = integer("flush.messages");
    t.flush_ms = integer("flush.ms");
    t.index_interval_bytes = int32("index.interval.bytes");
    t.max_compaction_lag_ms = integer("max.compaction.lag.ms");
    t.max_message_bytes = int32("max.message.bytes");
    t.message_timestamp_type = text("message.timestamp.type") == "LogAppendTime" ? timestamp_type::log_append_time
                                                                                 : timestamp_type::create_time;
    t.message_timestamp_before_max_ms = integer("message.timestamp.before.max.ms");
    t.message_timestamp_after_max_ms = integer("message.timestamp.after.max.ms");
    t.min_cleanable_dirty_ratio = std::get<double>(value_of("min.cleanable.dirty.ratio"));
    t.min_compaction_lag_ms = integer("min.compaction.lag.ms");
    t.min_insync_replicas = int32("min.insync.replicas");
    t.preallocate = boolean("preallocate");
    t.retention_bytes = integer("retention.bytes");
    t.retention_ms = integer("retention.ms");
    t.segment_bytes = int32("segment.bytes");
    t.segment_index_bytes = int32("segment.index.bytes");
    t.segment_jitter_ms = integer("segment.jitter.ms");
    t.segment_ms = integer("segment.ms");
    t.unclean_leader_election_enable = boolean("unclean.leader.election.enable");
    return parse_result<topic_config>::success(t);
}

std::vector<described_config> describe_topic_config(const broker_config& broker, const topic_overrides& overrides) {
    std::vector<described_config> entries;
    entries.reserve(table().size());
    for (const topic_key& key : table()) {
        described_config entry;
        entry.name = std::string(key.key.name);
        entry.read_only = false;
        entry.is_sensitive = false;
        entry.type = key.key.type;
        entry.doc = std::string(key.key.doc);

        // The broker-level synonyms set in the file, then the default.
        std::vector<config_synonym> broker_synonyms;
        for (const std::string_view synonym : key.synonyms) {
            const described_config* broker_entry = broker.find(synonym);
            BROOK_ASSERT(broker_entry != nullptr, "a topic key's broker synonym is not a broker key");
            if (broker_entry->source == config_source::static_broker_config) {
                broker_synonyms.push_back(
                    config_synonym{broker_entry->name, broker_entry->value, config_source::static_broker_config});
            }
        }
        const bool set_in_file = !broker_synonyms.empty();
        for (const std::string_view synonym : key.synonyms) {
            const described_config* broker_entry = broker.find(synonym);
            if (broker_entry->default_value) {
                broker_synonyms.push_back(
                    config_synonym{broker_entry->name, broker_entry->default_value, config_source::default_config});
                break;
            }
        }
        const std::string broker_value = broker_default_text(key, broker);
        entry.default_value = broker_value;

        const auto override_value = overrides.find(key.key.name);
        if (override_value != overrides.end()) {
            auto parsed = detail::parse_value(key.key, override_value->second);
            const auto* typed = std::get_if<typed_value>(&parsed);
            entry.value =
                typed != nullptr ? detail::to_text(*typed) : std::optional<std::string>(override_value->second);
            entry.source = config_source::dynamic_topic_config;
            entry.synonyms.push_back(config_synonym{entry.name, entry.value, config_source::dynamic_topic_config});
        } else {
            entry.value = broker_value;
            entry.source = set_in_file ? config_source::static_broker_config : config_source::default_config;
        }
        entry.synonyms.insert(entry.synonyms.end(), broker_synonyms.begin(), broker_synonyms.end());
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace brook::config
