#include "brook/storage/errc.h"

#include <cerrno>
#include <string>

namespace brook::storage {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "brook.storage"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::ok: return "ok";
        case errc::offset_out_of_range: return "offset outside the log's range";
        case errc::record_batch_too_large: return "record batch larger than the log accepts";
        case errc::invalid_record_set: return "appended bytes are not whole v2 record batches";
        case errc::offsets_out_of_order: return "appended offsets do not continue the log";
        case errc::corrupt_file: return "state file does not parse";
        case errc::short_read: return "file ended before the expected bytes";
        case errc::log_failed: return "log failed after an I/O error";
        case errc::log_closed: return "log is closed";
        case errc::invalid_argument: return "argument out of range";
        }
        return "unknown storage error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& storage_category() noexcept {
    static const category instance;
    return instance;
}

std::error_code last_system_error() noexcept { return {errno, std::system_category()}; }

}  // namespace brook::storage
