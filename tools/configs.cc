// brook-configs: describe and change topic and broker configs, with the flags
// and output of Kafka's kafka-configs.sh.
//
// --describe prints, per entity, "Dynamic configs for topic t are:" (or "All
// configs ..." with --all) and one line per config with its synonyms, as
// Kafka does. --alter uses IncrementalAlterConfigs (SET for --add-config,
// DELETE for --delete-config). Broker errors are printed on stdout as
// "Error while executing config command with args '...'" followed by the
// broker's message; command-line mistakes go to stderr with the usage. Both
// exit 1. Users, clients, IPs and client metrics (quotas, SCRAM) are not
// served by Brook yet, and are refused with a message saying so.

#include <algorithm>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "brook/messages/describe_configs_request.h"
#include "brook/messages/describe_configs_response.h"
#include "brook/messages/incremental_alter_configs_request.h"
#include "brook/messages/incremental_alter_configs_response.h"
#include "tool.h"

namespace brook::tools {
namespace {

constexpr std::int8_t topic_resource = 2;   // ConfigResource.Type.TOPIC
constexpr std::int8_t broker_resource = 4;  // ConfigResource.Type.BROKER
constexpr std::int8_t operation_set = 0;
constexpr std::int8_t operation_delete = 1;

// Kafka's ConfigEntry.ConfigSource names, by their wire value.
std::string_view source_name(std::int8_t source) {
    switch (source) {
        case 1: return "DYNAMIC_TOPIC_CONFIG";
        case 2: return "DYNAMIC_BROKER_CONFIG";
        case 3: return "DYNAMIC_DEFAULT_BROKER_CONFIG";
        case 4: return "STATIC_BROKER_CONFIG";
        case 5: return "DEFAULT_CONFIG";
        case 6: return "DYNAMIC_BROKER_LOGGER_CONFIG";
        case 7: return "CLIENT_METRICS_CONFIG";
        case 8: return "GROUP_CONFIG";
        default: return "UNKNOWN";
    }
}

struct config_command {
    common_options common;
    bool describe = false, alter = false, all = false, entity_default = false;
    std::string entity_type;
    std::vector<std::string> entity_names;
    std::string add_config;
    std::string add_config_file;
    std::string delete_config;
    std::string topic;
    std::string broker;
    bool broker_defaults = false;
};

po::options_description describe_options(config_command& command) {
    po::options_description options(
        "brook-configs: add/remove entity config for a topic or broker (alter), or list them (describe).\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("describe", po::bool_switch(&command.describe), "List configs for the given entity.")
        ("alter", po::bool_switch(&command.alter), "Alter the configuration for the entity.")
        ("entity-type", po::value(&command.entity_type)->value_name("topics|brokers"),
         "Type of entity (topics/brokers).")
        ("entity-name", po::value(&command.entity_names)->value_name("name"),
         "Name of entity (topic name/broker id).")
        ("entity-default", po::bool_switch(&command.entity_default),
         "Default entity name for brokers (applies to the corresponding entity type).")
        ("topic", po::value(&command.topic)->value_name("topic"), "The topic's name (--entity-type topics --entity-name).")
        ("broker", po::value(&command.broker)->value_name("id"), "The broker's id (--entity-type brokers --entity-name).")
        ("broker-defaults", po::bool_switch(&command.broker_defaults),
         "The config defaults for all brokers (--entity-type brokers --entity-default).")
        ("add-config", po::value(&command.add_config)->value_name("k1=v1,k2=[v1,v2,v2],k3=v3"),
         "Key value pairs of configs to add. Square brackets can be used to group values which contain commas.")
        ("add-config-file", po::value(&command.add_config_file)->value_name("file"),
         "Path to a properties file with configs to add.")
        ("delete-config", po::value(&command.delete_config)->value_name("k1,k2"), "Config keys to remove.")
        ("all", po::bool_switch(&command.all), "List all configs for the given entity, including static and defaults.");
    return options;
}

struct entity {
    std::int8_t type;
    std::string name;  // empty: the brokers' cluster-wide default
};

// "topic t", "broker 1", or the cluster-wide broker default.
std::string describe_entity(const entity& target) {
    if (target.type == topic_resource) return "topic " + target.name;
    return "broker " + target.name;
}

void check_arguments(const po::variables_map& values, config_command& command) {
    if (!command.topic.empty()) {
        command.entity_type = "topics";
        command.entity_names.push_back(command.topic);
    }
    if (values.count("broker")) {
        command.entity_type = "brokers";
        command.entity_names.push_back(command.broker);
    }
    if (command.broker_defaults) {
        command.entity_type = "brokers";
        command.entity_default = true;
    }
    if (int{command.describe} + int{command.alter} != 1) {
        throw usage_error("Command must include exactly one action: --describe, --alter");
    }
    if (command.entity_type.empty()) throw usage_error("--entity-type must be specified");
    if (command.entity_type == "users" || command.entity_type == "clients" || command.entity_type == "ips" ||
        command.entity_type == "client-metrics" || command.entity_type == "groups") {
        throw plain_error("Entity type " + command.entity_type +
                          " is not supported by Brook yet: only topics and brokers have configs.");
    }
    if (command.entity_type != "topics" && command.entity_type != "brokers") {
        throw usage_error("Invalid entity type " + command.entity_type +
                          ", the entity type must be one of topics, brokers");
    }
    if (command.entity_type == "topics" && command.entity_default) {
        throw usage_error("--entity-default is not supported for topics");
    }
    if (command.entity_names.size() + (command.entity_default ? 1 : 0) > 1) {
        throw usage_error("More than one entity name or --entity-default was given: name exactly one entity");
    }
    if (command.alter) {
        if (command.entity_names.empty() && !command.entity_default) {
            throw usage_error("an entity name must be specified with --alter of " + command.entity_type);
        }
        if (command.add_config.empty() && command.add_config_file.empty() && command.delete_config.empty()) {
            throw usage_error(
                "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter");
        }
        if (command.all) throw usage_error("--all can only be used with --describe");
    } else if (!command.add_config.empty() || !command.add_config_file.empty() || !command.delete_config.empty()) {
        throw usage_error("--add-config, --add-config-file and --delete-config can only be used with --alter");
    }
    if (command.entity_type == "brokers") {
        for (const auto& name : command.entity_names) {
            if (!parse_int(name)) {
                throw usage_error("The entity name for brokers must be a valid integer broker id, but it is: " + name);
            }
        }
    }
}

// The entities the command is about: the named one, the brokers' default,
// or (describe without a name) every topic / every broker and the default.
std::vector<entity> targets(client::blocking_client& client, const config_command& command) {
    const std::int8_t type = command.entity_type == "topics" ? topic_resource : broker_resource;
    if (command.entity_default) return {{type, ""}};
    if (!command.entity_names.empty()) return {{type, command.entity_names.front()}};
    auto cluster = client.metadata();
    auto& view = require(cluster, "listing " + command.entity_type);
    std::vector<entity> all;
    if (type == topic_resource) {
        for (const auto& [name, topic] : view.topics) all.push_back({type, name});
    } else {
        for (const auto& broker : view.brokers) all.push_back({type, std::to_string(broker.node_id)});
        all.push_back({type, ""});
    }
    return all;
}

// A topic the cluster does not have fails the way Kafka's tool does.
void require_topic(client::blocking_client& client, const entity& target) {
    if (target.type != topic_resource) return;
    auto cluster = client.metadata(std::vector<std::string>{target.name});
    auto& view = require(cluster, "looking up topic " + target.name);
    const auto* topic = view.find_topic(target.name);
    if (topic == nullptr || topic->error_code != 0) {
        throw tool_error("The topic '" + target.name + "' does not exist.");
    }
}

void describe(client::blocking_client& client, const config_command& command) {
    for (const auto& target : targets(client, command)) {
        if (!command.entity_names.empty()) require_topic(client, target);
        messages::DescribeConfigsRequest request;
        request.include_synonyms = true;
        auto& resource = request.resources.emplace_back();
        resource.resource_type = target.type;
        resource.resource_name = target.name;
        resource.configuration_keys.reset();
        auto response = client.send_to_any(request);
        const auto& answer = require(response, "describing the configs of " + describe_entity(target));
        if (answer.results.size() != 1) throw tool_error("the broker answered DescribeConfigs for no resource");
        const auto& result = answer.results.front();
        if (result.error_code != 0) throw tool_error(kafka_error_text(result.error_code, result.error_message));

        // Without --all only the entity's own dynamic configs, as Kafka prints.
        const std::int8_t wanted = target.type == topic_resource ? 1 : target.name.empty() ? 3 : 2;
        std::vector<const messages::DescribeConfigsResponse::DescribeConfigsResourceResult*> shown;
        for (const auto& entry : result.configs) {
            if (command.all || entry.config_source == wanted) shown.push_back(&entry);
        }
        std::sort(shown.begin(), shown.end(), [](const auto* a, const auto* b) { return a->name < b->name; });

        const std::string kind = command.all ? "All" : "Dynamic";
        if (target.type == broker_resource && target.name.empty()) {
            std::cout << "Default configs for brokers in the cluster are:\n";
        } else {
            std::cout << kind << " configs for " << describe_entity(target) << " are:\n";
        }
        for (const auto* entry : shown) {
            std::string synonyms;
            for (const auto& synonym : entry->synonyms) {
                if (!synonyms.empty()) synonyms += ", ";
                synonyms += std::string(source_name(synonym.source)) + ":" + synonym.name + "=" +
                            synonym.value.value_or("null");
            }
            std::cout << "  " << entry->name << "=" << (entry->is_sensitive ? "null" : entry->value.value_or("null"))
                      << " sensitive=" << (entry->is_sensitive ? "true" : "false") << " synonyms={" << synonyms
                      << "}\n";
        }
    }
}

void alter(client::blocking_client& client, const config_command& command) {
    const auto target = targets(client, command).front();
    require_topic(client, target);

    std::vector<std::pair<std::string, std::string>> additions;
    if (!command.add_config.empty()) additions = parse_key_value_list(command.add_config);
    if (!command.add_config_file.empty()) {
        for (const auto& [key, value] : load_client_properties(command.add_config_file)) additions.emplace_back(key, value);
    }
    const auto deletions = split_list(command.delete_config);
    std::set<std::string> added;
    for (const auto& [key, value] : additions) added.insert(key);
    for (const auto& key : deletions) {
        if (added.contains(key)) throw usage_error("Invalid config(s): " + key + " (both added and deleted)");
    }

    messages::IncrementalAlterConfigsRequest request;
    auto& resource = request.resources.emplace_back();
    resource.resource_type = target.type;
    resource.resource_name = target.name;
    for (const auto& [key, value] : additions) {
        auto& config = resource.configs.emplace_back();
        config.name = key;
        config.config_operation = operation_set;
        config.value = value;
    }
    for (const auto& key : deletions) {
        auto& config = resource.configs.emplace_back();
        config.name = key;
        config.config_operation = operation_delete;
        config.value.reset();
    }
    auto response = client.send_to_any(request);
    const auto& answer = require(response, "altering the configs of " + describe_entity(target));
    for (const auto& result : answer.responses) {
        if (result.error_code != 0) throw tool_error(kafka_error_text(result.error_code, result.error_message));
    }
    if (target.type == broker_resource && target.name.empty()) {
        std::cout << "Completed updating default config for brokers in the cluster.\n";
    } else {
        std::cout << "Completed updating config for " << describe_entity(target) << ".\n";
    }
}

std::string joined_arguments(int argc, char** argv) {
    std::string text;
    for (int i = 1; i < argc; ++i) text += (i > 1 ? " " : "") + std::string(argv[i]);
    return text;
}

int run(int argc, char** argv) {
    config_command command;
    const auto options = describe_options(command);
    if (argc <= 1) throw usage_error("This tool helps to manipulate and describe entity config for a topic or broker");
    const auto values = parse_command_line(argc, argv, options);
    if (command.common.help) {
        std::cout << options << "\n";
        return 0;
    }
    check_arguments(values, command);
    client::blocking_client client(make_client_options(command.common));
    try {
        if (command.describe) {
            describe(client, command);
        } else {
            alter(client, command);
        }
    } catch (const tool_error& e) {
        // Kafka's wording: the command line, then what went wrong.
        throw tool_error("Error while executing config command with args '" + joined_arguments(argc, argv) + "'\n" +
                         e.what());
    }
    return 0;
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    using namespace brook::tools;
    return tool_main<config_command>(argc, argv, "", run, &std::cout);
}
