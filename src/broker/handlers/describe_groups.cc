// DescribeGroups (key 15): state, protocol and members of groups.
//
// Version notes: Kafka 4.0 serves v0-5. v3: authorized operations on
// request; v4: group instance ids; v5: flexible. A group nobody knows is
// described as Dead with no error, as Kafka does. Member metadata and
// assignments are shown only while the group is Stable.

#include "brook/messages/describe_groups_response.h"
#include "brook/broker/handlers/handlers.h"
#include "group_calls.h"

namespace brook::broker::handlers {

using messages::error_code;

asio::awaitable<response> describe_groups_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    messages::DescribeGroupsResponse body;
    for (const auto& group_id : request.groups) {
        auto described = std::make_shared<messages::DescribeGroupsResponse::DescribedGroup>();
        auto query = services.groups->query(services.groups->partition_for(group_id),
                                            [described, group_id](const group::coordinator& c) {
                                                *described = c.describe_group(group_id);
                                            });
        const error_code error = co_await std::move(query);
        if (error != error_code::none) {
            *described = {};
            described->group_id = group_id;
            described->error_code = static_cast<std::int16_t>(error);
        }
        if (version < 4) {
            for (auto& member : described->members) member.group_instance_id.reset();
        }
        if (version >= 3 && request.include_authorized_operations) {
            // No authorizer yet: READ (3), DELETE (6) and DESCRIBE (8) are allowed.
            described->authorized_operations = (1 << 3) | (1 << 6) | (1 << 8);
        }
        body.groups.push_back(std::move(*described));
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
