#pragma once
// Errors of the wire layer (decoding and encoding Kafka's binary formats).
// They are internal values; the broker maps them to Kafka error codes only at
// the wire boundary (a malformed request becomes CORRUPT_MESSAGE,
// INVALID_REQUEST or a closed connection, as Kafka does).

#include <system_error>

namespace brook::wire {

enum class errc {
    ok = 0,
    truncated,               // the input ended before the value did
    negative_length,         // a length below -1 (or below 0 where null is not allowed)
    length_too_large,        // a length larger than the bytes left or a configured bound
    varint_too_long,         // a varint with more continuation bytes than its type allows
    unexpected_null,         // null where the field's version does not allow it
    unsupported_version,     // a version the message does not define
    field_not_in_version,    // a non-default value in a field the target version lacks
    invalid_tagged_fields,   // a malformed tagged-field section
    trailing_bytes,          // bytes left after a complete message
    invalid_value,           // a value outside its allowed range
    crc_mismatch,            // a checksum that does not match the data
    unsupported_compression, // a compression codec Brook does not know
    decompression_failed,    // compressed data that the codec rejects
    too_large_after_decompression,  // decompressed data over its explicit bound
    unsupported_magic,       // a record batch whose magic is not 2 (Brook serves v2 only)
    invalid_batch_length,    // a record batch length below the size of the batch header
    partial_batch,           // a record set that ends inside its last batch
    record_count_mismatch,   // a batch's record count disagrees with its records or offsets
    invalid_offset_delta,    // record offset deltas not increasing or beyond the batch's last
};

const std::error_category& wire_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), wire_category()};
}

}  // namespace brook::wire

template <>
struct std::is_error_code_enum<brook::wire::errc> : std::true_type {};
