// IncrementalAlterConfigs (key 44): change single config keys of a resource.
//
// Version notes:
// - v0: per key an operation, SET (0), DELETE (1), APPEND (2) or SUBTRACT
//   (3), and validate_only; v1: flexible.
// - Kafka 4.0 serves v0-1.
// - SET replaces a topic override, DELETE removes it (a missing one is no
//   error), APPEND and SUBTRACT add or remove items of a list-type key
//   (cleanup.policy), starting from the override or, without one, the value
//   the topic has from the broker's defaults; on any other key they are
//   INVALID_CONFIG. The resulting override set is validated as a whole, and
//   nothing changes when any part of it is wrong.
// - A resource named twice is INVALID_REQUEST for each copy; a key named
//   twice in one resource, a null value for anything but DELETE, and an
//   unknown operation are INVALID_REQUEST for that resource.
// - BROKER resources are refused as in AlterConfigs (Brook's broker
//   configuration is fixed at startup); BROKER_LOGGER and other types are
//   INVALID_REQUEST.

#include <map>
#include <set>

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/incremental_alter_configs_response.h"
#include "config_resources.h"

namespace brook::broker::handlers {

using messages::error_code;

asio::awaitable<response> incremental_alter_configs_handler::handle(request_context& context,
                                                                    request_type&& request) {
    messages::IncrementalAlterConfigsResponse body;
    std::map<std::pair<std::int8_t, std::string>, int> resource_counts;
    for (const auto& resource : request.resources) ++resource_counts[{resource.resource_type, resource.resource_name}];

    std::vector<topic_config_change> changes;
    std::vector<std::size_t> positions;  // where each topic change's result goes
    for (const auto& resource : request.resources) {
        auto& result = body.responses.emplace_back();
        result.resource_type = resource.resource_type;
        result.resource_name = resource.resource_name;
        result.error_message = std::nullopt;
        const auto fail = [&result](const resource_error& error) {
            result.error_code = static_cast<std::int16_t>(error.code);
            result.error_message = error.message;
        };
        if (resource_counts[{resource.resource_type, resource.resource_name}] > 1) {
            fail({error_code::invalid_request, "Duplicate resource."});
            continue;
        }
        std::set<std::string> names;
        std::optional<resource_error> error;
        for (const auto& config : resource.configs) {
            if (!names.insert(config.name).second) {
                error = resource_error{error_code::invalid_request, "Error due to duplicate config keys"};
                break;
            }
        }
        if (error) {
            fail(*error);
            continue;
        }
        switch (static_cast<resource_type>(resource.resource_type)) {
        case resource_type::topic: {
            if (auto problem = check_topic_resource(resource.resource_name, true)) {
                fail(*problem);
                break;
            }
            topic_config_change change{resource.resource_name, false, {}};
            for (const auto& config : resource.configs) {
                error = check_topic_config_operation(config.config_operation, config.name, config.value);
                if (error) break;
                change.operations.push_back(
                    {config.name, static_cast<config_operation>(config.config_operation), config.value});
            }
            if (error) {
                fail(*error);
                break;
            }
            positions.push_back(body.responses.size() - 1);
            changes.push_back(std::move(change));
            break;
        }
        case resource_type::broker: {
            const auto first_key = resource.configs.empty()
                                       ? std::nullopt
                                       : std::optional<std::string_view>(resource.configs.front().name);
            if (auto problem = check_broker_alteration(context.services, resource.resource_name, first_key)) {
                fail(*problem);
            }
            break;
        }
        default:
            fail({error_code::invalid_request, "Unsupported resource type: " + resource_type_name(resource.resource_type)});
            break;
        }
    }

    auto applying = apply_topic_config_changes(context.services, std::move(changes), positions,
                                               request.validate_only, body.responses);
    co_await std::move(applying);
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
