#pragma once
// What the tools built on librdkafka share (the console consumer, which joins
// groups as a full member, and the perf-test load generators): a handle that
// destroys itself, client properties applied the way Kafka's clients treat
// them, and librdkafka's error reports turned into one readable warning per
// distinct problem.

#include <librdkafka/rdkafka.h>

#include <functional>
#include <memory>
#include <string>

#include "tool.h"

namespace brook::tools {

struct kafka_deleter {
    void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using kafka_handle = std::unique_ptr<rd_kafka_t, kafka_deleter>;

// A producer or consumer with `properties` set. An unknown property is
// reported on stderr as Kafka's clients log it ("... was supplied but isn't a
// known config.") and otherwise ignored; a bad value is a tool_error. `adjust`
// runs on the configuration before the client is made (callbacks, opaques).
kafka_handle make_kafka_client(rd_kafka_type_t type, const client_properties& properties,
                               const std::function<void(rd_kafka_conf_t*)>& adjust = {});

// librdkafka reports connection trouble again and again while it retries;
// each distinct problem is printed once, as "WARN <text>" on stderr (the Java
// clients likewise only warn and keep trying).
void warn_once(const std::string& text);

// Whether librdkafka raised a fatal error (printed as "ERROR <text>").
bool kafka_fatal_error() noexcept;

}  // namespace brook::tools
