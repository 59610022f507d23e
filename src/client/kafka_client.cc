#include "brook/client/kafka_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "brook/messages/metadata_request.h"
#include "brook/messages/metadata_response.h"

namespace brook::client {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string key_of(const host_port& address) { return address.host + ":" + std::to_string(address.port); }

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

result<std::vector<host_port>> parse_bootstrap_servers(std::string_view servers) {
    std::vector<host_port> out;
    while (!servers.empty()) {
        const auto comma = servers.find(',');
        const std::string_view entry = trim(servers.substr(0, comma));
        servers = comma == std::string_view::npos ? std::string_view{} : servers.substr(comma + 1);
        if (entry.empty()) continue;

        const auto colon = entry.rfind(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == entry.size()) {
            return client::error(errc::invalid_bootstrap, "\"" + std::string(entry) + "\" is not host:port");
        }
        std::string_view host = entry.substr(0, colon);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        const std::string_view port_text = entry.substr(colon + 1);
        unsigned port = 0;
        const auto [end, parse_error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (parse_error != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            return client::error(errc::invalid_bootstrap, "bad port in \"" + std::string(entry) + "\"");
        }
        out.push_back({std::string(host), static_cast<std::uint16_t>(port)});
    }
    if (out.empty()) return client::error(errc::invalid_bootstrap, "no bootstrap servers given");
    return out;
}

const broker_node* cluster_view::find_broker(std::int32_t node_id) const {
    const auto it = std::find_if(brokers.begin(), brokers.end(),
                                 [node_id](const broker_node& broker) { return broker.node_id == node_id; });
    return it == brokers.end() ? nullptr : &*it;
}

const topic_view* cluster_view::find_topic(const std::string& name) const {
    const auto it = topics.find(name);
    return it == topics.end() ? nullptr : &it->second;
}

std::optional<std::int32_t> cluster_view::leader_of(const std::string& topic, std::int32_t partition) const {
    const topic_view* found = find_topic(topic);
    if (found == nullptr) return std::nullopt;
    for (const auto& entry : found->partitions) {
        if (entry.partition == partition) {
            if (entry.leader_id < 0) return std::nullopt;
            return entry.leader_id;
        }
    }
    return std::nullopt;
}

kafka_client::kafka_client(asio::any_io_executor executor, client_options options)
    : executor_(std::move(executor)), options_(std::move(options)) {
    auto parsed = parse_bootstrap_servers(options_.bootstrap_servers);
    if (parsed) {
        bootstrap_ = std::move(*parsed);
    } else {
        // Reported by the first request rather than thrown from here.
        bootstrap_error_ = std::move(parsed).error();
    }
}

kafka_client::~kafka_client() { close(); }

void kafka_client::close() {
    closed_ = true;
    for (auto& [key, link] : connections_) link->close();
    connections_.clear();
}

bool kafka_client::worth_retrying(const client::error& why) {
    return why == errc::connect_failed || why == errc::connection_broken;
}

asio::awaitable<void> kafka_client::back_off(int attempt) {
    auto delay = options_.retry_backoff;
    for (int i = 2; i < attempt && delay < options_.retry_backoff_max; ++i) delay *= 2;
    delay = std::min(delay, options_.retry_backoff_max);
    asio::steady_timer timer(executor_, delay);
    co_await timer.async_wait(use_tuple);
}

asio::awaitable<result<std::shared_ptr<connection>>> kafka_client::open(const host_port& address) {
    if (closed_) co_return client::error(errc::closed, "the client was closed");
    const std::string key = key_of(address);
    if (auto it = connections_.find(key); it != connections_.end() && !it->second->is_broken()) {
        co_return it->second;
    }
    connection_options settings;
    settings.client_id = options_.client_id;
    settings.connect_timeout = options_.connect_timeout;
    settings.negotiate_timeout = options_.request_timeout;
    settings.max_in_flight = options_.max_in_flight;
    settings.max_response_bytes = options_.max_response_bytes;
    auto connect_op = connection::connect(executor_, address.host, address.port, std::move(settings));
    auto opened = co_await std::move(connect_op);
    if (!opened) co_return opened;
    if (closed_) {
        (*opened)->close();
        co_return client::error(errc::closed, "the client was closed");
    }
    // Another coroutine may have opened one while this one was connecting.
    auto& slot = connections_[key];
    if (slot && !slot->is_broken()) {
        (*opened)->close();
        co_return slot;
    }
    slot = *opened;
    co_return opened;
}

asio::awaitable<result<std::shared_ptr<connection>>> kafka_client::any_node() {
    if (closed_) co_return client::error(errc::closed, "the client was closed");
    for (const auto& [key, link] : connections_) {
        if (!link->is_broken()) co_return link;
    }
    // Known brokers first, then the bootstrap servers not among them.
    std::vector<host_port> candidates;
    for (const auto& broker : cluster_.brokers) candidates.push_back({broker.host, broker.port});
    for (const auto& address : bootstrap_) {
        if (std::find(candidates.begin(), candidates.end(), address) == candidates.end()) {
            candidates.push_back(address);
        }
    }
    if (candidates.empty()) {
        co_return bootstrap_error_ ? *bootstrap_error_ : client::error(errc::invalid_bootstrap, "no servers known");
    }
    client::error last;
    for (const auto& address : candidates) {
        auto open_op = open(address);
        auto opened = co_await std::move(open_op);
        if (opened) co_return opened;
        last = std::move(opened).error();
        if (last == errc::closed) break;
    }
    co_return client::error(last.code, "no node reachable (tried " + std::to_string(candidates.size()) +
                                           "); last: " + last.detail);
}

asio::awaitable<result<std::shared_ptr<connection>>> kafka_client::node(std::int32_t node_id) {
    if (cluster_.find_broker(node_id) == nullptr) {
        auto refresh = metadata(std::vector<std::string>{});
        auto refreshed = co_await std::move(refresh);
        if (!refreshed) co_return std::move(refreshed).error();
    }
    const broker_node* broker = cluster_.find_broker(node_id);
    if (broker == nullptr) {
        co_return client::error(errc::no_such_node, "metadata lists no node " + std::to_string(node_id));
    }
    const host_port address{broker->host, broker->port};
    auto open_op = open(address);
    co_return co_await std::move(open_op);
}

asio::awaitable<result<std::shared_ptr<connection>>> kafka_client::connect_to(const target& where) {
    switch (where.kind) {
        case target_kind::any: {
            auto op = any_node();
            co_return co_await std::move(op);
        }
        case target_kind::node: {
            auto op = node(where.node_id);
            co_return co_await std::move(op);
        }
        case target_kind::controller: {
            if (cluster_.controller_id < 0) {
                auto refresh = metadata(std::vector<std::string>{});
                auto refreshed = co_await std::move(refresh);
                if (!refreshed) co_return std::move(refreshed).error();
            }
            if (cluster_.find_broker(cluster_.controller_id) != nullptr) {
                auto op = node(cluster_.controller_id);
                co_return co_await std::move(op);
            }
            auto op = any_node();
            co_return co_await std::move(op);
        }
        case target_kind::leader: {
            if (leaders_stale_ || !cluster_.leader_of(where.topic, where.partition)) {
                auto refresh = metadata(std::vector<std::string>{where.topic});
                auto refreshed = co_await std::move(refresh);
                if (!refreshed) co_return std::move(refreshed).error();
            }
            const auto leader = cluster_.leader_of(where.topic, where.partition);
            if (!leader) {
                co_return client::error(errc::no_leader, "metadata names no leader for " + where.topic + "-" +
                                                             std::to_string(where.partition));
            }
            auto op = node(*leader);
            co_return co_await std::move(op);
        }
    }
    co_return client::error(errc::no_such_node, "unknown target");
}

asio::awaitable<result<cluster_view>> kafka_client::metadata(std::optional<std::vector<std::string>> topics) {
    messages::MetadataRequest request;
    if (topics) {
        // Never create what we ask about. (Brokers before Metadata v4 always
        // may; asking one of them about named topics fails to encode, as
        // Kafka's client refuses it. A request for every topic creates none,
        // so it leaves the field alone and works at any version.)
        request.allow_auto_topic_creation = false;
        request.topics.emplace();
        for (const auto& name : *topics) {
            messages::MetadataRequest::MetadataRequestTopic entry;
            entry.name = name;
            request.topics->push_back(std::move(entry));
        }
    } else {
        request.topics.reset();  // null: every topic
    }
    auto op = send_to_any(request);
    auto reply = co_await std::move(op);
    if (!reply) co_return std::move(reply).error();

    const messages::MetadataResponse& response = *reply;
    cluster_view answer;
    answer.cluster_id = response.cluster_id.value_or("");
    answer.controller_id = response.controller_id;
    for (const auto& broker : response.brokers) {
        answer.brokers.push_back({broker.node_id, broker.host, static_cast<std::uint16_t>(broker.port), broker.rack});
    }
    for (const auto& topic : response.topics) {
        topic_view view;
        view.name = topic.name.value_or("");
        view.topic_id = topic.topic_id;
        view.error_code = topic.error_code;
        view.is_internal = topic.is_internal;
        for (const auto& partition : topic.partitions) {
            view.partitions.push_back({partition.partition_index, partition.error_code, partition.leader_id,
                                       partition.leader_epoch, partition.replica_nodes, partition.isr_nodes});
        }
        std::sort(view.partitions.begin(), view.partitions.end(),
                  [](const partition_view& a, const partition_view& b) { return a.partition < b.partition; });
        answer.topics.emplace(view.name, std::move(view));
    }

    // Update the cache: brokers and controller always; the topics asked for.
    cluster_.cluster_id = answer.cluster_id;
    cluster_.controller_id = answer.controller_id;
    cluster_.brokers = answer.brokers;
    if (!topics) cluster_.topics.clear();
    if (topics) {
        for (const auto& name : *topics) cluster_.topics.erase(name);
    }
    for (const auto& [name, view] : answer.topics) {
        if (view.error_code == 0) cluster_.topics[name] = view;
    }
    if (!topics || !topics->empty()) leaders_stale_ = false;
    co_return answer;
}

}  // namespace brook::client
