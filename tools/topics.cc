// brook-topics: create, list, describe, alter and delete topics, with the
// flags and output of Kafka's kafka-topics.sh.
//
// As in Kafka 4's TopicCommand: errors the broker returns are printed on
// stdout as "Error while executing topic command : <message>", command-line
// mistakes on stderr with the usage; both exit 1. --alter only adds
// partitions (configs are brook-configs' job), and --alter and --delete print
// nothing when they succeed.

#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "brook/messages/create_partitions_request.h"
#include "brook/messages/create_partitions_response.h"
#include "brook/messages/create_topics_request.h"
#include "brook/messages/create_topics_response.h"
#include "brook/messages/delete_topics_request.h"
#include "brook/messages/delete_topics_response.h"
#include "brook/messages/describe_configs_request.h"
#include "brook/messages/describe_configs_response.h"
#include "brook/messages/error_codes.h"
#include "tool.h"

namespace brook::tools {
namespace {

constexpr std::int32_t admin_timeout_ms = 30'000;
constexpr std::int8_t topic_resource_type = 2;  // ConfigResource.Type.TOPIC
constexpr std::int8_t default_config_source = 5;  // DEFAULT_CONFIG

struct topic_command {
    common_options common;
    bool create = false, list = false, describe = false, alter = false, remove = false;
    std::optional<std::string> topic;
    std::optional<std::string> topic_id;
    std::optional<int> partitions;
    std::optional<int> replication_factor;
    std::optional<std::string> replica_assignment;
    std::vector<std::string> configs;
    bool if_exists = false, if_not_exists = false, exclude_internal = false;
    bool under_replicated = false, under_min_isr = false, at_min_isr = false, unavailable = false;
    bool with_overrides = false;

    // Whether describe reports only partitions matching an ISR filter.
    bool filters_partitions() const { return under_replicated || under_min_isr || at_min_isr || unavailable; }
};

po::options_description describe_options(topic_command& command) {
    po::options_description options("brook-topics: create, delete, describe, or change a topic.\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("list", po::bool_switch(&command.list), "List all available topics.")
        ("create", po::bool_switch(&command.create), "Create a new topic.")
        ("delete", po::bool_switch(&command.remove), "Delete a topic.")
        ("alter", po::bool_switch(&command.alter),
         "Alter the number of partitions and replica assignment. (To alter topic configurations, the "
         "brook-configs tool can be used.)")
        ("describe", po::bool_switch(&command.describe), "List details for the given topics.")
        ("topic", po::value<std::string>()->value_name("topic"),
         "The topic to create, alter, describe or delete. It also accepts a regular expression, except for "
         "--create option.")
        ("topic-id", po::value<std::string>()->value_name("topic-id"), "The topic-id to describe.")
        ("partitions", po::value<int>()->value_name("# of partitions"),
         "The number of partitions for the topic being created or altered. If not supplied with --create, the "
         "topic uses the cluster default.")
        ("replication-factor", po::value<int>()->value_name("replication factor"),
         "The replication factor for each partition in the topic being created. If not supplied, the topic "
         "uses the cluster default.")
        ("replica-assignment", po::value<std::string>()->value_name("b1:b2,b3:b4,..."),
         "A list of manual partition-to-broker assignments for the topic being created or altered.")
        ("config", po::value(&command.configs)->value_name("name=value"),
         "A topic configuration override for the topic being created (repeatable).")
        ("under-replicated-partitions", po::bool_switch(&command.under_replicated),
         "If set when describing topics, only show under-replicated partitions.")
        ("unavailable-partitions", po::bool_switch(&command.unavailable),
         "If set when describing topics, only show partitions whose leader is not available.")
        ("under-min-isr-partitions", po::bool_switch(&command.under_min_isr),
         "If set when describing topics, only show partitions whose isr count is less than the configured "
         "minimum.")
        ("at-min-isr-partitions", po::bool_switch(&command.at_min_isr),
         "If set when describing topics, only show partitions whose isr count is equal to the configured "
         "minimum.")
        ("topics-with-overrides", po::bool_switch(&command.with_overrides),
         "If set when describing topics, only show topics that have overridden configs.")
        ("if-exists", po::bool_switch(&command.if_exists),
         "If set when altering or deleting or describing topics, the action will only execute if the topic "
         "exists.")
        ("if-not-exists", po::bool_switch(&command.if_not_exists),
         "If set when creating topics, the create request will not fail if the topic already exists.")
        ("exclude-internal", po::bool_switch(&command.exclude_internal),
         "Exclude internal topics when listing or describing topics. By default, the internal topics are "
         "included.");
    return options;
}

// "Option "[a]" can't be used with option "[b]"", Kafka's wording.
void refuse_unless(bool allowed, bool used, std::string_view option, std::string_view with) {
    if (used && !allowed) {
        throw usage_error("Option \"[" + std::string(option) + "]\" can't be used with option \"[" +
                          std::string(with) + "]\"");
    }
}

void check_arguments(const po::variables_map& values, topic_command& command) {
    const int actions = int{command.create} + int{command.list} + int{command.alter} + int{command.describe} +
                        int{command.remove};
    if (actions != 1) {
        throw usage_error("Command must include exactly one action: --list, --describe, --create, --alter or --delete");
    }
    if (values.count("topic")) command.topic = values["topic"].as<std::string>();
    if (values.count("topic-id")) command.topic_id = values["topic-id"].as<std::string>();
    if (values.count("partitions")) command.partitions = values["partitions"].as<int>();
    if (values.count("replication-factor")) command.replication_factor = values["replication-factor"].as<int>();
    if (values.count("replica-assignment")) command.replica_assignment = values["replica-assignment"].as<std::string>();

    const char* action = command.create ? "create" : command.list ? "list" : command.alter ? "alter"
                         : command.describe ? "describe" : "delete";
    if (!command.list && !command.describe && !command.topic) {
        throw usage_error("Missing required argument \"[topic]\"");
    }
    if (command.alter) {
        refuse_unless(false, !command.configs.empty(), "config",
                      "alter\"] (To alter topic configurations, the brook-configs tool can be used.) [\"");
        if (!command.partitions) throw usage_error("Missing required argument \"[partitions]\"");
    }
    refuse_unless(command.create, !command.configs.empty(), "config", action);
    refuse_unless(command.create || command.alter, command.partitions.has_value(), "partitions", action);
    refuse_unless(command.create, command.replication_factor.has_value(), "replication-factor", action);
    refuse_unless(command.create || command.alter, command.replica_assignment.has_value(), "replica-assignment",
                  action);
    if (command.create && command.replica_assignment) {
        refuse_unless(false, command.partitions.has_value(), "replica-assignment", "partitions");
        refuse_unless(false, command.replication_factor.has_value(), "replica-assignment", "replication-factor");
    }
    const bool any_report = command.filters_partitions();
    refuse_unless(command.describe, any_report, "under-replicated-partitions", action);
    refuse_unless(command.describe, command.with_overrides, "topics-with-overrides", action);
    refuse_unless(!any_report, command.with_overrides, "topics-with-overrides", "under-replicated-partitions");
    refuse_unless(command.alter || command.remove || command.describe, command.if_exists, "if-exists", action);
    refuse_unless(command.create, command.if_not_exists, "if-not-exists", action);
    refuse_unless(command.list || command.describe, command.exclude_internal, "exclude-internal", action);
    refuse_unless(command.describe, command.topic_id.has_value(), "topic-id", action);
}

// "0:1,1:2" → partition index → broker ids, as Kafka parses --replica-assignment.
std::vector<std::vector<std::int32_t>> parse_replica_assignment(const std::string& text) {
    std::vector<std::vector<std::int32_t>> assignment;
    for (const auto& partition : split_list(text, ',')) {
        std::vector<std::int32_t> brokers;
        std::set<std::int32_t> seen;
        std::set<std::int32_t> duplicates;
        for (const auto& broker : split_list(partition, ':')) {
            const auto id = parse_int(broker);
            if (!id || *id < 0 || *id > std::numeric_limits<std::int32_t>::max()) {
                throw usage_error("Invalid broker id '" + broker + "' in --replica-assignment '" + text + "'");
            }
            const auto node = static_cast<std::int32_t>(*id);
            if (!seen.insert(node).second) duplicates.insert(node);
            brokers.push_back(node);
        }
        if (!duplicates.empty()) {
            throw tool_error("Partition replica lists may not contain duplicate entries: " +
                             join_ints({duplicates.begin(), duplicates.end()}));
        }
        if (!assignment.empty() && brokers.size() != assignment.front().size()) {
            throw tool_error("Partition " + std::to_string(assignment.size()) +
                             " has different replication factor: [" + join_ints(brokers, ", ") + "]");
        }
        assignment.push_back(std::move(brokers));
    }
    if (assignment.empty()) throw usage_error("--replica-assignment names no partitions");
    return assignment;
}

// Kafka splits each --config on "\s*=\s*" and wants exactly two parts.
std::vector<std::pair<std::string, std::string>> parse_topic_configs(const std::vector<std::string>& entries) {
    std::vector<std::pair<std::string, std::string>> configs;
    for (const auto& entry : entries) {
        const auto equals = entry.find('=');
        const bool valid = equals != std::string::npos && equals > 0 && equals + 1 < entry.size() &&
                           entry.find('=', equals + 1) == std::string::npos;
        if (!valid) {
            throw plain_error(
                "requirement failed: Invalid topic config: all configs to be added must be in the format "
                "\"key=val\".");
        }
        auto trim = [](std::string text) {
            const auto first = text.find_first_not_of(" \t");
            const auto last = text.find_last_not_of(" \t");
            return first == std::string::npos ? std::string{} : text.substr(first, last - first + 1);
        };
        configs.emplace_back(trim(entry.substr(0, equals)), trim(entry.substr(equals + 1)));
    }
    return configs;
}

bool is_internal(const client::topic_view& topic) {
    return topic.is_internal || topic.name == "__consumer_offsets" || topic.name == "__transaction_state";
}

// The sorted names of the topics the command is about.
std::vector<std::string> matching_topics(const client::cluster_view& cluster, const topic_command& command) {
    std::optional<name_pattern> pattern;
    if (command.topic) pattern.emplace(*command.topic);
    std::vector<std::string> names;
    for (const auto& [name, topic] : cluster.topics) {
        if (command.exclude_internal && is_internal(topic)) continue;
        if (pattern && !pattern->matches(name)) continue;
        names.push_back(name);
    }
    return names;  // std::map keeps them sorted
}

// Kafka's ensureTopicExists: a named topic that matched nothing fails unless
// --if-exists.
void ensure_found(const std::vector<std::string>& found, const topic_command& command) {
    if (found.empty() && command.topic && !command.topic->empty() && !command.if_exists) {
        throw plain_error("Topic '" + *command.topic + "' does not exist as expected");
    }
}

client::cluster_view all_topics(client::blocking_client& client) {
    auto cluster = client.metadata();
    return std::move(require(cluster, "listing topics"));
}

// ---------------------------------------------------------------------------

int create_topic(client::blocking_client& client, const topic_command& command) {
    const std::string& name = *command.topic;
    if (name.find('.') != std::string::npos || name.find('_') != std::string::npos) {
        std::cout << "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') "
                     "could collide. To avoid issues it is best to use either, but not both.\n";
    }
    if (command.replication_factor && (*command.replication_factor < 1 || *command.replication_factor > 32767)) {
        throw plain_error("The replication factor must be between 1 and 32767 inclusive");
    }
    if (command.partitions && *command.partitions < 1) throw plain_error("The partitions must be greater than 0");

    messages::CreateTopicsRequest request;
    request.timeout_ms = admin_timeout_ms;
    auto& topic = request.topics.emplace_back();
    topic.name = name;
    topic.num_partitions = command.partitions.value_or(-1);
    topic.replication_factor = static_cast<std::int16_t>(command.replication_factor.value_or(-1));
    if (command.replica_assignment) {
        const auto assignment = parse_replica_assignment(*command.replica_assignment);
        for (std::size_t i = 0; i < assignment.size(); ++i) {
            auto& entry = topic.assignments.emplace_back();
            entry.partition_index = static_cast<std::int32_t>(i);
            entry.broker_ids = assignment[i];
        }
    }
    for (auto& [key, value] : parse_topic_configs(command.configs)) {
        auto& config = topic.configs.emplace_back();
        config.name = key;
        config.value = value;
    }

    auto response = client.send_to_controller(request);
    const auto& answer = require(response, "creating topic " + name);
    for (const auto& result : answer.topics) {
        if (result.error_code == 0) continue;
        if (result.error_code == static_cast<std::int16_t>(messages::error_code::topic_already_exists) &&
            command.if_not_exists) {
            return 0;
        }
        throw tool_error(kafka_error_text(result.error_code, result.error_message));
    }
    std::cout << "Created topic " << name << ".\n";
    return 0;
}

int list_topics(client::blocking_client& client, const topic_command& command) {
    for (const auto& name : matching_topics(all_topics(client), command)) std::cout << name << "\n";
    return 0;
}

// The topics' configs (DescribeConfigs), by topic name.
std::map<std::string, messages::DescribeConfigsResponse::DescribeConfigsResult> describe_configs(
    client::blocking_client& client, const std::vector<std::string>& topics) {
    messages::DescribeConfigsRequest request;
    for (const auto& name : topics) {
        auto& resource = request.resources.emplace_back();
        resource.resource_type = topic_resource_type;
        resource.resource_name = name;
        resource.configuration_keys.reset();  // all of them
    }
    auto response = client.send_to_any(request);
    auto& answer = require(response, "describing topic configs");
    std::map<std::string, messages::DescribeConfigsResponse::DescribeConfigsResult> configs;
    for (auto& result : answer.results) {
        if (result.error_code != 0) {
            throw tool_error(kafka_error_text(result.error_code, result.error_message));
        }
        configs[result.resource_name] = std::move(result);
    }
    return configs;
}

int describe_topics(client::blocking_client& client, const topic_command& command) {
    const auto cluster = all_topics(client);
    std::vector<std::string> names;
    if (command.topic_id) {
        const auto id = wire::uuid::from_base64(*command.topic_id);
        if (!id) throw usage_error("Invalid topic id '" + *command.topic_id + "'");
        for (const auto& [name, topic] : cluster.topics) {
            if (topic.topic_id == *id && !(command.exclude_internal && is_internal(topic))) names.push_back(name);
        }
        if (names.empty() && !command.if_exists) {
            throw plain_error("TopicId '" + *command.topic_id + "' does not exist as expected");
        }
    } else {
        names = matching_topics(cluster, command);
        ensure_found(names, command);
    }
    if (names.empty()) return 0;

    const auto configs = describe_configs(client, names);
    std::set<std::int32_t> live_brokers;
    for (const auto& broker : cluster.brokers) live_brokers.insert(broker.node_id);
    const bool any_report = command.filters_partitions();

    for (const auto& name : names) {
        const auto& topic = *cluster.find_topic(name);
        if (topic.partitions.empty()) continue;
        auto partitions = topic.partitions;
        std::sort(partitions.begin(), partitions.end(),
                  [](const auto& a, const auto& b) { return a.partition < b.partition; });

        std::string overrides;
        int min_isr = 1;
        if (const auto found = configs.find(name); found != configs.end()) {
            for (const auto& entry : found->second.configs) {
                if (entry.name == "min.insync.replicas" && entry.value) {
                    min_isr = static_cast<int>(parse_int(*entry.value).value_or(1));
                }
                if (entry.config_source == default_config_source || entry.is_default) continue;
                if (!overrides.empty()) overrides += ",";
                overrides += entry.name + "=" + (entry.is_sensitive ? "null" : entry.value.value_or("null"));
            }
        }

        if (!any_report && (!command.with_overrides || !overrides.empty())) {
            std::cout << "Topic: " << name;
            if (!topic.topic_id.is_zero()) std::cout << "\tTopicId: " << topic.topic_id.to_base64();
            std::cout << "\tPartitionCount: " << partitions.size()
                      << "\tReplicationFactor: " << partitions.front().replicas.size() << "\tConfigs: " << overrides
                      << "\n";
        }
        if (command.with_overrides) continue;
        for (const auto& partition : partitions) {
            const bool has_leader = partition.leader_id >= 0;
            const auto isr = static_cast<int>(partition.isr.size());
            const bool print = !any_report ||
                               (command.under_replicated && partition.replicas.size() > partition.isr.size()) ||
                               (command.unavailable && (!has_leader || !live_brokers.contains(partition.leader_id))) ||
                               (command.under_min_isr && (!has_leader || isr < min_isr)) ||
                               (command.at_min_isr && isr == min_isr);
            if (!print) continue;
            std::cout << "\tTopic: " << name << "\tPartition: " << partition.partition
                      << "\tLeader: " << (has_leader ? std::to_string(partition.leader_id) : "none")
                      << "\tReplicas: " << join_ints(partition.replicas) << "\tIsr: " << join_ints(partition.isr)
                      // Metadata carries no eligible leader replicas (KIP-966); Kafka's tool
                      // prints N/A then too.
                      << "\tElr: N/A\tLastKnownElr: N/A\n";
        }
    }
    return 0;
}

int alter_topics(client::blocking_client& client, const topic_command& command) {
    const auto cluster = all_topics(client);
    const auto names = matching_topics(cluster, command);
    ensure_found(names, command);
    if (names.empty()) return 0;

    std::optional<std::vector<std::vector<std::int32_t>>> assignment;
    if (command.replica_assignment) assignment = parse_replica_assignment(*command.replica_assignment);

    messages::CreatePartitionsRequest request;
    request.timeout_ms = admin_timeout_ms;
    for (const auto& name : names) {
        auto& topic = request.topics.emplace_back();
        topic.name = name;
        topic.count = *command.partitions;
        if (assignment) {
            // Like Kafka, the assignment lists every partition; the existing ones are skipped.
            const auto existing = cluster.find_topic(name)->partitions.size();
            for (std::size_t i = existing; i < assignment->size(); ++i) {
                topic.assignments->emplace_back().broker_ids = (*assignment)[i];
            }
        } else {
            topic.assignments.reset();
        }
    }
    auto response = client.send_to_controller(request);
    const auto& answer = require(response, "adding partitions");
    for (const auto& result : answer.results) {
        if (result.error_code != 0) throw tool_error(kafka_error_text(result.error_code, result.error_message));
    }
    return 0;
}

int delete_topics(client::blocking_client& client, const topic_command& command) {
    const auto names = matching_topics(all_topics(client), command);
    ensure_found(names, command);
    if (names.empty()) return 0;

    messages::DeleteTopicsRequest request;
    request.timeout_ms = admin_timeout_ms;
    request.topic_names = names;  // up to v5
    for (const auto& name : names) request.topics.emplace_back().name = name;  // v6+
    auto response = client.send_to_controller(request);
    const auto& answer = require(response, "deleting topics");
    for (const auto& result : answer.responses) {
        if (result.error_code != 0) throw tool_error(kafka_error_text(result.error_code, result.error_message));
    }
    return 0;
}

int run(int argc, char** argv) {
    topic_command command;
    const auto options = describe_options(command);
    const auto values = parse_or_help(argc, argv, options, command.common, "Create, delete, describe, or change a topic.");
    if (!values) return 0;
    check_arguments(*values, command);

    client::blocking_client client(make_client_options(command.common));
    if (command.create) return create_topic(client, command);
    if (command.list) return list_topics(client, command);
    if (command.describe) return describe_topics(client, command);
    if (command.alter) return alter_topics(client, command);
    return delete_topics(client, command);
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    using namespace brook::tools;
    return tool_main<topic_command>(argc, argv, "Error while executing topic command : ", run, &std::cout);
}
