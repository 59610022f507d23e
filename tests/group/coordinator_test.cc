// Tests for the classic group coordinator.
//
// Most tests are scripts in testdata/*.txt, in the style of etcd/raft's
// datadriven tests: a command, a "----" line, the expected output and a blank
// line. Each file runs against one coordinator. Run with BROOK_REWRITE=1 to
// rewrite the expectations from the actual output (then review the diff).
//
// Commands (arguments are key=value; see run_command for defaults):
//   config min-session= max-session= max-size= initial-delay= retention= retention-check= metadata-max=
//   time <ms>                      set the clock
//   join t= v= g= m= i= client= host= session= rebalance= type= protos=range/t1/t2,rr/t1
//   sync t= v= g= m= gen= i= ptype= pname= assign=member:bytes,...
//   heartbeat t= v= g= m= gen= i=
//   leave t= v= g= m= (v0-2) | members=member@instance,... (v3+)
//   commit t= v= g= m= gen= i= epoch= offsets=topic/partition=offset[:metadata],...
//   fetch g= [topics=t1/0/1;t2/0]  (no topics: all)
//   delete-offsets t= g= parts=t1/0/1;t2/0
//   describe g=
//   list [states=a,b] [types=a,b]
//   delete-group t= g=
//   tick                           tick at the current time
//   deadline                       next_deadline()
//   replay-all                     rebuild from every record emitted so far, then loaded(now)

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "brook/group/coordinator.h"
#include "brook/messages/consumer_protocol_subscription.h"
#include "brook/messages/group_metadata_value.h"
#include "brook/messages/offset_commit_value.h"
#include "brook/messages/record_framing.h"
#include "brook/wire/reader.h"
#include "brook/wire/writer.h"

namespace brook::group {
namespace {

namespace m = messages;

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    if (s.empty()) return out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(cur);
    return out;
}

std::string err(std::int16_t c) { return std::string(m::describe(c).name); }

std::string text(const wire::bytes& b) { return std::string(b.begin(), b.end()); }
wire::bytes bytes_of(const std::string& s) { return wire::bytes(s.begin(), s.end()); }

std::string opt(const std::optional<std::string>& s) { return s ? *s : "null"; }

// Member metadata in tests is a ConsumerProtocolSubscription (v0) of topics.
wire::bytes subscription(const std::vector<std::string>& topics) {
    m::ConsumerProtocolSubscription sub;
    sub.topics = topics;
    wire::writer w;
    (void)m::encode_coordinator_record(w, sub, 0);
    return w.take();
}

std::string show_subscription(const wire::bytes& b) {
    if (b.empty()) return "-";
    wire::reader r(b);
    m::ConsumerProtocolSubscription sub;
    if (m::decode_coordinator_value(r, sub) != wire::errc::ok) return "?";
    std::string out;
    for (const auto& t : sub.topics) out += (out.empty() ? "" : ",") + t;
    return out.empty() ? "-" : out;
}

std::string show_bytes(const wire::bytes& b) { return b.empty() ? "-" : text(b); }

std::string show_record(const record& r) {
    wire::reader kr(r.key);
    m::consumer_offsets_record key;
    if (m::decode_consumer_offsets_key(kr, key) != wire::errc::ok) return "undecodable key";
    std::ostringstream os;
    if (const auto* k = std::get_if<m::OffsetCommitKey>(&key)) {
        os << "offset " << k->group << "/" << k->topic << "/" << k->partition;
        if (!r.value) return os.str() + " tombstone";
        wire::reader vr(*r.value);
        m::OffsetCommitValue v;
        if (m::decode_coordinator_value(vr, v) != wire::errc::ok) return os.str() + " undecodable";
        os << " = " << v.offset << " epoch=" << v.leader_epoch << " meta=\"" << v.metadata << "\" ts=" << v.commit_timestamp;
        return os.str();
    }
    if (const auto* k = std::get_if<m::GroupMetadataKey>(&key)) {
        os << "group " << k->group;
        if (!r.value) return os.str() + " tombstone";
        wire::reader vr(*r.value);
        m::GroupMetadataValue v;
        if (m::decode_coordinator_value(vr, v) != wire::errc::ok) return os.str() + " undecodable";
        os << " type=" << v.protocol_type << " gen=" << v.generation << " proto=" << opt(v.protocol)
           << " leader=" << opt(v.leader) << " ts=" << v.current_state_timestamp << " members=[";
        bool first = true;
        for (const auto& mm : v.members) {
            os << (first ? "" : " ") << mm.member_id << "(i=" << opt(mm.group_instance_id) << " c=" << mm.client_id
               << " s=" << mm.session_timeout << " r=" << mm.rebalance_timeout
               << " sub=" << show_subscription(mm.subscription) << " asg=" << show_bytes(mm.assignment) << ")";
            first = false;
        }
        os << "]";
        return os.str();
    }
    return "other record";
}

template <typename T>
bool encodes(const T& body, std::int16_t version) {
    wire::writer w;
    return body.encode(w, version) == wire::errc::ok;
}

std::string show_reply(const reply& rep, std::int16_t version) {
    std::ostringstream os;
    os << "reply " << rep.token << " ";
    std::visit(
        [&](const auto& body) {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, m::JoinGroupResponse>) {
                os << "join " << err(body.error_code) << " gen=" << body.generation_id;
                if (version >= 7) os << " ptype=" << opt(body.protocol_type);
                os << " proto=" << opt(body.protocol_name) << " leader=" << body.leader << " member=" << body.member_id;
                if (body.skip_assignment) os << " skip-assignment";
                if (!body.members.empty()) {
                    os << " members=[";
                    bool first = true;
                    for (const auto& mm : body.members) {
                        os << (first ? "" : " ") << mm.member_id;
                        if (mm.group_instance_id) os << "@" << *mm.group_instance_id;
                        os << "(" << show_subscription(mm.metadata) << ")";
                        first = false;
                    }
                    os << "]";
                }
                if (!encodes(body, version)) os << " ENCODE-FAILED";
            } else if constexpr (std::is_same_v<T, m::SyncGroupResponse>) {
                os << "sync " << err(body.error_code) << " asg=" << show_bytes(body.assignment);
                if (body.protocol_type || body.protocol_name) {
                    os << " ptype=" << opt(body.protocol_type) << " proto=" << opt(body.protocol_name);
                }
                if (!encodes(body, version)) os << " ENCODE-FAILED";
            } else if constexpr (std::is_same_v<T, m::HeartbeatResponse>) {
                os << "heartbeat " << err(body.error_code);
                if (!encodes(body, version)) os << " ENCODE-FAILED";
            } else if constexpr (std::is_same_v<T, m::LeaveGroupResponse>) {
                os << "leave " << err(body.error_code);
                for (const auto& mm : body.members) {
                    os << " " << mm.member_id << "@" << opt(mm.group_instance_id) << ":" << err(mm.error_code);
                }
                if (!encodes(body, version)) os << " ENCODE-FAILED";
            } else if constexpr (std::is_same_v<T, m::OffsetCommitResponse>) {
                os << "commit";
                for (const auto& t : body.topics) {
                    for (const auto& p : t.partitions) os << " " << t.name << "/" << p.partition_index << ":" << err(p.error_code);
                }
                if (!encodes(body, version)) os << " ENCODE-FAILED";
            } else if constexpr (std::is_same_v<T, m::OffsetDeleteResponse>) {
                os << "delete-offsets " << err(body.error_code);
                for (const auto& t : body.topics) {
                    for (const auto& p : t.partitions) os << " " << t.name << "/" << p.partition_index << ":" << err(p.error_code);
                }
                if (!encodes(body, version)) os << " ENCODE-FAILED";
            } else if constexpr (std::is_same_v<T, m::DeleteGroupsResponse::DeletableGroupResult>) {
                os << "delete-group " << body.group_id << " " << err(body.error_code);
            }
        },
        rep.body);
    return os.str();
}

struct harness {
    group_config config;
    int suffix = 0;
    time_ms now = 0;
    std::unique_ptr<coordinator> coord;
    std::vector<record> log;
    std::map<request_token, std::int16_t> versions;

    harness() { reset(); }
    void reset() {
        coord = std::make_unique<coordinator>(config, [this] { return std::to_string(++suffix); });
    }

    std::string show(const effects& e) {
        std::string out;
        for (const auto& r : e.records) {
            out += "record " + show_record(r) + "\n";
            log.push_back(r);
        }
        for (const auto& r : e.replies) {
            out += show_reply(r, versions.count(r.token) ? versions[r.token] : 0) + "\n";
        }
        return out;
    }

    std::string run(const std::string& cmd, const std::vector<std::string>& positional,
                    const std::map<std::string, std::string>& args) {
        auto get = [&](const std::string& k, const std::string& def = "") {
            auto it = args.find(k);
            return it == args.end() ? def : it->second;
        };
        auto num = [&](const std::string& k, std::int64_t def) {
            auto it = args.find(k);
            return it == args.end() ? def : std::stoll(it->second);
        };
        auto optional_arg = [&](const std::string& k) -> std::optional<std::string> {
            auto it = args.find(k);
            if (it == args.end()) return std::nullopt;
            return it->second;
        };
        const request_token token = static_cast<request_token>(num("t", 0));
        const std::string g = get("g", "g1");

        if (cmd == "config") {
            config = group_config{};
            config.min_session_timeout_ms = static_cast<std::int32_t>(num("min-session", 1000));
            config.max_session_timeout_ms = static_cast<std::int32_t>(num("max-session", 60000));
            config.max_size = static_cast<std::int32_t>(num("max-size", 100));
            config.initial_rebalance_delay_ms = static_cast<std::int32_t>(num("initial-delay", 0));
            config.offsets_retention_ms = num("retention", 1'000'000);
            config.offsets_retention_check_interval_ms = num("retention-check", 100'000);
            config.offset_metadata_max_bytes = static_cast<std::int32_t>(num("metadata-max", 16));
            reset();
            log.clear();
            return "ok\n";
        }
        if (cmd == "time") {
            now = std::stoll(positional.at(0));
            return "ok\n";
        }
        if (cmd == "join") {
            const auto v = static_cast<std::int16_t>(num("v", 5));
            versions[token] = v;
            m::JoinGroupRequest req;
            req.group_id = g;
            req.member_id = get("m");
            req.session_timeout_ms = static_cast<std::int32_t>(num("session", 10000));
            req.rebalance_timeout_ms = static_cast<std::int32_t>(num("rebalance", -1));
            req.group_instance_id = optional_arg("i");
            req.protocol_type = get("type", "consumer");
            for (const auto& p : split(get("protos", "range/t1"), ',')) {
                auto parts = split(p, '/');
                m::JoinGroupRequest::JoinGroupRequestProtocol proto;
                proto.name = parts.at(0);
                proto.metadata = subscription(std::vector<std::string>(parts.begin() + 1, parts.end()));
                req.protocols.push_back(std::move(proto));
            }
            client_info client{get("client", "c"), get("host", "/127.0.0.1")};
            return show(coord->join_group(token, v, req, client, now));
        }
        if (cmd == "sync") {
            const auto v = static_cast<std::int16_t>(num("v", 5));
            versions[token] = v;
            m::SyncGroupRequest req;
            req.group_id = g;
            req.member_id = get("m");
            req.generation_id = static_cast<std::int32_t>(num("gen", 0));
            req.group_instance_id = optional_arg("i");
            req.protocol_type = optional_arg("ptype");
            req.protocol_name = optional_arg("pname");
            for (const auto& a : split(get("assign"), ',')) {
                auto parts = split(a, ':');
                m::SyncGroupRequest::SyncGroupRequestAssignment sa;
                sa.member_id = parts.at(0);
                sa.assignment = bytes_of(parts.size() > 1 ? parts[1] : "");
                req.assignments.push_back(std::move(sa));
            }
            return show(coord->sync_group(token, v, req, now));
        }
        if (cmd == "heartbeat") {
            const auto v = static_cast<std::int16_t>(num("v", 4));
            versions[token] = v;
            m::HeartbeatRequest req;
            req.group_id = g;
            req.member_id = get("m");
            req.generation_id = static_cast<std::int32_t>(num("gen", 0));
            req.group_instance_id = optional_arg("i");
            return show(coord->heartbeat(token, v, req, now));
        }
        if (cmd == "leave") {
            const auto v = static_cast<std::int16_t>(num("v", 0));
            versions[token] = v;
            m::LeaveGroupRequest req;
            req.group_id = g;
            if (v < 3) {
                req.member_id = get("m");
            } else {
                for (const auto& e : split(get("members"), ',')) {
                    m::LeaveGroupRequest::MemberIdentity id;
                    const auto at = e.find('@');
                    id.member_id = e.substr(0, at);
                    if (at != std::string::npos) id.group_instance_id = e.substr(at + 1);
                    req.members.push_back(std::move(id));
                }
            }
            return show(coord->leave_group(token, v, req, now));
        }
        if (cmd == "commit") {
            const auto v = static_cast<std::int16_t>(num("v", 8));
            versions[token] = v;
            m::OffsetCommitRequest req;
            req.group_id = g;
            req.member_id = get("m");
            req.generation_id_or_member_epoch = static_cast<std::int32_t>(num("gen", -1));
            req.group_instance_id = optional_arg("i");
            for (const auto& e : split(get("offsets"), ',')) {
                // topic/partition=offset[:metadata]
                const auto slash = e.find('/');
                const auto eq = e.find('=');
                const auto colon = e.find(':');
                const std::string topic = e.substr(0, slash);
                m::OffsetCommitRequest::OffsetCommitRequestPartition p;
                p.partition_index = std::stoi(e.substr(slash + 1, eq - slash - 1));
                p.committed_offset = std::stoll(e.substr(eq + 1, colon == std::string::npos ? std::string::npos : colon - eq - 1));
                if (colon != std::string::npos) p.committed_metadata = e.substr(colon + 1);
                if (v >= 6) p.committed_leader_epoch = static_cast<std::int32_t>(num("epoch", -1));
                if (req.topics.empty() || req.topics.back().name != topic) {
                    req.topics.emplace_back();
                    req.topics.back().name = topic;
                }
                req.topics.back().partitions.push_back(p);
            }
            return show(coord->commit_offsets(token, v, req, now));
        }
        if (cmd == "fetch") {
            m::OffsetFetchRequest::OffsetFetchRequestGroup req;
            req.group_id = g;
            if (auto topics = optional_arg("topics")) {
                req.topics.emplace();
                for (const auto& t : split(*topics, ';')) {
                    auto parts = split(t, '/');
                    m::OffsetFetchRequest::OffsetFetchRequestTopics rt;
                    rt.name = parts.at(0);
                    for (std::size_t i = 1; i < parts.size(); ++i) rt.partition_indexes.push_back(std::stoi(parts[i]));
                    req.topics->push_back(std::move(rt));
                }
            } else {
                req.topics.reset();
            }
            auto res = coord->fetch_offsets(req, false);
            std::ostringstream os;
            os << "fetch " << res.group_id << " " << err(res.error_code) << "\n";
            for (const auto& t : res.topics) {
                for (const auto& p : t.partitions) {
                    os << "  " << t.name << "/" << p.partition_index << " = " << p.committed_offset
                       << " epoch=" << p.committed_leader_epoch << " meta=\"" << opt(p.metadata) << "\" "
                       << err(p.error_code) << "\n";
                }
            }
            return os.str();
        }
        if (cmd == "delete-offsets") {
            versions[token] = 0;
            m::OffsetDeleteRequest req;
            req.group_id = g;
            for (const auto& t : split(get("parts"), ';')) {
                auto parts = split(t, '/');
                m::OffsetDeleteRequest::OffsetDeleteRequestTopic rt;
                rt.name = parts.at(0);
                for (std::size_t i = 1; i < parts.size(); ++i) {
                    m::OffsetDeleteRequest::OffsetDeleteRequestPartition p;
                    p.partition_index = std::stoi(parts[i]);
                    rt.partitions.push_back(p);
                }
                req.topics.push_back(std::move(rt));
            }
            return show(coord->delete_offsets(token, 0, req, now));
        }
        if (cmd == "describe") {
            auto d = coord->describe_group(g);
            std::ostringstream os;
            os << "describe " << d.group_id << " " << err(d.error_code) << " state=" << d.group_state
               << " type=" << d.protocol_type << " proto=" << d.protocol_data << "\n";
            for (const auto& mm : d.members) {
                os << "  member " << mm.member_id << " i=" << opt(mm.group_instance_id) << " client=" << mm.client_id
                   << " host=" << mm.client_host << " sub=" << show_subscription(mm.member_metadata)
                   << " asg=" << show_bytes(mm.member_assignment) << "\n";
            }
            return os.str();
        }
        if (cmd == "list") {
            auto groups = coord->list_groups(split(get("states"), ','), split(get("types"), ','));
            std::ostringstream os;
            os << "list " << groups.size() << "\n";
            for (const auto& lg : groups) {
                os << "  " << lg.group_id << " type=" << lg.protocol_type << " state=" << lg.group_state
                   << " kind=" << lg.group_type << "\n";
            }
            return os.str();
        }
        if (cmd == "delete-group") {
            return show(coord->delete_group(token, g, now));
        }
        if (cmd == "tick") {
            std::string out = show(coord->tick(now));
            return out.empty() ? "ok\n" : out;
        }
        if (cmd == "deadline") {
            auto d = coord->next_deadline();
            return d ? "deadline " + std::to_string(*d) + "\n" : "deadline none\n";
        }
        if (cmd == "replay-all") {
            reset();
            std::size_t rejected = 0;
            for (const auto& r : log) rejected += coord->replay(r) ? 0 : 1;
            coord->loaded(now);
            return "replayed " + std::to_string(log.size()) + " records, rejected " + std::to_string(rejected) +
                   ", groups " + std::to_string(coord->group_count()) + "\n";
        }
        return "unknown command " + cmd + "\n";
    }
};

struct block {
    std::vector<std::string> prefix;  // comments and blank lines before the command
    std::string command;
    std::vector<std::string> expected;
    int line = 0;
};

std::vector<std::string> read_lines(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

std::vector<block> parse(const std::vector<std::string>& lines, std::vector<std::string>& trailer) {
    std::vector<block> out;
    std::vector<std::string> prefix;
    std::size_t i = 0;
    while (i < lines.size()) {
        const std::string& l = lines[i];
        if (l.empty() || l[0] == '#') {
            prefix.push_back(l);
            ++i;
            continue;
        }
        block b;
        b.prefix = std::move(prefix);
        prefix.clear();
        b.command = l;
        b.line = static_cast<int>(i + 1);
        ++i;
        if (i < lines.size() && lines[i] == "----") {
            ++i;
            while (i < lines.size() && !lines[i].empty()) b.expected.push_back(lines[i++]);
        }
        out.push_back(std::move(b));
    }
    trailer = std::move(prefix);
    return out;
}

void run_file(const std::filesystem::path& path) {
    std::vector<std::string> trailer;
    auto blocks = parse(read_lines(path), trailer);
    const bool rewrite = std::getenv("BROOK_REWRITE") != nullptr;
    harness h;
    std::ostringstream rewritten;
    for (auto& b : blocks) {
        std::istringstream words(b.command);
        std::string cmd;
        words >> cmd;
        std::vector<std::string> positional;
        std::map<std::string, std::string> args;
        std::string w;
        while (words >> w) {
            const auto eq = w.find('=');
            if (eq == std::string::npos) {
                positional.push_back(w);
            } else {
                args[w.substr(0, eq)] = w.substr(eq + 1);
            }
        }
        const std::string actual = h.run(cmd, positional, args);
        std::string expected;
        for (const auto& e : b.expected) expected += e + "\n";
        if (!rewrite) {
            EXPECT_EQ(expected, actual) << path.filename().string() << ":" << b.line << ": " << b.command;
        }
        for (const auto& p : b.prefix) rewritten << p << "\n";
        rewritten << b.command << "\n----\n" << actual;
    }
    for (const auto& p : trailer) rewritten << p << "\n";
    if (rewrite) {
        std::string s = rewritten.str();
        // Blocks are separated by one blank line; the prefix of the next block
        // already carries it when the source had one.
        std::ofstream(path) << s;
    }
}

std::vector<std::filesystem::path> testdata_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(BROOK_GROUP_TESTDATA)) {
        if (e.path().extension() == ".txt") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

class Datadriven : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(Datadriven, Script) { run_file(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Group, Datadriven, ::testing::ValuesIn(testdata_files()),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& param_info) {
                             std::string name = param_info.param.stem().string();
                             for (auto& c : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             }
                             return name;
                         });

// ---------------------------------------------------------------------------
// Plain tests.

TEST(GroupRecords, OffsetCommitRoundTrip) {
    const record r = offset_commit_record("g", "t", 3, 42, 7, "meta", 1234);
    wire::reader kr(r.key);
    m::consumer_offsets_record key;
    ASSERT_EQ(m::decode_consumer_offsets_key(kr, key), wire::errc::ok);
    const auto* k = std::get_if<m::OffsetCommitKey>(&key);
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->group, "g");
    EXPECT_EQ(k->topic, "t");
    EXPECT_EQ(k->partition, 3);
    ASSERT_TRUE(r.value);
    EXPECT_EQ((*r.value)[0], 0);
    EXPECT_EQ((*r.value)[1], 3);  // value version 3
    wire::reader vr(*r.value);
    m::OffsetCommitValue v;
    ASSERT_EQ(m::decode_coordinator_value(vr, v), wire::errc::ok);
    EXPECT_EQ(v.offset, 42);
    EXPECT_EQ(v.leader_epoch, 7);
    EXPECT_EQ(v.metadata, "meta");
    EXPECT_EQ(v.commit_timestamp, 1234);
}

TEST(GroupRecords, Tombstones) {
    const record o = offset_tombstone("g", "t", 1);
    EXPECT_FALSE(o.value);
    EXPECT_EQ(o.key, offset_commit_record("g", "t", 1, 0, -1, "", 0).key);
    const record g = group_tombstone("g");
    EXPECT_FALSE(g.value);
    wire::reader kr(g.key);
    m::consumer_offsets_record key;
    ASSERT_EQ(m::decode_consumer_offsets_key(kr, key), wire::errc::ok);
    ASSERT_NE(std::get_if<m::GroupMetadataKey>(&key), nullptr);
    EXPECT_EQ(std::get<m::GroupMetadataKey>(key).group, "g");
}

TEST(GroupRecords, ReplayRejectsForeignAndGarbage) {
    coordinator c(group_config{}, [] { return std::string("x"); });
    EXPECT_FALSE(c.replay(record{wire::bytes{0xff}, std::nullopt}));
    m::ConsumerGroupMetadataKey k;
    k.group_id = "g";
    wire::writer w;
    (void)m::encode_coordinator_record(w, k, 3);
    EXPECT_FALSE(c.replay(record{w.take(), std::nullopt}));
    // A valid key with a corrupt value.
    record r = offset_commit_record("g", "t", 0, 1, -1, "", 0);
    r.value->resize(3);
    EXPECT_FALSE(c.replay(r));
    EXPECT_TRUE(c.replay(offset_commit_record("g", "t", 0, 1, -1, "", 0)));
    EXPECT_TRUE(c.has_group("g"));
}

TEST(GroupFailedReply, SetsEveryErrorField) {
    const auto e = m::error_code::not_coordinator;
    const auto c = static_cast<std::int16_t>(e);

    m::JoinGroupResponse join;
    join.generation_id = 3;
    join.leader = "a";
    join.members.emplace_back();
    auto j = std::get<m::JoinGroupResponse>(failed_reply(reply{1, join}, e).body);
    EXPECT_EQ(j.error_code, c);
    EXPECT_EQ(j.generation_id, -1);
    EXPECT_TRUE(j.members.empty());

    EXPECT_EQ(std::get<m::SyncGroupResponse>(failed_reply(reply{2, m::SyncGroupResponse{}}, e).body).error_code, c);
    EXPECT_EQ(std::get<m::HeartbeatResponse>(failed_reply(reply{3, m::HeartbeatResponse{}}, e).body).error_code, c);

    m::LeaveGroupResponse leave;
    leave.members.emplace_back();
    leave.members.emplace_back();
    auto l = std::get<m::LeaveGroupResponse>(failed_reply(reply{4, leave}, e).body);
    EXPECT_EQ(l.error_code, c);
    for (const auto& mm : l.members) EXPECT_EQ(mm.error_code, c);

    m::OffsetCommitResponse commit;
    commit.topics.emplace_back();
    commit.topics[0].partitions.resize(2);
    auto oc = std::get<m::OffsetCommitResponse>(failed_reply(reply{5, commit}, e).body);
    for (const auto& p : oc.topics[0].partitions) EXPECT_EQ(p.error_code, c);

    m::OffsetDeleteResponse del;
    del.topics.emplace_back();
    del.topics[0].partitions.resize(2);
    auto od = std::get<m::OffsetDeleteResponse>(failed_reply(reply{6, del}, e).body);
    EXPECT_EQ(od.error_code, c);
    for (const auto& p : od.topics[0].partitions) EXPECT_EQ(p.error_code, c);

    m::DeleteGroupsResponse::DeletableGroupResult dg;
    dg.group_id = "g";
    auto d = std::get<m::DeleteGroupsResponse::DeletableGroupResult>(failed_reply(reply{7, dg}, e).body);
    EXPECT_EQ(d.error_code, c);
    EXPECT_EQ(d.group_id, "g");
    EXPECT_EQ(failed_reply(reply{7, dg}, e).token, 7u);
}

}  // namespace
}  // namespace brook::group
