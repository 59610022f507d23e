#include "brook/broker/group_manager.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <map>
#include <random>
#include <unordered_map>

#include "brook/broker/partition_manager.h"
#include "brook/broker/services.h"
#include "brook/record/record_batch.h"
#include "handlers/cluster.h"

namespace brook::broker {

using messages::error_code;

std::int32_t java_string_hash(std::string_view text) noexcept {
    // Decode UTF-8 to code points, then hash UTF-16 code units as Java does.
    std::uint32_t hash = 0;
    auto add = [&hash](std::uint32_t unit) { hash = hash * 31 + unit; };
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::uint32_t code_point = byte;
        std::size_t length = 1;
        if (byte >= 0xf0 && byte <= 0xf4) {
            code_point = byte & 0x07u;
            length = 4;
        } else if (byte >= 0xe0) {
            code_point = byte & 0x0fu;
            length = 3;
        } else if (byte >= 0xc2 && byte < 0xe0) {
            code_point = byte & 0x1fu;
            length = 2;
        }
        bool valid = length == 1 || i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xc0u) == 0x80u;
            code_point = (code_point << 6) | (next & 0x3fu);
        }
        if (!valid) {
            add(byte);  // a stray byte: one unit, as a lenient decoder would
            ++i;
            continue;
        }
        if (code_point >= 0x10000) {
            code_point -= 0x10000;
            add(0xd800u + (code_point >> 10));
            add(0xdc00u + (code_point & 0x3ffu));
        } else {
            add(code_point);
        }
        i += length;
    }
    return static_cast<std::int32_t>(hash);
}

// A request waiting for its reply, on the shard it runs on.
struct group_manager::waiter {
    explicit waiter(const asio::any_io_executor& executor) : timer(executor) {}
    std::optional<group::reply_body> body;  // set on the waiter's executor
    asio::steady_timer timer;
};

// A loaded coordinator and its tick timer.
struct group_manager::hosted {
    std::unique_ptr<group::coordinator> machine;
    std::unique_ptr<asio::steady_timer> timer;
    std::optional<group::time_ms> armed_for;
    std::uint64_t incarnation = 0;
};

struct group_manager::shard_state {
    io::shard_id id = 0;
    std::map<std::int32_t, std::unique_ptr<hosted>> coordinators;
    std::unordered_map<group::request_token, std::shared_ptr<waiter>> waiters;
    std::uint64_t incarnations = 0;
    group::time_ms last_now = 0;
    std::mt19937_64 random{std::random_device{}()};
    bool stopped = false;
};

group_manager::group_manager(broker_services& services)
    : services_(services), partition_count_(std::max(services.config->offsets_topic_num_partitions, 1)) {
    for (std::size_t i = 0; i < services.shards->size(); ++i) {
        shards_.push_back(std::make_unique<shard_state>());
        shards_.back()->id = static_cast<io::shard_id>(i);
    }
}

group_manager::~group_manager() = default;

std::int32_t group_manager::partition_for(std::string_view group_id) const noexcept {
    const std::int32_t hash = java_string_hash(group_id);
    // Kafka's Utils.abs: MIN_VALUE maps to 0.
    const std::int32_t positive = hash == std::numeric_limits<std::int32_t>::min() ? 0 : (hash < 0 ? -hash : hash);
    return positive % partition_count_;
}

group_manager::shard_state& group_manager::here() {
    const auto current = io::shard_set::current();
    BROOK_ASSERT(current.has_value(), "group coordinators run on shard threads");
    return *shards_.at(*current);
}

group::time_ms group_manager::now() {
    auto& state = here();
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    // The state machine needs time that never goes backwards.
    state.last_now = std::max(state.last_now, static_cast<group::time_ms>(wall));
    return state.last_now;
}

asio::awaitable<error_code> group_manager::ensure_offsets_topic() {
    if (services_.image()->topic(offsets_topic_name)) co_return error_code::none;
    metadata::create_topic_request request;
    request.name = std::string(offsets_topic_name);
    request.num_partitions = partition_count_;
    request.replication_factor = services_.config->offsets_topic_replication_factor;
    request.configs = {{"cleanup.policy", "compact"}, {"compression.type", "producer"},
                       {"segment.bytes", "104857600"}};
    auto create = handlers::change_metadata(services_, [&services = services_, request] {
        return services.controller->create_topics({request}, false, handlers::now_ms());
    });
    const auto results = co_await std::move(create);
    const auto& result = results.at(0);
    if (result.ok() || result.error == error_code::topic_already_exists) {
        if (result.ok()) spdlog::info("created {} with {} partitions", offsets_topic_name, partition_count_);
        co_return error_code::none;
    }
    spdlog::error("cannot create {}: {}", offsets_topic_name, result.message);
    co_return error_code::coordinator_not_available;
}

broker::partition* group_manager::offsets_partition(std::int32_t partition) {
    const auto topic = services_.image()->topic(offsets_topic_name);
    return topic ? services_.partitions->find(topic->id, partition) : nullptr;
}

group_manager::hosted* group_manager::coordinator_for(std::int32_t partition, error_code& error) {
    auto& state = here();
    if (state.stopped) {
        error = error_code::coordinator_not_available;
        return nullptr;
    }
    if (const auto it = state.coordinators.find(partition); it != state.coordinators.end()) return it->second.get();

    broker::partition* log_partition = offsets_partition(partition);
    if (log_partition == nullptr) {
        error = error_code::coordinator_not_available;
        return nullptr;
    }
    const auto& broker = *services_.config;
    group::group_config config;
    config.min_session_timeout_ms = broker.group_min_session_timeout_ms;
    config.max_session_timeout_ms = broker.group_max_session_timeout_ms;
    config.max_size = broker.group_max_size;
    config.initial_rebalance_delay_ms = broker.group_initial_rebalance_delay_ms;
    config.offsets_retention_ms = std::int64_t{broker.offsets_retention_minutes} * 60'000;
    config.offsets_retention_check_interval_ms = broker.offsets_retention_check_interval_ms;
    config.offset_metadata_max_bytes = broker.offset_metadata_max_bytes;
    auto* random = &state.random;
    auto loaded = std::make_unique<hosted>();
    loaded->machine = std::make_unique<group::coordinator>(config, [random] {
        // A random (version 4) UUID, as Kafka puts in member ids.
        std::uniform_int_distribution<std::uint64_t> pick;
        const std::uint64_t high = (pick(*random) & ~0xf000ULL) | 0x4000ULL;
        const std::uint64_t low = (pick(*random) & ~(3ULL << 62)) | (2ULL << 62);
        return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff, high & 0xffff,
                           low >> 48, low & 0xffffffffffffULL);
    });
    loaded->timer = std::make_unique<asio::steady_timer>(services_.shards->executor(state.id));
    loaded->incarnation = ++state.incarnations;

    // Replay the partition from its start to the high watermark.
    auto& log = log_partition->log();
    std::int64_t next = log.log_start_offset();
    const std::int64_t end = log_partition->high_watermark();
    std::size_t replayed = 0;
    std::size_t skipped = 0;
    wire::bytes buffer;
    record::decoded_records decoded;
    while (next < end) {
        auto read = log.read(next, 1 << 20, end);
        if (!read || !read.value().slice) break;
        const auto& slice = *read.value().slice;
        buffer.resize(slice.length_bytes);
        if (::pread(slice.file->fd(), buffer.data(), buffer.size(), static_cast<off_t>(slice.position)) !=
            static_cast<ssize_t>(buffer.size())) {
            spdlog::error("{}-{}: read failed while loading groups", offsets_topic_name, partition);
            error = error_code::coordinator_not_available;
            return nullptr;
        }
        record::batch_splitter batches(buffer);
        const std::int64_t before = next;
        while (auto bytes = batches.next()) {
            record::batch_view batch;
            if (record::parse_batch(*bytes, batch) != wire::errc::ok) {
                spdlog::error("{}-{}: corrupt batch at offset {} while loading groups", offsets_topic_name, partition,
                              next);
                error = error_code::coordinator_not_available;
                return nullptr;
            }
            next = batch.header.last_offset() + 1;
            if (batch.header.is_control()) continue;
            if (record::decode_records(batch, {.max_uncompressed_bytes = 256u << 20}, decoded) != wire::errc::ok) {
                ++skipped;
                continue;
            }
            for (const auto& r : decoded) {
                if (!r.key) continue;
                group::record entry{wire::bytes(r.key->begin(), r.key->end()), std::nullopt};
                if (r.value) entry.value = wire::bytes(r.value->begin(), r.value->end());
                if (loaded->machine->replay(entry)) {
                    ++replayed;
                } else {
                    ++skipped;
                }
            }
        }
        if (next == before) break;  // no progress: never loop forever
    }
    loaded->machine->loaded(now());
    spdlog::info("group coordinator for {}-{} loaded: {} groups from {} records ({} skipped)", offsets_topic_name,
                 partition, loaded->machine->group_count(), replayed, skipped);
    auto* out = loaded.get();
    state.coordinators[partition] = std::move(loaded);
    rearm(partition);
    return out;
}

error_code group_manager::append(std::int32_t partition, const std::vector<group::record>& records) {
    broker::partition* log_partition = offsets_partition(partition);
    if (log_partition == nullptr) return error_code::not_coordinator;
    const auto time = now();
    record::batch_options options;
    record::batch_builder builder(options);
    for (const auto& r : records) {
        record::new_record entry;
        entry.key = wire::bytes_view(r.key);
        if (r.value) entry.value = wire::bytes_view(*r.value);
        entry.timestamp_ms = time;
        if (builder.append(entry) != wire::errc::ok) return error_code::unknown_server_error;
    }
    wire::bytes batch;
    if (builder.build(batch) != wire::errc::ok) return error_code::unknown_server_error;
    auto appended = log_partition->log().append(std::span<wire::byte>(batch), log_partition->leader_epoch(),
                                                record::timestamp_type::create_time, time);
    if (!appended) {
        spdlog::error("{}-{}: append failed: {}", offsets_topic_name, partition, appended.error().message());
        return error_code::kafka_storage_error;
    }
    log_partition->wake_waiters();
    return error_code::none;
}

void group_manager::deliver(const group::reply& reply) {
    auto& state = here();
    const auto it = state.waiters.find(reply.token);
    if (it == state.waiters.end()) return;  // its request gave up waiting
    auto target = it->second;
    state.waiters.erase(it);
    asio::post(target->timer.get_executor(), [target, body = reply.body]() mutable {
        target->body = std::move(body);
        target->timer.cancel();
    });
}

asio::awaitable<void> group_manager::apply(std::int32_t partition, std::uint64_t incarnation, group::effects effects) {
    if (!effects.records.empty()) {
        error_code error = append(partition, effects.records);
        if (error == error_code::none) {
            auto flush = services_.partitions->flush_shard();
            if (const auto failed = co_await std::move(flush)) {
                spdlog::error("{}-{}: fsync failed: {}", offsets_topic_name, partition, failed.message());
                error = error_code::kafka_storage_error;
            }
        }
        if (error != error_code::none) {
            // The coordinator is now ahead of its log: answer with a retriable
            // error and drop it, so the next request reloads it from the log.
            for (auto& reply : effects.replies) reply = group::failed_reply(reply, error_code::coordinator_not_available);
            auto& state = here();
            if (const auto it = state.coordinators.find(partition);
                it != state.coordinators.end() && it->second->incarnation == incarnation) {
                it->second->timer->cancel();
                state.coordinators.erase(it);
            }
        }
    }
    for (const auto& reply : effects.replies) deliver(reply);
    rearm(partition);
}

void group_manager::rearm(std::int32_t partition) {
    auto& state = here();
    const auto it = state.coordinators.find(partition);
    if (it == state.coordinators.end() || state.stopped) return;
    hosted& h = *it->second;
    const auto next = h.machine->next_deadline();
    if (!next) return;
    if (h.armed_for && *h.armed_for <= *next) return;
    h.armed_for = *next;
    // At least a millisecond, so a deadline that does not move cannot spin.
    const auto delay = std::max<std::int64_t>(*next - now(), 1);
    h.timer->expires_after(std::chrono::milliseconds(delay));
    h.timer->async_wait([this, partition, incarnation = h.incarnation](const boost::system::error_code& error) {
        if (!error) on_timer(partition, incarnation);
    });
}

void group_manager::on_timer(std::int32_t partition, std::uint64_t incarnation) {
    auto& state = here();
    const auto it = state.coordinators.find(partition);
    if (it == state.coordinators.end() || it->second->incarnation != incarnation || state.stopped) return;
    it->second->armed_for.reset();
    auto effects = it->second->machine->tick(now());
    asio::co_spawn(services_.shards->executor(state.id), apply(partition, incarnation, std::move(effects)),
                   asio::detached);
}

asio::awaitable<group_manager::call_result> group_manager::call(const std::string& group_id, step_function step,
                                                               std::chrono::milliseconds max_wait) {
    const auto topic = services_.image()->topic(offsets_topic_name);
    if (!topic) co_return call_result{error_code::coordinator_not_available, std::nullopt};
    const std::int32_t partition = partition_for(group_id);
    const auto owner = services_.shards->executor(services_.partitions->owner(topic->id, partition));
    const group::request_token token = next_token_.fetch_add(1);
    auto pending = std::make_shared<waiter>(co_await asio::this_coro::executor);

    auto hop = io::submit_to(owner, [this, partition, token, pending, step = std::move(step)]() -> asio::awaitable<error_code> {
        error_code error = error_code::none;
        hosted* h = coordinator_for(partition, error);
        if (h == nullptr) co_return error;
        here().waiters[token] = pending;
        auto effects = step(*h->machine, token, now());
        auto applying = apply(partition, h->incarnation, std::move(effects));
        co_await std::move(applying);
        co_return error_code::none;
    });
    const error_code error = co_await std::move(hop);
    if (error != error_code::none) co_return call_result{error, std::nullopt};

    if (!pending->body) {
        pending->timer.expires_after(max_wait);
        co_await pending->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (!pending->body) {
        auto forget = io::submit_to(owner, [this, token] {
            here().waiters.erase(token);
            return true;
        });
        co_await std::move(forget);
        // Shutting down: the client finds the coordinator again elsewhere or later.
        co_return call_result{stopping_ ? error_code::coordinator_not_available : error_code::request_timed_out,
                              std::nullopt};
    }
    co_return call_result{error_code::none, std::move(pending->body)};
}

asio::awaitable<error_code> group_manager::query(std::int32_t partition, query_function query) {
    const auto topic = services_.image()->topic(offsets_topic_name);
    if (!topic) co_return error_code::coordinator_not_available;
    const auto owner = services_.shards->executor(services_.partitions->owner(topic->id, partition));
    auto hop = io::submit_to(owner, [this, partition, query = std::move(query)] {
        error_code error = error_code::none;
        hosted* h = coordinator_for(partition, error);
        if (h != nullptr) query(*h->machine);
        return error;
    });
    co_return co_await std::move(hop);
}

asio::awaitable<void> group_manager::stop() {
    stopping_ = true;
    for (std::size_t shard = 0; shard < shards_.size(); ++shard) {
        auto hop = io::submit_to(services_.shards->executor(static_cast<io::shard_id>(shard)), [this] {
            auto& state = here();
            state.stopped = true;
            for (auto& [partition, h] : state.coordinators) h->timer->cancel();
            state.coordinators.clear();
            for (auto& [token, pending] : state.waiters) {
                asio::post(pending->timer.get_executor(), [pending] { pending->timer.cancel(); });
            }
            state.waiters.clear();
            return true;
        });
        co_await std::move(hop);
    }
}

}  // namespace brook::broker
