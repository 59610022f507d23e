#include "brook/metadata/controller.h"

#include <algorithm>
#include <random>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace brook::metadata {
namespace {

using messages::error_code;

constexpr std::size_t max_topic_name_length = 249;

operation_result failure(error_code code, std::string message) { return {code, std::move(message)}; }

wire::uuid random_uuid() {
    static thread_local std::mt19937_64 engine{std::random_device{}()};
    wire::uuid id;
    do {
        for (auto& b : id.value) b = static_cast<wire::byte>(engine());
    } while (id.is_zero());
    return id;
}

std::string normalize_collisions(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '.', '_');
    return out;
}

messages::PartitionRecord partition_record(const wire::uuid& topic_id, std::int32_t partition,
                                           const std::vector<std::int32_t>& replicas) {
    messages::PartitionRecord record;
    record.topic_id = topic_id;
    record.partition_id = partition;
    record.replicas = replicas;
    record.isr = replicas;
    record.leader = replicas.empty() ? -1 : replicas.front();
    record.leader_epoch = 0;
    record.partition_epoch = 0;
    return record;
}

}  // namespace

controller::controller(metadata_log& log, image_publisher& publisher, controller_options options)
    : log_(log), publisher_(publisher), options_(std::move(options)) {}

std::optional<std::string> controller::invalid_topic_name(std::string_view name) {
    if (name.empty()) return "Topic name is illegal, it can't be empty";
    if (name == "." || name == "..") return "Topic name cannot be \".\" or \"..\"";
    if (name.size() > max_topic_name_length) {
        return fmt::format("Topic name is illegal, it can't be longer than {} characters, topic name: {}",
                           max_topic_name_length, name);
    }
    for (const char c : name) {
        const bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '_' || c == '-';
        if (!legal) {
            return fmt::format("Topic name \"{}\" is illegal, it contains a character other than ASCII "
                               "alphanumerics, '.', '_' and '-'",
                               name);
        }
    }
    return std::nullopt;
}

std::vector<std::int32_t> controller::live_brokers() const {
    std::vector<std::int32_t> out;
    for (const auto& [id, broker] : publisher_.current()->brokers()) {
        if (!broker.fenced) out.push_back(id);
    }
    return out;
}

std::vector<std::vector<std::int32_t>> controller::place_replicas(std::int32_t first_partition, std::int32_t count,
                                                                  std::int16_t replication_factor) const {
    const auto brokers = live_brokers();
    std::vector<std::vector<std::int32_t>> out;
    for (std::int32_t p = first_partition; p < first_partition + count; ++p) {
        std::vector<std::int32_t> replicas;
        for (std::int16_t r = 0; r < replication_factor; ++r) {
            replicas.push_back(brokers[static_cast<std::size_t>(p + r) % brokers.size()]);
        }
        out.push_back(std::move(replicas));
    }
    return out;
}

operation_result controller::append(const std::vector<messages::metadata_record>& records, std::int64_t now_ms) {
    auto appended = log_.append(records, now_ms);
    if (!appended) {
        spdlog::error("metadata log append failed: {}", appended.error().message());
        return failure(error_code::kafka_storage_error, "The metadata log could not be written: " +
                                                            appended.error().message());
    }
    return {};
}

operation_result controller::register_broker(std::vector<broker_endpoint> endpoints, std::optional<std::string> rack,
                                             std::int64_t now_ms) {
    const auto current = publisher_.current();
    messages::RegisterBrokerRecord record;
    record.broker_id = options_.node_id;
    record.incarnation_id = random_uuid();
    // The broker epoch is the registration's offset in the metadata log.
    record.broker_epoch = log_.end_offset();
    for (const auto& e : endpoints) {
        auto& out = record.end_points.emplace_back();
        out.name = e.listener;
        out.host = e.host;
        out.port = e.port;
        out.security_protocol = e.security_protocol;
    }
    record.rack = std::move(rack);
    // With a single node there is nobody to catch up with: the broker is
    // unfenced as it registers.
    record.fenced = false;
    std::vector<messages::metadata_record> records{std::move(record)};
    if (!current->features().contains("metadata.version")) {
        messages::FeatureLevelRecord feature;
        feature.name = "metadata.version";
        feature.feature_level = 21;  // the level of Kafka 3.9 (3.9-IV0)
        records.insert(records.begin(), std::move(feature));
    }
    return append(records, now_ms);
}

std::vector<create_topic_result> controller::create_topics(const std::vector<create_topic_request>& requests,
                                                           bool validate_only, std::int64_t now_ms) {
    std::vector<create_topic_result> results(requests.size());
    std::vector<messages::metadata_record> records;
    const auto current = publisher_.current();
    const auto brokers = live_brokers();
    std::set<std::string> seen;        // names in this request
    std::set<std::string> collisions;  // existing names with '.' and '_' folded together
    for (const auto& [name, topic] : current->topics()) collisions.insert(normalize_collisions(name));

    for (std::size_t i = 0; i < requests.size(); ++i) {
        const create_topic_request& request = requests[i];
        create_topic_result& result = results[i];
        auto fail = [&](error_code code, std::string message) {
            result.error = code;
            result.message = std::move(message);
        };
        if (auto problem = invalid_topic_name(request.name)) {
            fail(error_code::invalid_topic_exception, *problem);
            continue;
        }
        if (current->topic(request.name) || seen.contains(request.name)) {
            fail(error_code::topic_already_exists, fmt::format("Topic '{}' already exists.", request.name));
            continue;
        }
        if (collisions.contains(normalize_collisions(request.name))) {
            fail(error_code::invalid_topic_exception,
                 fmt::format("Topic '{}' collides with an existing topic: names may not differ only in '.' and '_'",
                             request.name));
            continue;
        }
        std::vector<std::vector<std::int32_t>> assignment;
        if (!request.assignments.empty()) {
            if (request.num_partitions != -1 || request.replication_factor != -1) {
                fail(error_code::invalid_request,
                     "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used "
                     "at the same time.");
                continue;
            }
            bool valid = true;
            std::size_t width = request.assignments.begin()->second.size();
            for (std::int32_t p = 0; p < static_cast<std::int32_t>(request.assignments.size()) && valid; ++p) {
                const auto it = request.assignments.find(p);
                if (it == request.assignments.end()) {
                    fail(error_code::invalid_replica_assignment,
                         "Partitions should be a consecutive 0-based integer sequence");
                    valid = false;
                    break;
                }
                const std::set<std::int32_t> unique(it->second.begin(), it->second.end());
                if (it->second.empty() || unique.size() != it->second.size() || it->second.size() != width) {
                    fail(error_code::invalid_replica_assignment,
                         fmt::format("Partition {} has an empty, duplicated or uneven replica list", p));
                    valid = false;
                    break;
                }
                for (const std::int32_t broker : it->second) {
                    if (std::find(brokers.begin(), brokers.end(), broker) == brokers.end()) {
                        fail(error_code::invalid_replica_assignment,
                             fmt::format("Broker {} in the assignment of partition {} is not a live broker", broker, p));
                        valid = false;
                        break;
                    }
                }
                assignment.push_back(it->second);
            }
            if (!valid) continue;
        } else {
            const std::int32_t partitions =
                request.num_partitions == -1 ? options_.default_partitions : request.num_partitions;
            const std::int16_t replication =
                request.replication_factor == -1 ? options_.default_replication_factor : request.replication_factor;
            if (partitions <= 0) {
                fail(error_code::invalid_partitions, "Number of partitions was set to an invalid non-positive value.");
                continue;
            }
            if (replication <= 0) {
                fail(error_code::invalid_replication_factor,
                     "Replication factor must be larger than 0, or -1 to use the default value.");
                continue;
            }
            if (static_cast<std::size_t>(replication) > brokers.size()) {
                fail(error_code::invalid_replication_factor,
                     fmt::format("Unable to replicate the partition {} time(s): The target replication factor of {} "
                                 "cannot be reached because only {} broker(s) are registered.",
                                 replication, replication, brokers.size()));
                continue;
            }
            assignment = place_replicas(0, partitions, replication);
        }
        if (options_.validate_topic_configs) {
            if (auto problem = options_.validate_topic_configs(request.configs)) {
                fail(error_code::invalid_config, *problem);
                continue;
            }
        }
        seen.insert(request.name);
        collisions.insert(normalize_collisions(request.name));
        result.num_partitions = static_cast<std::int32_t>(assignment.size());
        result.replication_factor = static_cast<std::int16_t>(assignment.front().size());
        if (validate_only) continue;

        result.topic_id = random_uuid();
        messages::TopicRecord topic;
        topic.name = request.name;
        topic.topic_id = result.topic_id;
        records.push_back(std::move(topic));
        for (const auto& [key, value] : request.configs) {
            messages::ConfigRecord config;
            config.resource_type = static_cast<std::int8_t>(config_resource::topic);
            config.resource_name = request.name;
            config.name = key;
            config.value = value;
            records.push_back(std::move(config));
        }
        for (std::size_t p = 0; p < assignment.size(); ++p) {
            records.push_back(partition_record(result.topic_id, static_cast<std::int32_t>(p), assignment[p]));
        }
    }
    if (!records.empty()) {
        if (const auto appended = append(records, now_ms); !appended.ok()) {
            for (auto& result : results) {
                if (result.ok()) static_cast<operation_result&>(result) = appended;
            }
        }
    }
    return results;
}

operation_result controller::delete_topic(const wire::uuid& topic_id, std::int64_t now_ms) {
    if (!publisher_.current()->topic(topic_id)) {
        return failure(error_code::unknown_topic_id, "This server does not host this topic ID.");
    }
    messages::RemoveTopicRecord record;
    record.topic_id = topic_id;
    return append({std::move(record)}, now_ms);
}

operation_result controller::create_partitions(const std::string& name, std::int32_t new_total,
                                               const std::vector<std::vector<std::int32_t>>& assignments,
                                               bool validate_only, std::int64_t now_ms) {
    const auto topic = publisher_.current()->topic(name);
    if (!topic) {
        return failure(error_code::unknown_topic_or_partition,
                       fmt::format("This server does not host this topic-partition: {}", name));
    }
    const auto current_count = static_cast<std::int32_t>(topic->partitions.size());
    if (new_total < current_count) {
        return failure(error_code::invalid_partitions,
                       fmt::format("Topic currently has {} partitions, which is higher than the requested {}.",
                                   current_count, new_total));
    }
    if (new_total == current_count) {
        return failure(error_code::invalid_partitions, fmt::format("Topic already has {} partitions.", current_count));
    }
    const std::int32_t added = new_total - current_count;
    const auto replication = static_cast<std::int16_t>(topic->partitions.front().replicas.size());
    std::vector<std::vector<std::int32_t>> placement;
    if (!assignments.empty()) {
        if (static_cast<std::int32_t>(assignments.size()) != added) {
            return failure(error_code::invalid_replica_assignment,
                           fmt::format("Increasing the number of partitions by {} but {} assignments provided.", added,
                                       assignments.size()));
        }
        const auto brokers = live_brokers();
        for (const auto& replicas : assignments) {
            const std::set<std::int32_t> unique(replicas.begin(), replicas.end());
            if (replicas.size() != static_cast<std::size_t>(replication) || unique.size() != replicas.size()) {
                return failure(error_code::invalid_replica_assignment,
                               fmt::format("Each new partition needs {} distinct replicas.", replication));
            }
            for (const auto broker : replicas) {
                if (std::find(brokers.begin(), brokers.end(), broker) == brokers.end()) {
                    return failure(error_code::invalid_replica_assignment,
                                   fmt::format("Broker {} is not a live broker.", broker));
                }
            }
        }
        placement = assignments;
    } else {
        if (static_cast<std::size_t>(replication) > live_brokers().size()) {
            return failure(error_code::invalid_replication_factor,
                           "Not enough live brokers for the topic's replication factor.");
        }
        placement = place_replicas(current_count, added, replication);
    }
    if (validate_only) return {};
    std::vector<messages::metadata_record> records;
    for (std::int32_t i = 0; i < added; ++i) {
        records.push_back(partition_record(topic->id, current_count + i, placement[static_cast<std::size_t>(i)]));
    }
    return append(records, now_ms);
}

}  // namespace brook::metadata

namespace brook::metadata {

operation_result controller::alter_topic_configs(const std::string& name,
                                                 const std::map<std::string, std::optional<std::string>>& changes,
                                                 bool validate_only, std::int64_t now_ms) {
    // Check and append happen in this one call without suspending, so no
    // other change to the topic can slip in between (see the class comment).
    const auto topic = publisher_.current()->topic(name);
    if (!topic) {
        return failure(error_code::unknown_topic_or_partition, fmt::format("The topic '{}' does not exist.", name));
    }
    std::map<std::string, std::string> next = topic->configs;
    for (const auto& [key, value] : changes) {
        if (value) {
            next[key] = *value;
        } else {
            next.erase(key);
        }
    }
    if (options_.validate_topic_configs) {
        if (auto problem = options_.validate_topic_configs(next)) return failure(error_code::invalid_config, *problem);
    }
    if (validate_only) return {};

    std::vector<messages::metadata_record> records;
    for (const auto& [key, value] : changes) {
        const auto current = topic->configs.find(key);
        const bool unchanged = value ? (current != topic->configs.end() && current->second == *value)
                                     : current == topic->configs.end();
        if (unchanged) continue;
        messages::ConfigRecord record;
        record.resource_type = static_cast<std::int8_t>(config_resource::topic);
        record.resource_name = name;
        record.name = key;
        record.value = value;  // null removes the override
        records.push_back(std::move(record));
    }
    if (records.empty()) return {};
    return append(records, now_ms);
}

}  // namespace brook::metadata
