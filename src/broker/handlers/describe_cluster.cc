// DescribeCluster (key 60): cluster id, controller and brokers (KIP-700).
//
// Version notes:
// - v0: brokers on the listener the request came in on.
// - v1: endpoint_type: 1 asks for brokers, 2 for controllers (KIP-919).

#include "brook/broker/handlers/handlers.h"
#include "brook/messages/describe_cluster_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

asio::awaitable<response> describe_cluster_handler::handle(request_context& context, request_type&& request) {
    messages::DescribeClusterResponse body;
    auto& services = context.services;
    const std::int8_t endpoint_type = context.api_version >= 1 ? request.endpoint_type : 1;
    body.endpoint_type = endpoint_type;
    if (endpoint_type != 1) {
        // Asking a broker listener for controllers is refused, as in Kafka.
        body.error_code = static_cast<std::int16_t>(messages::error_code::unsupported_endpoint_type);
        body.error_message = "The broker listener only describes brokers.";
        co_return encode_response(context, body);
    }
    body.cluster_id = services.settings.cluster_id;
    body.controller_id = visible_controller_id(services);
    const auto image = services.image();
    for (const auto& broker : reachable_brokers(services, *image, context.connection.listener_name)) {
        auto& out = body.brokers.emplace_back();
        out.broker_id = broker.id;
        out.host = broker.host;
        out.port = broker.port;
        out.rack = broker.rack;
    }
    if (request.include_cluster_authorized_operations) body.cluster_authorized_operations = all_cluster_operations();
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
