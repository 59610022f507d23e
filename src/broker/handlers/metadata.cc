// Metadata (key 3): brokers, controller and topic layout.
//
// Version notes:
// - v0: a list of topics (empty means all); v1: null means all, adds
//   controller_id, rack and is_internal; v2: cluster_id; v3: throttle time;
//   v4: allow_auto_topic_creation; v5: offline replicas; v7: leader epoch;
//   v8-10: authorized operations (cluster ones dropped in v11, KIP-700);
//   v9: flexible; v10: topic ids (request and response); v12: topics may be
//   asked for by id alone, with a null name in the answer.
// - Kafka 4.0 serves v0-12 (KIP-896 kept v0). Auto-creation applies to v0-3
//   always and from v4 when the request allows it, and only with
//   auto.create.topics.enable.

#include <set>

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/metadata_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

using messages::MetadataResponse;

namespace {

void describe_topic(const metadata::topic_info& topic, MetadataResponse::MetadataResponseTopic& out,
                    std::int16_t version, bool include_operations) {
    out.error_code = 0;
    out.name = topic.name;
    out.topic_id = topic.id;
    out.is_internal = is_internal_topic(topic.name);
    for (const auto& partition : topic.partitions) {
        auto& p = out.partitions.emplace_back();
        p.partition_index = partition.partition;
        p.leader_id = partition.leader;
        p.leader_epoch = partition.leader_epoch;
        p.replica_nodes = partition.replicas;
        p.isr_nodes = partition.isr;
        // A partition without a leader is reported as Kafka does.
        if (partition.leader < 0) p.error_code = static_cast<std::int16_t>(messages::error_code::leader_not_available);
    }
    if (include_operations && version >= 8) out.topic_authorized_operations = all_topic_operations();
}

}  // namespace

asio::awaitable<response> metadata_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    broker_services& services = context.services;
    MetadataResponse body;

    // Which topics: all of them, or those named (or, from v10, given by id).
    const bool all_topics = !request.topics.has_value() || (version == 0 && request.topics->empty());
    const bool may_auto_create =
        services.settings.auto_create_topics && (version < 4 || request.allow_auto_topic_creation);

    auto image = services.image();
    if (!all_topics) {
        std::vector<metadata::create_topic_request> to_create;
        std::set<std::string> creating;
        for (const auto& wanted : *request.topics) {
            if (!wanted.name && !wanted.topic_id.is_zero()) continue;
            if (wanted.name && !image->topic(*wanted.name) && may_auto_create &&
                !metadata::controller::invalid_topic_name(*wanted.name) && !creating.contains(*wanted.name)) {
                creating.insert(*wanted.name);
                metadata::create_topic_request create;
                create.name = *wanted.name;
                to_create.push_back(std::move(create));
            }
        }
        if (!to_create.empty()) {
            auto hop = change_metadata(services, [&services, to_create] {
                return services.controller->create_topics(to_create, false, now_ms());
            });
            co_await std::move(hop);
            image = services.image();
        }
        for (const auto& wanted : *request.topics) {
            auto& out = body.topics.emplace_back();
            std::shared_ptr<const metadata::topic_info> topic;
            if (wanted.name) {
                out.name = *wanted.name;
                topic = image->topic(*wanted.name);
                if (!topic) {
                    out.error_code = static_cast<std::int16_t>(
                        metadata::controller::invalid_topic_name(*wanted.name)
                            ? messages::error_code::invalid_topic_exception
                            : messages::error_code::unknown_topic_or_partition);
                    continue;
                }
            } else {
                topic = image->topic(wanted.topic_id);
                out.name.reset();
                out.topic_id = wanted.topic_id;
                if (!topic) {
                    out.error_code = static_cast<std::int16_t>(messages::error_code::unknown_topic_id);
                    continue;
                }
            }
            describe_topic(*topic, out, version, request.include_topic_authorized_operations);
            if (!wanted.name && version >= 12) out.name = topic->name;
        }
    } else {
        for (const auto& [name, topic] : image->topics()) {
            describe_topic(*topic, body.topics.emplace_back(), version, request.include_topic_authorized_operations);
        }
    }

    for (const auto& broker : reachable_brokers(services, *image, context.connection.listener_name)) {
        auto& out = body.brokers.emplace_back();
        out.node_id = broker.id;
        out.host = broker.host;
        out.port = broker.port;
        out.rack = broker.rack;
    }
    body.cluster_id = services.settings.cluster_id;
    body.controller_id = visible_controller_id(services);
    if (version >= 8 && version <= 10 && request.include_cluster_authorized_operations) {
        body.cluster_authorized_operations = all_cluster_operations();
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
