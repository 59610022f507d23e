#pragma once
// What a handler sees of a request, and what it hands back.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "brook/wire/bytes.h"
#include "brook/wire/writer.h"

namespace brook::broker {

struct broker_services;
class append_order;

// Facts about the connection a request arrived on.
struct connection_info {
    std::uint64_t id = 0;
    std::string listener_name;  // e.g. PLAINTEXT, CONTROLLER
    std::string client_host;
    std::uint16_t client_port = 0;
};

// One request while it is handled. The frame (header and body) lives as long
// as the handler runs; views into it (record data) must not outlive that.
struct request_context {
    broker_services& services;
    const connection_info& connection;
    std::int16_t api_key = 0;
    std::int16_t api_version = 0;
    std::int32_t correlation_id = 0;
    std::optional<std::string> client_id;
    wire::bytes_view frame;
    // The connection's ordering of appends and this request's ticket in it
    // (append_order.h); null when the caller does not pipeline (tests).
    append_order* order = nullptr;
    std::uint64_t ticket = 0;
};

// An encoded response (response header and body, without the size prefix).
struct response {
    wire::bytes payload;
    // File ranges (Fetch records) that go between payload bytes, in order;
    // the connection sends them with sendfile(2).
    std::vector<wire::spliced_range> splices;
    // False when the client expects no answer (Produce with acks=0).
    bool send = true;
    // True when the request was unacceptable at the protocol level: earlier
    // responses are still sent, then the connection is closed, as Kafka does.
    bool close_connection = false;

    static response close() {
        response r;
        r.send = false;
        r.close_connection = true;
        return r;
    }
    static response none() {
        response r;
        r.send = false;
        return r;
    }
};

}  // namespace brook::broker
