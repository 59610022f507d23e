// CreatePartitions (key 37): add partitions to existing topics.
//
// Version notes:
// - v0-v1: the same layout; v2: flexible; v3: same as v2.
// - A topic named twice in one request is refused (INVALID_REQUEST).

#include <map>

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/create_partitions_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

asio::awaitable<response> create_partitions_handler::handle(request_context& context, request_type&& request) {
    messages::CreatePartitionsResponse body;
    auto& services = context.services;
    std::map<std::string, int> name_counts;
    for (const auto& topic : request.topics) ++name_counts[topic.name];

    for (const auto& topic : request.topics) {
        auto& out = body.results.emplace_back();
        out.name = topic.name;
        if (name_counts[topic.name] > 1) {
            out.error_code = static_cast<std::int16_t>(messages::error_code::invalid_request);
            out.error_message = "Duplicate topic in request.";
            continue;
        }
        std::vector<std::vector<std::int32_t>> assignments;
        if (topic.assignments) {
            for (const auto& assignment : *topic.assignments) assignments.push_back(assignment.broker_ids);
        }
        const std::string name = topic.name;
        const std::int32_t count = topic.count;
        const bool validate_only = request.validate_only;
        auto hop = change_metadata(services, [&services, name, count, assignments, validate_only] {
            return services.controller->create_partitions(name, count, assignments, validate_only, now_ms());
        });
        const auto result = co_await std::move(hop);
        out.error_code = static_cast<std::int16_t>(result.error);
        if (!result.ok()) out.error_message = result.message;
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
