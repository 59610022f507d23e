#include "brook/messages/record_framing.h"

#include <limits>

namespace brook::messages {
namespace {

wire::errc finish(const wire::reader& r, wire::errc decoded) {
    if (decoded != wire::errc::ok) return decoded;
    return r.at_end() ? wire::errc::ok : wire::errc::trailing_bytes;
}

}  // namespace

wire::errc decode_metadata_record(wire::reader& r, metadata_record& out) {
    const std::uint32_t frame_version = r.read_unsigned_varint();
    const std::uint32_t type_id = r.read_unsigned_varint();
    const std::uint32_t version = r.read_unsigned_varint();
    if (!r.ok()) return r.error();
    if (frame_version != metadata_frame_version) return wire::errc::unsupported_version;
    constexpr auto int16_max = static_cast<std::uint32_t>(std::numeric_limits<std::int16_t>::max());
    if (type_id > int16_max || version > int16_max) return wire::errc::invalid_value;
    return finish(r, decode_metadata_record(static_cast<std::int16_t>(type_id), static_cast<std::int16_t>(version), r, out));
}

wire::errc decode_consumer_offsets_key(wire::reader& r, consumer_offsets_record& out) {
    const std::int16_t version = r.read_int16();
    if (!r.ok()) return r.error();
    return finish(r, decode_consumer_offsets_key(version, r, out));
}

wire::errc decode_transaction_state_key(wire::reader& r, transaction_state_record& out) {
    const std::int16_t version = r.read_int16();
    if (!r.ok()) return r.error();
    return finish(r, decode_transaction_state_key(version, r, out));
}

}  // namespace brook::messages
