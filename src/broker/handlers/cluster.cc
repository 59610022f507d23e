#include "cluster.h"

#include <chrono>

namespace brook::broker::handlers {

std::vector<reachable_broker> reachable_brokers(const broker_services& services, const metadata::image& image,
                                                std::string_view listener) {
    std::vector<reachable_broker> out;
    for (const auto& [id, broker] : image.brokers()) {
        if (broker.fenced) continue;
        if (id == services.settings.node_id) {
            // This node answers with its advertised address for the listener.
            for (const auto& advertised : services.settings.listeners) {
                if (advertised.name == listener) out.push_back({id, advertised.host, advertised.port, broker.rack});
            }
            continue;
        }
        if (const auto* endpoint = broker.endpoint(listener)) {
            out.push_back({id, endpoint->host, endpoint->port, broker.rack});
        }
    }
    return out;
}

std::int32_t visible_controller_id(const broker_services& services) { return services.settings.node_id; }

bool is_internal_topic(std::string_view name) { return name == "__consumer_offsets" || name == "__transaction_state"; }

std::int32_t all_topic_operations() {
    // Kafka's AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7,
    // DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11.
    std::int32_t bits = 0;
    for (const int op : {3, 4, 5, 6, 7, 8, 10, 11}) bits |= 1 << op;
    return bits;
}

std::int32_t all_cluster_operations() {
    // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
    // ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12, CREATE_TOKENS 13, DESCRIBE_TOKENS 14.
    std::int32_t bits = 0;
    for (const int op : {5, 7, 8, 9, 10, 11, 12, 13, 14}) bits |= 1 << op;
    return bits;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace brook::broker::handlers
