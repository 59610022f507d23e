#include "brook/config/broker_config.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

namespace brook::config {
namespace {

properties parse_properties(std::string_view text) {
    auto parsed = properties::parse(text);
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    return parsed.ok() ? parsed.value() : properties{};
}

parse_result<broker_config> parse(std::string_view text) { return parse_broker_config(parse_properties(text)); }

broker_config parse_ok(std::string_view text) {
    auto parsed = parse(text);
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    return parsed.ok() ? parsed.value() : default_broker_config();
}

std::string parse_error(std::string_view text) {
    auto parsed = parse(text);
    EXPECT_FALSE(parsed.ok()) << "expected an error for: " << text;
    return parsed.ok() ? std::string() : parsed.error();
}

// Kafka 4.x's shipped single-node KRaft server.properties (config/server.properties,
// formerly config/kraft/server.properties), with its comments shortened.
constexpr std::string_view kafka_kraft_server_properties = R"(# Licensed to the Apache Software Foundation (ASF).
############################# Server Basics #############################

# The role of this server. Setting this puts us in KRaft mode
process.roles=broker,controller

# The node id associated with this instance's roles
node.id=1

# List of controller endpoints used connect to the controller cluster
controller.quorum.bootstrap.servers=localhost:9093

############################# Socket Server Settings #############################
listeners=PLAINTEXT://:9092,CONTROLLER://:9093

# Name of listener used for communication between brokers.
inter.broker.listener.name=PLAINTEXT

# Listener name, hostname and port the broker or the controller will advertise to clients.
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093

# A comma-separated list of the names of the listeners used by the controller.
controller.listener.names=CONTROLLER

# Maps listener names to security protocols, the default is for them to be the same.
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL

# The number of threads that the server uses for receiving requests from the network
num.network.threads=3

# The number of threads that the server uses for processing requests
num.io.threads=8

socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600

############################# Log Basics #############################
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1

############################# Internal Topic Settings  #############################
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1

############################# Log Flush Policy #############################
#log.flush.interval.messages=10000
#log.flush.interval.ms=1000

############################# Log Retention Policy #############################
log.retention.hours=168
#log.retention.bytes=1073741824
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
)";

TEST(broker_config, kafka_kraft_server_properties_parses_without_unknown_keys) {
    // Proves a user's stock Kafka 4.x KRaft file works unchanged: no errors, no
    // unknown-key warnings, Kafka's thread settings reported as ignored, and
    // the values it sets are the ones used.
    const auto parsed = parse(kafka_kraft_server_properties);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    std::set<std::string> ignored;
    for (const config_issue& issue : parsed.issues()) {
        EXPECT_NE(issue.what, config_issue::unknown) << issue.key << ": " << issue.message;
        EXPECT_NE(issue.what, config_issue::duplicate) << issue.key;
        if (issue.what == config_issue::ignored) {
            ignored.insert(issue.key);
        }
    }
    EXPECT_EQ(ignored, (std::set<std::string>{"num.network.threads", "num.io.threads",
                                              "num.recovery.threads.per.data.dir",
                                              "share.coordinator.state.topic.replication.factor",
                                              "share.coordinator.state.topic.min.isr"}));
    const broker_config& c = parsed.value();
    EXPECT_EQ(c.node_id, 1);
    EXPECT_TRUE(c.broker_role);
    EXPECT_TRUE(c.controller_role);
    ASSERT_EQ(c.listeners.size(), 2U);
    EXPECT_EQ(c.listeners[0], (listener{"PLAINTEXT", "", 9092}));
    EXPECT_EQ(c.listeners[1], (listener{"CONTROLLER", "", 9093}));
    ASSERT_EQ(c.advertised_listeners.size(), 2U);
    EXPECT_EQ(c.advertised_listeners[0], (listener{"PLAINTEXT", "localhost", 9092}));
    EXPECT_EQ(c.controller_quorum_bootstrap_servers, (std::vector<host_port>{{"localhost", 9093}}));
    EXPECT_TRUE(c.controller_quorum_voters.empty());  // a dynamic quorum: Brook's default voter is not added
    EXPECT_EQ(c.log_dirs, (std::vector<std::string>{"/tmp/kraft-combined-logs"}));
    EXPECT_EQ(c.log_retention_ms, 168LL * 3600 * 1000);
    EXPECT_EQ(c.log_segment_bytes, 1073741824);
    EXPECT_EQ(c.find("log.dirs")->source, config_source::static_broker_config);
    EXPECT_EQ(c.find("log.dirs")->line, 39);
}

TEST(broker_config, no_file_is_the_single_node_cluster_of_the_design) {
    // Proves a node started without configuration is DESIGN.md's single-node
    // cluster: node 1, both roles, PLAINTEXT 127.0.0.1:9092 advertised,
    // CONTROLLER 127.0.0.1:9093 as the only voter, data in ./data.
    const broker_config c = default_broker_config();
    EXPECT_EQ(c.node_id, 1);
    EXPECT_TRUE(c.broker_role);
    EXPECT_TRUE(c.controller_role);
    EXPECT_EQ(c.listeners,
              (std::vector<listener>{{"PLAINTEXT", "127.0.0.1", 9092}, {"CONTROLLER", "127.0.0.1", 9093}}));
    EXPECT_EQ(c.advertised_listeners, (std::vector<listener>{{"PLAINTEXT", "127.0.0.1", 9092}}));
    EXPECT_EQ(c.controller_listener_names, (std::vector<std::string>{"CONTROLLER"}));
    EXPECT_EQ(c.inter_broker_listener_name, "PLAINTEXT");
    EXPECT_EQ(c.controller_quorum_voters, (std::vector<quorum_voter>{{1, "127.0.0.1", 9093}}));
    EXPECT_EQ(c.log_dirs, (std::vector<std::string>{"./data"}));
    EXPECT_EQ(c.listener_security_protocol_map.at("CONTROLLER"), "PLAINTEXT");
    EXPECT_EQ(c.listener_security_protocol_map.at("SSL"), "SSL");

    // Kafka's defaults where Brook keeps them, Brook's where it differs.
    EXPECT_EQ(c.num_partitions, 1);
    EXPECT_EQ(c.default_replication_factor, 1);
    EXPECT_EQ(c.min_insync_replicas, 1);
    EXPECT_TRUE(c.auto_create_topics_enable);
    EXPECT_TRUE(c.delete_topic_enable);
    EXPECT_FALSE(c.unclean_leader_election_enable);
    EXPECT_EQ(c.log_retention_ms, 604800000);
    EXPECT_EQ(c.log_retention_bytes, -1);
    EXPECT_EQ(c.log_segment_bytes, 1073741824);
    EXPECT_EQ(c.log_roll_ms, 604800000);
    EXPECT_EQ(c.log_retention_check_interval_ms, 300000);
    EXPECT_EQ(c.log_flush_interval_messages, 1);  // fsync before acks=all is answered
    EXPECT_EQ(c.log_flush_interval_ms, 0);
    EXPECT_EQ(c.log_index_interval_bytes, 4096);
    EXPECT_EQ(c.message_max_bytes, 1048588);
    EXPECT_EQ(c.socket_request_max_bytes, 104857600);
    EXPECT_EQ(c.socket_send_buffer_bytes, 102400);
    EXPECT_EQ(c.connections_max_idle_ms, 600000);
    EXPECT_EQ(c.max_connections, 2147483647);
    EXPECT_EQ(c.queued_max_request_bytes, -1);
    EXPECT_EQ(c.offsets_topic_num_partitions, 50);
    EXPECT_EQ(c.offsets_topic_replication_factor, 1);
    EXPECT_EQ(c.offsets_retention_minutes, 10080);
    EXPECT_EQ(c.group_initial_rebalance_delay_ms, 3000);
    EXPECT_EQ(c.group_min_session_timeout_ms, 6000);
    EXPECT_EQ(c.group_max_session_timeout_ms, 1800000);
    EXPECT_EQ(c.group_max_size, 2147483647);
    EXPECT_EQ(c.transaction_state_log_num_partitions, 50);
    EXPECT_EQ(c.transaction_state_log_replication_factor, 1);
    EXPECT_EQ(c.transaction_state_log_min_isr, 1);
    EXPECT_EQ(c.transactional_id_expiration_ms, 604800000);
    EXPECT_EQ(c.replica_lag_time_max_ms, 30000);
    EXPECT_FALSE(c.broker_rack.has_value());
    EXPECT_EQ(c.compression, compression_type::producer);
    EXPECT_EQ(c.log_message_timestamp_type, timestamp_type::create_time);
    EXPECT_EQ(c.shards, std::max(1U, std::thread::hardware_concurrency()));
    EXPECT_EQ(c.http_listener, (host_port{"127.0.0.1", 8085}));

    for (const described_config& entry : c.entries) {
        EXPECT_EQ(entry.source, config_source::default_config) << entry.name;
        EXPECT_EQ(entry.value, entry.default_value) << entry.name;
    }
}

TEST(broker_config, retention_precedence_is_ms_then_minutes_then_hours) {
    // Proves Kafka's precedence for retention: ms over minutes over hours,
    // and that any negative value means unlimited (-1).
    EXPECT_EQ(parse_ok("log.retention.hours=1").log_retention_ms, 3'600'000);
    EXPECT_EQ(parse_ok("log.retention.hours=1\nlog.retention.minutes=2").log_retention_ms, 120'000);
    EXPECT_EQ(parse_ok("log.retention.hours=1\nlog.retention.minutes=2\nlog.retention.ms=5").log_retention_ms, 5);
    EXPECT_EQ(parse_ok("log.retention.minutes=2\nlog.retention.ms=-1").log_retention_ms, -1);
    EXPECT_EQ(parse_ok("log.retention.hours=-1").log_retention_ms, -1);
    EXPECT_EQ(parse_ok("log.retention.minutes=-1\nlog.retention.hours=5").log_retention_ms, -1);
    const std::string zero = parse_error("log.retention.ms=0");
    EXPECT_NE(zero.find("log.retention.ms=0 (line 1)"), std::string::npos) << zero;
}

TEST(broker_config, roll_precedence_is_ms_then_hours) {
    // Proves log.roll.ms wins over log.roll.hours, and jitter likewise.
    EXPECT_EQ(parse_ok("log.roll.hours=2").log_roll_ms, 7'200'000);
    EXPECT_EQ(parse_ok("log.roll.hours=2\nlog.roll.ms=1000").log_roll_ms, 1000);
    EXPECT_EQ(parse_ok("log.roll.jitter.hours=1").log_roll_jitter_ms, 3'600'000);
    EXPECT_EQ(parse_ok("log.roll.jitter.hours=1\nlog.roll.jitter.ms=7").log_roll_jitter_ms, 7);
}

TEST(broker_config, log_dirs_wins_over_log_dir) {
    // Proves log.dirs overrides log.dir, and is a comma-separated list.
    EXPECT_EQ(parse_ok("log.dir=/a").log_dirs, (std::vector<std::string>{"/a"}));
    EXPECT_EQ(parse_ok("log.dir=/a\nlog.dirs=/b, /c").log_dirs, (std::vector<std::string>{"/b", "/c"}));
}

TEST(broker_config, values_are_trimmed_and_booleans_ignore_case) {
    // Proves typed values are trimmed as Kafka's ConfigDef trims them, and
    // that booleans accept any case.
    const broker_config c = parse_ok("num.partitions = 3   \nauto.create.topics.enable=FALSE\nbroker.rack = r1 \n");
    EXPECT_EQ(c.num_partitions, 3);
    EXPECT_FALSE(c.auto_create_topics_enable);
    EXPECT_EQ(c.broker_rack, "r1");
    EXPECT_EQ(c.find("num.partitions")->value, "3");
    EXPECT_EQ(c.find("auto.create.topics.enable")->value, "false");
}

struct bad_value_case {
    std::string_view text;
    std::string_view expected;  // the whole error, or a part that must appear
};

TEST(broker_config, every_bad_value_names_key_line_and_allowed_values) {
    // Proves a bad value stops parsing with an error naming the key, the
    // value, the line and what is allowed, for every kind of validator.
    const bad_value_case cases[] = {
        {"# comment\n\n\n\n\n\nnum.partitions=abc", "num.partitions=abc (line 7): expected an integer >= 1"},
        {"num.partitions=0", "num.partitions=0 (line 1): expected an integer >= 1"},
        {"num.partitions=2147483648", "num.partitions=2147483648 (line 1): expected an integer >= 1"},
        {"node.id=-1", "node.id=-1 (line 1): expected an integer >= 0"},
        {"node.id=1.5", "node.id=1.5 (line 1): expected an integer >= 0"},
        {"auto.create.topics.enable=yes", "auto.create.topics.enable=yes (line 1): expected true or false"},
        {"log.segment.bytes=13", "log.segment.bytes=13 (line 1): expected an integer >= 14"},
        {"offsets.topic.replication.factor=40000",
         "offsets.topic.replication.factor=40000 (line 1): expected an integer in [1, 32767]"},
        {"compression.type=brotli",
         "compression.type=brotli (line 1): expected one of: uncompressed, zstd, lz4, snappy, gzip, producer"},
        {"log.message.timestamp.type=createtime",
         "log.message.timestamp.type=createtime (line 1): expected one of: CreateTime, LogAppendTime"},
        {"log.cleanup.policy=delete,shred",
         "log.cleanup.policy=delete,shred (line 1): expected a comma-separated list of one or more of: compact, "
         "delete"},
        {"log.cleaner.min.cleanable.ratio=1.5",
         "log.cleaner.min.cleanable.ratio=1.5 (line 1): expected a number in [0, 1]"},
        {"process.roles=broker,observer",
         "process.roles=broker,observer (line 1): expected a comma-separated list of one or more of: broker, "
         "controller"},
        {"process.roles=", "process.roles= (line 1): expected a comma-separated list of one or more of"},
        {"process.roles=broker,broker", "process.roles=broker,broker (line 1): expected each of broker and controller"},
        {"brook.shards=5000", "brook.shards=5000 (line 1): expected an integer in [0, 1024]"},
        {"log.retention.ms=-2", "log.retention.ms=-2 (line 1): expected an integer >= -1"},
        {"listeners=PLAINTEXT://127.0.0.1:99999", "listeners=PLAINTEXT://127.0.0.1:99999 (line 1): "},
        {"listeners=127.0.0.1:9092", "is not NAME://host:port"},
        {"listeners=PLAINTEXT://a:1,PLAINTEXT://b:2,CONTROLLER://c:3", "appears twice"},
        {"controller.quorum.voters=1@localhost", "controller.quorum.voters=1@localhost (line 1): \"1@localhost\" is "
                                                 "not id@host:port"},
        {"controller.quorum.voters=x@localhost:9093", "is not id@host:port"},
        {"controller.quorum.voters=2@127.0.0.1:9093", "not one of the voters"},
        {"controller.listener.names=CTRL", "controller.listener.names=CTRL (line 1): CTRL is not a listener"},
        {"inter.broker.listener.name=INTERNAL", "inter.broker.listener.name=INTERNAL (line 1): INTERNAL is not a "
                                                "listener in listeners"},
        {"advertised.listeners=PLAINTEXT://0.0.0.0:9092", "wildcard address"},
        {"process.roles=broker\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093",
         "listeners=PLAINTEXT://:9092,CONTROLLER://:9093 (line 2): CONTROLLER is a controller listener, but "
         "process.roles is broker only"},
        {"process.roles=controller", "PLAINTEXT is not in controller.listener.names, but process.roles is "
                                     "controller only"},
        {"brook.http.listener=8085", "brook.http.listener=8085 (line 1): expected host:port"},
        {"group.min.session.timeout.ms=10000\ngroup.max.session.timeout.ms=5000",
         "group.max.session.timeout.ms=5000 (line 2): expected at least group.min.session.timeout.ms (10000)"},
        {"log.dirs= , ", "log.dirs=, (line 1): expected one or more directories"},
    };
    for (const bad_value_case& c : cases) {
        const std::string error = parse_error(c.text);
        EXPECT_NE(error.find(c.expected), std::string::npos) << "input: " << c.text << "\nerror: " << error;
    }
}

TEST(broker_config, only_plaintext_listeners_are_served) {
    // Proves a listener mapped to another security protocol is a clear
    // startup error, while unused non-PLAINTEXT entries in the map are fine.
    const std::string error = parse_error(
        "listeners=PLAINTEXT://:9092,SSL://:9094,CONTROLLER://:9093\n"
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT\n");
    EXPECT_EQ(error,
              "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT (line 2): listener SSL "
              "uses SSL, but Brook serves only PLAINTEXT listeners for now");
    EXPECT_NE(parse_error("listeners=INTERNAL://:9092,CONTROLLER://:9093\ninter.broker.listener.name=INTERNAL")
                  .find("listener INTERNAL has no security protocol"),
              std::string::npos);
    const broker_config c = parse_ok(
        "listeners=INTERNAL://:9092,CONTROLLER://:9093\ninter.broker.listener.name=INTERNAL\n"
        "listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:SASL_SSL\n");
    EXPECT_EQ(c.inter_broker_listener_name, "INTERNAL");
    EXPECT_EQ(c.advertised_listeners, (std::vector<listener>{{"INTERNAL", "", 9092}}));
}

TEST(broker_config, listeners_accept_ipv6_and_empty_hosts) {
    // Proves listener addresses in Kafka's forms: bracketed IPv6, an empty host
    // for every interface, and a hostname.
    const broker_config c = parse_ok("listeners=PLAINTEXT://[::1]:9092,CONTROLLER://:9093\n");
    EXPECT_EQ(c.listeners[0], (listener{"PLAINTEXT", "::1", 9092}));
    EXPECT_EQ(c.listeners[0].to_string(), "PLAINTEXT://[::1]:9092");
    EXPECT_EQ(c.listeners[1], (listener{"CONTROLLER", "", 9093}));
}

TEST(broker_config, broker_only_and_controller_only_roles) {
    // Proves the role split: a broker-only node needs no controller listener
    // of its own, and a controller-only node needs no PLAINTEXT listener.
    const broker_config broker = parse_ok(
        "process.roles=broker\nnode.id=2\nlisteners=PLAINTEXT://127.0.0.1:9192\n"
        "controller.quorum.voters=1@127.0.0.1:9093\n");
    EXPECT_TRUE(broker.broker_role);
    EXPECT_FALSE(broker.controller_role);
    const broker_config controller = parse_ok(
        "process.roles=controller\nnode.id=1\nlisteners=CONTROLLER://127.0.0.1:9093\n");
    EXPECT_FALSE(controller.broker_role);
    EXPECT_TRUE(controller.controller_role);
    EXPECT_TRUE(controller.advertised_listeners.empty());
}

TEST(broker_config, unknown_keys_warned_ignored_keys_reported_duplicates_reported) {
    // Proves the three issue kinds: a Kafka key Brook does not use is
    // "ignored", a key nobody defines is "unknown", a key set twice is a
    // "duplicate"; each names the key and its line, and none stops startup.
    const auto parsed = parse(
        "num.network.threads=3\n"
        "ssl.keystore.location=/x\n"
        "zookeeper.connect=localhost:2181\n"
        "num.partitoins=3\n"
        "num.partitions=2\n"
        "num.partitions=4\n"
        "brook.shard=2\n");
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_EQ(parsed->num_partitions, 4);
    const auto& issues = parsed.issues();
    ASSERT_EQ(issues.size(), 6U);
    const auto expect_issue = [&](std::size_t i, config_issue::kind what, std::string_view key, int line) {
        EXPECT_EQ(issues[i].what, what) << i;
        EXPECT_EQ(issues[i].key, key) << i;
        EXPECT_EQ(issues[i].line, line) << i;
        EXPECT_NE(issues[i].message.find(key), std::string::npos) << issues[i].message;
    };
    expect_issue(0, config_issue::ignored, "num.network.threads", 1);
    expect_issue(1, config_issue::ignored, "ssl.keystore.location", 2);
    expect_issue(2, config_issue::ignored, "zookeeper.connect", 3);
    expect_issue(3, config_issue::unknown, "num.partitoins", 4);
    expect_issue(4, config_issue::duplicate, "num.partitions", 6);
    expect_issue(5, config_issue::unknown, "brook.shard", 7);
}

TEST(broker_config, describe_entries_carry_source_line_and_synonyms) {
    // Proves the describe list has every honoured key once, that a key from
    // the file is STATIC_BROKER_CONFIG with its line and the default as a
    // synonym, and that dynamic keys are not read-only.
    const broker_config c = parse_ok("\nnum.partitions=6\n");
    EXPECT_EQ(c.entries.size(), broker_config_keys().size());
    const described_config* partitions = c.find("num.partitions");
    ASSERT_NE(partitions, nullptr);
    EXPECT_EQ(partitions->value, "6");
    EXPECT_EQ(partitions->default_value, "1");
    EXPECT_EQ(partitions->source, config_source::static_broker_config);
    EXPECT_EQ(partitions->line, 2);
    EXPECT_EQ(partitions->type, config_type::int32);
    EXPECT_TRUE(partitions->read_only);
    EXPECT_FALSE(partitions->is_sensitive);
    ASSERT_EQ(partitions->synonyms.size(), 2U);
    EXPECT_EQ(partitions->synonyms[0].source, config_source::static_broker_config);
    EXPECT_EQ(partitions->synonyms[1].value, "1");
    EXPECT_EQ(partitions->synonyms[1].source, config_source::default_config);
    // Brook changes no broker config at runtime, so even keys Kafka could
    // change dynamically are read-only to clients.
    EXPECT_TRUE(c.find("log.retention.ms")->read_only);
    EXPECT_FALSE(c.find("log.retention.ms")->value.has_value());  // null unless set
    EXPECT_EQ(c.find("no.such.key"), nullptr);
}

TEST(broker_config, key_table_is_complete_and_documented) {
    // Proves every honoured key has a unique name, a doc, a description of its
    // allowed values, and that the keys the design names are all there.
    std::set<std::string_view> names;
    for (const config_key& key : broker_config_keys()) {
        EXPECT_TRUE(names.insert(key.name).second) << "duplicate key " << key.name;
        EXPECT_FALSE(key.doc.empty()) << key.name;
        EXPECT_FALSE(key.allowed.empty()) << key.name;
        EXPECT_FALSE(is_ignored_kafka_key(key.name) && key.name.find("log.cleaner.") != 0 &&
                     key.name.find("controller.quorum.") != 0)
            << key.name << " is both honoured and ignored";
    }
    EXPECT_TRUE(is_ignored_kafka_key("num.io.threads"));
    EXPECT_TRUE(is_ignored_kafka_key("sasl.enabled.mechanisms"));
    EXPECT_FALSE(is_ignored_kafka_key("no.such.key"));
    EXPECT_FALSE(is_ignored_kafka_key(""));
    for (const std::string_view required :
         {"node.id", "process.roles", "listeners", "advertised.listeners", "controller.listener.names",
          "listener.security.protocol.map", "inter.broker.listener.name", "controller.quorum.voters", "log.dirs",
          "log.dir", "num.partitions", "default.replication.factor", "min.insync.replicas",
          "auto.create.topics.enable", "delete.topic.enable", "log.retention.ms", "log.retention.minutes",
          "log.retention.hours", "log.retention.bytes", "log.segment.bytes", "log.roll.ms", "log.roll.hours",
          "log.retention.check.interval.ms", "log.flush.interval.messages", "log.flush.interval.ms",
          "log.index.interval.bytes", "message.max.bytes", "socket.request.max.bytes", "socket.send.buffer.bytes",
          "socket.receive.buffer.bytes", "connections.max.idle.ms", "max.connections", "queued.max.request.bytes",
          "offsets.topic.num.partitions", "offsets.topic.replication.factor", "offsets.retention.minutes",
          "group.initial.rebalance.delay.ms", "group.min.session.timeout.ms", "group.max.session.timeout.ms",
          "group.max.size", "transaction.state.log.num.partitions", "transaction.state.log.replication.factor",
          "transaction.state.log.min.isr", "transactional.id.expiration.ms", "replica.lag.time.max.ms",
          "unclean.leader.election.enable", "broker.rack", "compression.type", "log.message.timestamp.type",
          "brook.shards", "brook.http.listener"}) {
        EXPECT_NE(find_broker_config_key(required), nullptr) << required;
    }
}

TEST(broker_config, reference_markdown_lists_every_key) {
    // Proves the generated README table has a header and one row per key.
    const std::string markdown = configuration_reference_markdown();
    std::size_t rows = 0;
    for (char ch : markdown) {
        rows += ch == '\n' ? 1 : 0;
    }
    EXPECT_EQ(rows, broker_config_keys().size() + 2);
    EXPECT_NE(markdown.find("| `num.partitions` | int | `1` | an integer >= 1 | no |"), std::string::npos)
        << markdown;
    EXPECT_NE(markdown.find("| `broker.rack` | string | null |"), std::string::npos);
}

}  // namespace
}  // namespace brook::config
