// brook-configs: describe and change topic and broker configs, with the flags
// and output of Kafka's kafka-configs.sh.
//
// --describe prints, per entity, "Dynamic configs for topic t are:" (or "All
// configs ..." with --all) and one line per config with its synonyms, as
// Kafka does. --alter uses IncrementalAlterConfigs (SET for --add-config,
// DELETE for --delete-config), and AlterConfigs (the whole override set) only
// for a broker that does not serve it. As Kafka's tool does, broker errors go
// to stderr as "Error while executing config command with args '...'"
// followed by the broker's message, command-line mistakes as Kafka's sentence
// (with the usage for a missing action); all exit 1. Describing a topic or
// broker that does not exist prints Kafka's "The topic 't' doesn't exist and
// doesn't have dynamic config." (Kafka then exits 0; we exit 1 so scripts
// notice). Users, clients, IPs and client metrics (quotas, SCRAM) are not
// served by Brook yet, and are refused with a message saying so.

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "brook/messages/alter_configs_request.h"
#include "brook/messages/alter_configs_response.h"
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
    bool entity_flags = false;  // --entity-type/--entity-name/--entity-default given
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

// Thrown after the reason was printed: exit 1 with nothing more to say.
struct exit_quietly {};

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
    command.entity_flags = values.count("entity-type") || values.count("entity-name") || command.entity_default;
    if (int{command.describe} + int{command.alter} != 1) {
        throw usage_error("Command must include exactly one action: --describe, --alter");
    }
    const bool shorthand = values.count("topic") || values.count("broker") || command.broker_defaults;
    if (command.entity_flags && shorthand) {
        throw plain_error("--entity-{type,name,default} should not be used in conjunction with specific entity flags");
    }
    if (int{values.count("topic") > 0} + int{values.count("broker") > 0} + int{command.broker_defaults} > 1) {
        throw plain_error("Only one entity may be named: --topic, --broker or --broker-defaults");
    }
    if (values.count("topic")) {
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
    if (command.entity_type.empty()) throw plain_error("At least one entity type must be specified");
    if (command.entity_type == "users" || command.entity_type == "clients" || command.entity_type == "ips" ||
        command.entity_type == "client-metrics" || command.entity_type == "groups" ||
        command.entity_type == "broker-loggers") {
        throw plain_error("Entity type " + command.entity_type +
                          " is not supported by Brook yet: only topics and brokers have configs.");
    }
    if (command.entity_type != "topics" && command.entity_type != "brokers") {
        throw plain_error("Invalid entity type " + command.entity_type +
                          ", the entity type must be one of topics, brokers");
    }
    if (command.entity_names.size() + (command.entity_default ? 1 : 0) > 1) {
        throw plain_error("More than one entity name or --entity-default was given: name exactly one entity");
    }
    if (command.entity_type == "brokers") {
        for (const auto& name : command.entity_names) {
            if (!parse_int(name)) {
                throw plain_error("The entity name for brokers must be a valid integer broker id, but it is: " + name);
            }
        }
    }
    const bool changes = values.count("add-config") || values.count("add-config-file") || values.count("delete-config");
    if (command.describe) {
        if (changes) {
            throw usage_error("--add-config, --add-config-file and --delete-config can only be used with --alter");
        }
        if (command.entity_type == "topics" && command.entity_default) {
            throw plain_error("--entity-default must not be specified with --describe of topics");
        }
        return;
    }
    if (command.entity_type == "topics" && command.entity_names.empty()) {
        throw plain_error("An entity name must be specified with --alter of topics");
    }
    if (command.entity_names.empty() && !command.entity_default) {
        throw plain_error(
            "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips");
    }
    if (values.count("add-config") && values.count("add-config-file")) {
        throw plain_error("Only one of --add-config or --add-config-file must be specified");
    }
    if (!changes) {
        throw plain_error(
            "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter");
    }
    if (command.all) throw usage_error("--all can only be used with --describe");
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

// Describing a named topic or broker the cluster does not have prints
// Kafka's sentence instead of an empty list (and fails, see the top).
void require_entity(client::blocking_client& client, const entity& target) {
    if (target.name.empty()) return;
    auto cluster = target.type == topic_resource ? client.metadata(std::vector<std::string>{target.name})
                                                 : client.metadata(std::vector<std::string>{});
    auto& view = require(cluster, "looking up " + describe_entity(target));
    bool exists = false;
    if (target.type == topic_resource) {
        const auto* topic = view.find_topic(target.name);
        exists = topic != nullptr && topic->error_code == 0;
    } else {
        exists = std::any_of(view.brokers.begin(), view.brokers.end(),
                             [&](const auto& broker) { return std::to_string(broker.node_id) == target.name; });
    }
    if (!exists) {
        std::cout << "The " << (target.type == topic_resource ? "topic" : "broker") << " '" << target.name
                  << "' doesn't exist and doesn't have dynamic config." << std::endl;
        throw exit_quietly{};
    }
}

// Every config of one entity (DescribeConfigs), with synonyms when asked.
messages::DescribeConfigsResponse::DescribeConfigsResult describe_entity_configs(client::blocking_client& client,
                                                                                 const entity& target,
                                                                                 bool synonyms) {
    messages::DescribeConfigsRequest request;
    request.include_synonyms = synonyms;
    auto& resource = request.resources.emplace_back();
    resource.resource_type = target.type;
    resource.resource_name = target.name;
    resource.configuration_keys.reset();
    auto response = client.send_to_any(request);
    auto& answer = require(response, "describing the configs of " + describe_entity(target));
    if (answer.results.size() != 1) throw tool_error("the broker answered DescribeConfigs for no resource");
    auto& result = answer.results.front();
    if (result.error_code != 0) throw tool_error(kafka_error_text(result.error_code, result.error_message));
    return std::move(result);
}

// The config source of the entity's own overrides: DYNAMIC_TOPIC_CONFIG,
// DYNAMIC_DEFAULT_BROKER_CONFIG for the brokers' default, else
// DYNAMIC_BROKER_CONFIG.
std::int8_t own_source(const entity& target) {
    return target.type == topic_resource ? 1 : target.name.empty() ? 3 : 2;
}

void describe(client::blocking_client& client, const config_command& command) {
    for (const auto& target : targets(client, command)) {
        if (!command.entity_names.empty() && !command.all) require_entity(client, target);
        const auto result = describe_entity_configs(client, target, true);

        // Without --all only the entity's own dynamic configs, as Kafka prints.
        std::vector<const messages::DescribeConfigsResponse::DescribeConfigsResourceResult*> shown;
        for (const auto& entry : result.configs) {
            if (command.all || entry.config_source == own_source(target)) shown.push_back(&entry);
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

using config_changes = std::vector<std::pair<std::string, std::optional<std::string>>>;  // nothing: delete

// For a broker without IncrementalAlterConfigs: AlterConfigs replaces the
// entity's whole override set, so read the current overrides and apply the
// changes to them, as Kafka's tools did before 2.3.
void alter_whole_set(client::blocking_client& client, const entity& target, const config_changes& changes) {
    const auto result = describe_entity_configs(client, target, false);
    std::map<std::string, std::string> overrides;
    for (const auto& entry : result.configs) {
        if (entry.config_source != own_source(target)) continue;
        if (entry.is_sensitive || !entry.value) {
            throw tool_error("The broker does not support IncrementalAlterConfigs, and AlterConfigs would lose the "
                             "sensitive config " + entry.name);
        }
        overrides[entry.name] = *entry.value;
    }
    for (const auto& [key, value] : changes) {
        if (value) {
            overrides[key] = *value;
        } else {
            overrides.erase(key);
        }
    }
    messages::AlterConfigsRequest request;
    auto& resource = request.resources.emplace_back();
    resource.resource_type = target.type;
    resource.resource_name = target.name;
    for (const auto& [key, value] : overrides) {
        auto& config = resource.configs.emplace_back();
        config.name = key;
        config.value = value;
    }
    auto response = client.send_to_any(request);
    if (!response && response.error() == client::errc::unsupported_version) {
        // Kafka's sentence when the cluster cannot change configs at all.
        throw plain_error("The INCREMENTAL_ALTER_CONFIGS API is not supported by the cluster. The API is supported "
                          "starting from version 2.3.0.");
    }
    const auto& altered = require(response, "altering the configs of " + describe_entity(target));
    for (const auto& outcome : altered.responses) {
        if (outcome.error_code != 0) throw tool_error(kafka_error_text(outcome.error_code, outcome.error_message));
    }
}

// The configs --add-config or --add-config-file name, trimmed as Kafka does.
std::vector<std::pair<std::string, std::string>> configs_to_add(const config_command& command) {
    std::vector<std::pair<std::string, std::string>> additions;
    if (!command.add_config_file.empty()) {
        for (const auto& [key, value] : load_client_properties(command.add_config_file)) {
            additions.emplace_back(key, value);
        }
    }
    if (!command.add_config.empty()) {
        try {
            additions = parse_key_value_list(command.add_config);
        } catch (const usage_error&) {
            throw plain_error("Invalid entity config: all configs to be added must be in the format \"key=val\" or "
                              "\"key=[val1,val2]\" to group values which contain commas.");
        }
    }
    const auto trim = [](std::string text) {
        const auto first = text.find_first_not_of(" \t");
        if (first == std::string::npos) return std::string{};
        return text.substr(first, text.find_last_not_of(" \t") - first + 1);
    };
    for (auto& [key, value] : additions) {
        key = trim(key);
        value = trim(value);
        const bool valid = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '$';
        });
        if (!valid) throw plain_error("Invalid character found for config key: " + key);
    }
    return additions;
}

void alter(client::blocking_client& client, const config_command& command) {
    const auto target = targets(client, command).front();
    const auto additions = configs_to_add(command);
    const auto deletions = split_list(command.delete_config);
    std::set<std::string> added;
    for (const auto& [key, value] : additions) added.insert(key);
    for (const auto& key : deletions) {
        if (added.contains(key)) throw plain_error("Invalid config(s): " + key + " (both added and deleted)");
    }

    config_changes changes;
    for (const auto& key : deletions) changes.emplace_back(key, std::nullopt);
    for (const auto& [key, value] : additions) changes.emplace_back(key, value);

    messages::IncrementalAlterConfigsRequest request;
    auto& resource = request.resources.emplace_back();
    resource.resource_type = target.type;
    resource.resource_name = target.name;
    for (const auto& [key, value] : changes) {
        auto& config = resource.configs.emplace_back();
        config.name = key;
        config.config_operation = value ? operation_set : operation_delete;
        config.value = value;
    }
    auto response = client.send_to_any(request);
    if (!response && response.error() == client::errc::unsupported_version) {
        alter_whole_set(client, target, changes);
    } else {
        const auto& answer = require(response, "altering the configs of " + describe_entity(target));
        for (const auto& result : answer.responses) {
            if (result.error_code != 0) throw tool_error(kafka_error_text(result.error_code, result.error_message));
        }
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
    const auto values = parse_or_help(argc, argv, options, command.common,
                                      "This tool helps to manipulate and describe entity config for a topic or broker");
    if (!values) return 0;
    check_arguments(*values, command);
    client::blocking_client client(make_client_options(command.common));
    try {
        if (command.describe) {
            describe(client, command);
        } else {
            alter(client, command);
        }
    } catch (const exit_quietly&) {
        return 1;
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
    // Kafka's ConfigCommand reports every failure on stderr.
    return tool_main<config_command>(argc, argv, "", run);
}
