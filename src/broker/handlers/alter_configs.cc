// AlterConfigs (key 33): the legacy, whole-resource way to change configs.
//
// Version notes:
// - v0: resources with their full new config set, and validate_only; v1:
//   same layout (throttle time applied before the response); v2: flexible.
// - Kafka 4.0 serves v0-2. Clients have moved to IncrementalAlterConfigs;
//   this one is kept because older tools still send it.
// - For a topic the entries given become its whole override set: every
//   override not named is removed. A null value is INVALID_REQUEST, as is a
//   key named twice or a resource named twice (for each copy).
// - BROKER resources: Brook's broker configuration is fixed at startup, so
//   any entry is refused, naming the key (INVALID_CONFIG for keys Kafka
//   cannot change at runtime either and for unknown keys, INVALID_REQUEST for
//   the rest). An empty change list succeeds. BROKER_LOGGER and other types
//   are INVALID_REQUEST.

#include <map>
#include <set>

#include <fmt/format.h>

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/alter_configs_response.h"
#include "config_resources.h"

namespace brook::broker::handlers {

using messages::error_code;

asio::awaitable<response> alter_configs_handler::handle(request_context& context, request_type&& request) {
    messages::AlterConfigsResponse body;
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
            if (!config.value) {
                error = resource_error{error_code::invalid_request,
                                       fmt::format("Null value not supported for : {}", config.name)};
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
            topic_config_change change{resource.resource_name, true, {}};
            for (const auto& config : resource.configs) {
                change.operations.push_back({config.name, config_operation::set, config.value});
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
