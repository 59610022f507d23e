#include "brook/config/topic_config.h"

#include <gtest/gtest.h>

#include <set>

namespace brook::config {
namespace {

broker_config broker_from(std::string_view text) {
    auto values = properties::parse(text);
    EXPECT_TRUE(values.ok()) << values.error();
    auto parsed = parse_broker_config(values.value());
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    return parsed.ok() ? parsed.value() : default_broker_config();
}

const described_config& entry(const std::vector<described_config>& entries, std::string_view name) {
    for (const described_config& e : entries) {
        if (e.name == name) {
            return e;
        }
    }
    ADD_FAILURE() << "no entry " << name;
    return entries.front();
}

TEST(topic_config, every_kafka_topic_key_is_present_with_a_broker_synonym) {
    // Proves the topic key set is Kafka's (the ones Brook honours) and that
    // every key falls back to a real broker key.
    std::set<std::string_view> names;
    for (const config_key& key : topic_config_keys()) {
        names.insert(key.name);
        EXPECT_FALSE(key.read_only) << key.name;
        EXPECT_FALSE(key.doc.empty()) << key.name;
        const auto synonyms = topic_config_broker_synonyms(key.name);
        ASSERT_FALSE(synonyms.empty()) << key.name;
        for (const std::string_view synonym : synonyms) {
            EXPECT_NE(find_broker_config_key(synonym), nullptr) << key.name << " -> " << synonym;
        }
    }
    EXPECT_EQ(names, (std::set<std::string_view>{
                         "cleanup.policy", "compression.type", "delete.retention.ms", "file.delete.delay.ms",
                         "flush.messages", "flush.ms", "index.interval.bytes", "max.compaction.lag.ms",
                         "max.message.bytes", "message.timestamp.type", "message.timestamp.before.max.ms",
                         "message.timestamp.after.max.ms", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
                         "min.insync.replicas", "preallocate", "retention.bytes", "retention.ms", "segment.bytes",
                         "segment.index.bytes", "segment.jitter.ms", "segment.ms",
                         "unclean.leader.election.enable"}));
}

TEST(topic_config, defaults_come_from_the_broker) {
    // Proves a topic without overrides takes the broker's effective values,
    // including the converted ones (log.retention.hours -> retention.ms).
    const broker_config broker =
        broker_from("log.retention.hours=2\nlog.segment.bytes=1048576\nmin.insync.replicas=2\n"
                    "compression.type=zstd\nlog.cleanup.policy=compact,delete\nlog.roll.ms=60000\n");
    const auto resolved = resolve_topic_config(broker, {});
    ASSERT_TRUE(resolved.ok()) << resolved.error();
    const topic_config& t = resolved.value();
    EXPECT_EQ(t.retention_ms, 7'200'000);
    EXPECT_EQ(t.segment_bytes, 1048576);
    EXPECT_EQ(t.min_insync_replicas, 2);
    EXPECT_EQ(t.compression, compression_type::zstd);
    EXPECT_TRUE(t.cleanup.compact);
    EXPECT_TRUE(t.cleanup.delete_segments);
    EXPECT_EQ(t.segment_ms, 60000);
    EXPECT_EQ(t.retention_bytes, -1);
    EXPECT_EQ(t.max_message_bytes, 1048588);
    EXPECT_EQ(t.flush_messages, 1);
    EXPECT_EQ(t.message_timestamp_type, timestamp_type::create_time);
    EXPECT_DOUBLE_EQ(t.min_cleanable_dirty_ratio, 0.5);
}

TEST(topic_config, documented_defaults_match_the_default_broker) {
    // Proves the defaults the topic table documents are the values a topic
    // really gets from a broker with no file, so the reference never lies.
    const auto entries = describe_topic_config(default_broker_config(), {});
    for (const config_key& key : topic_config_keys()) {
        const described_config& described = entry(entries, key.name);
        ASSERT_TRUE(key.default_value.has_value()) << key.name;
        EXPECT_EQ(described.value, std::string(*key.default_value)) << key.name;
        EXPECT_EQ(described.source, config_source::default_config) << key.name;
    }
}

TEST(topic_config, overrides_win_over_broker_defaults) {
    // Proves per-topic overrides replace the broker values key by key.
    const broker_config broker = default_broker_config();
    const auto resolved = resolve_topic_config(
        broker, {{"retention.ms", "-1"}, {"cleanup.policy", "compact"}, {"message.timestamp.type", "LogAppendTime"},
                 {"max.message.bytes", " 2000000 "}, {"preallocate", "true"}, {"min.cleanable.dirty.ratio", "0.1"}});
    ASSERT_TRUE(resolved.ok()) << resolved.error();
    const topic_config& t = resolved.value();
    EXPECT_EQ(t.retention_ms, -1);
    EXPECT_TRUE(t.cleanup.compact);
    EXPECT_FALSE(t.cleanup.delete_segments);
    EXPECT_EQ(t.message_timestamp_type, timestamp_type::log_append_time);
    EXPECT_EQ(t.max_message_bytes, 2000000);
    EXPECT_TRUE(t.preallocate);
    EXPECT_DOUBLE_EQ(t.min_cleanable_dirty_ratio, 0.1);
    EXPECT_EQ(t.segment_bytes, 1073741824);
}

TEST(topic_config, validation_names_unknown_keys_and_allowed_values) {
    // Proves CreateTopics/AlterConfigs validation: an unknown name is reported
    // as Kafka words it, a bad value names the key, the value and the range.
    EXPECT_EQ(validate_topic_overrides({{"retention.ms", "1000"}, {"cleanup.policy", "compact,delete"}}),
              std::nullopt);
    EXPECT_EQ(validate_topic_overrides({{"retention.mss", "1"}}), "Unknown topic config name: retention.mss");
    EXPECT_EQ(validate_topic_overrides({{"retention.ms", "abc"}}), "retention.ms=abc: expected an integer >= -1");
    EXPECT_EQ(validate_topic_overrides({{"retention.ms", "-2"}}), "retention.ms=-2: expected an integer >= -1");
    EXPECT_EQ(validate_topic_overrides({{"segment.bytes", "10"}}), "segment.bytes=10: expected an integer >= 14");
    EXPECT_EQ(validate_topic_overrides({{"cleanup.policy", "compact,archive"}}),
              "cleanup.policy=compact,archive: expected a comma-separated list of one or more of: compact, delete");
    EXPECT_EQ(validate_topic_overrides({{"compression.type", "brotli"}}),
              "compression.type=brotli: expected one of: uncompressed, zstd, lz4, snappy, gzip, producer");
    EXPECT_EQ(validate_topic_overrides({{"message.timestamp.type", "Now"}}),
              "message.timestamp.type=Now: expected one of: CreateTime, LogAppendTime");
    EXPECT_EQ(validate_topic_overrides({{"min.cleanable.dirty.ratio", "2"}}),
              "min.cleanable.dirty.ratio=2: expected a number in [0, 1]");
    EXPECT_EQ(validate_topic_overrides({{"preallocate", "1"}}), "preallocate=1: expected true or false");
    EXPECT_EQ(validate_topic_overrides({{"segment.ms", "0"}}), "segment.ms=0: expected an integer >= 1");
    EXPECT_EQ(validate_topic_overrides({{"max.message.bytes", "3000000000"}}),
              "max.message.bytes=3000000000: expected an integer >= 0");
    const auto failed = resolve_topic_config(default_broker_config(), {{"flush.messages", "0"}});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error(), "flush.messages=0: expected an integer >= 1");
}

TEST(topic_config, describe_sources_and_synonyms) {
    // Proves DescribeConfigs' view of a topic: an override is
    // DYNAMIC_TOPIC_CONFIG with synonyms override, file key, default; a key
    // whose broker synonym is in the file is STATIC_BROKER_CONFIG; the rest
    // are DEFAULT_CONFIG with the broker default as the only synonym.
    const broker_config broker = broker_from("log.retention.minutes=30\nlog.segment.bytes=1048576\n");
    const auto entries = describe_topic_config(broker, {{"segment.bytes", "2097152"}});
    EXPECT_EQ(entries.size(), topic_config_keys().size());

    const described_config& segment = entry(entries, "segment.bytes");
    EXPECT_EQ(segment.value, "2097152");
    EXPECT_EQ(segment.source, config_source::dynamic_topic_config);
    EXPECT_EQ(segment.type, config_type::int32);
    EXPECT_FALSE(segment.read_only);
    EXPECT_FALSE(segment.is_sensitive);
    ASSERT_EQ(segment.synonyms.size(), 3U);
    EXPECT_EQ(segment.synonyms[0].name, "segment.bytes");
    EXPECT_EQ(segment.synonyms[0].source, config_source::dynamic_topic_config);
    EXPECT_EQ(segment.synonyms[1].name, "log.segment.bytes");
    EXPECT_EQ(segment.synonyms[1].value, "1048576");
    EXPECT_EQ(segment.synonyms[1].source, config_source::static_broker_config);
    EXPECT_EQ(segment.synonyms[2].name, "log.segment.bytes");
    EXPECT_EQ(segment.synonyms[2].value, "1073741824");
    EXPECT_EQ(segment.synonyms[2].source, config_source::default_config);

    const described_config& retention = entry(entries, "retention.ms");
    EXPECT_EQ(retention.value, "1800000");
    EXPECT_EQ(retention.source, config_source::static_broker_config);
    EXPECT_EQ(retention.type, config_type::int64);
    ASSERT_EQ(retention.synonyms.size(), 2U);
    EXPECT_EQ(retention.synonyms[0].name, "log.retention.minutes");
    EXPECT_EQ(retention.synonyms[0].value, "30");
    EXPECT_EQ(retention.synonyms[0].source, config_source::static_broker_config);
    EXPECT_EQ(retention.synonyms[1].name, "log.retention.hours");
    EXPECT_EQ(retention.synonyms[1].value, "168");
    EXPECT_EQ(retention.synonyms[1].source, config_source::default_config);

    const described_config& policy = entry(entries, "cleanup.policy");
    EXPECT_EQ(policy.value, "delete");
    EXPECT_EQ(policy.source, config_source::default_config);
    EXPECT_EQ(policy.type, config_type::list);
    ASSERT_EQ(policy.synonyms.size(), 1U);
    EXPECT_EQ(policy.synonyms[0].name, "log.cleanup.policy");
    EXPECT_EQ(policy.synonyms[0].source, config_source::default_config);

    EXPECT_EQ(entry(entries, "min.cleanable.dirty.ratio").value, "0.5");
    EXPECT_EQ(entry(entries, "min.cleanable.dirty.ratio").type, config_type::float64);
    EXPECT_EQ(entry(entries, "preallocate").type, config_type::boolean);
    EXPECT_EQ(entry(entries, "compression.type").type, config_type::string);
}

}  // namespace
}  // namespace brook::config
