// Fetch (key 1): read record batches from partition logs.
//
// Version notes:
// - Kafka 4.0 serves v4-17 (KIP-896). v4: isolation level, last stable
//   offset and aborted transactions; v5: log start offset; v7: fetch
//   sessions (KIP-227); v9: current leader epoch (KIP-320); v11: rack id and
//   preferred read replica (KIP-392); v12: flexible, diverging epoch for
//   followers; v13: topic ids instead of names; v15: replica state replaces
//   replica id; v16: node endpoints (KIP-951); v17: replica directory id.
// - Long poll: the answer waits up to max_wait_ms until min_bytes are
//   available; appends wake waiting fetches early.
// - max_bytes bounds the response and partition_max_bytes each partition,
//   except that the first batch found is returned whole even when larger, so
//   a consumer can always make progress (KIP-74).
// - Fetch sessions (KIP-227, v7+): epoch 0 opens a session after a full
//   fetch, epoch -1 fetches without one (closing the named session), and a
//   positive epoch is an incremental fetch of the session's partitions whose
//   response leaves out partitions with nothing new (see fetch_sessions.h).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unistd.h>

#include <map>

#include "brook/broker/handlers/handlers.h"
#include "brook/broker/fetch_sessions.h"
#include "brook/broker/partition_manager.h"
#include "brook/messages/fetch_response.h"
#include "cluster.h"

namespace brook::broker::handlers {

using messages::error_code;

namespace {

// A partition to read, with its topic resolved against the image.
using fetch_item = fetch_partition;

struct fetch_read {
    error_code error = error_code::none;
    std::int64_t high_watermark = -1;
    std::int64_t log_start_offset = -1;
    std::optional<wire::file_range> records;
    std::size_t records_bytes() const noexcept { return records ? records->length : 0; }
};

// Reads one partition on its owner shard, at most `budget` bytes unless
// nothing has been read for this response yet.
fetch_read read_partition(broker_services& services, const fetch_item& item, std::size_t budget, bool first) {
    fetch_read out;
    partition* hosted = services.partitions->find(item.topic_id, item.partition);
    if (hosted == nullptr) {
        out.error = error_code::not_leader_or_follower;
        return out;
    }
    out.high_watermark = hosted->high_watermark();
    out.log_start_offset = hosted->log().log_start_offset();
    if (item.current_leader_epoch >= 0 && item.current_leader_epoch != hosted->leader_epoch()) {
        out.error = item.current_leader_epoch > hosted->leader_epoch() ? error_code::unknown_leader_epoch
                                                                       : error_code::fenced_leader_epoch;
        return out;
    }
    const std::size_t limit = std::min<std::size_t>(budget, static_cast<std::size_t>(std::max(item.max_bytes, 0)));
    auto read = hosted->log().read(item.fetch_offset, std::max<std::size_t>(limit, 1), out.high_watermark);
    if (!read) {
        out.error = read.error() == storage::errc::offset_out_of_range ? error_code::offset_out_of_range
                                                                       : error_code::kafka_storage_error;
        return out;
    }
    if (!read.value().slice) return out;
    const storage::read_slice& slice = *read.value().slice;
    if (slice.length_bytes > limit && !first) return out;  // too large, and not the first batch
    // The bytes stay in the segment file; the connection sends them with
    // sendfile. The handle keeps the file open even if retention deletes it.
    out.records = wire::file_range{slice.file, slice.file->fd(), slice.position,
                                   static_cast<std::size_t>(slice.length_bytes)};
    return out;
}



// How this fetch uses sessions.
enum class session_mode {
    none,         // full fetch, no session (v0-6, epoch -1, or sessions off)
    create,       // full fetch that opens a session (epoch 0)
    incremental,  // the session's partitions, only news answered
};

// Runs `f(cache)` on the shard owning `session_id` and returns its result.
// (Bind the call to a local before awaiting it: see io::submit_to.)
template <typename F>
auto on_session_owner(broker_services& services, std::int32_t session_id, F f)
    -> asio::awaitable<std::invoke_result_t<F&, fetch_session_cache&>> {
    const auto owner = fetch_session_owner(session_id, services.fetch_sessions->shard_count());
    auto hop = io::submit_to(services.shards->executor(owner),
                             [&services, owner, f = std::move(f)]() mutable { return f(services.fetch_sessions->on(owner)); });
    co_return co_await std::move(hop);
}

// The partitions a request names, in request order.
std::vector<fetch_partition> requested_partitions(const messages::FetchRequest& request, std::int16_t version) {
    std::vector<fetch_partition> out;
    for (const auto& topic : request.topics) {
        for (const auto& partition : topic.partitions) {
            out.push_back({version >= 13 ? topic.topic_id : wire::uuid{}, version >= 13 ? std::string() : topic.topic,
                           partition.partition, partition.fetch_offset, partition.partition_max_bytes,
                           version >= 9 ? partition.current_leader_epoch : -1});
        }
    }
    return out;
}

std::vector<fetch_partition> forgotten_partitions(const messages::FetchRequest& request, std::int16_t version) {
    std::vector<fetch_partition> out;
    for (const auto& topic : request.forgotten_topics_data) {
        for (const auto index : topic.partitions) {
            out.push_back({version >= 13 ? topic.topic_id : wire::uuid{}, version >= 13 ? std::string() : topic.topic,
                           index, 0, 0, -1});
        }
    }
    return out;
}

}  // namespace

asio::awaitable<response> fetch_handler::handle(request_context& context, request_type&& request) {
    const std::int16_t version = context.api_version;
    auto& services = context.services;
    messages::FetchResponse body;
    const bool uses_topic_ids = version >= 13;

    // Which session, if any (KIP-227).
    session_mode mode = session_mode::none;
    if (version >= 7 && services.fetch_sessions != nullptr) {
        if (request.session_epoch == fetch_initial_epoch || request.session_epoch == fetch_final_epoch) {
            if (request.session_id != 0) {
                auto close = on_session_owner(services, request.session_id, [id = request.session_id](fetch_session_cache& cache) {
                    cache.close(id);
                    return true;
                });
                co_await std::move(close);
            }
            mode = request.session_epoch == fetch_initial_epoch ? session_mode::create : session_mode::none;
        } else {
            mode = session_mode::incremental;
        }
    } else if (version >= 7 && request.session_epoch > 0) {
        mode = session_mode::incremental;  // sessions are off, so the session cannot exist
    }

    std::vector<fetch_partition> wanted;
    if (mode == session_mode::incremental) {
        if (request.session_id == 0 || services.fetch_sessions == nullptr) {
            body.error_code = static_cast<std::int16_t>(request.session_id == 0 ? error_code::invalid_fetch_session_epoch
                                                                               : error_code::fetch_session_id_not_found);
            co_return encode_response(context, body);
        }
        auto begin = on_session_owner(
            services, request.session_id,
            [id = request.session_id, epoch = request.session_epoch, uses_topic_ids,
             changed = requested_partitions(request, version), forgotten = forgotten_partitions(request, version),
             now = now_ms()](fetch_session_cache& cache) {
                return cache.begin_incremental(id, epoch, uses_topic_ids, changed, forgotten, now);
            });
        auto begun = co_await std::move(begin);
        if (begun.error != error_code::none) {
            body.error_code = static_cast<std::int16_t>(begun.error);
            co_return encode_response(context, body);
        }
        wanted = std::move(begun.partitions);
    } else {
        wanted = requested_partitions(request, version);
    }

    // Resolve topics against the image: a partition that cannot be read gets
    // its error now and is not read.
    const auto image = services.image();
    std::vector<fetch_partition_result> results(wanted.size());
    std::vector<std::string> topic_names(wanted.size());
    std::vector<std::size_t> readable;  // positions in `wanted`
    std::vector<fetch_item> items;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        const auto& p = wanted[i];
        const auto topic = uses_topic_ids ? image->topic(p.topic_id) : image->topic(p.topic);
        if (!topic) {
            results[i].error = uses_topic_ids ? error_code::unknown_topic_id : error_code::unknown_topic_or_partition;
            continue;
        }
        topic_names[i] = topic->name;
        if (!topic->has_partition(p.partition)) {
            results[i].error = error_code::unknown_topic_or_partition;
            continue;
        }
        fetch_item item = p;
        item.topic_id = topic->id;
        items.push_back(std::move(item));
        readable.push_back(i);
    }
    const auto my_executor = co_await asio::this_coro::executor;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(request.max_wait_ms, 0));
    const std::size_t response_limit =
        version >= 3 && request.max_bytes > 0 ? static_cast<std::size_t>(request.max_bytes) : 0x7fffffff;
    std::vector<fetch_read> reads(items.size());
    for (;;) {
        std::size_t total = 0;
        bool any_error = false;
        std::map<io::shard_id, std::vector<std::size_t>> by_shard;
        for (std::size_t i = 0; i < items.size(); ++i) {
            by_shard[services.partitions->owner(items[i].topic_id, items[i].partition)].push_back(i);
        }
        for (const auto& [shard, positions] : by_shard) {
            std::vector<fetch_item> shard_items;
            for (const auto i : positions) shard_items.push_back(items[i]);
            const std::size_t budget = response_limit > total ? response_limit - total : 0;
            const bool first = total == 0;
            auto hop = io::submit_to(services.shards->executor(shard), [&services, shard_items, budget, first] {
                std::vector<fetch_read> out;
                std::size_t used = 0;
                for (const auto& item : shard_items) {
                    out.push_back(read_partition(services, item, budget > used ? budget - used : 0, first && used == 0));
                    used += out.back().records_bytes();
                }
                return out;
            });
            auto shard_reads = co_await std::move(hop);
            for (std::size_t k = 0; k < positions.size(); ++k) {
                total += shard_reads[k].records_bytes();
                any_error = any_error || shard_reads[k].error != error_code::none;
                reads[positions[k]] = std::move(shard_reads[k]);
            }
        }
        const auto min_bytes = static_cast<std::size_t>(std::max(request.min_bytes, 0));
        if (total >= min_bytes || any_error || items.empty() ||
            std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        // Wait for an append to any of these partitions, or the deadline. A
        // wake-up may land before the wait starts (data arriving between the
        // read and the registration, or while the next shard is visited): it
        // is remembered, as cancelling a timer nobody waits on yet is lost.
        struct fetch_wakeup {
            asio::steady_timer timer;
            bool woken = false;
        };
        auto wakeup = std::make_shared<fetch_wakeup>(fetch_wakeup{asio::steady_timer(my_executor, deadline)});
        for (const auto& [shard, positions] : by_shard) {
            std::vector<fetch_item> shard_items;
            for (const auto i : positions) shard_items.push_back(items[i]);
            std::weak_ptr<fetch_wakeup> weak = wakeup;
            auto hop = io::submit_to(services.shards->executor(shard), [&services, shard_items, weak, my_executor] {
                auto wake = [weak, my_executor] {
                    asio::post(my_executor, [weak] {
                        if (auto waiting = weak.lock()) {
                            waiting->woken = true;
                            waiting->timer.cancel();
                        }
                    });
                };
                for (const auto& item : shard_items) {
                    partition* hosted = services.partitions->find(item.topic_id, item.partition);
                    if (hosted == nullptr) continue;
                    // Data arrived since the read: no need to wait.
                    if (hosted->high_watermark() > item.fetch_offset) {
                        wake();
                        return;
                    }
                    hosted->add_waiter(weak, wake);
                }
            });
            co_await std::move(hop);
        }
        if (!wakeup->woken) co_await wakeup->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (std::chrono::steady_clock::now() >= deadline) {
            // One last read so the answer carries what arrived at the deadline.
            continue;
        }
    }

    for (std::size_t k = 0; k < readable.size(); ++k) {
        auto& result = results[readable[k]];
        result.error = reads[k].error;
        result.state = {reads[k].high_watermark, reads[k].high_watermark, reads[k].log_start_offset};
        result.records_bytes = reads[k].records_bytes();
    }

    // Which partitions the response carries, and the session it names.
    std::vector<bool> include(wanted.size(), true);
    body.session_id = 0;
    if (mode == session_mode::create) {
        const auto here = io::shard_set::current();
        if (here) body.session_id = services.fetch_sessions->on(*here).create(uses_topic_ids, wanted, results, now_ms());
    } else if (mode == session_mode::incremental) {
        auto finish = on_session_owner(services, request.session_id,
                                       [id = request.session_id, wanted, results](fetch_session_cache& cache) {
                                           return cache.finish_incremental(id, wanted, results);
                                       });
        include = co_await std::move(finish);
        body.session_id = request.session_id;
    }

    std::vector<std::size_t> read_of(wanted.size(), reads.size());
    for (std::size_t k = 0; k < readable.size(); ++k) read_of[readable[k]] = k;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if (!include[i]) continue;
        const auto& p = wanted[i];
        if (body.responses.empty() || body.responses.back().topic != p.topic ||
            body.responses.back().topic_id != p.topic_id) {
            auto& topic = body.responses.emplace_back();
            topic.topic = p.topic;
            topic.topic_id = p.topic_id;
        }
        auto& data = body.responses.back().partitions.emplace_back();
        const auto& result = results[i];
        data.partition_index = p.partition;
        data.error_code = static_cast<std::int16_t>(result.error);
        data.high_watermark = result.state.high_watermark;
        data.last_stable_offset = result.state.last_stable_offset;
        data.log_start_offset = result.state.log_start_offset;
        if (read_of[i] < reads.size()) {
            auto& read = reads[read_of[i]];
            data.records = read.records ? wire::record_set::of_file(std::move(*read.records))
                                        : wire::record_set::owning({});
        }
    }
    co_return encode_response(context, body);
}

}  // namespace brook::broker::handlers
