#pragma once
// Errors of Brook's internal Kafka client. They describe what happened to a
// request on the client's side (the connection, the framing, the codecs);
// Kafka error codes inside a decoded response are the caller's to interpret.

#include <string>
#include <system_error>

namespace brook::client {

enum class errc {
    ok = 0,
    invalid_bootstrap,     // a bootstrap server list that does not parse
    connect_failed,        // resolving or connecting failed or timed out
    timed_out,             // no response before the request's deadline
    connection_broken,     // the connection failed or was closed with the request in flight
    unsupported_version,   // neither side can speak a common version of the API
    encode_failed,         // the request cannot be encoded at the chosen version
    decode_failed,         // the response (or its header) does not decode
    frame_too_large,       // a response frame beyond the connection's limit
    correlation_mismatch,  // a response that does not answer the oldest request
    no_such_node,          // a node id the cluster metadata does not list
    no_leader,             // a partition without a known leader
    closed,                // the client was closed
};

const std::error_category& client_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), client_category()}; }

// An error with the context that makes it actionable (which node, which API).
struct error {
    error() = default;
    error(errc e, std::string what = {}) : code(make_error_code(e)), detail(std::move(what)) {}
    error(std::error_code e, std::string what) : code(e), detail(std::move(what)) {}

    std::error_code code;
    std::string detail;

    // "connection broken: reading from 127.0.0.1:9092: End of file"
    std::string message() const { return detail.empty() ? code.message() : code.message() + ": " + detail; }
    friend bool operator==(const error& e, errc value) noexcept { return e.code == make_error_code(value); }
};

}  // namespace brook::client

template <>
struct std::is_error_code_enum<brook::client::errc> : std::true_type {};
