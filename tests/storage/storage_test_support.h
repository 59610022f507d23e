#pragma once
// Helpers shared by the storage tests: a temporary directory that removes
// itself, batches built with the real batch_builder, and reading a read_slice
// back into memory the way sendfile would send it.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "brook/record/record_batch.h"
#include "brook/storage/file.h"
#include "brook/storage/partition_log.h"
#include "brook/wire/bytes.h"

namespace brook::storage::testing {

class temp_directory {
public:
    temp_directory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "brook-storage-XXXXXX").string();
        char* made = ::mkdtemp(pattern.data());
        if (made == nullptr) std::abort();
        path_ = made;
    }
    ~temp_directory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_directory(const temp_directory&) = delete;
    temp_directory& operator=(const temp_directory&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path partition() const { return path_ / "orders-0"; }

private:
    std::filesystem::path path_;
};

// One producer batch of `record_count` records, each value `value_bytes` long
// and tagged with its index; record i has timestamp first_timestamp_ms + i.
inline wire::bytes make_batch(int record_count, std::size_t value_bytes, std::int64_t first_timestamp_ms,
                              record::compression codec = record::compression::none) {
    record::batch_options options;
    options.codec = codec;
    record::batch_builder builder(options);
    std::vector<wire::bytes> values;
    values.reserve(static_cast<std::size_t>(record_count));
    for (int i = 0; i < record_count; ++i) {
        wire::bytes value(value_bytes, static_cast<wire::byte>('a' + i % 26));
        if (!value.empty()) value[0] = static_cast<wire::byte>(i);
        values.push_back(std::move(value));
    }
    for (int i = 0; i < record_count; ++i) {
        record::new_record r;
        r.value = wire::bytes_view(values[static_cast<std::size_t>(i)]);
        r.timestamp_ms = first_timestamp_ms + i;
        EXPECT_EQ(builder.append(r), wire::errc::ok);
    }
    wire::bytes out;
    EXPECT_EQ(builder.build(out), wire::errc::ok);
    return out;
}

// One producer batch whose records carry exactly these timestamps.
inline wire::bytes make_batch_with_timestamps(const std::vector<std::int64_t>& timestamps_ms) {
    record::batch_builder builder(record::batch_options{});
    const wire::bytes value = {'v'};
    for (const std::int64_t timestamp : timestamps_ms) {
        record::new_record r;
        r.value = wire::bytes_view(value);
        r.timestamp_ms = timestamp;
        EXPECT_EQ(builder.append(r), wire::errc::ok);
    }
    wire::bytes out;
    EXPECT_EQ(builder.build(out), wire::errc::ok);
    return out;
}

inline wire::bytes read_slice_bytes(const read_slice& slice) {
    wire::bytes out(static_cast<std::size_t>(slice.length_bytes));
    EXPECT_FALSE(read_exact_at(slice.file->fd(), out, slice.position));
    return out;
}

// The headers of the whole batches in `data`, checking each one's CRC.
inline std::vector<record::batch_header> parse_batches(wire::bytes_view data) {
    std::vector<record::batch_header> headers;
    record::batch_splitter splitter(data);
    while (auto view = splitter.next()) {
        record::batch_view batch;
        EXPECT_EQ(record::parse_batch(*view, batch), wire::errc::ok);
        headers.push_back(batch.header);
    }
    EXPECT_EQ(splitter.error(), wire::errc::ok);
    return headers;
}

inline std::unique_ptr<partition_log> open_log(const std::filesystem::path& directory, const log_config& config,
                                               std::int64_t now_ms = 0) {
    auto log = partition_log::open(directory, config, now_ms);
    EXPECT_TRUE(log.ok()) << log.error().message();
    if (!log) return nullptr;
    return std::move(log).value();
}

// Appends `batch` (copied, so the caller's bytes stay as built).
inline append_result append_ok(partition_log& log, const wire::bytes& batch, std::int64_t now_ms,
                               std::int32_t leader_epoch = 0,
                               record::timestamp_type type = record::timestamp_type::create_time) {
    auto appended = log.append(wire::bytes_view(batch), leader_epoch, type, now_ms);
    EXPECT_TRUE(appended.ok()) << appended.error().message();
    if (!appended) return {};
    return *appended;
}

}  // namespace brook::storage::testing
