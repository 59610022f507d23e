#include "brook/metadata/metadata_log.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "brook/base/assert.h"
#include "brook/messages/record_framing.h"
#include "brook/record/record_batch.h"

namespace brook::metadata {
namespace {

constexpr std::int32_t metadata_leader_epoch = 1;
// A metadata batch is small; this bounds what replay reads and decodes at once.
constexpr std::uint64_t replay_read_bytes = 8 * 1024 * 1024;

storage::log_config metadata_log_config() {
    storage::log_config config;
    config.retention_ms = -1;   // the metadata log is never trimmed by time
    config.segment_bytes = 64 * 1024 * 1024;
    config.max_message_bytes = 8 * 1024 * 1024;
    return config;
}

}  // namespace

wire::bytes frame_metadata_record(const messages::metadata_record& record) {
    wire::writer w;
    std::visit(
        [&](const auto& r) {
            using type = std::decay_t<decltype(r)>;
            if constexpr (!std::is_same_v<type, std::monostate>) {
                const wire::errc error = messages::encode_metadata_record(w, r, type::highest_version);
                BROOK_ASSERT(error == wire::errc::ok, "a metadata record Brook built does not encode");
            }
        },
        record);
    return w.take();
}

storage::result<std::unique_ptr<metadata_log>> metadata_log::open(const std::filesystem::path& log_dir,
                                                                  image_publisher& publisher, std::int64_t now_ms) {
    auto log = storage::partition_log::open(log_dir / "__cluster_metadata-0", metadata_log_config(), now_ms);
    if (!log) return log.error();
    std::unique_ptr<metadata_log> out(new metadata_log(std::move(log).value(), publisher));
    if (const auto error = out->replay()) return error;
    return out;
}

std::error_code metadata_log::replay() {
    image_builder builder(*publisher_.current());
    std::int64_t offset = log_->log_start_offset();
    std::size_t records = 0;
    while (offset < log_->log_end_offset()) {
        auto read = log_->read(offset, replay_read_bytes, log_->log_end_offset());
        if (!read) return read.error();
        if (!read.value().slice) break;
        const storage::read_slice& slice = *read.value().slice;
        wire::bytes buffer(slice.length_bytes);
        const ssize_t n = ::pread(slice.file->fd(), buffer.data(), buffer.size(), static_cast<off_t>(slice.position));
        if (n != static_cast<ssize_t>(buffer.size())) return std::error_code(errno ? errno : EIO, std::generic_category());
        record::batch_splitter splitter(buffer);
        while (auto batch_bytes = splitter.next()) {
            record::batch_view batch;
            if (const auto e = record::parse_batch(*batch_bytes, batch); e != wire::errc::ok) return e;
            record::decoded_records decoded;
            if (const auto e = record::decode_records(batch, {replay_read_bytes * 8, false}, decoded); e != wire::errc::ok) {
                return e;
            }
            for (const auto& r : decoded) {
                if (!r.value) continue;
                wire::reader value(*r.value);
                messages::metadata_record record;
                if (const auto e = messages::decode_metadata_record(value, record); e != wire::errc::ok) return e;
                std::string problem;
                if (!builder.apply(record, r.offset(batch.header), problem)) {
                    spdlog::error("metadata log offset {}: {}", r.offset(batch.header), problem);
                    return make_error_code(wire::errc::invalid_value);
                }
                ++records;
            }
            offset = batch.header.last_offset() + 1;
        }
        if (splitter.error() != wire::errc::ok && splitter.error() != wire::errc::partial_batch) return splitter.error();
    }
    publisher_.publish(builder.build());
    spdlog::info("metadata log: replayed {} records up to offset {}", records, log_->log_end_offset());
    return {};
}

storage::result<std::int64_t> metadata_log::append(const std::vector<messages::metadata_record>& records,
                                                   std::int64_t now_ms) {
    BROOK_ASSERT(!records.empty(), "an empty metadata append");
    std::vector<wire::bytes> framed;
    framed.reserve(records.size());
    for (const auto& r : records) framed.push_back(frame_metadata_record(r));
    record::batch_options options;
    options.partition_leader_epoch = metadata_leader_epoch;
    record::batch_builder builder(options);
    for (const auto& value : framed) {
        record::new_record r;
        r.value = wire::bytes_view(value);
        r.timestamp_ms = now_ms;
        if (const auto e = builder.append(r); e != wire::errc::ok) return make_error_code(e);
    }
    wire::bytes batch;
    if (const auto e = builder.build(batch); e != wire::errc::ok) return make_error_code(e);

    auto appended = log_->append(std::span<wire::byte>(batch), metadata_leader_epoch,
                                 record::timestamp_type::create_time, now_ms);
    if (!appended) return appended.error();
    if (const auto error = log_->flush()) return error;

    image_builder next(*publisher_.current());
    std::int64_t offset = appended.value().base_offset;
    for (const auto& r : records) {
        std::string problem;
        const bool applied = next.apply(r, offset++, problem);
        BROOK_ASSERT(applied, problem);
    }
    publisher_.publish(next.build());
    return appended.value().last_offset;
}

}  // namespace brook::metadata
