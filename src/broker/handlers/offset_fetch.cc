// OffsetFetch (key 9): a group's committed offsets.
//
// Version notes: Kafka 4.0 serves v1-9 (KIP-896). v2: null topics means
// every committed partition, and a top-level error; v5: committed leader
// epoch; v6: flexible; v7: require_stable; v8: several groups per request
// (KIP-709), answered per group; v9: member id and epoch for KIP-848 groups
// (classic groups do not check them). Without transactions no offset is
// pending, so require_stable never has to wait.

#include "brook/messages/offset_fetch_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

using messages::error_code;

namespace {

asio::awaitable<messages::OffsetFetchResponse::OffsetFetchResponseGroup> fetch_group(
    broker_services& services, messages::OffsetFetchRequest::OffsetFetchRequestGroup group, bool require_stable) {
    auto answer = std::make_shared<messages::OffsetFetchResponse::OffsetFetchResponseGroup>();
    const std::int32_t partition = services.groups->partition_for(group.group_id);
    auto query = services.groups->query(partition, [answer, group, require_stable](const group::coordinator& c) {
        *answer = c.fetch_offsets(group, require_stable);
    });
    const error_code error = co_await std::move(query);
    if (error != error_code::none) {
        answer->group_id = group.group_id;
        answer->error_code = static_cast<std::int16_t>(error);
    }
    co_return std::move(*answer);
}

}  // namespace

asio::awaitable<response> offset_fetch_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    const bool require_stable = version >= 7 && request.require_stable;
    messages::OffsetFetchResponse body;

    if (version >= 8) {
        for (const auto& group : request.groups) {
            auto fetch = fetch_group(services, group, require_stable);
            body.groups.push_back(co_await std::move(fetch));
        }
        co_return encode_response(context, body);
    }

    // v1-7: one group, answered in the old shape.
    messages::OffsetFetchRequest::OffsetFetchRequestGroup group;
    group.group_id = request.group_id;
    if (request.topics) {
        group.topics.emplace();
        for (const auto& topic : *request.topics) {
            group.topics->push_back({topic.name, topic.partition_indexes, {}});
        }
    } else {
        group.topics.reset();
    }
    auto fetch = fetch_group(services, group, require_stable);
    const auto answer = co_await std::move(fetch);
    for (const auto& topic : answer.topics) {
        auto& out = body.topics.emplace_back();
        out.name = topic.name;
        for (const auto& partition : topic.partitions) {
            auto& p = out.partitions.emplace_back();
            p.partition_index = partition.partition_index;
            p.committed_offset = partition.committed_offset;
            if (version >= 5) p.committed_leader_epoch = partition.committed_leader_epoch;
            p.metadata = partition.metadata;
            p.error_code = partition.error_code;
            // v1 has no top-level error: each partition carries it.
            if (version < 2 && answer.error_code != 0) p.error_code = answer.error_code;
        }
    }
    if (version >= 2) body.error_code = answer.error_code;
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
