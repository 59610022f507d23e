#pragma once
// The metadata image: the cluster as the metadata log describes it at one
// offset (topics, partitions, configs, brokers, features).
//
// An image never changes once built. image_builder applies metadata records
// to a copy of an image, sharing every topic the records do not touch, and
// the result is published by swapping an atomic pointer (image_publisher), so
// readers on any shard never block and never see a half-applied change.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "brook/messages/metadata_records.h"
#include "brook/wire/uuid.h"

namespace brook::metadata {

struct partition_info {
    std::int32_t partition = 0;
    std::vector<std::int32_t> replicas;
    std::vector<std::int32_t> isr;
    std::vector<std::int32_t> removing_replicas;
    std::vector<std::int32_t> adding_replicas;
    std::int32_t leader = -1;          // -1: no leader (offline)
    std::int32_t leader_epoch = 0;
    std::int32_t partition_epoch = 0;

    friend bool operator==(const partition_info&, const partition_info&) = default;
};

struct topic_info {
    std::string name;
    wire::uuid id;
    std::vector<partition_info> partitions;            // indexed by partition id
    std::map<std::string, std::string> configs;        // per-topic overrides only

    bool has_partition(std::int32_t index) const noexcept {
        return index >= 0 && static_cast<std::size_t>(index) < partitions.size();
    }

    friend bool operator==(const topic_info&, const topic_info&) = default;
};

struct broker_endpoint {
    std::string listener;
    std::string host;
    std::uint16_t port = 0;
    std::int16_t security_protocol = 0;  // 0 = PLAINTEXT

    friend bool operator==(const broker_endpoint&, const broker_endpoint&) = default;
};

struct broker_info {
    std::int32_t id = -1;
    std::int64_t epoch = -1;
    wire::uuid incarnation_id;
    std::vector<broker_endpoint> endpoints;
    std::optional<std::string> rack;
    bool fenced = true;

    const broker_endpoint* endpoint(std::string_view listener) const noexcept;
    friend bool operator==(const broker_info&, const broker_info&) = default;
};

// Kafka's ConfigResource types as ConfigRecord stores them.
enum class config_resource : std::int8_t { topic = 2, broker = 4 };

class image {
public:
    using topic_map = std::map<std::string, std::shared_ptr<const topic_info>, std::less<>>;

    // Offset of the last metadata record applied; -1 for the empty image.
    std::int64_t offset() const noexcept { return offset_; }
    const topic_map& topics() const noexcept { return topics_; }
    std::shared_ptr<const topic_info> topic(std::string_view name) const;
    std::shared_ptr<const topic_info> topic(const wire::uuid& id) const;
    const std::map<std::int32_t, broker_info>& brokers() const noexcept { return brokers_; }
    const broker_info* broker(std::int32_t id) const;
    // Broker configs set dynamically: resource name "" is the cluster-wide
    // default, otherwise a broker id.
    const std::map<std::string, std::map<std::string, std::string>>& broker_configs() const noexcept {
        return broker_configs_;
    }
    // Finalized feature levels (metadata.version, ...).
    const std::map<std::string, std::int16_t, std::less<>>& features() const noexcept { return features_; }
    // The next producer id block starts here (ProducerIdsRecord).
    std::int64_t next_producer_id() const noexcept { return next_producer_id_; }

private:
    friend class image_builder;
    std::int64_t offset_ = -1;
    topic_map topics_;
    std::unordered_map<std::string, std::shared_ptr<const topic_info>> topics_by_id_;  // key: uuid bytes
    std::map<std::int32_t, broker_info> brokers_;
    std::map<std::string, std::map<std::string, std::string>> broker_configs_;
    std::map<std::string, std::int16_t, std::less<>> features_;
    std::int64_t next_producer_id_ = 0;
};

// Applies records to a copy of an image. Records come from Brook's own
// metadata log, written by its controller after validation; a record that
// does not fit the image (a partition of an unknown topic) means the log and
// the controller disagree, which is reported, not ignored.
class image_builder {
public:
    explicit image_builder(const image& base);

    // Returns false, with `problem` set, when the record cannot apply.
    bool apply(const messages::metadata_record& record, std::int64_t offset, std::string& problem);
    std::shared_ptr<const image> build();

private:
    topic_info& mutable_topic(const wire::uuid& id);

    image next_;
    // Topics copied for change in this build, by id.
    std::unordered_map<std::string, std::shared_ptr<topic_info>> changed_;
};

// Holds the current image. Written by the controller's shard, read anywhere.
class image_publisher {
public:
    image_publisher() : current_(std::make_shared<const image>()) {}
    std::shared_ptr<const image> current() const noexcept { return current_.load(std::memory_order_acquire); }
    void publish(std::shared_ptr<const image> next) noexcept { current_.store(std::move(next), std::memory_order_release); }

private:
    std::atomic<std::shared_ptr<const image>> current_;
};

std::string uuid_key(const wire::uuid& id);

}  // namespace brook::metadata
