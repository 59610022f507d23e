// DescribeConfigs (key 32): the configuration of topics and of this broker.
//
// Version notes:
// - v0: name, value, read-only, is-default and is-sensitive per entry; v1:
//   include_synonyms in the request, and each entry says where its value
//   comes from (config_source) instead of is_default, with the synonyms when
//   asked; v2: same as v1 (throttle time applied before the response);
//   v3: include_documentation, and each entry carries its type and,
//   when asked, its documentation; v4: flexible.
// - Kafka 4.0 serves v1-4 (KIP-896 removed v0); Brook keeps v0 because
//   clients still in use send it (sarama 1.22, Debian's, lists topics with
//   it), and it costs nothing.
// - A configuration_keys of null or empty means every key.
// - TOPIC resources: every topic key with the broker's defaults and the
//   topic's overrides. BROKER resources: this node's id gives every broker
//   key Brook honours; the empty name gives the cluster-wide dynamic
//   defaults only (Kafka's behaviour), which Brook has none of unless the
//   metadata log holds some. Any other id is INVALID_REQUEST, as in Kafka.
// - BROKER_LOGGER (Kafka lists its log4j loggers), GROUP and CLIENT_METRICS
//   are not served: INVALID_REQUEST for that resource alone, after the same
//   broker id checks Kafka makes for BROKER_LOGGER.

#include <algorithm>

#include "brook/broker/handlers/handlers.h"
#include "brook/config/topic_config.h"
#include "brook/messages/describe_configs_response.h"
#include "config_resources.h"

namespace brook::broker::handlers {
namespace {

using messages::DescribeConfigsResponse;
using messages::error_code;

struct describe_options {
    std::int16_t version = 1;
    bool include_synonyms = false;
    bool include_documentation = false;
};

bool wanted(const std::optional<std::vector<std::string>>& keys, const std::string& name) {
    if (!keys || keys->empty()) return true;
    return std::find(keys->begin(), keys->end(), name) != keys->end();
}

DescribeConfigsResponse::DescribeConfigsResourceResult to_wire(const config::described_config& entry,
                                                                const describe_options& options) {
    DescribeConfigsResponse::DescribeConfigsResourceResult out;
    out.name = entry.name;
    out.value = entry.is_sensitive ? std::nullopt : entry.value;
    out.read_only = entry.read_only;
    out.is_sensitive = entry.is_sensitive;
    if (options.version == 0) {
        out.is_default = entry.source == config::config_source::default_config;
    } else {
        out.config_source = static_cast<std::int8_t>(entry.source);
        if (options.include_synonyms) {
            for (const auto& synonym : entry.synonyms) {
                auto& s = out.synonyms.emplace_back();
                s.name = synonym.name;
                s.value = entry.is_sensitive ? std::nullopt : synonym.value;
                s.source = static_cast<std::int8_t>(synonym.source);
            }
        }
    }
    if (options.version >= 3) {
        out.config_type = static_cast<std::int8_t>(entry.type);
        out.documentation = options.include_documentation ? std::optional<std::string>(entry.doc) : std::nullopt;
    }
    return out;
}

// A broker key's entry with the dynamic overrides the metadata log holds
// laid over it: this broker's own first, then the cluster-wide default.
config::described_config with_dynamic_overrides(config::described_config entry, const metadata::image& image,
                                                const std::string& broker_name) {
    std::vector<config::config_synonym> dynamic;
    const auto& dynamic_configs = image.broker_configs();
    const std::pair<const std::string*, config::config_source> layers[] = {
        {&broker_name, config::config_source::dynamic_broker_config},
        {nullptr, config::config_source::dynamic_default_broker_config},
    };
    for (const auto& [name, source] : layers) {
        const auto configs = dynamic_configs.find(name != nullptr ? *name : std::string());
        if (configs == dynamic_configs.end()) continue;
        const auto value = configs->second.find(entry.name);
        if (value != configs->second.end()) dynamic.push_back({entry.name, value->second, source});
    }
    if (!dynamic.empty()) {
        entry.value = dynamic.front().value;
        entry.source = dynamic.front().source;
        entry.synonyms.insert(entry.synonyms.begin(), dynamic.begin(), dynamic.end());
    }
    return entry;
}

void describe_broker(const broker_services& services, const metadata::image& image, const std::string& name,
                     const std::optional<std::vector<std::string>>& keys, const describe_options& options,
                     DescribeConfigsResponse::DescribeConfigsResult& result) {
    if (name.empty()) {
        // The cluster-wide default resource lists only the dynamic defaults.
        const auto defaults = image.broker_configs().find("");
        if (defaults == image.broker_configs().end()) return;
        for (const auto& [key, value] : defaults->second) {
            if (!wanted(keys, key)) continue;
            config::described_config entry;
            if (const auto* known = services.config->find(key)) {
                entry = *known;
                entry.synonyms.clear();
            }
            entry.name = key;
            entry.value = value;
            entry.source = config::config_source::dynamic_default_broker_config;
            entry.synonyms.push_back({key, value, entry.source});
            result.configs.push_back(to_wire(entry, options));
        }
        return;
    }
    for (const auto& entry : services.config->entries) {
        if (!wanted(keys, entry.name)) continue;
        result.configs.push_back(to_wire(with_dynamic_overrides(entry, image, name), options));
    }
}

}  // namespace

asio::awaitable<response> describe_configs_handler::handle(request_context& context, request_type&& request) {
    const auto& services = context.services;
    const auto image = services.image();
    const describe_options options{context.api_version, request.include_synonyms, request.include_documentation};
    DescribeConfigsResponse body;
    for (auto& resource : request.resources) {
        auto& result = body.results.emplace_back();
        result.resource_type = resource.resource_type;
        result.resource_name = resource.resource_name;
        result.error_message = std::nullopt;
        std::optional<resource_error> error;
        switch (static_cast<resource_type>(resource.resource_type)) {
        case resource_type::topic: {
            error = check_topic_resource(resource.resource_name, false);
            if (error) break;
            const auto topic = image->topic(resource.resource_name);
            if (!topic) {
                error = resource_error{error_code::unknown_topic_or_partition,
                                       "This server does not host this topic-partition."};
                break;
            }
            const config::topic_overrides overrides(topic->configs.begin(), topic->configs.end());
            for (const auto& entry : config::describe_topic_config(*services.config, overrides)) {
                if (wanted(resource.configuration_keys, entry.name)) result.configs.push_back(to_wire(entry, options));
            }
            break;
        }
        case resource_type::broker:
            error = check_broker_resource(services, resource.resource_name, true);
            if (!error) describe_broker(services, *image, resource.resource_name, resource.configuration_keys, options, result);
            break;
        case resource_type::broker_logger:
            error = check_broker_resource(services, resource.resource_name, false);
            if (!error) error = resource_error{error_code::invalid_request, "Unsupported resource type: BROKER_LOGGER"};
            break;
        default:
            error = resource_error{error_code::invalid_request,
                                   "Unsupported resource type: " + resource_type_name(resource.resource_type)};
            break;
        }
        if (error) {
            result.configs.clear();
            result.error_code = static_cast<std::int16_t>(error->code);
            result.error_message = error->message;
        }
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
