#include "brook/wire/errc.h"

#include <string>

namespace brook::wire {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "brook.wire"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::ok: return "ok";
        case errc::truncated: return "input ended before the value did";
        case errc::negative_length: return "negative length";
        case errc::length_too_large: return "length larger than the remaining input or its bound";
        case errc::varint_too_long: return "varint too long";
        case errc::unexpected_null: return "null where the version does not allow it";
        case errc::unsupported_version: return "unsupported version";
        case errc::field_not_in_version: return "non-default value in a field the version lacks";
        case errc::invalid_tagged_fields: return "malformed tagged fields";
        case errc::trailing_bytes: return "unexpected bytes after the message";
        case errc::invalid_value: return "value out of range";
        case errc::crc_mismatch: return "checksum mismatch";
        case errc::unsupported_compression: return "unsupported compression codec";
        case errc::decompression_failed: return "compressed data is corrupt";
        case errc::too_large_after_decompression: return "decompressed data exceeds its limit";
        case errc::unsupported_magic: return "record batch magic other than 2";
        case errc::invalid_batch_length: return "record batch length smaller than its header";
        case errc::partial_batch: return "record set ends inside a batch";
        case errc::record_count_mismatch: return "record count disagrees with the batch's records";
        case errc::invalid_offset_delta: return "record offset deltas out of order or out of range";
        }
        return "unknown wire error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& wire_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace brook::wire
