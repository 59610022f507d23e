#pragma once
// Framing of the records Brook stores in its own logs, around the generated
// codecs:
//
// - KRaft metadata records (__cluster_metadata): unsigned varints for the frame
//   version (always 1), the record type id and the record version, then the
//   record body.
// - Coordinator records (__consumer_offsets, __transaction_state): the Kafka
//   record key is an int16 version followed by the key struct, and the version
//   selects the record type; the value is an int16 version followed by the
//   value struct, and a null value is a tombstone.

#include <cstdint>

#include "brook/messages/consumer_offsets_records.h"
#include "brook/messages/metadata_records.h"
#include "brook/messages/transaction_state_records.h"
#include "brook/wire/codec.h"

namespace brook::messages {

inline constexpr std::uint32_t metadata_frame_version = 1;

// Writes a metadata record with its frame; errors are recorded in `w`.
template <typename Record>
wire::errc encode_metadata_record(wire::writer& w, const Record& record, std::int16_t version) {
    w.write_unsigned_varint(metadata_frame_version);
    w.write_unsigned_varint(static_cast<std::uint32_t>(Record::api_key));
    w.write_unsigned_varint(static_cast<std::uint32_t>(version));
    return record.encode(w, version);
}

// Reads a framed metadata record of any type into `out`; the record must use
// every byte of `r`.
wire::errc decode_metadata_record(wire::reader& r, metadata_record& out);

// Writes a coordinator key or value: int16 version, then the struct.
template <typename Struct>
wire::errc encode_coordinator_record(wire::writer& w, const Struct& value, std::int16_t version) {
    w.write_int16(version);
    return value.encode(w, version);
}

// Reads a __consumer_offsets or __transaction_state key; its version picks the type.
wire::errc decode_consumer_offsets_key(wire::reader& r, consumer_offsets_record& out);
wire::errc decode_transaction_state_key(wire::reader& r, transaction_state_record& out);

// Reads a coordinator value of a type the key already determined.
template <typename Struct>
wire::errc decode_coordinator_value(wire::reader& r, Struct& out) {
    const std::int16_t version = r.read_int16();
    if (!r.ok()) return r.error();
    if (const wire::errc e = out.decode(r, version); e != wire::errc::ok) return e;
    return r.at_end() ? wire::errc::ok : wire::errc::trailing_bytes;
}

}  // namespace brook::messages
