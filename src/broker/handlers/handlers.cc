#include "brook/broker/handlers/handlers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

namespace brook::broker {
namespace {

// The API versions policy lives in each handler's declaration (handlers.h):
// Kafka 4.0's minimums (KIP-896) and the maximums of protocol/, with Kafka's
// two exceptions: Produce advertised from v0 though v0-2 are refused
// (KAFKA-18659), and JoinGroup v0-1 still served.
std::vector<handler_entry> build_table() {
    std::vector<handler_entry> table{
        make_handler_entry<handlers::api_versions_handler>(),
        make_handler_entry<handlers::produce_handler>(),
        make_handler_entry<handlers::fetch_handler>(),
        make_handler_entry<handlers::list_offsets_handler>(),
        make_handler_entry<handlers::offset_for_leader_epoch_handler>(),
        make_handler_entry<handlers::delete_records_handler>(),
        make_handler_entry<handlers::metadata_handler>(),
        make_handler_entry<handlers::create_topics_handler>(),
        make_handler_entry<handlers::delete_topics_handler>(),
        make_handler_entry<handlers::create_partitions_handler>(),
        make_handler_entry<handlers::describe_cluster_handler>(),
        make_handler_entry<handlers::describe_configs_handler>(),
        make_handler_entry<handlers::alter_configs_handler>(),
        make_handler_entry<handlers::incremental_alter_configs_handler>(),
        make_handler_entry<handlers::find_coordinator_handler>(),
        make_handler_entry<handlers::join_group_handler>(),
        make_handler_entry<handlers::sync_group_handler>(),
        make_handler_entry<handlers::heartbeat_handler>(),
        make_handler_entry<handlers::leave_group_handler>(),
        make_handler_entry<handlers::offset_commit_handler>(),
        make_handler_entry<handlers::offset_fetch_handler>(),
        make_handler_entry<handlers::offset_delete_handler>(),
        make_handler_entry<handlers::describe_groups_handler>(),
        make_handler_entry<handlers::list_groups_handler>(),
        make_handler_entry<handlers::delete_groups_handler>(),
    };
    std::sort(table.begin(), table.end(), [](const auto& a, const auto& b) { return a.api_key < b.api_key; });
    return table;
}

}  // namespace

void report_unencodable_response(const request_context& context, std::string_view message, wire::errc error) {
    spdlog::error("bug: {} v{} for connection {} cannot be encoded ({}); closing that connection", message,
                  context.api_version, context.connection.id, make_error_code(error).message());
}

std::span<const handler_entry> handler_table() noexcept {
    static const std::vector<handler_entry> table = build_table();
    return table;
}

const handler_entry* find_handler(std::int16_t api_key) noexcept {
    for (const auto& entry : handler_table()) {
        if (entry.api_key == api_key) return &entry;
    }
    return nullptr;
}

}  // namespace brook::broker
