#include "brook/config/broker_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <iterator>
#include <limits>
#include <set>
#include <thread>
#include <utility>

#include "value.h"

namespace brook::config {
namespace {

using detail::definition;
using detail::int32_max;
using detail::int64_max;
using detail::list_value;
using detail::typed_value;

constexpr std::int64_t no_min = std::numeric_limits<std::int64_t>::min();

constexpr std::array<std::string_view, 2> process_role_choices{"broker", "controller"};
constexpr std::array<std::string_view, 6> compression_choices{"uncompressed", "zstd", "lz4", "snappy", "gzip",
                                                              "producer"};
constexpr std::array<std::string_view, 2> timestamp_type_choices{"CreateTime", "LogAppendTime"};
constexpr std::array<std::string_view, 2> cleanup_policy_choices{"compact", "delete"};

definition boolean_key(std::string_view name, std::string_view default_value, bool dynamic, std::string_view doc) {
    return definition{.name = name, .type = config_type::boolean, .default_value = default_value,
                      .dynamic = dynamic, .doc = doc};
}

definition number_key(config_type type, std::string_view name, std::optional<std::string_view> default_value,
                      std::int64_t min, std::int64_t max, bool dynamic, std::string_view doc) {
    return definition{.name = name, .type = type, .default_value = default_value, .min = min, .max = max,
                      .dynamic = dynamic, .doc = doc};
}

definition int_key(std::string_view name, std::optional<std::string_view> default_value, std::int64_t min,
                   bool dynamic, std::string_view doc) {
    return number_key(config_type::int32, name, default_value, min, int64_max, dynamic, doc);
}

definition short_key(std::string_view name, std::optional<std::string_view> default_value, std::int64_t min,
                     bool dynamic, std::string_view doc) {
    return number_key(config_type::int16, name, default_value, min, int64_max, dynamic, doc);
}

definition long_key(std::string_view name, std::optional<std::string_view> default_value, std::int64_t min,
                    bool dynamic, std::string_view doc) {
    return number_key(config_type::int64, name, default_value, min, int64_max, dynamic, doc);
}

definition string_key(std::string_view name, std::optional<std::string_view> default_value,
                      std::span<const std::string_view> choices, std::string_view allowed_text, bool dynamic,
                      std::string_view doc) {
    return definition{.name = name, .type = config_type::string, .default_value = default_value,
                      .choices = choices, .allowed_text = allowed_text, .dynamic = dynamic, .doc = doc};
}

definition list_key(std::string_view name, std::optional<std::string_view> default_value,
                    std::span<const std::string_view> choices, bool non_empty, std::string_view allowed_text,
                    bool dynamic, std::string_view doc) {
    return definition{.name = name, .type = config_type::list, .default_value = default_value, .choices = choices,
                      .non_empty_list = non_empty, .allowed_text = allowed_text, .dynamic = dynamic, .doc = doc};
}

constexpr bool read_only = false;
constexpr bool dynamic = true;

// The table of every key Brook honours. Kafka's name, type, default and
// validator; our own one-line docs. "dynamic" marks keys Kafka lets change at
// runtime (DescribeConfigs reports the others read-only).
const std::vector<definition>& table() {
    static const std::vector<definition> keys{
        // Identity and roles.
        int_key("node.id", "1", 0, read_only,
                "This node's id, unique in the cluster. Brook defaults to 1 so a bare start is a single-node cluster."),
        list_key("process.roles", "broker,controller", process_role_choices, true, {}, read_only,
                 "The roles this node plays: broker, controller, or both (Brook's default)."),
        string_key("broker.rack", std::nullopt, {}, {}, read_only,
                   "The rack or availability zone of this broker, for rack-aware replica placement."),

        // Listeners and the controller quorum.
        string_key("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093", {},
                   "a comma-separated list of NAME://host:port with unique names", read_only,
                   "The sockets this node listens on, as NAME://host:port; an empty host means every interface."),
        string_key("advertised.listeners", std::nullopt, {},
                   "a comma-separated list of NAME://host:port with unique names and a concrete host", read_only,
                   "The addresses clients are given for this node; by default the non-controller listeners."),
        string_key("controller.listener.names", "CONTROLLER", {}, "a comma-separated list of listener names", read_only,
                   "The listeners the controller quorum uses; the first is the one brokers connect to."),
        string_key("listener.security.protocol.map",
                   "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                   {}, "a comma-separated list of LISTENER:PROTOCOL; Brook serves only PLAINTEXT listeners", read_only,
                   "The security protocol of each listener name. Brook serves PLAINTEXT only, for now."),
        string_key("inter.broker.listener.name", std::nullopt, {}, "the name of a listener in listeners", read_only,
                   "The listener other brokers use to reach this one; by default the one named PLAINTEXT."),
        list_key("controller.quorum.voters", "1@127.0.0.1:9093", {}, false, "a comma-separated list of id@host:port",
                 read_only,
                 "The static controller quorum as id@host:port; Brook defaults to node 1 on 127.0.0.1:9093."),
        list_key("controller.quorum.bootstrap.servers", "", {}, false, "a comma-separated list of host:port", read_only,
                 "Controllers to contact first when the quorum is dynamic (host:port)."),

        // Storage.
        string_key("log.dirs", std::nullopt, {}, "a comma-separated list of directories", read_only,
                   "Directories holding partition data; overrides log.dir when set."),
        string_key("log.dir", "./data", {}, "a directory", read_only,
                   "The data directory when log.dirs is not set. Brook defaults to ./data."),
        long_key("log.retention.ms", std::nullopt, -1, dynamic,
                 "How long to keep a log segment; -1 keeps it forever. Wins over minutes and hours."),
        int_key("log.retention.minutes", std::nullopt, -1, dynamic,
                "Retention in minutes, used when log.retention.ms is not set."),
        int_key("log.retention.hours", "168", -1, dynamic,
                "Retention in hours, used when neither log.retention.ms nor log.retention.minutes is set."),
        long_key("log.retention.bytes", "-1", no_min, dynamic,
                 "The size a partition's log may reach before old segments are deleted; -1 for no limit."),
        number_key(config_type::int32, "log.segment.bytes", "1073741824", 14, int64_max, dynamic,
                   "The size at which a new log segment is started."),
        long_key("log.roll.ms", std::nullopt, 1, dynamic,
                 "The age at which a new segment is started even if not full. Wins over log.roll.hours."),
        int_key("log.roll.hours", "168", 1, dynamic, "Segment age limit in hours, used when log.roll.ms is not set."),
        long_key("log.roll.jitter.ms", std::nullopt, 0, dynamic,
                 "The most random time subtracted from the roll age, to avoid rolling everything at once."),
        int_key("log.roll.jitter.hours", "0", 0, dynamic,
                "Roll jitter in hours, used when log.roll.jitter.ms is not set."),
        int_key("log.index.size.max.bytes", "10485760", 4, dynamic, "The largest offset index a segment may have."),
        int_key("log.index.interval.bytes", "4096", 0, dynamic,
                "How many bytes of batches go between two offset index entries."),
        long_key("log.retention.check.interval.ms", "300000", 1, read_only,
                 "How often the retention limits are checked."),
        long_key("log.flush.interval.messages", "1", 1, dynamic,
                 "Messages appended before a forced fsync. Brook's default 1 fsyncs before acknowledging acks=all "
                 "(Kafka leaves flushing to the OS)."),
        long_key("log.flush.interval.ms", "0", 0, dynamic,
                 "The most time data may wait for an fsync. Brook's default 0 means no waiting (Kafka: none forced)."),
        long_key("log.segment.delete.delay.ms", "60000", 0, dynamic,
                 "How long a segment removed from the log is kept on disk before its files are deleted."),
        boolean_key("log.preallocate", "false", dynamic, "Whether new segment files are preallocated to full size."),
        list_key("log.cleanup.policy", "delete", cleanup_policy_choices, true, {}, dynamic,
                 "The default cleanup policy: delete old segments, compact by key, or both."),
        long_key("log.cleaner.delete.retention.ms", "86400000", 0, dynamic,
                 "How long delete markers are kept in compacted topics."),
        long_key("log.cleaner.min.compaction.lag.ms", "0", 0, dynamic, "The least time a message stays uncompacted."),
        long_key("log.cleaner.max.compaction.lag.ms", "9223372036854775807", 1, dynamic,
                 "The most time a message may stay uncompacted."),
        definition{.name = "log.cleaner.min.cleanable.ratio",
                   .type = config_type::float64,
                   .default_value = "0.5",
                   .min_double = 0.0,
                   .max_double = 1.0,
                   .dynamic = dynamic,
                   .doc = "The share of a log that must be uncompacted before it is compacted."},
        string_key("log.message.timestamp.type", "CreateTime", timestamp_type_choices, {}, dynamic,
                   "Whether a record's timestamp is the producer's (CreateTime) or the broker's (LogAppendTime)."),
        long_key("log.message.timestamp.before.max.ms", "9223372036854775807", 0, dynamic,
                 "How far in the past a CreateTime timestamp may be before the batch is rejected."),
        long_key("log.message.timestamp.after.max.ms", "3600000", 0, dynamic,
                 "How far in the future a CreateTime timestamp may be before the batch is rejected."),
        string_key("compression.type", "producer", compression_choices, {}, dynamic,
                   "The compression of stored batches; producer keeps whatever the producer used."),

        // Topics and replication.
        int_key("num.partitions", "1", 1, read_only, "The partition count of automatically created topics."),
        int_key("default.replication.factor", "1", 1, read_only,
                "The replication factor of automatically created topics."),
        int_key("min.insync.replicas", "1", 1, dynamic,
                "The fewest in-sync replicas that must have a write before an acks=all produce succeeds."),
        boolean_key("auto.create.topics.enable", "true", read_only,
                    "Whether metadata requests for an unknown topic create it."),
        boolean_key("delete.topic.enable", "true", read_only, "Whether topics can be deleted."),
        boolean_key("unclean.leader.election.enable", "false", dynamic,
                    "Whether a replica outside the ISR may become leader, at the cost of losing data."),
        int_key("message.max.bytes", "1048588", 0, dynamic, "The largest record batch a topic accepts, in bytes."),
        long_key("replica.lag.time.max.ms", "30000", 0, read_only,
                 "How long a follower may go without catching up before it leaves the ISR."),

        // Network limits.
        int_key("socket.request.max.bytes", "104857600", 1, read_only, "The largest request frame accepted."),
        int_key("socket.send.buffer.bytes", "102400", -1, read_only,
                "SO_SNDBUF of client sockets; -1 keeps the operating system's default."),
        int_key("socket.receive.buffer.bytes", "102400", -1, read_only,
                "SO_RCVBUF of client sockets; -1 keeps the operating system's default."),
        long_key("connections.max.idle.ms", "600000", no_min, read_only,
                 "Idle client connections are closed after this long."),
        int_key("max.connections", "2147483647", 0, dynamic, "The most client connections this broker accepts."),
        long_key("queued.max.request.bytes", "-1", -1, read_only,
                 "The most bytes of requests read but not yet answered; -1 for no limit."),
        int_key("max.incremental.fetch.session.cache.slots", "1000", 0, read_only,
                "The most incremental fetch sessions (KIP-227) this broker keeps; 0 turns sessions off."),

        // Group coordinator.
        int_key("offsets.topic.num.partitions", "50", 1, read_only, "The partition count of __consumer_offsets."),
        short_key("offsets.topic.replication.factor", "1", 1, read_only,
                  "The replication factor of __consumer_offsets. Brook defaults to 1 (Kafka: 3) for single nodes."),
        int_key("offsets.retention.minutes", "10080", 1, read_only,
                "How long committed offsets of an empty group are kept."),
        int_key("group.initial.rebalance.delay.ms", "3000", 0, read_only,
                "How long the first rebalance of a new group waits for more members."),
        int_key("group.min.session.timeout.ms", "6000", 0, read_only,
                "The shortest session timeout a member may ask for."),
        int_key("group.max.session.timeout.ms", "1800000", 0, read_only,
                "The longest session timeout a member may ask for."),
        int_key("group.max.size", "2147483647", 1, read_only, "The most members one consumer group may have."),
        int_key("offset.metadata.max.bytes", "4096", 0, read_only,
                "The longest metadata string an offset commit may carry."),
        long_key("offsets.retention.check.interval.ms", "600000", 1, read_only,
                 "How often the coordinator looks for expired offsets."),

        // Transaction coordinator.
        int_key("transaction.state.log.num.partitions", "50", 1, read_only,
                "The partition count of __transaction_state."),
        short_key("transaction.state.log.replication.factor", "1", 1, read_only,
                  "The replication factor of __transaction_state. Brook defaults to 1 (Kafka: 3)."),
        int_key("transaction.state.log.min.isr", "1", 1, read_only,
                "min.insync.replicas of __transaction_state. Brook defaults to 1 (Kafka: 2)."),
        int_key("transactional.id.expiration.ms", "604800000", 1, dynamic,
                "How long a transactional id may go unused before its state is dropped."),
        int_key("transaction.max.timeout.ms", "900000", 1, read_only,
                "The longest transaction timeout a producer may ask for."),

        // Brook's own keys.
        number_key(config_type::int32, "brook.shards", "0", 0, 1024, read_only,
                   "Brook: threads (shards), each owning its partitions and connections; 0 = one per hardware thread."),
        string_key("brook.http.listener", "127.0.0.1:8085", {}, "host:port", read_only,
                   "Brook: the HTTP address of /metrics and the admin API (8085 is not a port Kafka uses)."),
    };
    return keys;
}

std::optional<std::size_t> index_of(std::string_view name) noexcept {
    const auto& keys = table();
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].name == name) {
            return i;
        }
    }
    return std::nullopt;
}

// Kafka keys Brook accepts without using them: exact names and prefixes.
constexpr std::string_view ignored_names[]{
    "alter.config.policy.class.name", "authorizer.class.name", "auto.include.jmx.reporter",
    "auto.leader.rebalance.enable", "background.threads", "broker.heartbeat.interval.ms", "broker.id",
    "broker.id.generation.enable", "broker.session.timeout.ms", "client.quota.callback.class",
    "compression.gzip.level", "compression.lz4.level", "compression.zstd.level", "config.providers",
    "connection.failed.authentication.delay.ms", "connections.max.reauth.ms", "create.topic.policy.class.name",
    "delete.records.purgatory.purge.interval.requests", "early.start.listeners", "eligible.leader.replicas.enable",
    "fetch.max.bytes", "fetch.purgatory.purge.interval.requests", "initial.broker.registration.timeout.ms",
    "inter.broker.protocol.version", "log.dir.failure.timeout.ms", "log.flush.offset.checkpoint.interval.ms",
    "log.flush.scheduler.interval.ms", "log.flush.start.offset.checkpoint.interval.ms", "log.initial.task.delay.ms",
    "log.message.downconversion.enable", "log.message.format.version",
    "log.message.timestamp.difference.max.ms", "max.connection.creation.rate",
    "max.connections.per.ip", "max.connections.per.ip.overrides", "metadata.log.dir", "metric.reporters", "num.io.threads", "num.network.threads",
    "num.recovery.threads.per.data.dir", "num.replica.alter.log.dirs.threads", "num.replica.fetchers",
    "offsets.commit.timeout.ms", "offsets.load.buffer.size",
    "offsets.topic.compression.codec", "offsets.topic.segment.bytes",
    "principal.builder.class", "producer.id.expiration.check.interval.ms", "producer.id.expiration.ms",
    "producer.purgatory.purge.interval.requests", "queued.max.requests", "request.timeout.ms",
    "reserved.broker.max.id", "security.inter.broker.protocol", "security.providers", "server.max.startup.time.ms",
    "socket.listen.backlog.size", "super.users", "allow.everyone.if.no.acl.found", "telemetry.max.bytes",
    "transaction.abort.timed.out.transaction.cleanup.interval.ms", "transaction.partition.verification.enable",
    "transaction.remove.expired.transaction.cleanup.interval.ms", "transaction.state.log.load.buffer.size",
    "transaction.state.log.segment.bytes", "unstable.api.versions.enable", "unstable.feature.versions.enable",
    "replica.high.watermark.checkpoint.interval.ms", "replica.selector.class",
};

constexpr std::string_view ignored_prefixes[]{
    "controller.quorum.",
    "controlled.shutdown.",
    "delegation.token.",
    "group.consumer.",
    "group.coordinator.",
    "group.share.",
    "kafka.metrics.",
    "leader.imbalance.",
    "listener.name.",
    "log.cleaner.",
    "log.local.retention.",
    "metadata.",
    "metrics.",
    "password.encoder.",
    "quota.",
    "remote.log.",
    "replica.fetch.",
    "replica.socket.",
    "replication.quota.",
    "sasl.",
    "share.coordinator.",
    "socket.connection.setup.timeout.",
    "ssl.",
    "zookeeper.",
    "alter.log.dirs.replication.quota.",
};

// The parsed values of the table, one per key, with their provenance.
struct parsed_key {
    typed_value value;
    config_source source = config_source::default_config;
    int line = 0;
};

// Resolves the typed values into broker_config and checks the formats and
// relations the per-key validators cannot see. Owns the typed values of one
// parse; parse_broker_config makes one per call, on the startup thread.
class resolver {
public:
    explicit resolver(std::vector<parsed_key> values) : values_(std::move(values)) {}

    std::optional<std::string> resolve(broker_config& config);

private:
    const parsed_key& at(std::string_view name) const {
        const auto index = index_of(name);
        BROOK_ASSERT(index.has_value(), "the resolver reads a key missing from the table");
        return values_[*index];
    }
    bool is_set(std::string_view name) const { return !std::holds_alternative<detail::null_value>(at(name).value); }
    bool from_file(std::string_view name) const { return at(name).source == config_source::static_broker_config; }
    bool boolean(std::string_view name) const { return std::get<bool>(at(name).value); }
    std::int64_t integer(std::string_view name) const { return std::get<std::int64_t>(at(name).value); }
    template <typename T>
    T narrow(std::string_view name) const {
        return static_cast<T>(integer(name));  // the validator kept it within T's range
    }
    double float64(std::string_view name) const { return std::get<double>(at(name).value); }
    const std::string& string(std::string_view name) const { return std::get<std::string>(at(name).value); }
    const list_value& list(std::string_view name) const { return std::get<list_value>(at(name).value); }

    // "key=value (line N): expected ..." for the key's current value.
    std::string error(std::string_view name, std::string_view expected) const {
        const parsed_key& entry = at(name);
        const std::string text = detail::to_text(entry.value).value_or("null");
        if (entry.line > 0) {
            return fmt::format("{}={} (line {}): {}", name, text, entry.line, expected);
        }
        return fmt::format("{}={}{}: {}", name, text,
                           entry.source == config_source::default_config ? " (default)" : "", expected);
    }

    std::optional<std::string> parse_listeners(std::string_view name, std::vector<listener>& out) const;
    std::optional<std::string> resolve_listeners(broker_config& c) const;
    std::optional<std::string> resolve_quorum(broker_config& c) const;
    std::optional<std::string> resolve_storage(broker_config& c) const;
    std::optional<std::string> resolve_services(broker_config& c) const;
    void fill_entries(broker_config& c) const;

    std::vector<parsed_key> values_;
};

std::optional<std::uint16_t> parse_port(std::string_view text) {
    int port = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || port < 0 || port > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(port);
}

// host:port, where an IPv6 host is in brackets; the host may be empty.
std::optional<host_port> parse_host_port(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view host = text.substr(0, colon);
    const auto port = parse_port(text.substr(colon + 1));
    if (!port) {
        return std::nullopt;
    }
    if (!host.empty() && host.front() == '[') {
        if (host.size() < 2 || host.back() != ']') {
            return std::nullopt;
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // an IPv6 address needs brackets
    }
    const bool valid_host = std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == ':' || c == '%';
    });
    if (!valid_host) {
        return std::nullopt;
    }
    return host_port{std::string(host), *port};
}

std::optional<std::string> resolver::parse_listeners(std::string_view name, std::vector<listener>& out) const {
    std::set<std::string, std::less<>> names;
    for (const std::string& item : detail::split_list(string(name))) {
        const auto scheme = item.find("://");
        if (scheme == std::string::npos || scheme == 0) {
            return error(name, fmt::format("\"{}\" is not NAME://host:port", item));
        }
        const auto address = parse_host_port(std::string_view(item).substr(scheme + 3));
        if (!address) {
            return error(name, fmt::format("\"{}\" is not NAME://host:port with a port in [0, 65535]", item));
        }
        std::string listener_name = item.substr(0, scheme);
        std::transform(listener_name.begin(), listener_name.end(), listener_name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        if (!names.insert(listener_name).second) {
            return error(name, fmt::format("listener name {} appears twice; each listener needs its own name",
                                           listener_name));
        }
        out.push_back(listener{std::move(listener_name), address->host, address->port});
    }
    return std::nullopt;
}

std::optional<std::string> resolver::resolve(broker_config& c) {
    for (const auto step : {&resolver::resolve_listeners, &resolver::resolve_quorum, &resolver::resolve_storage,
                            &resolver::resolve_services}) {
        if (auto failure = (this->*step)(c)) {
            return failure;
        }
    }
    fill_entries(c);
    return std::nullopt;
}

// Roles, listeners, their security protocols and the inter-broker listener.
std::optional<std::string> resolver::resolve_listeners(broker_config& c) const {
    c.node_id = narrow<std::int32_t>("node.id");
    const list_value& roles = list("process.roles");
    c.broker_role = std::find(roles.begin(), roles.end(), "broker") != roles.end();
    c.controller_role = std::find(roles.begin(), roles.end(), "controller") != roles.end();
    if (roles.size() != static_cast<std::size_t>(c.broker_role) + static_cast<std::size_t>(c.controller_role)) {
        return error("process.roles", "expected each of broker and controller at most once");
    }
    if (is_set("broker.rack")) {
        c.broker_rack = string("broker.rack");
    }

    // Listeners.
    if (auto failure = parse_listeners("listeners", c.listeners)) {
        return failure;
    }
    if (c.listeners.empty()) {
        return error("listeners", "expected at least one listener");
    }
    for (std::string item : detail::split_list(string("controller.listener.names"))) {
        std::transform(item.begin(), item.end(), item.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        c.controller_listener_names.push_back(std::move(item));
    }
    const auto is_controller_listener = [&](const listener& l) {
        return std::find(c.controller_listener_names.begin(), c.controller_listener_names.end(), l.name) !=
               c.controller_listener_names.end();
    };
    const auto has_listener = [&](std::string_view listener_name) {
        return std::any_of(c.listeners.begin(), c.listeners.end(),
                           [&](const listener& l) { return l.name == listener_name; });
    };
    if (c.controller_role) {
        if (c.controller_listener_names.empty()) {
            return error("controller.listener.names", "expected at least one name when process.roles has controller");
        }
        for (const std::string& listener_name : c.controller_listener_names) {
            if (!has_listener(listener_name)) {
                return error("controller.listener.names",
                             fmt::format("{} is not a listener in listeners", listener_name));
            }
        }
    }
    // Kafka's KRaft rules: a broker-only node does not serve the controller
    // listener, and a controller-only node serves nothing else.
    if (c.broker_role && !c.controller_role) {
        for (const listener& l : c.listeners) {
            if (is_controller_listener(l)) {
                return error("listeners", fmt::format("{} is a controller listener, but process.roles is broker only",
                                                      l.name));
            }
        }
    }
    if (c.controller_role && !c.broker_role) {
        for (const listener& l : c.listeners) {
            if (!is_controller_listener(l)) {
                return error("listeners",
                             fmt::format("{} is not in controller.listener.names, but process.roles is controller only",
                                         l.name));
            }
        }
    }
    if (is_set("advertised.listeners")) {
        if (auto failure = parse_listeners("advertised.listeners", c.advertised_listeners)) {
            return failure;
        }
        for (const listener& l : c.advertised_listeners) {
            if (l.host == "0.0.0.0" || l.host == "::") {
                return error("advertised.listeners",
                             fmt::format("{} advertises a wildcard address; expected a concrete host", l.to_string()));
            }
        }
    } else {
        for (const listener& l : c.listeners) {
            if (!is_controller_listener(l)) {
                c.advertised_listeners.push_back(l);
            }
        }
    }

    for (const std::string& item : detail::split_list(string("listener.security.protocol.map"))) {
        const auto colon = item.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
            return error("listener.security.protocol.map", fmt::format("\"{}\" is not LISTENER:PROTOCOL", item));
        }
        std::string key = item.substr(0, colon);
        std::string protocol = item.substr(colon + 1);
        for (std::string* part : {&key, &protocol}) {
            std::transform(part->begin(), part->end(), part->begin(),
                           [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        }
        static constexpr std::array<std::string_view, 4> protocols{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"};
        if (std::find(protocols.begin(), protocols.end(), protocol) == protocols.end()) {
            return error("listener.security.protocol.map",
                         fmt::format("{} is not a security protocol; expected one of: PLAINTEXT, SSL, "
                                     "SASL_PLAINTEXT, SASL_SSL",
                                     protocol));
        }
        if (!c.listener_security_protocol_map.emplace(std::move(key), std::move(protocol)).second) {
            return error("listener.security.protocol.map",
                         fmt::format("listener {} is mapped twice", item.substr(0, colon)));
        }
    }
    for (const listener& l : c.listeners) {
        const auto protocol = c.listener_security_protocol_map.find(l.name);
        if (protocol == c.listener_security_protocol_map.end()) {
            return error("listener.security.protocol.map",
                         fmt::format("listener {} has no security protocol; add {}:PLAINTEXT", l.name, l.name));
        }
        if (protocol->second != "PLAINTEXT") {
            return error("listener.security.protocol.map",
                         fmt::format("listener {} uses {}, but Brook serves only PLAINTEXT listeners for now", l.name,
                                     protocol->second));
        }
    }

    c.inter_broker_listener_name = is_set("inter.broker.listener.name") ? string("inter.broker.listener.name")
                                                                         : std::string("PLAINTEXT");
    std::transform(c.inter_broker_listener_name.begin(), c.inter_broker_listener_name.end(),
                   c.inter_broker_listener_name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (c.broker_role) {
        if (!has_listener(c.inter_broker_listener_name)) {
            return error("inter.broker.listener.name",
                         fmt::format("{} is not a listener in listeners", c.inter_broker_listener_name));
        }
        if (std::find(c.controller_listener_names.begin(), c.controller_listener_names.end(),
                      c.inter_broker_listener_name) != c.controller_listener_names.end()) {
            return error("inter.broker.listener.name",
                         fmt::format("{} is a controller listener; brokers need a listener of their own",
                                     c.inter_broker_listener_name));
        }
    }

    return std::nullopt;
}

// The controller quorum: static voters or dynamic bootstrap servers.
std::optional<std::string> resolver::resolve_quorum(broker_config& c) const {
    // A file naming bootstrap servers but no voters asks for a dynamic
    // quorum; Brook's single-voter default must not sneak in.
    const bool dynamic_quorum =
        from_file("controller.quorum.bootstrap.servers") && !from_file("controller.quorum.voters");
    std::set<std::int32_t> voter_ids;
    for (const std::string& item : dynamic_quorum ? list_value() : list("controller.quorum.voters")) {
        const auto at_sign = item.find('@');
        std::int32_t id = -1;
        const auto [end, failed] =
            std::from_chars(item.data(), item.data() + (at_sign == std::string::npos ? 0 : at_sign), id);
        const auto address = at_sign == std::string::npos ? std::nullopt
                                                          : parse_host_port(std::string_view(item).substr(at_sign + 1));
        if (at_sign == std::string::npos || at_sign == 0 || failed != std::errc() || end != item.data() + at_sign ||
            id < 0 || !address || address->host.empty()) {
            return error("controller.quorum.voters", fmt::format("\"{}\" is not id@host:port", item));
        }
        if (!voter_ids.insert(id).second) {
            return error("controller.quorum.voters", fmt::format("voter id {} appears twice", id));
        }
        c.controller_quorum_voters.push_back(quorum_voter{id, address->host, address->port});
    }
    for (const std::string& item : list("controller.quorum.bootstrap.servers")) {
        const auto address = parse_host_port(item);
        if (!address || address->host.empty()) {
            return error("controller.quorum.bootstrap.servers", fmt::format("\"{}\" is not host:port", item));
        }
        c.controller_quorum_bootstrap_servers.push_back(*address);
    }
    if (c.controller_quorum_voters.empty() && c.controller_quorum_bootstrap_servers.empty()) {
        return error("controller.quorum.voters", "expected voters, or controller.quorum.bootstrap.servers to be set");
    }
    if (c.controller_role && !c.controller_quorum_voters.empty() && !voter_ids.contains(c.node_id)) {
        return error("controller.quorum.voters",
                     fmt::format("this node (node.id {}) is a controller but not one of the voters", c.node_id));
    }

    return std::nullopt;
}

// Data directories and the broker-wide defaults of topic configs.
std::optional<std::string> resolver::resolve_storage(broker_config& c) const {
    // Storage: log.dirs wins over log.dir.
    const std::string_view dirs_key = is_set("log.dirs") ? "log.dirs" : "log.dir";
    c.log_dirs = detail::split_list(string(dirs_key));
    if (c.log_dirs.empty() || std::any_of(c.log_dirs.begin(), c.log_dirs.end(),
                                          [](const std::string& dir) { return dir.empty(); })) {
        return error(dirs_key, "expected one or more directories");
    }

    // Retention: ms, else minutes, else hours; any negative means unlimited.
    if (is_set("log.retention.ms")) {
        c.log_retention_ms = integer("log.retention.ms");
    } else if (is_set("log.retention.minutes")) {
        c.log_retention_ms = integer("log.retention.minutes") * 60'000;
    } else {
        c.log_retention_ms = integer("log.retention.hours") * 3'600'000;
    }
    if (c.log_retention_ms < 0) {
        c.log_retention_ms = -1;
    } else if (c.log_retention_ms == 0) {
        const std::string_view used = is_set("log.retention.ms")        ? "log.retention.ms"
                                      : is_set("log.retention.minutes") ? "log.retention.minutes"
                                                                        : "log.retention.hours";
        return error(used, "expected -1 (unlimited) or a retention of at least 1 ms");
    }
    c.log_retention_bytes = integer("log.retention.bytes");
    c.log_segment_bytes = narrow<std::int32_t>("log.segment.bytes");
    c.log_roll_ms = is_set("log.roll.ms") ? integer("log.roll.ms") : integer("log.roll.hours") * 3'600'000;
    c.log_roll_jitter_ms =
        is_set("log.roll.jitter.ms") ? integer("log.roll.jitter.ms") : integer("log.roll.jitter.hours") * 3'600'000;
    c.log_index_size_max_bytes = narrow<std::int32_t>("log.index.size.max.bytes");
    c.log_index_interval_bytes = narrow<std::int32_t>("log.index.interval.bytes");
    c.log_retention_check_interval_ms = integer("log.retention.check.interval.ms");
    c.log_flush_interval_messages = integer("log.flush.interval.messages");
    c.log_flush_interval_ms = integer("log.flush.interval.ms");
    c.log_segment_delete_delay_ms = integer("log.segment.delete.delay.ms");
    c.log_preallocate = boolean("log.preallocate");
    const list_value& policy = list("log.cleanup.policy");
    c.log_cleanup_policy.delete_segments = std::find(policy.begin(), policy.end(), "delete") != policy.end();
    c.log_cleanup_policy.compact = std::find(policy.begin(), policy.end(), "compact") != policy.end();
    c.log_cleaner_delete_retention_ms = integer("log.cleaner.delete.retention.ms");
    c.log_cleaner_min_compaction_lag_ms = integer("log.cleaner.min.compaction.lag.ms");
    c.log_cleaner_max_compaction_lag_ms = integer("log.cleaner.max.compaction.lag.ms");
    c.log_cleaner_min_cleanable_ratio = float64("log.cleaner.min.cleanable.ratio");
    c.log_message_timestamp_type = string("log.message.timestamp.type") == "LogAppendTime"
                                       ? timestamp_type::log_append_time
                                       : timestamp_type::create_time;
    c.log_message_timestamp_before_max_ms = integer("log.message.timestamp.before.max.ms");
    c.log_message_timestamp_after_max_ms = integer("log.message.timestamp.after.max.ms");
    const std::string& compression = string("compression.type");
    for (const compression_type candidate : {compression_type::producer, compression_type::uncompressed,
                                             compression_type::gzip, compression_type::snappy, compression_type::lz4,
                                             compression_type::zstd}) {
        if (to_string(candidate) == compression) {
            c.compression = candidate;
        }
    }

    return std::nullopt;
}

// Topics, network limits, coordinators and Brook's own keys.
std::optional<std::string> resolver::resolve_services(broker_config& c) const {
    c.num_partitions = narrow<std::int32_t>("num.partitions");
    c.default_replication_factor = narrow<std::int32_t>("default.replication.factor");
    c.min_insync_replicas = narrow<std::int32_t>("min.insync.replicas");
    c.auto_create_topics_enable = boolean("auto.create.topics.enable");
    c.delete_topic_enable = boolean("delete.topic.enable");
    c.unclean_leader_election_enable = boolean("unclean.leader.election.enable");
    c.message_max_bytes = narrow<std::int32_t>("message.max.bytes");
    c.replica_lag_time_max_ms = integer("replica.lag.time.max.ms");

    c.socket_request_max_bytes = narrow<std::int32_t>("socket.request.max.bytes");
    c.socket_send_buffer_bytes = narrow<std::int32_t>("socket.send.buffer.bytes");
    c.socket_receive_buffer_bytes = narrow<std::int32_t>("socket.receive.buffer.bytes");
    c.connections_max_idle_ms = integer("connections.max.idle.ms");
    c.max_connections = narrow<std::int32_t>("max.connections");
    c.queued_max_request_bytes = integer("queued.max.request.bytes");
    c.max_incremental_fetch_session_cache_slots = narrow<std::int32_t>("max.incremental.fetch.session.cache.slots");

    c.offsets_topic_num_partitions = narrow<std::int32_t>("offsets.topic.num.partitions");
    c.offsets_topic_replication_factor = narrow<std::int16_t>("offsets.topic.replication.factor");
    c.offsets_retention_minutes = narrow<std::int32_t>("offsets.retention.minutes");
    c.group_initial_rebalance_delay_ms = narrow<std::int32_t>("group.initial.rebalance.delay.ms");
    c.group_min_session_timeout_ms = narrow<std::int32_t>("group.min.session.timeout.ms");
    c.group_max_session_timeout_ms = narrow<std::int32_t>("group.max.session.timeout.ms");
    if (c.group_max_session_timeout_ms < c.group_min_session_timeout_ms) {
        return error("group.max.session.timeout.ms", fmt::format("expected at least group.min.session.timeout.ms ({})",
                                                                 c.group_min_session_timeout_ms));
    }
    c.group_max_size = narrow<std::int32_t>("group.max.size");
    c.offset_metadata_max_bytes = narrow<std::int32_t>("offset.metadata.max.bytes");
    c.offsets_retention_check_interval_ms = integer("offsets.retention.check.interval.ms");

    c.transaction_state_log_num_partitions = narrow<std::int32_t>("transaction.state.log.num.partitions");
    c.transaction_state_log_replication_factor = narrow<std::int16_t>("transaction.state.log.replication.factor");
    c.transaction_state_log_min_isr = narrow<std::int32_t>("transaction.state.log.min.isr");
    c.transactional_id_expiration_ms = narrow<std::int32_t>("transactional.id.expiration.ms");
    c.transaction_max_timeout_ms = narrow<std::int32_t>("transaction.max.timeout.ms");

    const auto shards = integer("brook.shards");
    c.shards = shards > 0 ? static_cast<std::uint32_t>(shards) : std::max(1U, std::thread::hardware_concurrency());
    const auto http = parse_host_port(string("brook.http.listener"));
    if (!http) {
        return error("brook.http.listener", "expected host:port with a port in [0, 65535]");
    }
    c.http_listener = *http;

    return std::nullopt;
}

// The describe entries, in table order.
void resolver::fill_entries(broker_config& c) const {
    const auto& keys = table();
    c.entries.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const definition& key = keys[i];
        described_config entry;
        entry.name = std::string(key.name);
        entry.source = values_[i].source;
        entry.line = values_[i].line;
        // Brook applies broker configs only at start-up (AlterConfigs refuses
        // broker changes), so every broker entry is read-only to clients;
        // Kafka's own dynamic flag stays in the configuration reference.
        entry.read_only = true;
        entry.is_sensitive = key.type == config_type::password;
        entry.type = key.type;
        entry.doc = std::string(key.doc);
        if (key.default_value) {
            entry.default_value = std::string(*key.default_value);
        }
        if (!entry.is_sensitive) {
            entry.value = detail::to_text(values_[i].value);
        }
        entry.synonyms.push_back(config_synonym{entry.name, entry.value, entry.source});
        if (entry.source != config_source::default_config) {
            entry.synonyms.push_back(config_synonym{entry.name, entry.is_sensitive ? std::nullopt : entry.default_value,
                                                    config_source::default_config});
        }
        c.entries.push_back(std::move(entry));
    }
}

std::string markdown_cell(std::string_view text) {
    std::string out;
    for (const char ch : text) {
        if (ch == '|') {
            out += "\\|";
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

}  // namespace

std::string listener::to_string() const {
    if (host.find(':') != std::string::npos) {
        return fmt::format("{}://[{}]:{}", name, host, port);
    }
    return fmt::format("{}://{}:{}", name, host, port);
}

const described_config* broker_config::find(std::string_view name) const noexcept {
    const auto found = std::find_if(entries.begin(), entries.end(),
                                    [&](const described_config& entry) { return entry.name == name; });
    return found == entries.end() ? nullptr : &*found;
}

std::string_view to_string(compression_type type) noexcept {
    switch (type) {
        case compression_type::producer: return "producer";
        case compression_type::uncompressed: return "uncompressed";
        case compression_type::gzip: return "gzip";
        case compression_type::snappy: return "snappy";
        case compression_type::lz4: return "lz4";
        case compression_type::zstd: return "zstd";
    }
    return "producer";
}

std::string_view to_string(timestamp_type type) noexcept {
    return type == timestamp_type::log_append_time ? "LogAppendTime" : "CreateTime";
}

bool is_ignored_kafka_key(std::string_view name) noexcept {
    if (std::find(std::begin(ignored_names), std::end(ignored_names), name) != std::end(ignored_names)) {
        return true;
    }
    return std::any_of(std::begin(ignored_prefixes), std::end(ignored_prefixes),
                       [&](std::string_view prefix) { return name.starts_with(prefix); });
}

parse_result<broker_config> parse_broker_config(const properties& values) {
    const auto& keys = table();
    std::vector<parsed_key> parsed(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const definition& key = keys[i];
        const property* entry = values.find(key.name);
        if (entry == nullptr) {
            if (key.default_value) {
                auto value = detail::parse_value(key, *key.default_value);
                BROOK_ASSERT(std::holds_alternative<typed_value>(value), "a table default fails its own validator");
                parsed[i].value = std::move(std::get<typed_value>(value));
            }
            continue;
        }
        auto value = detail::parse_value(key, entry->value);
        if (auto* failure = std::get_if<std::string>(&value)) {
            const std::string shown(detail::trim(entry->value));
            if (entry->line > 0) {
                return parse_result<broker_config>::failure(
                    fmt::format("{}={} (line {}): {}", key.name, shown, entry->line, *failure));
            }
            return parse_result<broker_config>::failure(fmt::format("{}={}: {}", key.name, shown, *failure));
        }
        parsed[i] = parsed_key{std::move(std::get<typed_value>(value)), config_source::static_broker_config,
                               entry->line};
    }

    std::vector<config_issue> issues = values.duplicate_issues();
    for (const property& entry : values.entries()) {
        if (index_of(entry.key)) {
            continue;
        }
        if (is_ignored_kafka_key(entry.key)) {
            issues.push_back(config_issue{config_issue::ignored, entry.key, entry.line,
                                          fmt::format("{} is a Kafka setting Brook does not use; ignored", entry.key)});
        } else {
            issues.push_back(
                config_issue{config_issue::unknown, entry.key, entry.line,
                             fmt::format("{} is not a configuration key Brook or Kafka knows", entry.key)});
        }
    }
    std::stable_sort(issues.begin(), issues.end(),
                     [](const config_issue& a, const config_issue& b) { return a.line < b.line; });

    broker_config config;
    resolver resolve(std::move(parsed));
    if (auto failure = resolve.resolve(config)) {
        return parse_result<broker_config>::failure(std::move(*failure));
    }
    return parse_result<broker_config>::success(std::move(config), std::move(issues));
}

broker_config default_broker_config() {
    auto parsed = parse_broker_config(properties{});
    BROOK_ASSERT(parsed.ok(), "the built-in defaults do not form a valid configuration");
    return std::move(parsed).value();
}

std::span<const config_key> broker_config_keys() {
    static const std::vector<config_key> keys = [] {
        std::vector<config_key> out;
        for (const definition& key : table()) {
            out.push_back(detail::to_config_key(key));
        }
        return out;
    }();
    return keys;
}

const config_key* find_broker_config_key(std::string_view name) noexcept {
    const auto index = index_of(name);
    return index ? &broker_config_keys()[*index] : nullptr;
}

std::string configuration_reference_markdown() {
    std::string out =
        "| key | type | default | allowed | dynamic | description |\n"
        "|---|---|---|---|---|---|\n";
    for (const config_key& key : broker_config_keys()) {
        out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", key.name, type_name(key.type),
                           !key.default_value            ? std::string("null")
                           : key.default_value->empty() ? std::string("\"\"")
                                                        : fmt::format("`{}`", markdown_cell(*key.default_value)),
                           markdown_cell(key.allowed), key.read_only ? "no" : "yes", markdown_cell(key.doc));
    }
    return out;
}

}  // namespace brook::config
