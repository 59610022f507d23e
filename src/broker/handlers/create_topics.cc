// CreateTopics (key 19): create topics through the controller.
//
// Version notes:
// - v1: validate_only and error messages; v2: throttle time; v3-v4: same
//   layout (v4 lets -1 mean the broker's defaults for partitions and
//   replication factor); v5: flexible, and the response describes the new
//   topic (partitions, replication factor, configs); v6: same as v5; v7:
//   topic ids in the response.
// - Kafka 4.0 serves v2-7 (KIP-896).
// - A topic named twice in one request is refused (INVALID_REQUEST) for every
//   copy, as Kafka does.

#include <map>

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/create_topics_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

asio::awaitable<response> create_topics_handler::handle(request_context& context, request_type&& request) {
    messages::CreateTopicsResponse body;
    std::map<std::string, int> name_counts;
    for (const auto& topic : request.topics) ++name_counts[topic.name];

    std::vector<metadata::create_topic_request> to_create;
    std::vector<std::size_t> positions;  // where each request's result goes
    for (const auto& topic : request.topics) {
        auto& result = body.topics.emplace_back();
        result.name = topic.name;
        if (name_counts[topic.name] > 1) {
            result.error_code = static_cast<std::int16_t>(messages::error_code::invalid_request);
            result.error_message = "Create topics request from client contains a duplicate topic: " + topic.name;
            continue;
        }
        metadata::create_topic_request create;
        create.name = topic.name;
        create.num_partitions = topic.num_partitions;
        create.replication_factor = topic.replication_factor;
        for (const auto& assignment : topic.assignments) {
            create.assignments[assignment.partition_index] = assignment.broker_ids;
        }
        for (const auto& config : topic.configs) {
            if (config.value) create.configs[config.name] = *config.value;
        }
        positions.push_back(body.topics.size() - 1);
        to_create.push_back(std::move(create));
    }

    if (!to_create.empty()) {
        auto& services = context.services;
        const bool validate_only = request.validate_only;
        auto hop = change_metadata(services, [&services, to_create, validate_only] {
            return services.controller->create_topics(to_create, validate_only, now_ms());
        });
        const auto results = co_await std::move(hop);
        for (std::size_t i = 0; i < results.size(); ++i) {
            auto& out = body.topics[positions[i]];
            const auto& result = results[i];
            out.error_code = static_cast<std::int16_t>(result.error);
            if (!result.ok()) {
                out.error_message = result.message;
                continue;
            }
            out.topic_id = result.topic_id;
            out.num_partitions = result.num_partitions;
            out.replication_factor = result.replication_factor;
        }
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
