// FindCoordinator (key 10): which broker coordinates a group.
//
// Version notes: Kafka 4.0 serves v0-6. v1: key type (group 0, transaction
// 1) and error message; v3: flexible; v4: several keys per request
// (KIP-699), answered per key. The first request creates __consumer_offsets
// (offsets.topic.num.partitions, offsets.topic.replication.factor), as Kafka
// does. Brook has no transaction coordinator yet: transactional ids get
// COORDINATOR_NOT_AVAILABLE.

#include "brook/messages/find_coordinator_response.h"
#include "brook/broker/handlers/handlers.h"
#include "cluster.h"
#include "group_calls.h"

namespace brook::broker::handlers {

using messages::error_code;

asio::awaitable<response> find_coordinator_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    messages::FindCoordinatorResponse body;

    std::vector<std::string> keys = version >= 4 ? request.coordinator_keys : std::vector<std::string>{request.key};
    const std::int8_t key_type = version >= 1 ? request.key_type : 0;

    error_code topic_error = error_code::none;
    if (key_type == 0) {
        auto ensure = services.groups->ensure_offsets_topic();
        topic_error = co_await std::move(ensure);
    }
    const auto image = services.image();
    std::optional<reachable_broker> self;
    for (const auto& broker : reachable_brokers(services, *image, context.connection.listener_name)) {
        if (broker.id == services.settings.node_id) self = broker;
    }

    for (const auto& key : keys) {
        messages::FindCoordinatorResponse::Coordinator answer;
        answer.key = key;
        answer.node_id = -1;
        answer.port = -1;
        answer.error_message = std::nullopt;
        if (key_type != 0 && key_type != 1) {
            answer.error_code = static_cast<std::int16_t>(error_code::invalid_request);
            answer.error_message = "Unknown coordinator key type " + std::to_string(key_type) + ".";
        } else if (key_type == 1) {
            answer.error_code = static_cast<std::int16_t>(error_code::coordinator_not_available);
            answer.error_message = "Brook has no transaction coordinator yet.";
        } else if (topic_error != error_code::none || !self) {
            answer.error_code = static_cast<std::int16_t>(error_code::coordinator_not_available);
            answer.error_message = "The group coordinator is not available.";
        } else {
            answer.node_id = self->id;
            answer.host = self->host;
            answer.port = self->port;
        }
        body.coordinators.push_back(std::move(answer));
    }

    if (version < 4) {
        auto& only = body.coordinators.at(0);
        body.error_code = only.error_code;
        if (version >= 1) body.error_message = only.error_message;
        body.node_id = only.node_id;
        body.host = only.host;
        body.port = only.port;
        body.coordinators.clear();
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
