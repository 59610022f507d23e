#pragma once
// Compression codecs of Kafka record batches.
//
// A batch's attributes name one codec in bits 0-2; the records section after
// the 61-byte header is then one compressed stream. These functions turn a
// records section into that stream and back. They are pure functions of their
// arguments, safe on any shard, and never throw on bad input: corrupt data
// yields errc::decompression_failed and every decompression stops at an
// explicit output bound (errc::too_large_after_decompression), so a small
// "decompression bomb" cannot make the broker allocate more than the caller
// allows.
//
// Formats, as real clients write and read them:
// - gzip: RFC 1952 gzip members (deflate inside a gzip header and trailer).
//   Several concatenated members are read as one stream, as Java's
//   GZIPInputStream does.
// - snappy: raw snappy (what librdkafka writes), or the xerial framing the
//   Java client writes: the 8-byte magic "\x82SNAPPY\0", big-endian int32
//   version and minimum compatible version, then chunks of a big-endian int32
//   length and a raw snappy block. Decompression detects the framing by its
//   magic, as librdkafka does. Compression writes raw snappy, which both
//   librdkafka and the Java client read.
// - lz4: one LZ4 frame (magic 0x184D2204) with a correct header checksum and
//   independent blocks of at most 64 KiB, which is what the Java client's
//   block-at-a-time reader requires.
// - zstd: one or more zstd frames; frames written by streaming encoders that
//   omit the content size are accepted.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "brook/wire/bytes.h"
#include "brook/wire/errc.h"

namespace brook::record {

// The codec bits (0-2) of a record batch's attributes.
enum class compression : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

// Kafka's name of the codec, as the compression.type config spells it.
std::string_view to_string(compression codec) noexcept;

// The codec named by attribute bits 0-2; empty for the values 5-7, which no
// Kafka version defines.
std::optional<compression> compression_from_attributes(std::int16_t attributes) noexcept;

// Compresses `input` with `codec` and appends the result to `output`.
// `level` picks the codec's level (gzip 1-9, lz4 frame 0-12, zstd 1-22; snappy
// has none); without it each codec's library default is used, as Kafka does
// when compression.<codec>.level is not set. Inputs larger than the codec's
// format can describe (snappy: 4 GiB - 1) fail with errc::length_too_large.
// On any error `output` is left as it was.
[[nodiscard]] wire::errc compress(compression codec, wire::bytes_view input, wire::bytes& output,
                                  std::optional<int> level = std::nullopt);

// Decompresses `input`, which holds exactly one compressed records section,
// and appends the result to `output`. At most `max_output_bytes` are produced:
// a stream that would expand further fails with
// errc::too_large_after_decompression without allocating beyond the bound.
// Corrupt, truncated or trailing data fails with errc::decompression_failed.
// compression::none copies the input (subject to the same bound). On any
// error `output` is left as it was.
[[nodiscard]] wire::errc decompress(compression codec, wire::bytes_view input,
                                    std::size_t max_output_bytes, wire::bytes& output);

}  // namespace brook::record
