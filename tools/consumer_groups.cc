// brook-consumer-groups: list, describe, delete consumer groups, reset and
// delete their committed offsets, with the flags and output of Kafka's
// kafka-consumer-groups.sh (ConsumerGroupCommand).
//
// As in Kafka, tables start with a blank line, errors about groups are
// printed on stdout as "Error: ...", and notes about a group's state ("has no
// active members", "is rebalancing") go to stderr. Unlike Kafka, every
// failure also exits 1, so scripts can tell.
//
// Group requests go to the group's coordinator (FindCoordinator, retried
// while the coordinator is loading or moving); ListGroups goes to every
// broker; ListOffsets to each partition's leader.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "brook/messages/consumer_protocol_assignment.h"
#include "brook/messages/delete_groups_request.h"
#include "brook/messages/delete_groups_response.h"
#include "brook/messages/describe_groups_request.h"
#include "brook/messages/describe_groups_response.h"
#include "brook/messages/error_codes.h"
#include "brook/messages/find_coordinator_request.h"
#include "brook/messages/find_coordinator_response.h"
#include "brook/messages/list_groups_request.h"
#include "brook/messages/list_groups_response.h"
#include "brook/messages/list_offsets_request.h"
#include "brook/messages/list_offsets_response.h"
#include "brook/messages/offset_commit_request.h"
#include "brook/messages/offset_commit_response.h"
#include "brook/messages/offset_delete_request.h"
#include "brook/messages/offset_delete_response.h"
#include "brook/messages/offset_fetch_request.h"
#include "brook/messages/offset_fetch_response.h"
#include "tool.h"

namespace brook::tools {
namespace {

using messages::error_code;

constexpr std::string_view missing = "-";  // Kafka's MISSING_COLUMN_VALUE
constexpr std::int64_t latest_timestamp = -1;
constexpr std::int64_t earliest_timestamp = -2;
// Versions whose layout this tool fills in (both are within Brook's range):
// FindCoordinator before batching (v4), OffsetFetch before multi-group (v8).
constexpr std::int16_t find_coordinator_version = 3;
constexpr std::int16_t offset_fetch_version = 7;

std::int16_t code(error_code e) { return static_cast<std::int16_t>(e); }

// The wording of Kafka's exceptions for the errors this tool reports.
std::string error_text(std::int16_t error, const std::optional<std::string>& message = {}) {
    switch (static_cast<error_code>(error)) {
        case error_code::non_empty_group: return "The group is not empty.";
        case error_code::group_id_not_found: return "The group id does not exist.";
        case error_code::group_subscribed_to_topic:
            return "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.";
        case error_code::unknown_topic_or_partition: return "This server does not host this topic-partition.";
        case error_code::invalid_group_id: return "The configured groupId is invalid.";
        default: return kafka_error_text(error, message);
    }
}

// ---------------------------------------------------------------------------
// The command line.

struct group_command {
    common_options common;
    bool list = false, describe = false, remove = false, reset_offsets = false, delete_offsets = false;
    std::vector<std::string> groups;
    bool all_groups = false;
    std::vector<std::string> topics;
    bool all_topics = false;
    bool members = false, offsets = false, verbose = false;
    std::optional<std::string> state;  // --state, with its optional value ("" without one)
    bool dry_run = false, execute = false;
    bool to_earliest = false, to_latest = false, to_current = false;
    std::optional<std::int64_t> to_offset, shift_by;
    std::optional<std::string> to_datetime, by_duration;
    std::int64_t timeout_ms = 5000;
};

po::options_description describe_options(group_command& command) {
    po::options_description options(
        "brook-consumer-groups: list all consumer groups, describe a consumer group, delete consumer group "
        "info, or reset consumer group offsets.\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("list", po::bool_switch(&command.list), "List all consumer groups.")
        ("describe", po::bool_switch(&command.describe),
         "Describe consumer group and list offset lag (number of messages not yet processed) related to given "
         "group.")
        ("delete", po::bool_switch(&command.remove),
         "Pass in groups to delete topic partition offsets and ownership information over the entire consumer "
         "group. For instance --group g1 --group g2")
        ("reset-offsets", po::bool_switch(&command.reset_offsets),
         "Reset offsets of consumer group. Groups must be inactive. --dry-run (the default) shows the plan, "
         "--execute commits it. Choose one of --to-datetime, --by-duration, --to-earliest, --to-latest, "
         "--shift-by, --to-current, --to-offset, and a scope: --all-topics or --topic.")
        ("delete-offsets", po::bool_switch(&command.delete_offsets),
         "Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.")
        ("group", po::value(&command.groups)->value_name("consumer group"),
         "The consumer group we wish to act on (repeatable).")
        ("all-groups", po::bool_switch(&command.all_groups), "Apply to all consumer groups.")
        ("topic", po::value(&command.topics)->value_name("topic"),
         "The topic whose consumer group information should be deleted or topic whose should be included in the "
         "reset offset process. In reset-offsets, partitions can be given as topic1:0,1,2 (repeatable).")
        ("all-topics", po::bool_switch(&command.all_topics),
         "Consider all topics assigned to a group in the reset-offsets process.")
        ("members", po::bool_switch(&command.members), "Describe members of the group (with --describe).")
        ("offsets", po::bool_switch(&command.offsets),
         "Describe the group and list all topic partitions in the group along with their offset lag. This is "
         "the default sub-action of --describe.")
        ("state", po::value<std::string>()->implicit_value("", "")->value_name("states"),
         "With --describe, the state of the group. With --list, the state of every group, or only the groups in "
         "the given comma-separated states (e.g. --list --state stable,empty).")
        ("verbose", po::bool_switch(&command.verbose),
         "Provide additional information, if any, when describing the group (the members' assignments).")
        ("dry-run", po::bool_switch(&command.dry_run),
         "Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.")
        ("execute", po::bool_switch(&command.execute), "Execute operation. Supported operations: reset-offsets.")
        ("to-offset", po::value<std::int64_t>()->value_name("offset"), "Reset offsets to a specific offset.")
        ("to-earliest", po::bool_switch(&command.to_earliest), "Reset offsets to earliest offset.")
        ("to-latest", po::bool_switch(&command.to_latest), "Reset offsets to latest offset.")
        ("to-current", po::bool_switch(&command.to_current), "Reset offsets to current offset.")
        ("shift-by", po::value<std::int64_t>()->value_name("number-of-offsets"),
         "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.")
        ("to-datetime", po::value<std::string>()->value_name("datetime"),
         "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss' (UTC unless a zone such as "
         "Z or +02:00 follows).")
        ("by-duration", po::value<std::string>()->value_name("duration"),
         "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'")
        ("timeout", po::value(&command.timeout_ms)->value_name("timeout (ms)"),
         "Accepted for compatibility with Kafka's tool; requests use the client's request timeout.");
    return options;
}

// Flags whose value may start with '-' (--shift-by -2) or be absent
// (--state): joined to their value as "--flag=value" before parsing, which
// Boost would otherwise read as an option or a positional argument.
std::vector<std::string> join_option_values(int argc, char** argv) {
    static const std::set<std::string> takes_value{"--bootstrap-server", "--command-config", "--group", "--topic",
                                                   "--to-offset", "--shift-by", "--to-datetime", "--by-duration",
                                                   "--timeout"};
    std::vector<std::string> out;
    for (int i = 0; i < argc; ++i) {
        std::string argument = argv[i];
        const bool optional_value = argument == "--state";
        if (i > 0 && i + 1 < argc && (takes_value.count(argument) != 0 || optional_value)) {
            const std::string next = argv[i + 1];
            if (!optional_value || next.rfind("--", 0) != 0) {
                argument += "=" + next;
                ++i;
            }
        }
        out.push_back(std::move(argument));
    }
    return out;
}

void refuse_together(bool first, bool second, std::string_view option, std::string_view with) {
    if (first && second) {
        throw usage_error("Option \"[" + std::string(option) + "]\" can't be used with option \"[" +
                          std::string(with) + "]\"");
    }
}

// Kafka's group states (ConsumerGroupState), as --list --state accepts them.
const std::vector<std::string>& group_states() {
    static const std::vector<std::string> states{"PreparingRebalance", "CompletingRebalance", "Stable", "Dead",
                                                 "Empty", "Assigning", "Reconciling"};
    return states;
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// "stable, Empty" → {"Stable", "Empty"}; usage_error naming the valid states.
std::set<std::string> parse_states(const std::string& text) {
    std::set<std::string> states;
    for (const auto& entry : split_list(text)) {
        const auto it = std::find_if(group_states().begin(), group_states().end(),
                                     [&](const std::string& s) { return lower(s) == lower(entry); });
        if (it == group_states().end()) {
            std::string valid;
            for (const auto& s : group_states()) valid += (valid.empty() ? "" : ", ") + s;
            throw usage_error("Invalid state list '" + text + "'. Valid states are: " + valid);
        }
        states.insert(*it);
    }
    return states;
}

std::int64_t parse_datetime(const std::string& text);
std::int64_t parse_duration(const std::string& text);

void check_arguments(const po::variables_map& values, group_command& command) {
    const int actions = int{command.list} + int{command.describe} + int{command.remove} +
                        int{command.reset_offsets} + int{command.delete_offsets};
    if (actions != 1) {
        throw usage_error(
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, "
            "--delete-offsets");
    }
    if (values.count("state")) command.state = values["state"].as<std::string>();
    if (values.count("to-offset")) command.to_offset = values["to-offset"].as<std::int64_t>();
    if (values.count("shift-by")) command.shift_by = values["shift-by"].as<std::int64_t>();
    if (values.count("to-datetime")) command.to_datetime = values["to-datetime"].as<std::string>();
    if (values.count("by-duration")) command.by_duration = values["by-duration"].as<std::string>();

    const bool has_group = !command.groups.empty();
    const bool has_topic = !command.topics.empty();
    const std::string_view action = command.list ? "list" : command.describe ? "describe" : command.remove ? "delete"
                                    : command.reset_offsets ? "reset-offsets" : "delete-offsets";
    if (!command.describe) {
        for (const auto& [used, name] : {std::pair{command.members, "members"}, {command.offsets, "offsets"},
                                         {command.verbose, "verbose"}}) {
            if (used) throw usage_error("Option(s) [" + std::string(name) + "] are unavailable given other options "
                                        "on the command line");
        }
    }
    if (command.state && !command.describe && !command.list) {
        throw usage_error("Option(s) [state] are unavailable given other options on the command line");
    }
    if (command.describe) {
        if (!has_group && !command.all_groups) {
            throw usage_error("Option [describe] takes one of these options: [group], [all-groups]");
        }
        if (int{command.members} + int{command.offsets} + int{command.state.has_value()} > 1) {
            throw usage_error("Option [describe] takes at most one of these options: [members], [offsets], [state]");
        }
        if (command.state && !command.state->empty()) {
            throw usage_error("Option [describe] does not take a value for [state]");
        }
    }
    if (command.remove) {
        if (!has_group && !command.all_groups) {
            throw usage_error("Option [delete] takes one of these options: [group], [all-groups]");
        }
        if (has_topic) {
            throw usage_error("The consumer does not support topic-specific offset deletion from a consumer group.");
        }
    }
    if (command.delete_offsets) {
        if (!has_group || !has_topic) {
            throw usage_error("Option [delete-offsets] takes the following options: [group], [topic]");
        }
        if (command.groups.size() > 1) {
            throw usage_error("Option [delete-offsets] supports one consumer group at the time");
        }
        refuse_together(command.all_groups, true, "all-groups", action);
    }
    const std::vector<std::pair<bool, std::string>> scenarios{
        {command.to_offset.has_value(), "to-offset"},     {command.shift_by.has_value(), "shift-by"},
        {command.to_datetime.has_value(), "to-datetime"}, {command.by_duration.has_value(), "by-duration"},
        {command.to_earliest, "to-earliest"},             {command.to_latest, "to-latest"},
        {command.to_current, "to-current"}};
    if (command.reset_offsets) {
        if (command.dry_run && command.execute) {
            throw usage_error("Option [reset-offsets] only accepts one of [execute] and [dry-run]");
        }
        if (!has_group && !command.all_groups) {
            throw usage_error("Option [reset-offsets] takes one of these options: [group], [all-groups]");
        }
        std::vector<std::string> chosen;
        for (const auto& [used, name] : scenarios) {
            if (used) chosen.push_back(name);
        }
        if (chosen.size() > 1) refuse_together(true, true, chosen[0], chosen[1]);
        if (chosen.empty()) {
            throw usage_error(
                "Option '[reset-offsets]' requires one of the following scenarios: [to-offset], [shift-by], "
                "[to-datetime], [by-duration], [to-earliest], [to-latest], [to-current]");
        }
        if (!command.all_topics && !has_topic) {
            throw usage_error("One of the reset scopes should be defined: --all-topics, --topic.");
        }
        refuse_together(command.all_topics, has_topic, "all-topics", "topic");
        if (!command.dry_run && !command.execute) {
            std::cerr << "WARN: No action will be performed as the --execute option is missing. In a future major "
                         "release, the default behavior of this command will be to prompt the user before "
                         "executing the reset rather than doing a dry run. You should add the --dry-run option "
                         "explicitly if you are scripting this command and want to keep the current default "
                         "behavior without prompting.\n";
        }
    } else {
        for (const auto& [used, name] : scenarios) refuse_together(used, true, name, action);
        refuse_together(command.dry_run, true, "dry-run", action);
        refuse_together(command.execute, true, "execute", action);
        refuse_together(command.all_topics, true, "all-topics", action);
    }
    refuse_together(has_group, command.all_groups, "group", "all-groups");
    refuse_together(has_group, command.list, "group", "list");
    refuse_together(command.all_groups, command.list, "all-groups", "list");
    refuse_together(has_topic, command.list || command.describe, "topic", action);
    if (command.list && command.state && !command.state->empty()) parse_states(*command.state);
    // Checked now, before anything is asked of the cluster.
    if (command.to_datetime) parse_datetime(*command.to_datetime);
    if (command.by_duration) parse_duration(*command.by_duration);
}

// ---------------------------------------------------------------------------
// Time for --to-datetime and --by-duration.

// Kafka's Utils.getDateTime: "YYYY-MM-DDTHH:mm:SS[.sss]" with an optional zone
// ("Z", "+hh:mm", "+hhmm", "+hh"); UTC without one. Epoch milliseconds.
std::int64_t parse_datetime(const std::string& text) {
    const auto fail = [&]() -> std::int64_t {
        throw usage_error("Error parsing timestamp '" + text +
                          "': expected the format YYYY-MM-DDTHH:mm:SS.sss, optionally followed by a zone such as "
                          "Z or +02:00");
    };
    if (text.find('T') == std::string::npos) {
        throw usage_error("Error parsing timestamp. It does not contain a 'T' according to ISO8601 format");
    }
    std::size_t pos = 0;
    const auto number = [&](std::size_t digits) -> int {
        if (pos + digits > text.size()) return -1;
        int value = 0;
        for (std::size_t i = 0; i < digits; ++i) {
            const char c = text[pos + i];
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        pos += digits;
        return value;
    };
    const auto expect = [&](char c) {
        if (pos >= text.size() || text[pos] != c) return false;
        ++pos;
        return true;
    };
    const int year = number(4);
    if (year < 0 || !expect('-')) return fail();
    const int month = number(2);
    if (month < 1 || month > 12 || !expect('-')) return fail();
    const int day = number(2);
    if (day < 1 || day > 31 || !expect('T')) return fail();
    const int hour = number(2);
    if (hour < 0 || hour > 23 || !expect(':')) return fail();
    const int minute = number(2);
    if (minute < 0 || minute > 59 || !expect(':')) return fail();
    const int second = number(2);
    if (second < 0 || second > 59) return fail();
    int millis = 0;
    if (expect('.')) {
        millis = number(3);
        if (millis < 0) return fail();
    }
    std::int64_t offset_minutes = 0;
    if (pos < text.size()) {
        if (text[pos] == 'Z' && pos + 1 == text.size()) {
            ++pos;
        } else if (text[pos] == '+' || text[pos] == '-') {
            const int sign = text[pos] == '-' ? -1 : 1;
            ++pos;
            const int zone_hours = number(2);
            if (zone_hours < 0 || zone_hours > 18) return fail();
            int zone_minutes = 0;
            if (pos < text.size()) {
                expect(':');
                zone_minutes = number(2);
                if (zone_minutes < 0 || zone_minutes > 59) return fail();
            }
            offset_minutes = sign * (zone_hours * 60 + zone_minutes);
        }
        if (pos != text.size()) return fail();
    }
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok()) return fail();
    const auto days = std::chrono::sys_days(date).time_since_epoch();
    const auto local = std::chrono::duration_cast<std::chrono::milliseconds>(days) + std::chrono::hours(hour) +
                       std::chrono::minutes(minute) + std::chrono::seconds(second) + std::chrono::milliseconds(millis);
    return (local - std::chrono::minutes(offset_minutes)).count();
}

// Java's Duration.parse subset: [-+]P[nD][T[nH][nM][n[.fff]S]], in milliseconds.
std::int64_t parse_duration(const std::string& text) {
    const auto fail = [&]() -> std::int64_t {
        throw usage_error("Text cannot be parsed to a Duration: '" + text + "' (expected PnDTnHnMnS)");
    };
    std::size_t pos = 0;
    std::int64_t sign = 1;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) sign = text[pos++] == '-' ? -1 : 1;
    if (pos >= text.size() || (text[pos] != 'P' && text[pos] != 'p')) return fail();
    ++pos;
    double total_ms = 0;
    bool in_time = false, any = false;
    while (pos < text.size()) {
        if (text[pos] == 'T' || text[pos] == 't') {
            if (in_time) return fail();
            in_time = true;
            ++pos;
            continue;
        }
        const std::size_t start = pos;
        if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) ++pos;
        while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) ++pos;
        if (pos == start || pos >= text.size()) return fail();
        const std::string digits = text.substr(start, pos - start);
        double value = 0;
        try {
            std::size_t used = 0;
            value = std::stod(digits, &used);
            if (used != digits.size()) return fail();
        } catch (const std::exception&) {
            return fail();
        }
        const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text[pos++])));
        const bool fractional = digits.find('.') != std::string::npos;
        if (unit == 'D' && !in_time && !fractional) total_ms += value * 86'400'000.0;
        else if (unit == 'H' && in_time && !fractional) total_ms += value * 3'600'000.0;
        else if (unit == 'M' && in_time && !fractional) total_ms += value * 60'000.0;
        else if (unit == 'S' && in_time) total_ms += value * 1000.0;
        else return fail();
        any = true;
    }
    if (!any || (in_time && text.back() == 'T')) return fail();
    return sign * static_cast<std::int64_t>(total_ms);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---------------------------------------------------------------------------
// Talking to the cluster.

using topic_partition = std::pair<std::string, std::int32_t>;

std::string str(const topic_partition& tp) { return tp.first + "-" + std::to_string(tp.second); }

struct coordinator_node {
    std::int32_t id = -1;
    std::string host;
    std::int32_t port = 0;
};

struct group_description {
    std::string group;
    std::string state;
    std::string protocol_type;
    std::string assignor;
    coordinator_node coordinator;
    struct member {
        std::string id;
        std::optional<std::string> instance_id;
        std::string client_id;
        std::string host;
        std::vector<topic_partition> assignment;  // sorted
    };
    std::vector<member> members;
};

bool retriable_coordinator_error(std::int16_t error) {
    return error == code(error_code::coordinator_not_available) || error == code(error_code::not_coordinator) ||
           error == code(error_code::coordinator_load_in_progress);
}

class cluster {
public:
    explicit cluster(client::blocking_client& client) : client_(client) {}

    // The group's coordinator. The first FindCoordinator of a cluster creates
    // __consumer_offsets, so "not available" is retried with a short backoff.
    coordinator_node coordinator(const std::string& group, bool refresh = false) {
        if (!refresh) {
            if (const auto it = coordinators_.find(group); it != coordinators_.end()) return it->second;
        }
        messages::FindCoordinatorRequest request;
        request.key = group;
        request.key_type = 0;
        std::int16_t last_error = 0;
        std::optional<std::string> last_message;
        for (int attempt = 0; attempt < attempts; ++attempt) {
            if (attempt > 0) back_off(attempt);
            auto response = client_.send_to_any(request, find_coordinator_version);
            const auto& answer = require(response, "finding the coordinator of group '" + group + "'");
            if (answer.error_code == 0) {
                coordinator_node node{answer.node_id, answer.host, answer.port};
                coordinators_[group] = node;
                return node;
            }
            last_error = answer.error_code;
            last_message = answer.error_message;
            if (!retriable_coordinator_error(answer.error_code)) break;
        }
        throw tool_error("Could not find the coordinator of group '" + group + "': " +
                         error_text(last_error, last_message));
    }

    template <typename Request>
    using error_of_t = std::function<std::int16_t(const client::response_for_t<Request>&)>;

    // Sends a group request to the group's coordinator, finding it again
    // while `error_of` reports that it moved or is loading.
    template <typename Request>
    client::response_for_t<Request> to_coordinator(const std::string& group, const Request& request,
                                                   const error_of_t<Request>& error_of, std::string_view doing,
                                                   std::optional<std::int16_t> version = {}) {
        for (int attempt = 0;; ++attempt) {
            if (attempt > 0) back_off(attempt);
            const auto node = coordinator(group, attempt > 0);
            auto response = client_.send_to_node(node.id, request, version);
            auto& answer = require(response, doing);
            if (!retriable_coordinator_error(error_of(answer)) || attempt + 1 == attempts) return std::move(answer);
        }
    }

    group_description describe(const std::string& group) {
        messages::DescribeGroupsRequest request;
        request.groups = {group};
        auto answer = to_coordinator<messages::DescribeGroupsRequest>(
            group, request,
            [](const messages::DescribeGroupsResponse& r) {
                return r.groups.empty() ? std::int16_t{0} : r.groups.front().error_code;
            },
            "describing group '" + group + "'");
        if (answer.groups.size() != 1) throw tool_error("The coordinator did not describe group '" + group + "'");
        const auto& described = answer.groups.front();
        if (described.error_code != 0) {
            throw tool_error("Describing group '" + group + "' failed: " + error_text(described.error_code));
        }
        group_description out;
        out.group = group;
        out.state = described.group_state;
        out.protocol_type = described.protocol_type;
        out.assignor = described.protocol_data;
        out.coordinator = coordinator(group);
        for (const auto& m : described.members) {
            auto& member = out.members.emplace_back();
            member.id = m.member_id;
            member.instance_id = m.group_instance_id;
            member.client_id = m.client_id;
            member.host = m.client_host;
            if (described.protocol_type == "consumer") member.assignment = decode_assignment(m.member_assignment);
        }
        return out;
    }

    // The group's committed offsets (partitions without one are left out).
    std::map<topic_partition, std::int64_t> committed(const std::string& group) {
        messages::OffsetFetchRequest request;
        request.group_id = group;
        request.topics.reset();  // all topics
        auto answer = to_coordinator<messages::OffsetFetchRequest>(
            group, request, [](const messages::OffsetFetchResponse& r) { return r.error_code; },
            "fetching the committed offsets of group '" + group + "'", offset_fetch_version);
        if (answer.error_code != 0 && answer.error_code != code(error_code::group_id_not_found)) {
            throw tool_error("Fetching the offsets of group '" + group + "' failed: " + error_text(answer.error_code));
        }
        std::map<topic_partition, std::int64_t> out;
        for (const auto& topic : answer.topics) {
            for (const auto& p : topic.partitions) {
                if (p.error_code == 0 && p.committed_offset >= 0) {
                    out[topic_partition{topic.name, p.partition_index}] = p.committed_offset;
                }
            }
        }
        return out;
    }

    // ListOffsets at `timestamp` (-1 latest, -2 earliest) from each
    // partition's leader; partitions that could not be answered are absent,
    // as are (for a real timestamp) those with no such offset.
    std::map<topic_partition, std::int64_t> list_offsets(const std::set<topic_partition>& partitions,
                                                         std::int64_t timestamp) {
        std::map<topic_partition, std::int64_t> out;
        if (partitions.empty()) return out;
        const auto view = topics_metadata(partitions);
        std::map<std::int32_t, messages::ListOffsetsRequest> by_leader;
        for (const auto& tp : partitions) {
            const auto leader = view.leader_of(tp.first, tp.second);
            if (!leader) continue;
            auto& request = by_leader[*leader];
            request.replica_id = -1;
            if (request.topics.empty() || request.topics.back().name != tp.first) {
                request.topics.emplace_back().name = tp.first;
            }
            auto& partition = request.topics.back().partitions.emplace_back();
            partition.partition_index = tp.second;
            partition.timestamp = timestamp;
        }
        for (const auto& [leader, request] : by_leader) {
            auto response = client_.send_to_node(leader, request);
            if (!response) continue;  // shown as unknown ("-")
            for (const auto& topic : response->topics) {
                for (const auto& p : topic.partitions) {
                    if (p.error_code == 0 && p.offset >= 0) {
                        out[topic_partition{topic.name, p.partition_index}] = p.offset;
                    }
                }
            }
        }
        return out;
    }

    // The partitions of `topic`; tool_error when it does not exist.
    std::vector<std::int32_t> partitions_of(const std::string& topic) {
        auto response = client_.metadata(std::vector<std::string>{topic});
        const auto& view = require(response, "fetching metadata");
        const auto* found = view.find_topic(topic);
        if (found == nullptr || found->error_code != 0) {
            throw tool_error("Topic '" + topic + "' does not exist.");  // UnknownTopicOrPartitionException
        }
        std::vector<std::int32_t> out;
        for (const auto& p : found->partitions) out.push_back(p.partition);
        std::sort(out.begin(), out.end());
        return out;
    }

    // Every consumer group id (protocol type "consumer" or none, as Kafka's
    // admin client lists them) and its state, from every broker.
    std::map<std::string, std::string> list_groups() {
        auto refreshed = client_.metadata(std::vector<std::string>{});
        require(refreshed, "fetching metadata");
        std::map<std::string, std::string> out;
        for (const auto& broker : client_.cached_metadata().brokers) {
            messages::ListGroupsRequest request;
            auto response = client_.send_to_node(broker.node_id, request);
            const auto& answer = require(response, "listing groups on broker " + std::to_string(broker.node_id));
            if (answer.error_code != 0) {
                throw tool_error("Listing groups on broker " + std::to_string(broker.node_id) +
                                 " failed: " + error_text(answer.error_code));
            }
            for (const auto& g : answer.groups) {
                if (g.protocol_type.empty() || g.protocol_type == "consumer") out[g.group_id] = g.group_state;
            }
        }
        return out;
    }

    client::blocking_client& client() { return client_; }

private:
    static constexpr int attempts = 10;

    static void back_off(int attempt) {
        // 100 ms, doubling, at most 1 s: about 7 s in all.
        const auto pause = std::min(1000, 100 << std::min(attempt - 1, 4));
        std::this_thread::sleep_for(std::chrono::milliseconds(pause));
    }

    client::cluster_view topics_metadata(const std::set<topic_partition>& partitions) {
        std::set<std::string> names;
        for (const auto& tp : partitions) names.insert(tp.first);
        auto response = client_.metadata(std::vector<std::string>(names.begin(), names.end()));
        return require(response, "fetching metadata");
    }

    // A consumer-protocol assignment: int16 version, then the struct. Newer
    // versions only add fields after ours. Nothing when it does not decode.
    static std::vector<topic_partition> decode_assignment(const wire::bytes& data) {
        std::vector<topic_partition> out;
        if (data.empty()) return out;
        wire::reader in(data);
        const std::int16_t version = in.read_int16();
        if (!in.ok() || version < 0) return out;
        messages::ConsumerProtocolAssignment assignment;
        if (assignment.decode(in, std::min(version, messages::ConsumerProtocolAssignment::highest_version)) !=
            wire::errc::ok) {
            return out;
        }
        for (const auto& topic : assignment.assigned_partitions) {
            for (const auto p : topic.partitions) out.emplace_back(topic.topic, p);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    client::blocking_client& client_;
    std::map<std::string, coordinator_node> coordinators_;
};

// ---------------------------------------------------------------------------
// Output helpers.

// Kafka's printError: a blank line, then "Error: ..." on stdout.
void print_error(const std::string& message) { std::cout << "\nError: " << message << std::endl; }

void print_table(const table& rows) {
    std::cout << "\n";
    rows.print(std::cout);
}

std::string value_or_missing(const std::optional<std::int64_t>& value) {
    return value ? std::to_string(*value) : std::string(missing);
}

std::vector<std::string> target_groups(cluster& brokers, const group_command& command) {
    if (!command.all_groups) {
        // Kafka keeps the order given; repeated names once.
        std::vector<std::string> out;
        for (const auto& g : command.groups) {
            if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
        }
        return out;
    }
    std::vector<std::string> out;
    for (const auto& entry : brokers.list_groups()) out.push_back(entry.first);
    return out;
}

// Kafka's shouldPrintMemberState: notes on stderr; false for a group that
// does not exist (reported as an error).
bool report_state(const group_description& group) {
    if (group.state == "Dead") {
        print_error("Consumer group '" + group.group + "' does not exist.");
        return false;
    }
    if (group.state == "Empty") {
        std::cerr << "\nConsumer group '" << group.group << "' has no active members." << std::endl;
    } else if (group.state == "PreparingRebalance" || group.state == "CompletingRebalance" ||
               group.state == "Assigning" || group.state == "Reconciling") {
        std::cerr << "\nWarning: Consumer group '" << group.group << "' is rebalancing." << std::endl;
    }
    return true;
}

// ---------------------------------------------------------------------------
// --list

int list_groups(cluster& brokers, const group_command& command) {
    const auto groups = brokers.list_groups();
    if (!command.state) {
        for (const auto& entry : groups) std::cout << entry.first << "\n";
        return 0;
    }
    const auto states = command.state->empty() ? std::set<std::string>{} : parse_states(*command.state);
    table rows({"GROUP", "STATE"});
    for (const auto& [group, state] : groups) {
        if (states.empty() || states.count(state) != 0) rows.add({group, state});
    }
    rows.print(std::cout);
    return 0;
}

// ---------------------------------------------------------------------------
// --describe

int describe_offsets(cluster& brokers, const group_description& group) {
    const auto committed = brokers.committed(group.group);
    struct row {
        topic_partition tp;
        std::string consumer_id = std::string(missing), host = std::string(missing),
                    client_id = std::string(missing);
    };
    std::vector<row> rows;
    std::set<topic_partition> assigned;
    // Members with the most partitions first, as Kafka lists them.
    auto members = group.members;
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b) { return a.assignment.size() > b.assignment.size(); });
    for (const auto& member : members) {
        for (const auto& tp : member.assignment) {
            assigned.insert(tp);
            rows.push_back({tp, member.id, member.host, member.client_id});
        }
    }
    for (const auto& [tp, offset] : committed) {
        if (assigned.count(tp) == 0) rows.push_back({tp});
    }
    if (rows.empty()) return 0;  // Kafka prints nothing for a group without partitions

    std::set<topic_partition> partitions;
    for (const auto& r : rows) partitions.insert(r.tp);
    const auto log_end = brokers.list_offsets(partitions, latest_timestamp);

    table out({"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
               "CLIENT-ID"});
    for (const auto& r : rows) {
        std::optional<std::int64_t> current, end, lag;
        if (const auto it = committed.find(r.tp); it != committed.end()) current = it->second;
        if (const auto it = log_end.find(r.tp); it != log_end.end()) end = it->second;
        if (current && end) lag = *end - *current;
        out.add({group.group, r.tp.first, std::to_string(r.tp.second), value_or_missing(current),
                 value_or_missing(end), value_or_missing(lag), r.consumer_id, r.host, r.client_id});
    }
    print_table(out);
    return 0;
}

// "topic(0,1), other(2)" as Kafka's --members --verbose shows an assignment.
std::string assignment_text(const std::vector<topic_partition>& assignment) {
    if (assignment.empty()) return std::string(missing);
    std::map<std::string, std::vector<std::int32_t>> by_topic;
    for (const auto& [topic, partition] : assignment) by_topic[topic].push_back(partition);
    std::string text;
    for (auto& [topic, list] : by_topic) {
        std::sort(list.begin(), list.end());
        text += (text.empty() ? "" : ", ") + topic + "(" + join_ints(list) + ")";
    }
    return text;
}

void describe_members(const group_description& group, bool verbose) {
    const bool with_instance = std::any_of(group.members.begin(), group.members.end(),
                                           [](const auto& m) { return m.instance_id.has_value(); });
    std::vector<std::string> header{"GROUP", "CONSUMER-ID"};
    if (with_instance) header.emplace_back("GROUP-INSTANCE-ID");
    header.insert(header.end(), {"HOST", "CLIENT-ID", "#PARTITIONS"});
    if (verbose) header.emplace_back("ASSIGNMENT");
    table out(header);
    for (const auto& member : group.members) {
        std::vector<std::string> row{group.group, member.id};
        if (with_instance) row.push_back(member.instance_id.value_or(""));
        row.insert(row.end(), {member.host, member.client_id, std::to_string(member.assignment.size())});
        if (verbose) row.push_back(assignment_text(member.assignment));
        out.add(std::move(row));
    }
    print_table(out);
}

void describe_state(const group_description& group) {
    const std::string coordinator = group.coordinator.host + ":" + std::to_string(group.coordinator.port) + "  (" +
                                    std::to_string(group.coordinator.id) + ")";
    table out({"GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"});
    out.add({group.group, coordinator, group.assignor, group.state, std::to_string(group.members.size())});
    print_table(out);
}

int describe_groups(cluster& brokers, const group_command& command) {
    auto groups = target_groups(brokers, command);
    std::sort(groups.begin(), groups.end());  // Kafka reports groups in name order
    int status = 0;
    for (const auto& name : groups) {
        const auto group = brokers.describe(name);
        if (!report_state(group)) {
            status = 1;
            continue;
        }
        if (command.members) {
            describe_members(group, command.verbose);
        } else if (command.state) {
            describe_state(group);
        } else {
            describe_offsets(brokers, group);
        }
    }
    return status;
}

// ---------------------------------------------------------------------------
// --reset-offsets

// topic or topic:0,1,2 (Kafka's parseTopicsWithPartitions).
std::vector<topic_partition> scope_partitions(cluster& brokers, const std::vector<std::string>& topics) {
    std::vector<topic_partition> out;
    for (const auto& argument : topics) {
        const auto colon = argument.find(':');
        if (colon == std::string::npos) {
            for (const auto p : brokers.partitions_of(argument)) out.emplace_back(argument, p);
            continue;
        }
        const std::string topic = argument.substr(0, colon);
        const auto list = split_list(std::string_view(argument).substr(colon + 1));
        if (topic.empty() || list.empty() || argument.find(':', colon + 1) != std::string::npos) {
            throw usage_error("Invalid topic arg '" + argument + "', expected topic name and partitions");
        }
        for (const auto& partition : list) {
            const auto number = parse_int(partition);
            if (!number || *number < 0 || *number > std::numeric_limits<std::int32_t>::max()) {
                throw usage_error("Invalid partition '" + partition + "' specified in topic arg '" + argument + "'");
            }
            out.emplace_back(topic, static_cast<std::int32_t>(*number));
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Kafka's checkOffsetsRange: requested offsets clamped to [log start, log end].
std::map<topic_partition, std::int64_t> clamp_to_log(cluster& brokers,
                                                     const std::map<topic_partition, std::int64_t>& requested) {
    std::set<topic_partition> partitions;
    for (const auto& entry : requested) partitions.insert(entry.first);
    const auto starts = brokers.list_offsets(partitions, earliest_timestamp);
    const auto ends = brokers.list_offsets(partitions, latest_timestamp);
    std::map<topic_partition, std::int64_t> out;
    for (const auto& [tp, offset] : requested) {
        const auto end = ends.find(tp);
        const auto start = starts.find(tp);
        if (end == ends.end() || start == starts.end()) {
            throw tool_error("Error getting the offsets of topic partition " + str(tp) +
                             " (does the partition exist and have a leader?)");
        }
        std::int64_t chosen = offset;
        if (offset > end->second) {
            std::cerr << "WARN New offset (" << offset << ") is higher than latest offset for topic partition "
                      << str(tp) << ". Value will be set to " << end->second << "\n";
            chosen = end->second;
        } else if (offset < start->second) {
            std::cerr << "WARN New offset (" << offset << ") is lower than earliest offset for topic partition "
                      << str(tp) << ". Value will be set to " << start->second << "\n";
            chosen = start->second;
        }
        out[tp] = chosen;
    }
    return out;
}

std::map<topic_partition, std::int64_t> log_offsets_or_fail(cluster& brokers, const std::vector<topic_partition>& tps,
                                                            std::int64_t timestamp, std::string_view which) {
    const auto offsets = brokers.list_offsets({tps.begin(), tps.end()}, timestamp);
    std::map<topic_partition, std::int64_t> out;
    for (const auto& tp : tps) {
        const auto it = offsets.find(tp);
        if (it == offsets.end()) {
            throw tool_error("Error getting " + std::string(which) + " offset of topic partition: " + str(tp));
        }
        out[tp] = it->second;
    }
    return out;
}

// The first offset at or after `timestamp`; the log end where there is none.
std::map<topic_partition, std::int64_t> offsets_for_time(cluster& brokers, const std::vector<topic_partition>& tps,
                                                         std::int64_t timestamp) {
    auto found = brokers.list_offsets({tps.begin(), tps.end()}, timestamp);
    std::vector<topic_partition> missing_ones;
    for (const auto& tp : tps) {
        if (found.count(tp) == 0) {
            std::cerr << "\nWarn: Partition " << tp.second << " from topic " << tp.first
                      << " is empty. Falling back to latest known offset.\n";
            missing_ones.push_back(tp);
        }
    }
    for (const auto& [tp, offset] : log_offsets_or_fail(brokers, missing_ones, latest_timestamp, "ending")) {
        found[tp] = offset;
    }
    std::map<topic_partition, std::int64_t> out;
    for (const auto& tp : tps) out[tp] = found.at(tp);
    return out;
}

std::map<topic_partition, std::int64_t> plan_reset(cluster& brokers, const group_command& command,
                                                   const std::string& group, const std::vector<topic_partition>& tps) {
    if (command.to_offset) {
        std::map<topic_partition, std::int64_t> requested;
        for (const auto& tp : tps) requested[tp] = *command.to_offset;
        return clamp_to_log(brokers, requested);
    }
    if (command.to_earliest) return log_offsets_or_fail(brokers, tps, earliest_timestamp, "starting");
    if (command.to_latest) return log_offsets_or_fail(brokers, tps, latest_timestamp, "ending");
    if (command.shift_by) {
        const auto current = brokers.committed(group);
        std::map<topic_partition, std::int64_t> requested;
        for (const auto& tp : tps) {
            const auto it = current.find(tp);
            if (it == current.end()) {
                throw usage_error("Cannot shift offset for partition " + str(tp) +
                                  " since there is no current committed offset");
            }
            requested[tp] = it->second + *command.shift_by;
        }
        return clamp_to_log(brokers, requested);
    }
    if (command.to_datetime) return offsets_for_time(brokers, tps, parse_datetime(*command.to_datetime));
    if (command.by_duration) return offsets_for_time(brokers, tps, now_ms() - parse_duration(*command.by_duration));
    // --to-current: the committed offset, or the log end where there is none.
    const auto current = brokers.committed(group);
    std::map<topic_partition, std::int64_t> out;
    std::vector<topic_partition> uncommitted;
    for (const auto& tp : tps) {
        if (const auto it = current.find(tp); it != current.end()) {
            out[tp] = it->second;
        } else {
            uncommitted.push_back(tp);
        }
    }
    for (const auto& [tp, offset] : log_offsets_or_fail(brokers, uncommitted, latest_timestamp, "ending")) {
        out[tp] = offset;
    }
    return out;
}

// OffsetCommit as an admin (generation -1, no member), as Kafka's
// alterConsumerGroupOffsets does.
void commit_offsets(cluster& brokers, const std::string& group,
                    const std::map<topic_partition, std::int64_t>& offsets) {
    messages::OffsetCommitRequest request;
    request.group_id = group;
    request.generation_id_or_member_epoch = -1;
    for (const auto& [tp, offset] : offsets) {
        if (request.topics.empty() || request.topics.back().name != tp.first) {
            request.topics.emplace_back().name = tp.first;
        }
        auto& partition = request.topics.back().partitions.emplace_back();
        partition.partition_index = tp.second;
        partition.committed_offset = offset;
    }
    const auto first_error = [](const messages::OffsetCommitResponse& r) -> std::int16_t {
        for (const auto& t : r.topics) {
            for (const auto& p : t.partitions) {
                if (p.error_code != 0) return p.error_code;
            }
        }
        return 0;
    };
    const auto answer = brokers.to_coordinator<messages::OffsetCommitRequest>(
        group, request, first_error, "committing the offsets of group '" + group + "'");
    if (const auto error = first_error(answer); error != 0) {
        throw tool_error("Committing the offsets of group '" + group + "' failed: " + error_text(error));
    }
}

int reset_offsets(cluster& brokers, const group_command& command) {
    const bool execute = command.execute;
    int status = 0;
    table out({"GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"});
    auto groups = target_groups(brokers, command);
    std::sort(groups.begin(), groups.end());
    for (const auto& group : groups) {
        const auto description = brokers.describe(group);
        if (description.state != "Empty" && description.state != "Dead") {
            print_error("Assignments can only be reset if the group '" + group +
                        "' is inactive, but the current state is " + description.state + ".");
            status = 1;
            continue;
        }
        std::vector<topic_partition> tps;
        if (command.all_topics) {
            for (const auto& entry : brokers.committed(group)) tps.push_back(entry.first);
        } else {
            tps = scope_partitions(brokers, command.topics);
        }
        const auto plan = plan_reset(brokers, command, group, tps);
        if (execute && !plan.empty()) commit_offsets(brokers, group, plan);
        for (const auto& [tp, offset] : plan) {
            out.add({group, tp.first, std::to_string(tp.second), std::to_string(offset)});
        }
    }
    if (out.rows() > 0) print_table(out);
    return status;
}

// ---------------------------------------------------------------------------
// --delete

int delete_groups(cluster& brokers, const group_command& command) {
    const auto groups = target_groups(brokers, command);
    std::vector<std::string> deleted;
    std::vector<std::pair<std::string, std::string>> failed;
    for (const auto& group : groups) {
        messages::DeleteGroupsRequest request;
        request.groups_names = {group};
        const auto error_of = [](const messages::DeleteGroupsResponse& r) {
            return r.results.empty() ? std::int16_t{0} : r.results.front().error_code;
        };
        const auto answer = brokers.to_coordinator<messages::DeleteGroupsRequest>(group, request, error_of,
                                                                                  "deleting group '" + group + "'");
        if (answer.results.empty()) {
            failed.emplace_back(group, "The coordinator did not answer for this group.");
        } else if (const auto error = error_of(answer); error != 0) {
            failed.emplace_back(group, error_text(error));
        } else {
            deleted.push_back(group);
        }
    }
    const auto quoted = [](const std::vector<std::string>& names) {
        std::string text;
        for (const auto& name : names) text += (text.empty() ? "'" : ", '") + name + "'";
        return text;
    };
    if (failed.empty()) {
        std::cout << "Deletion of requested consumer groups (" << quoted(deleted) << ") was successful.\n";
        return 0;
    }
    print_error("Deletion of some consumer groups failed:");
    for (const auto& [group, why] : failed) {
        std::cout << "* Group '" << group << "' could not be deleted due to: " << why << "\n";
    }
    if (!deleted.empty()) std::cout << "\nThese consumer groups were deleted successfully: " << quoted(deleted) << "\n";
    return 1;
}

// ---------------------------------------------------------------------------
// --delete-offsets

int delete_offsets(cluster& brokers, const group_command& command) {
    const std::string& group = command.groups.front();
    // Partition -1: a topic that could not be described ("Not Provided").
    std::map<topic_partition, std::optional<std::string>> results;
    std::set<topic_partition> requested;
    for (const auto& argument : command.topics) {
        if (argument.find(':') != std::string::npos) {
            for (const auto& tp : scope_partitions(brokers, {argument})) requested.insert(tp);
            continue;
        }
        try {
            for (const auto p : brokers.partitions_of(argument)) requested.emplace(argument, p);
        } catch (const tool_error&) {
            results[topic_partition{argument, -1}] = error_text(code(error_code::unknown_topic_or_partition));
        }
    }

    std::int16_t top_level = 0;
    if (!requested.empty()) {
        messages::OffsetDeleteRequest request;
        request.group_id = group;
        for (const auto& tp : requested) {
            if (request.topics.empty() || request.topics.back().name != tp.first) {
                request.topics.emplace_back().name = tp.first;
            }
            request.topics.back().partitions.emplace_back().partition_index = tp.second;
        }
        const auto answer = brokers.to_coordinator<messages::OffsetDeleteRequest>(
            group, request, [](const messages::OffsetDeleteResponse& r) { return r.error_code; },
            "deleting offsets of group '" + group + "'");
        top_level = answer.error_code;
        for (const auto& tp : requested) results[tp] = error_text(code(error_code::unknown_topic_or_partition));
        if (top_level != 0) {
            for (const auto& tp : requested) results[tp] = error_text(top_level);
        } else {
            for (const auto& topic : answer.topics) {
                for (const auto& p : topic.partitions) {
                    std::optional<std::string> outcome;
                    if (p.error_code != 0) {
                        outcome = error_text(p.error_code);
                        if (top_level == 0) top_level = p.error_code;  // what Kafka's all() reports
                    }
                    results[topic_partition{topic.name, p.partition_index}] = outcome;
                }
            }
        }
    }
    const bool any_failed =
        std::any_of(results.begin(), results.end(), [](const auto& r) { return r.second.has_value(); });
    if (top_level == 0 && any_failed) top_level = code(error_code::unknown_topic_or_partition);

    std::string topics_text;
    for (const auto& t : command.topics) topics_text += (topics_text.empty() ? "" : ", ") + t;
    switch (static_cast<error_code>(top_level)) {
        case error_code::none:
            std::cout << "Request succeed for deleting offsets with topic " << topics_text << " group " << group
                      << "\n";
            break;
        case error_code::invalid_group_id: print_error("'" + group + "' is not valid."); break;
        case error_code::group_id_not_found: print_error("'" + group + "' does not exist."); break;
        case error_code::group_authorization_failed: print_error("Access to '" + group + "' is not authorized."); break;
        case error_code::non_empty_group:
            print_error("Deleting offsets of a consumer group '" + group + "' is forbidden if the group is not empty.");
            break;
        case error_code::group_subscribed_to_topic:
        case error_code::topic_authorization_failed:
        case error_code::unknown_topic_or_partition:
            print_error("Encounter some partition level error, see the follow-up details:");
            break;
        default: print_error("Encounter some unknown error: " + std::string(kafka_error_name(top_level)));
    }
    table out({"TOPIC", "PARTITION", "STATUS"});
    for (const auto& [tp, outcome] : results) {
        out.add({tp.first, tp.second >= 0 ? std::to_string(tp.second) : "Not Provided",
                 outcome ? "Error: " + *outcome : "Successful"});
    }
    print_table(out);
    return top_level == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------

int run(int argc, char** argv) {
    group_command command;
    const auto options = describe_options(command);
    if (argc <= 1) {
        throw usage_error(
            "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, "
            "or reset consumer group offsets.");
    }
    auto arguments = join_option_values(argc, argv);
    std::vector<char*> pointers;
    for (auto& argument : arguments) pointers.push_back(argument.data());
    const auto values = parse_command_line(static_cast<int>(pointers.size()), pointers.data(), options);
    if (command.common.help) {
        std::cout << options << "\n";
        return 0;
    }
    check_arguments(values, command);

    client::blocking_client client(make_client_options(command.common));
    cluster brokers(client);
    if (command.list) return list_groups(brokers, command);
    if (command.describe) return describe_groups(brokers, command);
    if (command.remove) return delete_groups(brokers, command);
    if (command.reset_offsets) return reset_offsets(brokers, command);
    return delete_offsets(brokers, command);
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    using namespace brook::tools;
    return tool_main<group_command>(argc, argv, "\nError: Executing consumer group command failed due to ", run,
                                    &std::cout);
}
