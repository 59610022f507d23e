#include "brook/metadata/image.h"

#include <type_traits>

namespace brook::metadata {

std::string uuid_key(const wire::uuid& id) { return std::string(id.value.begin(), id.value.end()); }

const broker_endpoint* broker_info::endpoint(std::string_view listener) const noexcept {
    for (const auto& e : endpoints) {
        if (e.listener == listener) return &e;
    }
    return nullptr;
}

std::shared_ptr<const topic_info> image::topic(std::string_view name) const {
    const auto it = topics_.find(name);
    return it == topics_.end() ? nullptr : it->second;
}

std::shared_ptr<const topic_info> image::topic(const wire::uuid& id) const {
    const auto it = topics_by_id_.find(uuid_key(id));
    return it == topics_by_id_.end() ? nullptr : it->second;
}

const broker_info* image::broker(std::int32_t id) const {
    const auto it = brokers_.find(id);
    return it == brokers_.end() ? nullptr : &it->second;
}

image_builder::image_builder(const image& base) : next_(base) {}

topic_info& image_builder::mutable_topic(const wire::uuid& id) {
    const std::string key = uuid_key(id);
    if (auto it = changed_.find(key); it != changed_.end()) return *it->second;
    auto copy = std::make_shared<topic_info>(*next_.topics_by_id_.at(key));
    changed_[key] = copy;
    next_.topics_by_id_[key] = copy;
    next_.topics_[copy->name] = copy;
    return *copy;
}

namespace {

template <typename T>
void apply_if_present(std::vector<std::int32_t>& target, const std::optional<std::vector<T>>& change) {
    if (change) target.assign(change->begin(), change->end());
}

}  // namespace

bool image_builder::apply(const messages::metadata_record& record, std::int64_t offset, std::string& problem) {
    next_.offset_ = offset;
    return std::visit(
        [&](const auto& r) -> bool {
            using type = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<type, messages::TopicRecord>) {
                if (next_.topics_.contains(r.name)) {
                    problem = "topic " + r.name + " already exists";
                    return false;
                }
                auto topic = std::make_shared<topic_info>();
                topic->name = r.name;
                topic->id = r.topic_id;
                changed_[uuid_key(r.topic_id)] = topic;
                next_.topics_by_id_[uuid_key(r.topic_id)] = topic;
                next_.topics_[r.name] = topic;
                return true;
            } else if constexpr (std::is_same_v<type, messages::PartitionRecord>) {
                if (!next_.topics_by_id_.contains(uuid_key(r.topic_id))) {
                    problem = "partition " + std::to_string(r.partition_id) + " of an unknown topic id " +
                              r.topic_id.to_base64();
                    return false;
                }
                topic_info& topic = mutable_topic(r.topic_id);
                if (r.partition_id < 0 || static_cast<std::size_t>(r.partition_id) > topic.partitions.size()) {
                    problem = "partition " + std::to_string(r.partition_id) + " of " + topic.name + " out of order";
                    return false;
                }
                partition_info p;
                p.partition = r.partition_id;
                p.replicas = r.replicas;
                p.isr = r.isr;
                p.removing_replicas = r.removing_replicas;
                p.adding_replicas = r.adding_replicas;
                p.leader = r.leader;
                p.leader_epoch = r.leader_epoch;
                p.partition_epoch = r.partition_epoch;
                if (static_cast<std::size_t>(r.partition_id) == topic.partitions.size()) {
                    topic.partitions.push_back(std::move(p));
                } else {
                    topic.partitions[static_cast<std::size_t>(r.partition_id)] = std::move(p);
                }
                return true;
            } else if constexpr (std::is_same_v<type, messages::PartitionChangeRecord>) {
                const auto topic_it = next_.topics_by_id_.find(uuid_key(r.topic_id));
                if (topic_it == next_.topics_by_id_.end() || r.partition_id < 0 ||
                    static_cast<std::size_t>(r.partition_id) >= topic_it->second->partitions.size()) {
                    problem = "change to an unknown partition " + std::to_string(r.partition_id);
                    return false;
                }
                partition_info& p = mutable_topic(r.topic_id).partitions[static_cast<std::size_t>(r.partition_id)];
                apply_if_present(p.isr, r.isr);
                apply_if_present(p.replicas, r.replicas);
                apply_if_present(p.removing_replicas, r.removing_replicas);
                apply_if_present(p.adding_replicas, r.adding_replicas);
                // Leader -2 means "unchanged"; a new leader starts a new epoch.
                if (r.leader != -2) {
                    p.leader = r.leader;
                    ++p.leader_epoch;
                }
                ++p.partition_epoch;
                return true;
            } else if constexpr (std::is_same_v<type, messages::RemoveTopicRecord>) {
                const auto it = next_.topics_by_id_.find(uuid_key(r.topic_id));
                if (it == next_.topics_by_id_.end()) {
                    problem = "removal of an unknown topic id " + r.topic_id.to_base64();
                    return false;
                }
                next_.topics_.erase(it->second->name);
                changed_.erase(it->first);
                next_.topics_by_id_.erase(it);
                return true;
            } else if constexpr (std::is_same_v<type, messages::ConfigRecord>) {
                if (r.resource_type == static_cast<std::int8_t>(config_resource::topic)) {
                    const auto it = next_.topics_.find(r.resource_name);
                    if (it == next_.topics_.end()) {
                        problem = "config for an unknown topic " + r.resource_name;
                        return false;
                    }
                    topic_info& topic = mutable_topic(it->second->id);
                    if (r.value) {
                        topic.configs[r.name] = *r.value;
                    } else {
                        topic.configs.erase(r.name);
                    }
                } else if (r.resource_type == static_cast<std::int8_t>(config_resource::broker)) {
                    auto& configs = next_.broker_configs_[r.resource_name];
                    if (r.value) {
                        configs[r.name] = *r.value;
                    } else {
                        configs.erase(r.name);
                    }
                }
                return true;
            } else if constexpr (std::is_same_v<type, messages::RegisterBrokerRecord>) {
                broker_info b;
                b.id = r.broker_id;
                b.epoch = r.broker_epoch;
                b.incarnation_id = r.incarnation_id;
                for (const auto& e : r.end_points) b.endpoints.push_back({e.name, e.host, e.port, e.security_protocol});
                b.rack = r.rack;
                b.fenced = r.fenced;
                next_.brokers_[r.broker_id] = std::move(b);
                return true;
            } else if constexpr (std::is_same_v<type, messages::UnregisterBrokerRecord>) {
                next_.brokers_.erase(r.broker_id);
                return true;
            } else if constexpr (std::is_same_v<type, messages::FenceBrokerRecord>) {
                if (auto it = next_.brokers_.find(r.id); it != next_.brokers_.end()) it->second.fenced = true;
                return true;
            } else if constexpr (std::is_same_v<type, messages::UnfenceBrokerRecord>) {
                if (auto it = next_.brokers_.find(r.id); it != next_.brokers_.end()) it->second.fenced = false;
                return true;
            } else if constexpr (std::is_same_v<type, messages::BrokerRegistrationChangeRecord>) {
                auto it = next_.brokers_.find(r.broker_id);
                if (it == next_.brokers_.end()) {
                    problem = "registration change for an unknown broker " + std::to_string(r.broker_id);
                    return false;
                }
                // Fenced: 1 fenced, -1 unfenced, 0 unchanged.
                if (r.fenced == 1) it->second.fenced = true;
                if (r.fenced == -1) it->second.fenced = false;
                return true;
            } else if constexpr (std::is_same_v<type, messages::FeatureLevelRecord>) {
                next_.features_[r.name] = r.feature_level;
                return true;
            } else if constexpr (std::is_same_v<type, messages::ProducerIdsRecord>) {
                next_.next_producer_id_ = r.next_producer_id;
                return true;
            } else {
                // NoOpRecord and record types Brook does not act on yet
                // (ACLs, quotas, SCRAM, delegation tokens) leave the image as is.
                return true;
            }
        },
        record);
}

std::shared_ptr<const image> image_builder::build() {
    changed_.clear();
    return std::make_shared<const image>(next_);
}

}  // namespace brook::metadata
