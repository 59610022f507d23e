// DeleteTopics (key 20): delete topics by name or, from v6, by id.
//
// Version notes:
// - v1: throttle time; v2-v3: same layout; v4: flexible; v5: error messages;
//   v6: topics given as (name, id) pairs, either of which may identify it.
// - Kafka 4.0 serves v1-6 (KIP-896).

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/delete_topics_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

asio::awaitable<response> delete_topics_handler::handle(request_context& context, request_type&& request) {
    messages::DeleteTopicsResponse body;
    auto& services = context.services;
    struct wanted_topic {
        std::optional<std::string> name;
        wire::uuid id;
    };
    std::vector<wanted_topic> wanted;
    if (context.api_version >= 6) {
        for (const auto& topic : request.topics) wanted.push_back({topic.name, topic.topic_id});
    } else {
        for (const auto& name : request.topic_names) wanted.push_back({name, {}});
    }

    for (const auto& topic : wanted) {
        auto& out = body.responses.emplace_back();
        out.name = topic.name;
        out.topic_id = topic.id;
        const auto image = services.image();
        std::shared_ptr<const metadata::topic_info> found;
        if (topic.name) {
            found = image->topic(*topic.name);
        } else if (!topic.id.is_zero()) {
            found = image->topic(topic.id);
        }
        if (!found) {
            const bool by_id = !topic.name && !topic.id.is_zero();
            out.error_code = static_cast<std::int16_t>(by_id ? messages::error_code::unknown_topic_id
                                                             : messages::error_code::unknown_topic_or_partition);
            out.error_message = by_id ? "This server does not host this topic ID."
                                      : "This server does not host this topic-partition.";
            continue;
        }
        out.name = found->name;
        out.topic_id = found->id;
        const wire::uuid id = found->id;
        auto hop = change_metadata(services, [&services, id] {
            return services.controller->delete_topic(id, now_ms());
        });
        const auto result = co_await std::move(hop);
        out.error_code = static_cast<std::int16_t>(result.error);
        if (!result.ok()) out.error_message = result.message;
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
