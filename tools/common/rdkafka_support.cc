#include "rdkafka_support.h"

#include <iostream>
#include <set>

namespace brook::tools {
namespace {

std::set<std::string>& reported_problems() {
    static std::set<std::string> seen;
    return seen;
}
bool fatal = false;

extern "C" void on_error(rd_kafka_t* handle, int error, const char* reason, void*) {
    const auto code = static_cast<rd_kafka_resp_err_t>(error);
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
        char text[512];
        rd_kafka_fatal_error(handle, text, sizeof(text));
        std::cerr << "ERROR " << text << std::endl;
        fatal = true;
        return;
    }
    warn_once(reason != nullptr ? std::string(reason) : std::string(rd_kafka_err2str(code)));
}

extern "C" void on_log(const rd_kafka_t*, int level, const char*, const char* line) {
    if (level <= 2) std::cerr << "ERROR " << line << std::endl;  // critical; the rest comes through on_error
}

void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
    char error[512];
    const auto result = rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error));
    if (result == RD_KAFKA_CONF_UNKNOWN) {
        std::cerr << "WARN The configuration '" << key << "' was supplied but isn't a known config." << std::endl;
    } else if (result != RD_KAFKA_CONF_OK) {
        throw tool_error("Invalid value " + value + " for configuration " + key + ": " + error);
    }
}

}  // namespace

void warn_once(const std::string& text) {
    if (reported_problems().insert(text).second) std::cerr << "WARN " << text << std::endl;
}

bool kafka_fatal_error() noexcept { return fatal; }

kafka_handle make_kafka_client(rd_kafka_type_t type, const client_properties& properties,
                               const std::function<void(rd_kafka_conf_t*)>& adjust) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    try {
        for (const auto& [key, value] : properties) set(conf, key, value);
        if (adjust) adjust(conf);
    } catch (...) {
        rd_kafka_conf_destroy(conf);
        throw;
    }
    char error[512];
    kafka_handle client(rd_kafka_new(type, conf, error, sizeof(error)));
    if (!client) {
        rd_kafka_conf_destroy(conf);  // rd_kafka_new takes it only on success
        throw tool_error(error);
    }
    return client;
}

}  // namespace brook::tools
