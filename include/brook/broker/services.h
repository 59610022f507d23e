#pragma once
// The services handlers delegate to. Built by the application at start-up and
// shared by every shard; each service documents which shard may touch what.

namespace brook::broker {

struct broker_services {
    // Filled in as the broker grows: metadata image, partition manager,
    // controller, coordinators.
};

}  // namespace brook::broker
