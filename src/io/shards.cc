#include "brook/io/shards.h"

#include "brook/base/assert.h"

namespace brook::io {
namespace {

thread_local std::optional<shard_id> this_thread_shard;

}  // namespace

shard_set::shard_set(std::size_t count) {
    if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
    shards_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) shards_.push_back(std::make_unique<shard>());
}

shard_set::~shard_set() { stop(); }

asio::io_context& shard_set::context(shard_id id) noexcept {
    BROOK_ASSERT(id < shards_.size(), "shard id out of range");
    return shards_[id]->context;
}

void shard_set::start() {
    for (shard_id id = 0; id < shards_.size(); ++id) {
        shard& s = *shards_[id];
        BROOK_ASSERT(!s.thread.joinable(), "shard started twice");
        s.work.emplace(s.context.get_executor());
        s.thread = std::thread([&s, id] {
            this_thread_shard = id;
            s.context.run();
        });
    }
}

void shard_set::stop() {
    for (auto& s : shards_) s->work.reset();
    for (auto& s : shards_) {
        if (s->thread.joinable()) s->thread.join();
    }
}

std::optional<shard_id> shard_set::current() noexcept { return this_thread_shard; }

}  // namespace brook::io
