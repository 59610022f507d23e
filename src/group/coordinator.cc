// The classic group coordinator: see include/brook/group/coordinator.h.
//
// The rules follow Apache Kafka's classic GroupCoordinator (join, sync,
// heartbeat, leave, offsets), restated for a single-threaded state machine:
// where Kafka parks a callback in a purgatory we keep the request's token on
// the member and answer it from a later call.

#include "brook/group/coordinator.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>
#include <utility>

#include "brook/messages/consumer_protocol_subscription.h"
#include "brook/messages/group_metadata_value.h"
#include "brook/messages/offset_commit_value.h"
#include "brook/messages/record_framing.h"
#include "brook/wire/reader.h"
#include "brook/wire/writer.h"

namespace brook::group {

namespace {

using messages::error_code;

constexpr std::int16_t code(error_code e) { return static_cast<std::int16_t>(e); }

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

const char* state_name(group_state s) {
    switch (s) {
        case group_state::empty: return "Empty";
        case group_state::preparing_rebalance: return "PreparingRebalance";
        case group_state::completing_rebalance: return "CompletingRebalance";
        case group_state::stable: return "Stable";
        case group_state::dead: return "Dead";
    }
    return "Dead";
}

struct protocol {
    std::string name;
    wire::bytes metadata;
    friend bool operator==(const protocol&, const protocol&) = default;
};

struct pending_request {
    request_token token = 0;
    std::int16_t version = 0;
};

struct member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    std::int32_t session_timeout_ms = 0;
    std::int32_t rebalance_timeout_ms = 0;
    std::string protocol_type;
    std::vector<protocol> protocols;
    wire::bytes assignment;
    time_ms session_deadline = 0;
    std::optional<pending_request> join;  // awaiting the end of the join phase
    std::optional<pending_request> sync;  // awaiting the leader's assignment

    const protocol* find_protocol(const std::string& name) const {
        for (const auto& p : protocols) {
            if (p.name == name) return &p;
        }
        return nullptr;
    }
    bool supports(const std::string& name) const { return find_protocol(name) != nullptr; }
    wire::bytes metadata_for(const std::optional<std::string>& name) const {
        if (!name) return {};
        const protocol* p = find_protocol(*name);
        return p ? p->metadata : wire::bytes{};
    }
};

struct committed_offset {
    std::int64_t offset = -1;
    std::int32_t leader_epoch = -1;
    std::string metadata;
    time_ms commit_timestamp = 0;
};

using topic_partition = std::pair<std::string, std::int32_t>;

struct group {
    std::string id;
    group_state state = group_state::empty;
    std::int32_t generation = 0;
    std::optional<std::string> protocol_type;  // none for offset-only groups
    std::optional<std::string> protocol_name;
    std::optional<std::string> leader;
    std::vector<member> members;  // in join order; the first is the next leader
    std::map<std::string, std::string> static_members;  // instance id -> member id
    std::map<std::string, time_ms> pending_members;      // MEMBER_ID_REQUIRED ids -> deadline
    std::optional<time_ms> rebalance_deadline;           // join phase, when not in the initial delay
    // Initial rebalance delay (group.initial.rebalance.delay.ms), for a
    // rebalance that started from Empty.
    std::optional<time_ms> initial_delay_deadline;
    std::int64_t initial_delay_remaining = 0;
    bool new_member_added = false;
    // After a join phase, members must send SyncGroup within the rebalance
    // timeout (Kafka's pending-sync members); those that do not are removed.
    std::set<std::string> pending_sync;
    std::optional<time_ms> sync_deadline;
    time_ms state_timestamp = 0;  // when the state last changed
    std::map<topic_partition, committed_offset> offsets;

    member* find(const std::string& member_id) {
        for (auto& m : members) {
            if (m.id == member_id) return &m;
        }
        return nullptr;
    }
    const member* find(const std::string& member_id) const {
        for (const auto& m : members) {
            if (m.id == member_id) return &m;
        }
        return nullptr;
    }
    bool has_members() const { return !members.empty(); }
    bool is_leader(const std::string& member_id) const { return leader && *leader == member_id; }
    std::int32_t rebalance_timeout() const {
        std::int32_t out = 0;
        for (const auto& m : members) out = std::max(out, m.rebalance_timeout_ms);
        return out;
    }
    std::size_t awaiting_join() const {
        std::size_t n = 0;
        for (const auto& m : members) n += m.join ? 1 : 0;
        return n;
    }
    bool all_members_joined() const { return awaiting_join() == members.size() && pending_members.empty(); }
};

bool iequals(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

template <typename Struct>
wire::bytes encode_struct(const Struct& s, std::int16_t version) {
    wire::writer w;
    (void)messages::encode_coordinator_record(w, s, version);
    return w.take();
}

// The topics a consumer-protocol member subscribes to; nullopt when its
// metadata does not decode.
std::optional<std::vector<std::string>> subscribed_topics(const wire::bytes& metadata) {
    wire::reader r(metadata);
    const std::int16_t version = r.read_int16();
    if (!r.ok()) return std::nullopt;
    messages::ConsumerProtocolSubscription sub;
    // Newer clients may use a version above ours; the fields we read come first.
    const std::int16_t v = std::min(version, messages::ConsumerProtocolSubscription::highest_version);
    if (v < 0) return std::nullopt;
    if (sub.decode(r, v) != wire::errc::ok) return std::nullopt;
    return sub.topics;
}

}  // namespace

// ---------------------------------------------------------------------------
// Record helpers

record offset_commit_record(const std::string& group, const std::string& topic, std::int32_t partition,
                            std::int64_t offset, std::int32_t leader_epoch, const std::string& metadata,
                            time_ms commit_timestamp) {
    messages::OffsetCommitKey key;
    key.group = group;
    key.topic = topic;
    key.partition = partition;
    messages::OffsetCommitValue value;
    value.offset = offset;
    value.leader_epoch = leader_epoch;
    value.metadata = metadata;
    value.commit_timestamp = commit_timestamp;
    return record{encode_struct(key, 1), encode_struct(value, 3)};
}

record offset_tombstone(const std::string& group, const std::string& topic, std::int32_t partition) {
    messages::OffsetCommitKey key;
    key.group = group;
    key.topic = topic;
    key.partition = partition;
    return record{encode_struct(key, 1), std::nullopt};
}

record group_tombstone(const std::string& group) {
    messages::GroupMetadataKey key;
    key.group = group;
    return record{encode_struct(key, 2), std::nullopt};
}

reply failed_reply(const reply& original, messages::error_code error) {
    reply out = original;
    const std::int16_t c = code(error);
    std::visit(
        [&](auto& body) {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, messages::JoinGroupResponse>) {
                body.error_code = c;
                body.generation_id = -1;
                body.leader.clear();
                body.members.clear();
                body.skip_assignment = false;
            } else if constexpr (std::is_same_v<T, messages::SyncGroupResponse>) {
                body.error_code = c;
                body.assignment.clear();
            } else if constexpr (std::is_same_v<T, messages::HeartbeatResponse>) {
                body.error_code = c;
            } else if constexpr (std::is_same_v<T, messages::LeaveGroupResponse>) {
                body.error_code = c;
                for (auto& m : body.members) m.error_code = c;
            } else if constexpr (std::is_same_v<T, messages::OffsetCommitResponse>) {
                for (auto& t : body.topics) {
                    for (auto& p : t.partitions) p.error_code = c;
                }
            } else if constexpr (std::is_same_v<T, messages::OffsetDeleteResponse>) {
                body.error_code = c;
                for (auto& t : body.topics) {
                    for (auto& p : t.partitions) p.error_code = c;
                }
            } else if constexpr (std::is_same_v<T, messages::DeleteGroupsResponse::DeletableGroupResult>) {
                body.error_code = c;
            }
        },
        out.body);
    return out;
}

// ---------------------------------------------------------------------------
// State

struct coordinator::state {
    group_config config;
    std::function<std::string()> make_suffix;
    std::map<std::string, group> groups;
    std::optional<time_ms> next_offset_check;

    group* find(const std::string& id) {
        auto it = groups.find(id);
        return it == groups.end() ? nullptr : &it->second;
    }
    const group* find(const std::string& id) const {
        auto it = groups.find(id);
        return it == groups.end() ? nullptr : &it->second;
    }
    group& create(const std::string& id, time_ms now) {
        group& g = groups[id];
        g.id = id;
        g.state = group_state::empty;
        g.state_timestamp = now;
        return g;
    }

    void note_time(time_ms now) {
        if (!next_offset_check) next_offset_check = now + config.offsets_retention_check_interval_ms;
    }

    static void transition(group& g, group_state s, time_ms now) {
        g.state = s;
        g.state_timestamp = now;
    }

    // ---- records -----------------------------------------------------------

    static record group_record(const group& g, time_ms now) {
        messages::GroupMetadataKey key;
        key.group = g.id;
        messages::GroupMetadataValue value;
        value.protocol_type = g.protocol_type.value_or("");
        value.generation = g.generation;
        value.protocol = g.protocol_name;
        value.leader = g.leader;
        value.current_state_timestamp = now;
        for (const auto& m : g.members) {
            messages::GroupMetadataValue::MemberMetadata mm;
            mm.member_id = m.id;
            mm.group_instance_id = m.instance_id;
            mm.client_id = m.client_id;
            mm.client_host = m.client_host;
            mm.rebalance_timeout = m.rebalance_timeout_ms;
            mm.session_timeout = m.session_timeout_ms;
            mm.subscription = m.metadata_for(g.protocol_name);
            mm.assignment = m.assignment;
            value.members.push_back(std::move(mm));
        }
        return record{encode_struct(key, 2), encode_struct(value, 3)};
    }

    // ---- replies -----------------------------------------------------------

    static messages::JoinGroupResponse join_error(std::int16_t version, error_code e, const std::string& member_id) {
        messages::JoinGroupResponse r;
        r.error_code = code(e);
        r.generation_id = -1;
        r.member_id = member_id;
        if (version >= 7) r.protocol_name = std::nullopt;
        return r;
    }

    static messages::JoinGroupResponse join_success(const group& g, const member& m, std::int16_t version,
                                                    bool with_members) {
        messages::JoinGroupResponse r;
        r.error_code = code(error_code::none);
        r.generation_id = g.generation;
        if (version >= 7) r.protocol_type = g.protocol_type;
        if (version >= 7) {
            r.protocol_name = g.protocol_name;
        } else {
            r.protocol_name = g.protocol_name.value_or("");
        }
        r.leader = g.leader.value_or("");
        r.member_id = m.id;
        if (with_members) {
            for (const auto& other : g.members) {
                messages::JoinGroupResponse::JoinGroupResponseMember rm;
                rm.member_id = other.id;
                if (version >= 5) rm.group_instance_id = other.instance_id;
                rm.metadata = other.metadata_for(g.protocol_name);
                r.members.push_back(std::move(rm));
            }
        }
        return r;
    }

    static messages::SyncGroupResponse sync_reply(const group* g, std::int16_t version, error_code e,
                                                  const wire::bytes& assignment) {
        messages::SyncGroupResponse r;
        r.error_code = code(e);
        if (e == error_code::none) {
            r.assignment = assignment;
            if (version >= 5 && g != nullptr) {
                r.protocol_type = g->protocol_type;
                r.protocol_name = g->protocol_name;
            }
        }
        return r;
    }

    static void answer_join(effects& out, const pending_request& p, messages::JoinGroupResponse body) {
        out.replies.push_back(reply{p.token, std::move(body)});
    }
    static void answer_sync(effects& out, const pending_request& p, messages::SyncGroupResponse body) {
        out.replies.push_back(reply{p.token, std::move(body)});
    }

    // Answers a member's parked requests with `e` (it is leaving, fenced or reset).
    static void fail_pending(effects& out, member& m, error_code e) {
        if (m.join) {
            answer_join(out, *m.join, join_error(m.join->version, e, m.id));
            m.join.reset();
        }
        if (m.sync) {
            answer_sync(out, *m.sync, sync_reply(nullptr, m.sync->version, e, {}));
            m.sync.reset();
        }
    }

    // ---- membership ----------------------------------------------------------

    // Kafka's validateCurrentMember: the instance id, when given, must map to
    // this member id; the member id must be in the group.
    static std::optional<error_code> validate_member(const group& g, const std::string& member_id,
                                                     const std::optional<std::string>& instance_id) {
        if (instance_id) {
            auto it = g.static_members.find(*instance_id);
            if (it == g.static_members.end()) return error_code::unknown_member_id;
            if (it->second != member_id) return error_code::fenced_instance_id;
            return std::nullopt;
        }
        if (g.find(member_id) == nullptr) return error_code::unknown_member_id;
        return std::nullopt;
    }

    void refresh(const group& g, member& m, time_ms now) const {
        (void)g;
        m.session_deadline = now + m.session_timeout_ms;
    }

    static void forget_pending_sync(group& g, const std::string& member_id) {
        g.pending_sync.erase(member_id);
        if (g.pending_sync.empty()) g.sync_deadline.reset();
    }

    // Removes a member; its parked requests are answered with UNKNOWN_MEMBER_ID.
    void remove_member(group& g, const std::string& member_id, effects& out) {
        auto it = std::find_if(g.members.begin(), g.members.end(), [&](const member& m) { return m.id == member_id; });
        if (it == g.members.end()) return;
        fail_pending(out, *it, error_code::unknown_member_id);
        if (it->instance_id) {
            auto s = g.static_members.find(*it->instance_id);
            if (s != g.static_members.end() && s->second == member_id) g.static_members.erase(s);
        }
        g.members.erase(it);
        forget_pending_sync(g, member_id);
        if (g.is_leader(member_id)) {
            if (g.members.empty()) {
                g.leader.reset();
            } else {
                g.leader = g.members.front().id;
            }
        }
    }

    // A member left or expired: rebalance, or finish the join phase sooner.
    void after_member_removed(group& g, effects& out, time_ms now) {
        switch (g.state) {
            case group_state::stable:
            case group_state::completing_rebalance:
                prepare_rebalance(g, out, now);
                break;
            case group_state::preparing_rebalance:
                maybe_complete_join(g, out, now);
                break;
            case group_state::empty:
            case group_state::dead:
                break;
        }
    }

    void add_member(group& g, member m, time_ms now) {
        if (g.members.empty()) g.protocol_type = m.protocol_type;
        if (!g.leader) g.leader = m.id;
        if (m.instance_id) g.static_members[*m.instance_id] = m.id;
        if (g.state == group_state::preparing_rebalance && g.initial_delay_deadline) g.new_member_added = true;
        m.session_deadline = now + m.session_timeout_ms;
        g.members.push_back(std::move(m));
    }

    void prepare_rebalance(group& g, effects& out, time_ms now) {
        if (g.state == group_state::completing_rebalance) {
            // The leader's assignment for this generation will never come:
            // everyone waiting on a SyncGroup must rejoin.
            for (auto& m : g.members) {
                m.assignment.clear();
                if (m.sync) {
                    answer_sync(out, *m.sync, sync_reply(nullptr, m.sync->version, error_code::rebalance_in_progress, {}));
                    m.sync.reset();
                }
            }
        }
        const bool from_empty = g.state == group_state::empty;
        g.pending_sync.clear();
        g.sync_deadline.reset();
        transition(g, group_state::preparing_rebalance, now);
        const std::int64_t timeout = g.rebalance_timeout();
        if (from_empty && config.initial_rebalance_delay_ms > 0) {
            const std::int64_t first = std::min<std::int64_t>(config.initial_rebalance_delay_ms, timeout);
            g.initial_delay_deadline = now + first;
            g.initial_delay_remaining = timeout - first;
            g.new_member_added = false;
            g.rebalance_deadline.reset();
        } else {
            g.initial_delay_deadline.reset();
            g.rebalance_deadline = now + timeout;
            maybe_complete_join(g, out, now);
        }
    }

    void maybe_prepare_rebalance(group& g, effects& out, time_ms now) {
        if (g.state == group_state::stable || g.state == group_state::completing_rebalance ||
            g.state == group_state::empty) {
            prepare_rebalance(g, out, now);
        }
    }

    void maybe_complete_join(group& g, effects& out, time_ms now) {
        if (g.state != group_state::preparing_rebalance || g.initial_delay_deadline) return;
        if (g.all_members_joined()) complete_join(g, out, now);
    }

    std::optional<std::string> select_protocol(const group& g) const {
        if (g.members.empty()) return std::nullopt;
        // Candidates: protocols every member supports, in the first member's order.
        std::vector<std::string> candidates;
        for (const auto& p : g.members.front().protocols) {
            bool all = std::all_of(g.members.begin(), g.members.end(), [&](const member& m) { return m.supports(p.name); });
            if (all) candidates.push_back(p.name);
        }
        if (candidates.empty()) return std::nullopt;
        std::map<std::string, int> votes;
        for (const auto& m : g.members) {
            for (const auto& p : m.protocols) {
                if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
                    ++votes[p.name];
                    break;
                }
            }
        }
        std::string best = candidates.front();
        int best_votes = -1;
        for (const auto& c : candidates) {
            if (votes[c] > best_votes) {
                best = c;
                best_votes = votes[c];
            }
        }
        return best;
    }

    // The end of the join phase: members that did not rejoin are dropped, the
    // generation advances and every parked JoinGroup is answered.
    void complete_join(group& g, effects& out, time_ms now) {
        g.rebalance_deadline.reset();
        g.initial_delay_deadline.reset();
        g.new_member_added = false;
        std::vector<std::string> missing;
        for (const auto& m : g.members) {
            if (!m.join) missing.push_back(m.id);
        }
        for (const auto& id : missing) remove_member(g, id, out);

        ++g.generation;
        if (g.members.empty()) {
            g.protocol_name.reset();
            g.leader.reset();
            transition(g, group_state::empty, now);
            out.records.push_back(group_record(g, now));
            return;
        }
        g.protocol_name = select_protocol(g);
        transition(g, group_state::completing_rebalance, now);
        g.pending_sync.clear();
        for (const auto& m : g.members) g.pending_sync.insert(m.id);
        g.sync_deadline = now + g.rebalance_timeout();
        for (auto& m : g.members) {
            const pending_request p = *m.join;
            m.join.reset();
            answer_join(out, p, join_success(g, m, p.version, g.is_leader(m.id)));
            m.session_deadline = now + m.session_timeout_ms;
        }
    }

    // ---- offsets ----------------------------------------------------------

    // Kafka's cleanup step after offsets go: an Empty group with nothing
    // left is deleted.
    void maybe_remove_empty(group& g, effects& out) {
        if (g.state == group_state::empty && g.offsets.empty() && g.members.empty() && g.pending_members.empty()) {
            out.records.push_back(group_tombstone(g.id));
            groups.erase(g.id);
        }
    }

    void expire_offsets(time_ms now, effects& out) {
        std::vector<std::string> ids;
        for (const auto& [id, g] : groups) ids.push_back(id);
        for (const auto& id : ids) {
            group& g = groups.at(id);
            if (g.state != group_state::empty) continue;
            for (auto it = g.offsets.begin(); it != g.offsets.end();) {
                const time_ms base = g.protocol_type && !g.protocol_type->empty()
                                         ? std::max(it->second.commit_timestamp, g.state_timestamp)
                                         : it->second.commit_timestamp;
                if (base + config.offsets_retention_ms <= now) {
                    out.records.push_back(offset_tombstone(g.id, it->first.first, it->first.second));
                    it = g.offsets.erase(it);
                } else {
                    ++it;
                }
            }
            maybe_remove_empty(g, out);
        }
    }
};

// ---------------------------------------------------------------------------

coordinator::coordinator(group_config config, std::function<std::string()> make_member_suffix)
    : state_(std::make_unique<state>()) {
    state_->config = config;
    state_->make_suffix = std::move(make_member_suffix);
}

coordinator::~coordinator() = default;

effects coordinator::join_group(request_token token, std::int16_t version, const messages::JoinGroupRequest& request,
                                const client_info& client, time_ms now) {
    state& s = *state_;
    s.note_time(now);
    effects out;
    const pending_request self{token, version};
    auto fail = [&](error_code e, const std::string& member_id = {}) {
        out.replies.push_back(reply{token, state::join_error(version, e, member_id)});
        return out;
    };

    const std::optional<std::string> instance_id =
        version >= 5 ? request.group_instance_id : std::optional<std::string>{};
    const std::int32_t rebalance_timeout =
        (version == 0 || request.rebalance_timeout_ms < 0) ? request.session_timeout_ms : request.rebalance_timeout_ms;

    if (request.group_id.empty()) return fail(error_code::invalid_group_id, request.member_id);
    if (request.session_timeout_ms < s.config.min_session_timeout_ms ||
        request.session_timeout_ms > s.config.max_session_timeout_ms) {
        return fail(error_code::invalid_session_timeout, request.member_id);
    }
    if (request.protocol_type.empty() || request.protocols.empty()) {
        return fail(error_code::inconsistent_group_protocol, request.member_id);
    }

    const bool new_member = request.member_id.empty();
    group* g = s.find(request.group_id);
    if (g == nullptr) {
        if (!new_member) return fail(error_code::unknown_member_id, request.member_id);
        g = &s.create(request.group_id, now);
    }

    // supportsProtocols: an Empty group takes anything; otherwise the type
    // must match and some protocol must be one every other member supports.
    // The joining member's own current protocols do not count (a restarting
    // static member is known by its instance id).
    if (g->state != group_state::empty || g->has_members()) {
        std::string self_id = request.member_id;
        if (new_member && instance_id) {
            if (auto it = g->static_members.find(*instance_id); it != g->static_members.end()) self_id = it->second;
        }
        bool ok = g->protocol_type && *g->protocol_type == request.protocol_type;
        if (ok) {
            ok = std::any_of(request.protocols.begin(), request.protocols.end(), [&](const auto& p) {
                return std::all_of(g->members.begin(), g->members.end(), [&](const member& m) {
                    return (!self_id.empty() && m.id == self_id) || m.supports(p.name);
                });
            });
        }
        if (!ok) return fail(error_code::inconsistent_group_protocol, request.member_id);
    }

    // acceptJoiningMember (group.max.size).
    {
        bool accept = true;
        const member* existing = new_member ? nullptr : g->find(request.member_id);
        switch (g->state) {
            case group_state::empty:
            case group_state::dead:
                accept = true;
                break;
            case group_state::preparing_rebalance:
                accept = (existing && existing->join) ||
                         g->awaiting_join() < static_cast<std::size_t>(s.config.max_size);
                break;
            case group_state::completing_rebalance:
            case group_state::stable:
                accept = existing || g->members.size() < static_cast<std::size_t>(s.config.max_size);
                break;
        }
        if (!accept) {
            if (existing) {
                const std::string id = existing->id;
                s.remove_member(*g, id, out);
                s.after_member_removed(*g, out, now);
            }
            return fail(error_code::group_max_size_reached, request.member_id);
        }
    }

    std::vector<protocol> protocols;
    for (const auto& p : request.protocols) protocols.push_back(protocol{p.name, p.metadata});

    auto make_member = [&](const std::string& id) {
        member m;
        m.id = id;
        m.instance_id = instance_id;
        m.client_id = client.client_id;
        m.client_host = client.client_host;
        m.session_timeout_ms = request.session_timeout_ms;
        m.rebalance_timeout_ms = rebalance_timeout;
        m.protocol_type = request.protocol_type;
        m.protocols = protocols;
        m.join = self;
        return m;
    };

    auto add_and_rebalance = [&](const std::string& id) {
        s.add_member(*g, make_member(id), now);
        s.maybe_prepare_rebalance(*g, out, now);
        s.maybe_complete_join(*g, out, now);
        return out;
    };

    // Updates a known member's metadata, parks its join and rebalances.
    auto update_and_rebalance = [&](member& m) {
        if (m.join) {
            // A repeated JoinGroup replaces the parked one.
            state::answer_join(out, *m.join, state::join_error(m.join->version, error_code::rebalance_in_progress, m.id));
        }
        m.protocols = protocols;
        m.rebalance_timeout_ms = rebalance_timeout;
        m.session_timeout_ms = request.session_timeout_ms;
        m.client_id = client.client_id;
        m.client_host = client.client_host;
        m.join = self;
        s.refresh(*g, m, now);
        s.maybe_prepare_rebalance(*g, out, now);
        s.maybe_complete_join(*g, out, now);
        return out;
    };

    if (new_member) {
        const std::string new_id =
            (instance_id ? *instance_id : client.client_id) + "-" + s.make_suffix();
        if (instance_id) {
            auto it = g->static_members.find(*instance_id);
            if (it == g->static_members.end()) return add_and_rebalance(new_id);
            // A known static member restarted: it takes a new member id and the
            // old one is fenced.
            const std::string old_id = it->second;
            member* m = g->find(old_id);
            if (m == nullptr) return add_and_rebalance(new_id);
            const std::optional<std::string> old_leader = g->leader;
            s.fail_pending(out, *m, error_code::fenced_instance_id);
            const bool same_protocols = m->protocols == protocols;
            m->id = new_id;
            it->second = new_id;
            if (g->pending_sync.erase(old_id) > 0) g->pending_sync.insert(new_id);
            if (g->is_leader(old_id)) g->leader = new_id;
            m->protocols = protocols;
            m->rebalance_timeout_ms = rebalance_timeout;
            m->session_timeout_ms = request.session_timeout_ms;
            m->client_id = client.client_id;
            m->client_host = client.client_host;
            s.refresh(*g, *m, now);
            switch (g->state) {
                case group_state::stable: {
                    const std::optional<std::string> next = s.select_protocol(*g);
                    if (same_protocols && next == g->protocol_name) {
                        const bool leader = g->is_leader(new_id);
                        out.records.push_back(state::group_record(*g, now));
                        messages::JoinGroupResponse r = state::join_success(*g, *m, version, false);
                        if (leader) {
                            if (version >= 9) {
                                // KIP-814: the leader gets the members but must not reassign.
                                r = state::join_success(*g, *m, version, true);
                                r.skip_assignment = true;
                            } else {
                                // Older leaders would recompute an assignment a Stable group
                                // ignores; answer with the old leader id so they act as followers.
                                r.leader = old_leader.value_or("");
                            }
                        }
                        out.replies.push_back(reply{token, std::move(r)});
                        return out;
                    }
                    m->join = self;
                    s.prepare_rebalance(*g, out, now);
                    return out;
                }
                case group_state::completing_rebalance:
                    m->join = self;
                    s.prepare_rebalance(*g, out, now);
                    return out;
                case group_state::preparing_rebalance:
                    m->join = self;
                    s.maybe_complete_join(*g, out, now);
                    return out;
                case group_state::empty:
                case group_state::dead:
                    m->join = self;
                    s.prepare_rebalance(*g, out, now);
                    return out;
            }
            return out;
        }
        if (version >= 4) {
            g->pending_members[new_id] = now + request.session_timeout_ms;
            return fail(error_code::member_id_required, new_id);
        }
        return add_and_rebalance(new_id);
    }

    // A known (or pending) member id.
    if (auto p = g->pending_members.find(request.member_id); p != g->pending_members.end()) {
        if (!instance_id) {
            g->pending_members.erase(p);
            return add_and_rebalance(request.member_id);
        }
        // Static members never become pending; treat a mix-up as unknown.
        return fail(error_code::unknown_member_id, request.member_id);
    }
    if (auto e = state::validate_member(*g, request.member_id, instance_id)) return fail(*e, request.member_id);
    member& m = *g->find(request.member_id);
    switch (g->state) {
        case group_state::preparing_rebalance:
            return update_and_rebalance(m);
        case group_state::completing_rebalance:
            if (m.protocols == protocols) {
                s.refresh(*g, m, now);
                out.replies.push_back(reply{token, state::join_success(*g, m, version, g->is_leader(m.id))});
                return out;
            }
            return update_and_rebalance(m);
        case group_state::stable:
            if (g->is_leader(m.id) || m.protocols != protocols) return update_and_rebalance(m);
            s.refresh(*g, m, now);
            out.replies.push_back(reply{token, state::join_success(*g, m, version, false)});
            return out;
        case group_state::empty:
        case group_state::dead:
            break;
    }
    return fail(error_code::unknown_member_id, request.member_id);
}

effects coordinator::sync_group(request_token token, std::int16_t version, const messages::SyncGroupRequest& request,
                                time_ms now) {
    state& s = *state_;
    s.note_time(now);
    effects out;
    auto fail = [&](error_code e) {
        out.replies.push_back(reply{token, state::sync_reply(nullptr, version, e, {})});
        return out;
    };
    group* g = s.find(request.group_id);
    if (g == nullptr) return fail(error_code::unknown_member_id);
    const std::optional<std::string> instance_id =
        version >= 3 ? request.group_instance_id : std::optional<std::string>{};
    if (auto e = state::validate_member(*g, request.member_id, instance_id)) return fail(*e);
    if (request.generation_id != g->generation) return fail(error_code::illegal_generation);
    if (version >= 5) {
        if (request.protocol_type && g->protocol_type != request.protocol_type) {
            return fail(error_code::inconsistent_group_protocol);
        }
        if (request.protocol_name && g->protocol_name != request.protocol_name) {
            return fail(error_code::inconsistent_group_protocol);
        }
    }
    member& m = *g->find(request.member_id);
    switch (g->state) {
        case group_state::empty:
        case group_state::dead:
            return fail(error_code::unknown_member_id);
        case group_state::preparing_rebalance:
            s.refresh(*g, m, now);
            return fail(error_code::rebalance_in_progress);
        case group_state::stable:
            s.refresh(*g, m, now);
            state::forget_pending_sync(*g, m.id);
            out.replies.push_back(reply{token, state::sync_reply(g, version, error_code::none, m.assignment)});
            return out;
        case group_state::completing_rebalance:
            break;
    }
    if (m.sync) {
        state::answer_sync(out, *m.sync, state::sync_reply(nullptr, m.sync->version, error_code::rebalance_in_progress, {}));
    }
    m.sync = pending_request{token, version};
    s.refresh(*g, m, now);
    state::forget_pending_sync(*g, m.id);
    if (!g->is_leader(m.id)) return out;

    for (auto& each : g->members) {
        each.assignment.clear();
        for (const auto& a : request.assignments) {
            if (a.member_id == each.id) each.assignment = a.assignment;
        }
    }
    out.records.push_back(state::group_record(*g, now));
    state::transition(*g, group_state::stable, now);
    for (auto& each : g->members) {
        if (!each.sync) continue;
        const pending_request p = *each.sync;
        each.sync.reset();
        state::answer_sync(out, p, state::sync_reply(g, p.version, error_code::none, each.assignment));
    }
    return out;
}

effects coordinator::heartbeat(request_token token, std::int16_t version, const messages::HeartbeatRequest& request,
                               time_ms now) {
    state& s = *state_;
    s.note_time(now);
    effects out;
    auto answer = [&](error_code e) {
        messages::HeartbeatResponse r;
        r.error_code = code(e);
        out.replies.push_back(reply{token, r});
        return out;
    };
    group* g = s.find(request.group_id);
    if (g == nullptr) return answer(error_code::unknown_member_id);
    const std::optional<std::string> instance_id =
        version >= 3 ? request.group_instance_id : std::optional<std::string>{};
    if (g->state == group_state::empty) return answer(error_code::unknown_member_id);
    if (auto e = state::validate_member(*g, request.member_id, instance_id)) return answer(*e);
    if (request.generation_id != g->generation) return answer(error_code::illegal_generation);
    member& m = *g->find(request.member_id);
    s.refresh(*g, m, now);
    if (g->state == group_state::preparing_rebalance) return answer(error_code::rebalance_in_progress);
    return answer(error_code::none);
}

effects coordinator::leave_group(request_token token, std::int16_t version, const messages::LeaveGroupRequest& request,
                                 time_ms now) {
    state& s = *state_;
    s.note_time(now);
    effects out;
    struct leaving {
        std::string member_id;
        std::optional<std::string> instance_id;
    };
    std::vector<leaving> who;
    if (version >= 3) {
        for (const auto& m : request.members) who.push_back({m.member_id, m.group_instance_id});
    } else {
        who.push_back({request.member_id, std::nullopt});
    }

    std::vector<error_code> errors;
    group* g = s.find(request.group_id);
    bool removed_any = false;
    bool removed_pending = false;
    for (const auto& l : who) {
        if (g == nullptr) {
            errors.push_back(error_code::unknown_member_id);
            continue;
        }
        if (l.member_id.empty()) {
            // Administrative removal of a static member by instance id.
            auto it = l.instance_id ? g->static_members.find(*l.instance_id) : g->static_members.end();
            if (it == g->static_members.end()) {
                errors.push_back(error_code::unknown_member_id);
                continue;
            }
            const std::string id = it->second;
            s.remove_member(*g, id, out);
            removed_any = true;
            errors.push_back(error_code::none);
            continue;
        }
        if (auto p = g->pending_members.find(l.member_id); p != g->pending_members.end()) {
            g->pending_members.erase(p);
            removed_pending = true;
            errors.push_back(error_code::none);
            continue;
        }
        if (auto e = state::validate_member(*g, l.member_id, l.instance_id)) {
            errors.push_back(*e);
            continue;
        }
        s.remove_member(*g, l.member_id, out);
        removed_any = true;
        errors.push_back(error_code::none);
    }
    if (g != nullptr && removed_any) {
        s.after_member_removed(*g, out, now);
    } else if (g != nullptr && removed_pending) {
        s.maybe_complete_join(*g, out, now);
    }

    messages::LeaveGroupResponse r;
    if (version >= 3) {
        for (std::size_t i = 0; i < who.size(); ++i) {
            messages::LeaveGroupResponse::MemberResponse mr;
            mr.member_id = who[i].member_id;
            mr.group_instance_id = who[i].instance_id;
            mr.error_code = code(errors[i]);
            r.members.push_back(std::move(mr));
        }
    } else {
        r.error_code = code(errors.front());
    }
    out.replies.push_back(reply{token, std::move(r)});
    return out;
}

effects coordinator::commit_offsets(request_token token, std::int16_t version,
                                    const messages::OffsetCommitRequest& request, time_ms now) {
    state& s = *state_;
    s.note_time(now);
    effects out;
    messages::OffsetCommitResponse response;
    auto all = [&](error_code e) {
        for (const auto& t : request.topics) {
            messages::OffsetCommitResponse::OffsetCommitResponseTopic rt;
            rt.name = t.name;
            for (const auto& p : t.partitions) {
                messages::OffsetCommitResponse::OffsetCommitResponsePartition rp;
                rp.partition_index = p.partition_index;
                rp.error_code = code(e);
                rt.partitions.push_back(rp);
            }
            response.topics.push_back(std::move(rt));
        }
        out.replies.push_back(reply{token, std::move(response)});
        return out;
    };

    const std::int32_t generation = version >= 1 ? request.generation_id_or_member_epoch : -1;
    const std::string member_id = version >= 1 ? request.member_id : std::string{};
    const std::optional<std::string> instance_id =
        version >= 7 ? request.group_instance_id : std::optional<std::string>{};
    const bool simple = generation < 0 && member_id.empty() && !instance_id;

    group* g = s.find(request.group_id);
    if (g == nullptr) {
        if (generation >= 0) return all(error_code::illegal_generation);
        if (!simple) return all(error_code::unknown_member_id);
        g = &s.create(request.group_id, now);
    }
    if (!simple) {
        if (auto e = state::validate_member(*g, member_id, instance_id)) return all(*e);
        if (generation != g->generation) return all(error_code::illegal_generation);
        if (g->state == group_state::completing_rebalance) return all(error_code::rebalance_in_progress);
        s.refresh(*g, *g->find(member_id), now);
    } else if (g->has_members()) {
        return all(error_code::unknown_member_id);
    }

    for (const auto& t : request.topics) {
        messages::OffsetCommitResponse::OffsetCommitResponseTopic rt;
        rt.name = t.name;
        for (const auto& p : t.partitions) {
            messages::OffsetCommitResponse::OffsetCommitResponsePartition rp;
            rp.partition_index = p.partition_index;
            const std::string metadata = p.committed_metadata.value_or("");
            if (metadata.size() > static_cast<std::size_t>(s.config.offset_metadata_max_bytes)) {
                rp.error_code = code(error_code::offset_metadata_too_large);
            } else {
                const std::int32_t epoch = version >= 6 ? p.committed_leader_epoch : -1;
                out.records.push_back(
                    offset_commit_record(g->id, t.name, p.partition_index, p.committed_offset, epoch, metadata, now));
                g->offsets[{t.name, p.partition_index}] = committed_offset{p.committed_offset, epoch, metadata, now};
                rp.error_code = code(error_code::none);
            }
            rt.partitions.push_back(rp);
        }
        response.topics.push_back(std::move(rt));
    }
    out.replies.push_back(reply{token, std::move(response)});
    return out;
}

messages::OffsetFetchResponse::OffsetFetchResponseGroup coordinator::fetch_offsets(
    const messages::OffsetFetchRequest::OffsetFetchRequestGroup& request, bool require_stable) const {
    (void)require_stable;  // no transactional offsets yet
    using R = messages::OffsetFetchResponse;
    R::OffsetFetchResponseGroup out;
    out.group_id = request.group_id;
    out.error_code = code(error_code::none);
    const group* g = state_->find(request.group_id);
    auto partition = [&](const std::string& topic, std::int32_t index) {
        R::OffsetFetchResponsePartitions p;
        p.partition_index = index;
        p.committed_offset = -1;
        p.committed_leader_epoch = -1;
        p.metadata = "";
        p.error_code = code(error_code::none);
        if (g != nullptr) {
            if (auto it = g->offsets.find({topic, index}); it != g->offsets.end()) {
                p.committed_offset = it->second.offset;
                p.committed_leader_epoch = it->second.leader_epoch;
                p.metadata = it->second.metadata;
            }
        }
        return p;
    };
    if (request.topics) {
        for (const auto& t : *request.topics) {
            R::OffsetFetchResponseTopics rt;
            rt.name = t.name;
            for (const auto index : t.partition_indexes) rt.partitions.push_back(partition(t.name, index));
            out.topics.push_back(std::move(rt));
        }
        return out;
    }
    if (g == nullptr) return out;
    for (const auto& [tp, offset] : g->offsets) {
        if (out.topics.empty() || out.topics.back().name != tp.first) {
            R::OffsetFetchResponseTopics rt;
            rt.name = tp.first;
            out.topics.push_back(std::move(rt));
        }
        out.topics.back().partitions.push_back(partition(tp.first, tp.second));
    }
    return out;
}

effects coordinator::delete_offsets(request_token token, std::int16_t version,
                                    const messages::OffsetDeleteRequest& request, time_ms now) {
    (void)version;
    state& s = *state_;
    s.note_time(now);
    effects out;
    messages::OffsetDeleteResponse response;
    group* g = s.find(request.group_id);
    if (g == nullptr) {
        response.error_code = code(error_code::group_id_not_found);
        out.replies.push_back(reply{token, std::move(response)});
        return out;
    }
    std::optional<std::set<std::string>> subscribed;  // nullopt: every partition is eligible
    if (g->state != group_state::empty) {
        if (g->protocol_type != std::optional<std::string>("consumer")) {
            response.error_code = code(error_code::non_empty_group);
            out.replies.push_back(reply{token, std::move(response)});
            return out;
        }
        subscribed.emplace();
        bool unknown = false;
        for (const auto& m : g->members) {
            const protocol* p = g->protocol_name ? m.find_protocol(*g->protocol_name)
                                                 : (m.protocols.empty() ? nullptr : &m.protocols.front());
            auto topics = p ? subscribed_topics(p->metadata) : std::nullopt;
            if (!topics) {
                unknown = true;
                continue;
            }
            subscribed->insert(topics->begin(), topics->end());
        }
        if (unknown) {
            // Undecodable subscriptions: be conservative, treat every topic as consumed.
            for (const auto& t : request.topics) subscribed->insert(t.name);
        }
    }
    for (const auto& t : request.topics) {
        messages::OffsetDeleteResponse::OffsetDeleteResponseTopic rt;
        rt.name = t.name;
        const bool consumed = subscribed && subscribed->count(t.name) > 0;
        for (const auto& p : t.partitions) {
            messages::OffsetDeleteResponse::OffsetDeleteResponsePartition rp;
            rp.partition_index = p.partition_index;
            if (consumed) {
                rp.error_code = code(error_code::group_subscribed_to_topic);
            } else {
                rp.error_code = code(error_code::none);
                if (g->offsets.erase({t.name, p.partition_index}) > 0) {
                    out.records.push_back(offset_tombstone(g->id, t.name, p.partition_index));
                }
            }
            rt.partitions.push_back(rp);
        }
        response.topics.push_back(std::move(rt));
    }
    if (!out.records.empty()) s.maybe_remove_empty(*g, out);
    out.replies.push_back(reply{token, std::move(response)});
    return out;
}

messages::DescribeGroupsResponse::DescribedGroup coordinator::describe_group(const std::string& group_id) const {
    messages::DescribeGroupsResponse::DescribedGroup out;
    out.group_id = group_id;
    out.error_code = code(error_code::none);
    const group* g = state_->find(group_id);
    if (g == nullptr) {
        out.group_state = "Dead";
        return out;
    }
    out.group_state = state_name(g->state);
    out.protocol_type = g->protocol_type.value_or("");
    const bool stable = g->state == group_state::stable;
    if (stable) out.protocol_data = g->protocol_name.value_or("");
    for (const auto& m : g->members) {
        messages::DescribeGroupsResponse::DescribedGroupMember dm;
        dm.member_id = m.id;
        dm.group_instance_id = m.instance_id;
        dm.client_id = m.client_id;
        dm.client_host = m.client_host;
        if (stable) {
            dm.member_metadata = m.metadata_for(g->protocol_name);
            dm.member_assignment = m.assignment;
        }
        out.members.push_back(std::move(dm));
    }
    return out;
}

std::vector<messages::ListGroupsResponse::ListedGroup> coordinator::list_groups(
    const std::vector<std::string>& states_filter, const std::vector<std::string>& types_filter) const {
    std::vector<messages::ListGroupsResponse::ListedGroup> out;
    auto matches = [](const std::vector<std::string>& filter, const std::string& value) {
        if (filter.empty()) return true;
        return std::any_of(filter.begin(), filter.end(), [&](const std::string& f) { return iequals(f, value); });
    };
    for (const auto& [id, g] : state_->groups) {
        const std::string st = state_name(g.state);
        if (!matches(states_filter, st) || !matches(types_filter, "classic")) continue;
        messages::ListGroupsResponse::ListedGroup lg;
        lg.group_id = id;
        lg.protocol_type = g.protocol_type.value_or("");
        lg.group_state = st;
        lg.group_type = "classic";
        out.push_back(std::move(lg));
    }
    return out;
}

effects coordinator::delete_group(request_token token, const std::string& group_id, time_ms now) {
    state& s = *state_;
    s.note_time(now);
    effects out;
    messages::DeleteGroupsResponse::DeletableGroupResult result;
    result.group_id = group_id;
    group* g = s.find(group_id);
    if (g == nullptr) {
        result.error_code = code(error_code::group_id_not_found);
    } else if (g->state != group_state::empty || g->has_members()) {
        result.error_code = code(error_code::non_empty_group);
    } else {
        for (const auto& [tp, offset] : g->offsets) out.records.push_back(offset_tombstone(group_id, tp.first, tp.second));
        out.records.push_back(group_tombstone(group_id));
        s.groups.erase(group_id);
        result.error_code = code(error_code::none);
    }
    out.replies.push_back(reply{token, result});
    return out;
}

effects coordinator::tick(time_ms now) {
    state& s = *state_;
    s.note_time(now);
    effects out;
    std::vector<std::string> ids;
    for (const auto& [id, g] : s.groups) ids.push_back(id);
    for (const auto& id : ids) {
        group* g = s.find(id);
        if (g == nullptr) continue;

        // Pending (MEMBER_ID_REQUIRED) members that never came back.
        bool changed = false;
        for (auto it = g->pending_members.begin(); it != g->pending_members.end();) {
            if (it->second <= now) {
                it = g->pending_members.erase(it);
                changed = true;
            } else {
                ++it;
            }
        }

        // Session expiry; members parked in a JoinGroup or SyncGroup stay alive.
        std::vector<std::string> expired;
        for (const auto& m : g->members) {
            if (!m.join && !m.sync && m.session_deadline <= now) expired.push_back(m.id);
        }
        for (const auto& mid : expired) {
            s.remove_member(*g, mid, out);
            s.after_member_removed(*g, out, now);
        }
        if (changed && expired.empty()) s.maybe_complete_join(*g, out, now);

        if ((g->state == group_state::completing_rebalance || g->state == group_state::stable) &&
            g->sync_deadline && *g->sync_deadline <= now) {
            // Members that never sent SyncGroup after the join phase are gone.
            const std::set<std::string> missing = g->pending_sync;
            g->pending_sync.clear();
            g->sync_deadline.reset();
            for (const auto& mid : missing) s.remove_member(*g, mid, out);
            if (!missing.empty()) s.after_member_removed(*g, out, now);
        }

        if (g->state == group_state::preparing_rebalance) {
            if (g->initial_delay_deadline && *g->initial_delay_deadline <= now) {
                if (g->new_member_added && g->initial_delay_remaining > 0) {
                    g->new_member_added = false;
                    const std::int64_t d =
                        std::min<std::int64_t>(s.config.initial_rebalance_delay_ms, g->initial_delay_remaining);
                    g->initial_delay_remaining -= d;
                    g->initial_delay_deadline = now + d;
                } else {
                    s.complete_join(*g, out, now);
                }
            } else if (g->rebalance_deadline && *g->rebalance_deadline <= now) {
                s.complete_join(*g, out, now);
            }
        }
    }

    if (s.next_offset_check && *s.next_offset_check <= now) {
        s.expire_offsets(now, out);
        s.next_offset_check = now + s.config.offsets_retention_check_interval_ms;
    }
    return out;
}

std::optional<time_ms> coordinator::next_deadline() const {
    const state& s = *state_;
    std::optional<time_ms> out;
    auto consider = [&](time_ms t) {
        if (!out || t < *out) out = t;
    };
    for (const auto& [id, g] : s.groups) {
        for (const auto& [mid, deadline] : g.pending_members) consider(deadline);
        for (const auto& m : g.members) {
            if (!m.join && !m.sync) consider(m.session_deadline);
        }
        if (g.sync_deadline) consider(*g.sync_deadline);
        if (g.state == group_state::preparing_rebalance) {
            if (g.initial_delay_deadline) consider(*g.initial_delay_deadline);
            if (g.rebalance_deadline) consider(*g.rebalance_deadline);
        }
    }
    if (!s.groups.empty() && s.next_offset_check) consider(*s.next_offset_check);
    return out;
}

bool coordinator::replay(const record& r) {
    state& s = *state_;
    wire::reader kr(r.key);
    messages::consumer_offsets_record key;
    if (messages::decode_consumer_offsets_key(kr, key) != wire::errc::ok) return false;

    if (const auto* ok = std::get_if<messages::OffsetCommitKey>(&key)) {
        group* g = s.find(ok->group);
        if (!r.value) {
            if (g != nullptr) g->offsets.erase({ok->topic, ok->partition});
            return true;
        }
        wire::reader vr(*r.value);
        messages::OffsetCommitValue value;
        if (messages::decode_coordinator_value(vr, value) != wire::errc::ok) return false;
        if (g == nullptr) g = &s.create(ok->group, value.commit_timestamp);
        g->offsets[{ok->topic, ok->partition}] =
            committed_offset{value.offset, value.leader_epoch, value.metadata, value.commit_timestamp};
        return true;
    }
    if (const auto* gk = std::get_if<messages::GroupMetadataKey>(&key)) {
        if (!r.value) {
            group* g = s.find(gk->group);
            if (g == nullptr) return true;
            if (g->offsets.empty()) {
                s.groups.erase(gk->group);
            } else {
                // Offsets outlive the group's metadata; keep them in an offset-only group.
                auto offsets = std::move(g->offsets);
                const time_ms ts = g->state_timestamp;
                s.groups.erase(gk->group);
                group& fresh = s.create(gk->group, ts);
                fresh.offsets = std::move(offsets);
            }
            return true;
        }
        wire::reader vr(*r.value);
        messages::GroupMetadataValue value;
        if (messages::decode_coordinator_value(vr, value) != wire::errc::ok) return false;
        group* g = s.find(gk->group);
        if (g == nullptr) g = &s.create(gk->group, value.current_state_timestamp);
        g->members.clear();
        g->static_members.clear();
        g->pending_members.clear();
        g->rebalance_deadline.reset();
        g->initial_delay_deadline.reset();
        g->pending_sync.clear();
        g->sync_deadline.reset();
        g->protocol_type = value.protocol_type.empty() ? std::optional<std::string>{} : value.protocol_type;
        g->generation = value.generation;
        g->protocol_name = value.protocol;
        g->leader = value.leader;
        if (g->protocol_name && g->protocol_name->empty()) g->protocol_name.reset();
        if (g->leader && g->leader->empty()) g->leader.reset();
        g->state_timestamp = value.current_state_timestamp;
        for (const auto& mm : value.members) {
            member m;
            m.id = mm.member_id;
            m.instance_id = mm.group_instance_id;
            m.client_id = mm.client_id;
            m.client_host = mm.client_host;
            m.session_timeout_ms = mm.session_timeout;
            m.rebalance_timeout_ms = mm.rebalance_timeout < 0 ? mm.session_timeout : mm.rebalance_timeout;
            m.protocol_type = value.protocol_type;
            if (g->protocol_name) m.protocols.push_back(protocol{*g->protocol_name, mm.subscription});
            m.assignment = mm.assignment;
            if (m.instance_id) g->static_members[*m.instance_id] = m.id;
            g->members.push_back(std::move(m));
        }
        g->state = g->members.empty() ? group_state::empty : group_state::stable;
        return true;
    }
    return false;
}

void coordinator::loaded(time_ms now) {
    state& s = *state_;
    s.note_time(now);
    for (auto& [id, g] : s.groups) {
        for (auto& m : g.members) m.session_deadline = now + m.session_timeout_ms;
    }
}

std::size_t coordinator::group_count() const { return state_->groups.size(); }

bool coordinator::has_group(const std::string& group_id) const { return state_->groups.count(group_id) > 0; }

}  // namespace brook::group
