#pragma once
// What every Brook administration tool shares (brook-topics,
// brook-consumer-groups, brook-configs, the console producer and consumer):
// the common flags (--bootstrap-server, --command-config, --help), client
// properties, readable errors with Kafka's wording, Java-style include
// regexes, and column output. Tools are shaped like Kafka's scripts, so
// people's habits and scripts carry over: same flags, same output layout,
// exit code 1 on any failure.

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "brook/client/blocking_client.h"
#include "brook/client/kafka_client.h"

namespace brook::tools {

namespace po = boost::program_options;

// A failure to report to the user: run_tool prints "Error: <what>" (or the
// tool's own prefix) on stderr and exits 1.
struct tool_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A request that cannot be carried out, worded completely: printed as it is
// on stderr (no prefix, no usage), exit 1.
struct plain_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A command line that does not make sense: printed with the usage.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr std::string_view default_bootstrap = "127.0.0.1:9092";

// The flags every tool takes.
struct common_options {
    std::string bootstrap_server{default_bootstrap};
    std::string command_config;  // a properties file of client settings, or empty
    bool help = false;
};
void add_common_options(po::options_description& description, common_options& options);

// Client properties from --command-config (and the tool's own
// --producer-property / --consumer-property style flags), as Kafka's clients
// name them.
using client_properties = std::map<std::string, std::string>;
// Reads a properties file; tool_error naming the file and line when it does
// not parse or cannot be read.
client_properties load_client_properties(const std::string& path);

// Properties from a file (none when `file` is empty), then `key=value`
// entries (repeated --property style flags) on top.
client_properties merged_properties(const std::string& file, const std::vector<std::string>& entries);

// A Kafka boolean property: "true" in any case, surrounding blanks ignored.
bool is_true(std::string_view value);

// The internal client's options for `bootstrap` and the properties the
// internal client understands (client.id, request.timeout.ms,
// default.api.timeout.ms, retry.backoff.ms, retry.backoff.max.ms, retries,
// socket.connection.setup.timeout.ms). Others are reported on stderr the way
// Kafka's clients log them ("... was supplied but isn't a known config."),
// because a tool cannot act on them; tool_error on a malformed number.
client::client_options make_client_options(const std::string& bootstrap, const client_properties& properties);

// The internal client's options from the common flags (--bootstrap-server,
// --command-config).
client::client_options make_client_options(const common_options& common);

// SIGINT and SIGTERM set a flag instead of ending the process, so a tool can
// finish cleanly (send what is pending, leave its group). Without
// SA_RESTART, so a signal also wakes a blocking poll().
void install_stop_signals();
bool stop_requested() noexcept;
// SIGPIPE ignored: writing to a closed pipe or socket (stdout gone, a peer
// hung up under sendfile) is then an EPIPE the tool reports, not a kill.
void ignore_broken_pipes();

// Parses argv against `description`; usage_error on unknown flags, missing
// values or a bad number. Positional arguments are refused.
po::variables_map parse_command_line(int argc, char** argv, const po::options_description& description);

// Parses a tool's command line: usage_error(`purpose`) when there are no
// arguments at all (Kafka's tools print their usage then); nothing when
// --help was given (the help is printed on stdout).
std::optional<po::variables_map> parse_or_help(int argc, char** argv, const po::options_description& description,
                                               const common_options& common, std::string_view purpose);

// Runs a tool's body: usage errors print the message and `usage` on stderr
// and exit 1, plain errors print their message on stderr and exit 1, tool errors print `error_prefix` + message on `error_stream`
// (Kafka's topic command, for one, prints them on stdout) and exit 1,
// anything else prints "Error: <what>" there and exits 1.
int run_tool(int argc, char** argv, std::string_view error_prefix,
             const std::function<int(int, char**)>& body, const std::function<void(std::ostream&)>& usage,
             std::ostream* error_stream = nullptr);

// The main() of a tool whose options come from describe_options(Command&):
// run_tool with that usage.
template <typename Command>
int tool_main(int argc, char** argv, std::string_view error_prefix, int (*body)(int, char**),
              std::ostream* error_stream = nullptr) {
    Command for_usage;
    const auto usage = describe_options(for_usage);
    return run_tool(argc, argv, error_prefix, body, [&](std::ostream& out) { out << usage << "\n"; }, error_stream);
}

// ---------------------------------------------------------------------------
// Kafka errors, worded for people.

// Kafka's sentence for an error code, with the broker's message when it sent
// one: "Topic 'x' already exists." for TOPIC_ALREADY_EXISTS with the broker's
// message, else the error's own description.
std::string kafka_error_text(std::int16_t code, const std::optional<std::string>& broker_message = {});
// The constant's name, e.g. UNKNOWN_TOPIC_OR_PARTITION.
std::string_view kafka_error_name(std::int16_t code);

// Throws tool_error for a client failure (connection refused, timeout, ...),
// naming what the tool was doing.
template <typename T>
T& require(client::result<T>& result, std::string_view doing) {
    if (!result) throw tool_error(std::string(doing) + ": " + result.message());
    return *result;
}

// ---------------------------------------------------------------------------
// Values on the command line.

// "k=v,k2=v2" (Kafka's --add-config), keeping values that contain '=' and
// square-bracketed lists "k=[a,b]" whole. usage_error on an entry without '='.
std::vector<std::pair<std::string, std::string>> parse_key_value_list(std::string_view text);
// "k=v" (one --config / --property entry); usage_error without '='.
std::pair<std::string, std::string> parse_key_value(std::string_view text);
// "a,b,c" with empty entries dropped.
std::vector<std::string> split_list(std::string_view text, char separator = ',');
// A whole decimal int64 ("12", "-3"); nothing when it is not one.
std::optional<std::int64_t> parse_int(std::string_view text);

// Kafka's topic/group include lists are Java regexes matched against the
// whole name. Literal names (no regex metacharacters other than '.') are
// also exact names, which is what people type. As in Kafka's IncludeList,
// commas mean "or" ("a,b" is "a|b"), spaces and surrounding quotes go.
class name_pattern {
public:
    // usage_error when the regex does not compile.
    explicit name_pattern(const std::string& pattern);
    bool matches(const std::string& name) const;
    // Whether the pattern is a plain name (no metacharacters but '.').
    bool is_literal() const noexcept { return literal_; }
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
    std::regex regex_;
    bool literal_ = false;
};

// ---------------------------------------------------------------------------
// Output.

// Left-aligned columns separated by one space, each as wide as its widest
// cell (header included), as kafka-consumer-groups.sh prints them.
class table {
public:
    explicit table(std::vector<std::string> header) : rows_{std::move(header)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    std::size_t rows() const noexcept { return rows_.size() - 1; }
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

// "1,2,3" for replica lists.
std::string join_ints(const std::vector<std::int32_t>& values, std::string_view separator = ",");

}  // namespace brook::tools
