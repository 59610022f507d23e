#include "config_resources.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "brook/config/broker_config.h"
#include "brook/config/topic_config.h"
#include "brook/broker/partition_manager.h"
#include "brook/metadata/controller.h"
#include "cluster.h"

namespace brook::broker::handlers {
namespace {

using messages::error_code;

// The items of a list-type value, as Kafka splits them: on commas, with the
// spaces around each item trimmed and empty items dropped.
std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
    }
    return items;
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

// The value APPEND and SUBTRACT start from: the override, else the value the
// topic has now from the broker's defaults (as Kafka starts from the default).
std::optional<std::string> current_value(const broker_services& services, const metadata::topic_info& topic,
                                         const std::string& name) {
    if (const auto it = topic.configs.find(name); it != topic.configs.end()) return it->second;
    const auto described =
        config::describe_topic_config(*services.config, config::topic_overrides(topic.configs.begin(), topic.configs.end()));
    const auto entry = std::find_if(described.begin(), described.end(), [&](const auto& e) { return e.name == name; });
    return entry == described.end() ? std::nullopt : entry->value;
}

// Runs on the controller's shard: reads the topic's overrides and hands the
// controller the resulting changes in the same step, so an APPEND or SUBTRACT
// cannot be computed from overrides that changed in between.
std::vector<metadata::operation_result> apply_on_controller(broker_services& services,
                                                            const std::vector<topic_config_change>& changes,
                                                            bool validate_only) {
    std::vector<metadata::operation_result> results;
    results.reserve(changes.size());
    for (const auto& change : changes) {
        const auto topic = services.image()->topic(change.topic);
        if (!topic) {
            results.push_back({error_code::unknown_topic_or_partition,
                               fmt::format("The topic '{}' does not exist.", change.topic)});
            continue;
        }
        std::map<std::string, std::optional<std::string>> delta;
        if (change.replace_all) {
            for (const auto& [name, value] : topic->configs) delta[name] = std::nullopt;
        }
        for (const auto& op : change.operations) {
            switch (op.operation) {
            case config_operation::set: delta[op.name] = op.value; break;
            case config_operation::remove: delta[op.name] = std::nullopt; break;
            case config_operation::append:
            case config_operation::subtract: {
                const auto current = current_value(services, *topic, op.name);
                auto items = split_list(current.value_or(""));
                for (const auto& item : split_list(op.value.value_or(""))) {
                    const auto found = std::find(items.begin(), items.end(), item);
                    if (op.operation == config_operation::append && found == items.end()) items.push_back(item);
                    if (op.operation == config_operation::subtract && found != items.end()) items.erase(found);
                }
                delta[op.name] = join_list(items);
                break;
            }
            }
        }
        results.push_back(services.controller->alter_topic_configs(change.topic, delta, validate_only, now_ms()));
    }
    return results;
}

}  // namespace

std::string resource_type_name(std::int8_t type) {
    switch (static_cast<resource_type>(type)) {
    case resource_type::unknown: return "UNKNOWN";
    case resource_type::topic: return "TOPIC";
    case resource_type::broker: return "BROKER";
    case resource_type::broker_logger: return "BROKER_LOGGER";
    case resource_type::client_metrics: return "CLIENT_METRICS";
    case resource_type::group: return "GROUP";
    }
    return std::to_string(type);
}

std::optional<resource_error> check_topic_resource(std::string_view name, bool for_alter) {
    if (for_alter && name.empty()) return resource_error{error_code::invalid_request, "Default topic resource is not allowed."};
    if (auto problem = metadata::controller::invalid_topic_name(name)) {
        return resource_error{error_code::invalid_topic_exception, *problem};
    }
    return std::nullopt;
}

std::optional<resource_error> check_broker_resource(const broker_services& services, std::string_view name,
                                                    bool allow_default) {
    const std::int32_t self = services.settings.node_id;
    if (name.empty()) {
        if (allow_default) return std::nullopt;
        return resource_error{error_code::invalid_request, "Broker id must not be empty"};
    }
    std::int32_t id = 0;
    const auto [end, parse_error] = std::from_chars(name.data(), name.data() + name.size(), id);
    if (parse_error != std::errc{} || end != name.data() + name.size()) {
        return resource_error{error_code::invalid_request,
                              fmt::format("Broker id must be an integer, but it is: {}", name)};
    }
    if (id != self) {
        return resource_error{error_code::invalid_request,
                              allow_default ? fmt::format("Unexpected broker id, expected {} or empty string, but "
                                                          "received {}",
                                                          self, name)
                                            : fmt::format("Unexpected broker id, expected {} but received {}", self,
                                                          name)};
    }
    return std::nullopt;
}

resource_error refuse_broker_config_change(std::string_view key) {
    const auto* known = config::find_broker_config_key(key);
    if (known == nullptr) {
        return {error_code::invalid_config, fmt::format("Unknown broker config name: {}", key)};
    }
    if (known->read_only) {
        // Kafka's own answer for a key it can only read at startup.
        return {error_code::invalid_config, fmt::format("Cannot update these configs dynamically: [{}]", key)};
    }
    return {error_code::invalid_request,
            fmt::format("Brook does not change broker configs at runtime: {} can only be set in server.properties, "
                        "followed by a restart",
                        key)};
}

std::optional<resource_error> check_topic_config_operation(std::int8_t operation, std::string_view name,
                                                           const std::optional<std::string>& value) {
    if (operation < 0 || operation > static_cast<std::int8_t>(config_operation::subtract)) {
        return resource_error{error_code::invalid_request, fmt::format("Unknown operation type {}", operation)};
    }
    const auto op = static_cast<config_operation>(operation);
    if (op != config_operation::remove && !value) {
        return resource_error{error_code::invalid_request, fmt::format("Null value not supported for : {}", name)};
    }
    if (op == config_operation::append || op == config_operation::subtract) {
        const auto* key = config::find_topic_config_key(name);
        if (key == nullptr) return resource_error{error_code::invalid_config, fmt::format("Unknown topic config name: {}", name)};
        if (key->type != config::config_type::list) {
            return resource_error{error_code::invalid_config,
                                  fmt::format("Can't {} to key {} because its type is not LIST.",
                                              op == config_operation::append ? "APPEND" : "SUBTRACT", name)};
        }
    }
    return std::nullopt;
}

asio::awaitable<std::vector<metadata::operation_result>> alter_topic_configs(broker_services& services,
                                                                            std::vector<topic_config_change> changes,
                                                                            bool validate_only) {
    auto hop = io::submit_to(services.controller_executor(), [&services, changes = std::move(changes), validate_only] {
        return apply_on_controller(services, changes, validate_only);
    });
    auto results = co_await std::move(hop);
    // As change_metadata does: the hosted partitions see the new image before
    // the client hears of the change. (Tests without partitions skip it.)
    if (!validate_only && services.partitions != nullptr) {
        auto reconcile = services.partitions->reconcile(services.image());
        co_await std::move(reconcile);
    }
    co_return results;
}

std::optional<resource_error> check_broker_alteration(const broker_services& services, std::string_view name,
                                                      std::optional<std::string_view> first_key) {
    if (auto problem = check_broker_resource(services, name, true)) return problem;
    if (first_key) return refuse_broker_config_change(*first_key);
    return std::nullopt;
}

}  // namespace brook::broker::handlers
