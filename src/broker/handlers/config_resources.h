#pragma once
// What DescribeConfigs, AlterConfigs and IncrementalAlterConfigs share:
// Kafka's ConfigResource types, the rules for naming a broker resource, why
// Brook refuses broker config changes, and topic config changes carried out
// on the controller's shard. Called from handlers on any shard.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brook/broker/services.h"
#include "brook/messages/error_codes.h"

namespace brook::broker::handlers {

namespace asio = boost::asio;

// Kafka's ConfigResource.Type codes.
enum class resource_type : std::int8_t {
    unknown = 0,
    topic = 2,
    broker = 4,
    broker_logger = 8,
    client_metrics = 16,
    group = 32,
};

// Kafka's name for a resource type code ("TOPIC", ...); the number for an
// unknown code.
std::string resource_type_name(std::int8_t type);

// A per-resource failure as the wire reports it.
struct resource_error {
    messages::error_code code = messages::error_code::none;
    std::string message;
};

// Checks a TOPIC resource name. `for_alter` adds Kafka's refusal of the empty
// name (the default topic resource) when a change is asked for.
std::optional<resource_error> check_topic_resource(std::string_view name, bool for_alter);

// Checks that a BROKER or BROKER_LOGGER resource names this node; the empty
// name (the cluster-wide default) is accepted only when `allow_default`.
std::optional<resource_error> check_broker_resource(const broker_services& services, std::string_view name,
                                                    bool allow_default);

// Why Brook does not change broker config `key` at runtime: Kafka's refusal
// for keys it cannot change dynamically either, and for the others a plain
// statement that Brook's broker configuration only changes by restart.
resource_error refuse_broker_config_change(std::string_view key);

// Both alter APIs' answer for a broker resource: its id is checked and any
// change is refused (Brook applies broker configs only at start-up); an
// empty change list succeeds. `first_key` is the first key asked for, if any.
std::optional<resource_error> check_broker_alteration(const broker_services& services, std::string_view name,
                                                      std::optional<std::string_view> first_key);

// IncrementalAlterConfigs' operation codes.
enum class config_operation : std::int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

struct topic_config_operation {
    std::string name;
    config_operation operation = config_operation::set;
    std::optional<std::string> value;
};

// The changes asked for one topic. Legacy AlterConfigs replaces the whole
// override set: every override it does not name is removed.
struct topic_config_change {
    std::string topic;
    bool replace_all = false;
    std::vector<topic_config_operation> operations;
};

// Checks an operation that does not depend on the topic's current configs:
// a known operation code, a value where one is needed, and APPEND/SUBTRACT
// only on list-type keys.
std::optional<resource_error> check_topic_config_operation(std::int8_t operation, std::string_view name,
                                                           const std::optional<std::string>& value);

// Carries out `changes` on the controller's shard, each against the topic's
// overrides at that moment; one result per change, in order.
asio::awaitable<std::vector<metadata::operation_result>> alter_topic_configs(broker_services& services,
                                                                            std::vector<topic_config_change> changes,
                                                                            bool validate_only);

// Applies validated topic changes on the controller and writes each result
// into the response entry at the matching position (both alter APIs).
template <typename Responses>
asio::awaitable<void> apply_topic_config_changes(broker_services& services, std::vector<topic_config_change> changes,
                                                 const std::vector<std::size_t>& positions, bool validate_only,
                                                 Responses& responses) {
    if (changes.empty()) co_return;
    auto altering = alter_topic_configs(services, std::move(changes), validate_only);
    const auto results = co_await std::move(altering);
    for (std::size_t i = 0; i < results.size(); ++i) {
        auto& out = responses[positions[i]];
        out.error_code = static_cast<std::int16_t>(results[i].error);
        if (!results[i].ok()) out.error_message = results[i].message;
    }
}

}  // namespace brook::broker::handlers
