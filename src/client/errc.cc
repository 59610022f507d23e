#include "brook/client/errc.h"

namespace brook::client {

namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "brook.client"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::ok: return "ok";
            case errc::invalid_bootstrap: return "invalid bootstrap servers";
            case errc::connect_failed: return "connect failed";
            case errc::timed_out: return "request timed out";
            case errc::connection_broken: return "connection broken";
            case errc::unsupported_version: return "unsupported version";
            case errc::encode_failed: return "cannot encode request";
            case errc::decode_failed: return "cannot decode response";
            case errc::frame_too_large: return "response frame too large";
            case errc::correlation_mismatch: return "correlation id mismatch";
            case errc::no_such_node: return "no such node";
            case errc::no_leader: return "no leader for partition";
            case errc::closed: return "client closed";
        }
        return "unknown client error";
    }
};

}  // namespace

const std::error_category& client_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace brook::client
