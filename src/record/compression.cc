#include "brook/record/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <span>

#include "brook/base/assert.h"

namespace brook::record {
namespace {

using wire::byte;
using wire::bytes;
using wire::bytes_view;
using wire::errc;

// The first output buffer a streaming decoder gets when the stream does not
// announce its size; later buffers double, up to the caller's bound.
constexpr std::size_t initial_output_chunk_bytes = 64 * 1024;

// zstd refuses frames whose window (the history a decoder must keep) exceeds
// 2^27 bytes = 128 MiB. That is zstd's own default and what the Java client's
// zstd-jni accepts, so nothing a real client writes is refused; stating it
// here keeps the decoder's memory bound explicit.
constexpr int zstd_window_log_max = 27;

// Kafka's Java client sizes lz4 blocks at 64 KiB and decodes each block on
// its own, so Brook writes the same kind of frame.
constexpr LZ4F_blockSizeID_t lz4_block_size = LZ4F_max64KB;

// The xerial snappy framing (Java's snappy-java SnappyOutputStream): an
// 8-byte magic, two big-endian int32 version numbers, then chunks.
constexpr std::array<byte, 8> xerial_magic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::size_t xerial_header_bytes = xerial_magic.size() + 4 + 4;
constexpr std::size_t xerial_chunk_length_bytes = 4;

// Appends decoder output to a caller's buffer while enforcing the output
// bound. It hands out room for up to max_bytes + 1 bytes: a decoder that fills
// that last byte has proved the stream is too large, without the sink ever
// holding more than one byte beyond the bound. Capacity grows geometrically
// but through exact reserve() calls, so the vector never over-allocates past
// the bound either.
class bounded_output {
public:
    bounded_output(bytes& output, std::size_t max_bytes) noexcept
        : output_(output),
          start_(output.size()),
          limit_bytes_(max_bytes == std::numeric_limits<std::size_t>::max() ? max_bytes : max_bytes + 1),
          max_bytes_(max_bytes) {}

    bounded_output(const bounded_output&) = delete;
    bounded_output& operator=(const bounded_output&) = delete;

    // Rolls back anything written unless commit_all() was called, so a failed
    // decompression leaves the caller's buffer as it was.
    ~bounded_output() {
        if (!finished_) output_.resize(start_);
    }

    // Free room for a streaming decoder to write into; empty once the bound
    // plus one byte is allocated and filled.
    std::span<byte> room() {
        if (free_bytes() == 0) {
            const std::size_t allocated = output_.size() - start_;
            if (allocated >= limit_bytes_) return {};
            // Doubling, written so that the sum cannot wrap around.
            grow_to(allocated + std::min(std::max(initial_output_chunk_bytes, allocated), limit_bytes_ - allocated));
        }
        return {output_.data() + start_ + produced_, free_bytes()};
    }

    // Room for exactly `size_bytes` more bytes, for a decoder that knows its
    // output size. The caller checks remaining_budget() first.
    std::span<byte> exact_room(std::size_t size_bytes) {
        BROOK_ASSERT(size_bytes <= remaining_budget(), "exact room asked beyond the output bound");
        if (free_bytes() < size_bytes) grow_to(produced_ + size_bytes);
        return {output_.data() + start_ + produced_, size_bytes};
    }

    // Sizes the buffer for a stream that announced its total output, so it
    // is allocated once. An announcement is not trusted beyond the bound.
    void expect_total(std::size_t size_bytes) {
        const std::size_t allocated = output_.size() - start_;
        if (size_bytes > allocated) grow_to(size_bytes);
    }

    void commit(std::size_t written_bytes) noexcept {
        BROOK_ASSERT(written_bytes <= output_.size() - start_ - produced_,
                     "a decoder reported more output than the room it was given");
        produced_ += written_bytes;
    }

    std::size_t produced() const noexcept { return produced_; }
    std::size_t remaining_budget() const noexcept {
        return produced_ >= max_bytes_ ? 0 : max_bytes_ - produced_;
    }
    bool over_limit() const noexcept { return produced_ > max_bytes_; }

    // Keeps exactly the bytes produced.
    void commit_all() {
        output_.resize(start_ + produced_);
        finished_ = true;
    }

private:
    std::size_t free_bytes() const noexcept { return output_.size() - start_ - produced_; }

    // Grows the allocated area to `size_bytes` past the start, never beyond
    // the bound plus one byte.
    void grow_to(std::size_t size_bytes) {
        const std::size_t target = std::min(size_bytes, limit_bytes_);
        output_.reserve(start_ + target);
        output_.resize(start_ + target);
    }

    bytes& output_;
    std::size_t start_;
    std::size_t limit_bytes_;
    std::size_t max_bytes_;
    std::size_t produced_ = 0;
    bool finished_ = false;
};

std::uint32_t load_big_endian_32(const byte* p) noexcept {
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}

// ---- none ---------------------------------------------------------------

errc copy_bounded(bytes_view input, std::size_t max_output_bytes, bytes& output) {
    if (input.size() > max_output_bytes) return errc::too_large_after_decompression;
    output.insert(output.end(), input.begin(), input.end());
    return errc::ok;
}

// ---- gzip ---------------------------------------------------------------

// zlib's windowBits: 15 is the largest window, +16 selects the gzip wrapper
// (header and CRC-32 trailer) instead of the zlib one.
constexpr int gzip_window_bits = 15 + 16;
constexpr int zlib_memory_level = 8;

// zlib counts input and output in uInt (32 bits), so larger spans are fed in
// pieces of at most this size.
constexpr std::size_t zlib_max_step_bytes = std::numeric_limits<uInt>::max();

errc gzip_compress(bytes_view input, bytes& output, std::optional<int> level) {
    const int chosen_level = level.value_or(Z_DEFAULT_COMPRESSION);
    if (chosen_level != Z_DEFAULT_COMPRESSION && (chosen_level < Z_BEST_SPEED || chosen_level > Z_BEST_COMPRESSION)) {
        return errc::invalid_value;
    }
    z_stream stream{};
    if (deflateInit2(&stream, chosen_level, Z_DEFLATED, gzip_window_bits, zlib_memory_level,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return errc::invalid_value;
    }
    const std::size_t start = output.size();
    const std::size_t bound = deflateBound(&stream, static_cast<uLong>(input.size()));
    output.resize(start + bound);
    std::size_t consumed = 0;
    std::size_t written = 0;
    int result = Z_OK;
    // Each pass gives zlib at most a uInt of input and output, so inputs over
    // 4 GiB work too; the pass that holds the last input finishes the member.
    // deflateBound covers the whole output, so every pass makes progress and
    // the loop ends with Z_STREAM_END; a pass without progress is a zlib
    // failure and stops it.
    while (result != Z_STREAM_END) {
        const std::size_t input_step = std::min(input.size() - consumed, zlib_max_step_bytes);
        const std::size_t output_step = std::min(bound - written, zlib_max_step_bytes);
        stream.next_in = const_cast<Bytef*>(input.data() + consumed);
        stream.avail_in = static_cast<uInt>(input_step);
        stream.next_out = output.data() + start + written;
        stream.avail_out = static_cast<uInt>(output_step);
        const bool last_input = consumed + input_step == input.size();
        result = deflate(&stream, last_input ? Z_FINISH : Z_NO_FLUSH);
        const std::size_t taken = input_step - stream.avail_in;
        const std::size_t given = output_step - stream.avail_out;
        consumed += taken;
        written += given;
        if (result != Z_OK && result != Z_STREAM_END) break;
        if (result == Z_OK && taken == 0 && given == 0) break;
    }
    deflateEnd(&stream);
    if (result != Z_STREAM_END) {
        output.resize(start);
        return errc::invalid_value;
    }
    output.resize(start + written);
    return errc::ok;
}

errc gzip_decompress(bytes_view input, std::size_t max_output_bytes, bytes& output) {
    z_stream stream{};
    if (inflateInit2(&stream, gzip_window_bits) != Z_OK) return errc::decompression_failed;
    bounded_output sink(output, max_output_bytes);
    std::size_t consumed = 0;
    errc outcome = errc::decompression_failed;
    for (;;) {
        if (stream.avail_in == 0 && consumed < input.size()) {
            const std::size_t step = std::min(input.size() - consumed, zlib_max_step_bytes);
            stream.next_in = const_cast<Bytef*>(input.data() + consumed);
            stream.avail_in = static_cast<uInt>(step);
            consumed += step;
        }
        const std::span<byte> room = sink.room();
        if (room.empty()) {
            outcome = errc::too_large_after_decompression;
            break;
        }
        const std::size_t room_bytes = std::min(room.size(), zlib_max_step_bytes);
        stream.next_out = room.data();
        stream.avail_out = static_cast<uInt>(room_bytes);
        const int result = inflate(&stream, Z_NO_FLUSH);
        sink.commit(room_bytes - stream.avail_out);
        if (sink.over_limit()) {
            outcome = errc::too_large_after_decompression;
            break;
        }
        if (result == Z_STREAM_END) {
            if (stream.avail_in == 0 && consumed == input.size()) {
                outcome = errc::ok;
                break;
            }
            // More bytes follow the member: like Java's GZIPInputStream, read
            // them as the next member. Anything that is not a valid member
            // then fails below, so trailing garbage is refused.
            if (inflateReset(&stream) != Z_OK) break;
            continue;
        }
        // Z_OK means progress was made; Z_BUF_ERROR means none was possible,
        // which with room to write can only be input that ended early. Every
        // other value is corrupt data.
        if (result != Z_OK) break;
    }
    inflateEnd(&stream);
    if (outcome == errc::ok) sink.commit_all();
    return outcome;
}

// ---- snappy -------------------------------------------------------------

// The largest input a raw snappy block can describe: its length prefix is a
// 32-bit varint.
constexpr std::size_t snappy_max_input_bytes = std::numeric_limits<std::uint32_t>::max();

errc snappy_compress(bytes_view input, bytes& output) {
    if (input.size() > snappy_max_input_bytes) return errc::length_too_large;
    const std::size_t start = output.size();
    output.resize(start + snappy::MaxCompressedLength(input.size()));
    std::size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data()), input.size(),
                        reinterpret_cast<char*>(output.data() + start), &written);
    output.resize(start + written);
    return errc::ok;
}

// Decodes one raw snappy block and appends it to the sink. The block's
// uncompressed length is read from its prefix and checked against the
// remaining budget before any memory is committed to it.
errc snappy_decompress_block(bytes_view block, bounded_output& sink) {
    std::size_t uncompressed_bytes = 0;
    if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(block.data()), block.size(),
                                       &uncompressed_bytes)) {
        return errc::decompression_failed;
    }
    if (uncompressed_bytes > sink.remaining_budget()) return errc::too_large_after_decompression;
    if (uncompressed_bytes == 0) {
        // Nothing to write, but the block must still be well-formed.
        return snappy::IsValidCompressedBuffer(reinterpret_cast<const char*>(block.data()), block.size())
                   ? errc::ok
                   : errc::decompression_failed;
    }
    const std::span<byte> room = sink.exact_room(uncompressed_bytes);
    if (!snappy::RawUncompress(reinterpret_cast<const char*>(block.data()), block.size(),
                               reinterpret_cast<char*>(room.data()))) {
        return errc::decompression_failed;
    }
    sink.commit(uncompressed_bytes);
    return errc::ok;
}

// A raw snappy stream cannot begin with the xerial magic: its first bytes
// would be the length varint 0x82 0x53 followed by the tag 'N', a copy with
// nothing before it to copy from, which every decoder refuses. So the magic
// tells the two formats apart without ambiguity.
bool is_xerial_framed(bytes_view input) noexcept {
    return input.size() >= xerial_header_bytes &&
           std::memcmp(input.data(), xerial_magic.data(), xerial_magic.size()) == 0;
}

errc snappy_decompress(bytes_view input, std::size_t max_output_bytes, bytes& output) {
    bounded_output sink(output, max_output_bytes);
    if (!is_xerial_framed(input)) {
        const errc result = snappy_decompress_block(input, sink);
        if (result == errc::ok) sink.commit_all();
        return result;
    }
    // The two version numbers after the magic are not checked: snappy-java
    // has only ever written version 1, and librdkafka ignores them too.
    std::size_t position = xerial_header_bytes;
    while (position < input.size()) {
        if (input.size() - position < xerial_chunk_length_bytes) return errc::decompression_failed;
        const std::uint32_t chunk_bytes = load_big_endian_32(input.data() + position);
        position += xerial_chunk_length_bytes;
        // The length is a Java int: the top bit set means a negative length.
        if (chunk_bytes > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()) ||
            chunk_bytes > input.size() - position) {
            return errc::decompression_failed;
        }
        const errc result = snappy_decompress_block(input.subspan(position, chunk_bytes), sink);
        if (result != errc::ok) return result;
        position += chunk_bytes;
    }
    sink.commit_all();
    return errc::ok;
}

// ---- lz4 ----------------------------------------------------------------

errc lz4_compress(bytes_view input, bytes& output, std::optional<int> level) {
    LZ4F_preferences_t preferences{};
    preferences.frameInfo.blockSizeID = lz4_block_size;
    preferences.frameInfo.blockMode = LZ4F_blockIndependent;
    preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
    preferences.frameInfo.frameType = LZ4F_frame;
    preferences.compressionLevel = level.value_or(0);
    const std::size_t start = output.size();
    const std::size_t bound = LZ4F_compressFrameBound(input.size(), &preferences);
    if (LZ4F_isError(bound)) return errc::length_too_large;
    output.resize(start + bound);
    const std::size_t written =
        LZ4F_compressFrame(output.data() + start, bound, input.data(), input.size(), &preferences);
    if (LZ4F_isError(written)) {
        output.resize(start);
        return errc::invalid_value;
    }
    output.resize(start + written);
    return errc::ok;
}

struct lz4_context_deleter {
    void operator()(LZ4F_dctx* context) const noexcept { LZ4F_freeDecompressionContext(context); }
};

errc lz4_decompress(bytes_view input, std::size_t max_output_bytes, bytes& output) {
    LZ4F_dctx* raw_context = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&raw_context, LZ4F_VERSION))) {
        return errc::decompression_failed;
    }
    const std::unique_ptr<LZ4F_dctx, lz4_context_deleter> context(raw_context);

    // Reading the frame header first gives the content size when the writer
    // recorded it, so an oversized frame is refused before anything is
    // decoded. The header checksum is verified here too.
    LZ4F_frameInfo_t info{};
    std::size_t header_bytes = input.size();
    if (LZ4F_isError(LZ4F_getFrameInfo(context.get(), &info, input.data(), &header_bytes))) {
        return errc::decompression_failed;
    }
    if (info.contentSize > max_output_bytes) return errc::too_large_after_decompression;

    bounded_output sink(output, max_output_bytes);
    sink.expect_total(static_cast<std::size_t>(info.contentSize));
    std::size_t position = header_bytes;
    for (;;) {
        const std::span<byte> room = sink.room();
        if (room.empty()) return errc::too_large_after_decompression;
        std::size_t written = room.size();
        std::size_t read = input.size() - position;
        const std::size_t hint =
            LZ4F_decompress(context.get(), room.data(), &written, input.data() + position, &read, nullptr);
        if (LZ4F_isError(hint)) return errc::decompression_failed;
        position += read;
        sink.commit(written);
        if (sink.over_limit()) return errc::too_large_after_decompression;
        if (hint == 0) {
            // The frame ended. Kafka puts exactly one frame in a batch, so
            // bytes after it are corruption, not another frame.
            if (position != input.size()) return errc::decompression_failed;
            break;
        }
        // No input taken and no output given with room to spare: the frame
        // is cut short.
        if (read == 0 && written == 0) return errc::decompression_failed;
    }
    sink.commit_all();
    return errc::ok;
}

// ---- zstd ---------------------------------------------------------------

struct zstd_compress_deleter {
    void operator()(ZSTD_CCtx* context) const noexcept { ZSTD_freeCCtx(context); }
};
struct zstd_decompress_deleter {
    void operator()(ZSTD_DCtx* context) const noexcept { ZSTD_freeDCtx(context); }
};

errc zstd_compress(bytes_view input, bytes& output, std::optional<int> level) {
    const int chosen_level = level.value_or(ZSTD_CLEVEL_DEFAULT);
    if (chosen_level < ZSTD_minCLevel() || chosen_level > ZSTD_maxCLevel()) return errc::invalid_value;
    const std::unique_ptr<ZSTD_CCtx, zstd_compress_deleter> context(ZSTD_createCCtx());
    if (!context) return errc::invalid_value;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, chosen_level))) {
        return errc::invalid_value;
    }
    const std::size_t start = output.size();
    const std::size_t bound = ZSTD_compressBound(input.size());
    if (ZSTD_isError(bound)) return errc::length_too_large;
    output.resize(start + bound);
    const std::size_t written =
        ZSTD_compress2(context.get(), output.data() + start, bound, input.data(), input.size());
    if (ZSTD_isError(written)) {
        output.resize(start);
        return errc::invalid_value;
    }
    output.resize(start + written);
    return errc::ok;
}

errc zstd_decompress(bytes_view input, std::size_t max_output_bytes, bytes& output) {
    const std::unique_ptr<ZSTD_DCtx, zstd_decompress_deleter> context(ZSTD_createDCtx());
    if (!context) return errc::decompression_failed;
    if (ZSTD_isError(ZSTD_DCtx_setParameter(context.get(), ZSTD_d_windowLogMax, zstd_window_log_max))) {
        return errc::decompression_failed;
    }
    // A frame that records its content size lets an oversized one be refused
    // up front and the output be sized once. Streaming writers (the Java
    // client among them) often leave it out; then the output grows as it
    // decodes, still bounded.
    std::size_t size_hint_bytes = 0;
    const unsigned long long announced = ZSTD_getFrameContentSize(input.data(), input.size());
    if (announced == ZSTD_CONTENTSIZE_ERROR) return errc::decompression_failed;
    if (announced != ZSTD_CONTENTSIZE_UNKNOWN) {
        if (announced > max_output_bytes) return errc::too_large_after_decompression;
        size_hint_bytes = static_cast<std::size_t>(announced);
    }

    bounded_output sink(output, max_output_bytes);
    sink.expect_total(size_hint_bytes);
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
        const std::span<byte> room = sink.room();
        if (room.empty()) return errc::too_large_after_decompression;
        ZSTD_outBuffer out{room.data(), room.size(), 0};
        const std::size_t read_before = in.pos;
        const std::size_t hint = ZSTD_decompressStream(context.get(), &out, &in);
        if (ZSTD_isError(hint)) return errc::decompression_failed;
        sink.commit(out.pos);
        if (sink.over_limit()) return errc::too_large_after_decompression;
        // 0 means a frame ended and everything it held was flushed. Input
        // left over is the next frame, which the Java client's reader would
        // read too, so the loop goes on.
        if (hint == 0 && in.pos == in.size) break;
        if (in.pos == read_before && out.pos == 0) return errc::decompression_failed;
    }
    sink.commit_all();
    return errc::ok;
}

}  // namespace

std::string_view to_string(compression codec) noexcept {
    switch (codec) {
    case compression::none: return "none";
    case compression::gzip: return "gzip";
    case compression::snappy: return "snappy";
    case compression::lz4: return "lz4";
    case compression::zstd: return "zstd";
    }
    return "unknown";
}

std::optional<compression> compression_from_attributes(std::int16_t attributes) noexcept {
    const int bits = attributes & 0x07;
    if (bits > static_cast<int>(compression::zstd)) return std::nullopt;
    return static_cast<compression>(bits);
}

wire::errc compress(compression codec, wire::bytes_view input, wire::bytes& output, std::optional<int> level) {
    switch (codec) {
    case compression::none: output.insert(output.end(), input.begin(), input.end()); return errc::ok;
    case compression::gzip: return gzip_compress(input, output, level);
    case compression::snappy: return snappy_compress(input, output);
    case compression::lz4: return lz4_compress(input, output, level);
    case compression::zstd: return zstd_compress(input, output, level);
    }
    return errc::unsupported_compression;
}

wire::errc decompress(compression codec, wire::bytes_view input, std::size_t max_output_bytes,
                      wire::bytes& output) {
    switch (codec) {
    case compression::none: return copy_bounded(input, max_output_bytes, output);
    case compression::gzip: return gzip_decompress(input, max_output_bytes, output);
    case compression::snappy: return snappy_decompress(input, max_output_bytes, output);
    case compression::lz4: return lz4_decompress(input, max_output_bytes, output);
    case compression::zstd: return zstd_decompress(input, max_output_bytes, output);
    }
    return errc::unsupported_compression;
}

}  // namespace brook::record
