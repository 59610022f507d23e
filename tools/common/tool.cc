#include "tool.h"

#include <signal.h>

#include <cctype>
#include <charconv>
#include <csignal>
#include <iostream>
#include <sstream>

#include "brook/config/properties.h"
#include "brook/messages/error_codes.h"

namespace brook::tools {

void add_common_options(po::options_description& description, common_options& options) {
    description.add_options()
        ("bootstrap-server", po::value(&options.bootstrap_server)->value_name("host:port"),
         "REQUIRED in Kafka, defaulted here: the server(s) to connect to (default 127.0.0.1:9092).")
        ("command-config", po::value(&options.command_config)->value_name("file"),
         "A properties file of client settings (client.id, request.timeout.ms, ...).")
        ("help", po::bool_switch(&options.help), "Print usage information.");
}

client_properties load_client_properties(const std::string& path) {
    auto loaded = config::properties::load(path);
    if (!loaded) throw tool_error(loaded.error());
    client_properties properties;
    for (const auto& entry : loaded->entries()) properties[entry.key] = entry.value;
    return properties;
}

namespace {

std::chrono::milliseconds milliseconds_property(const std::string& key, const std::string& value) {
    const auto parsed = parse_int(value);
    if (!parsed || *parsed < 0) throw tool_error("Invalid value " + value + " for configuration " + key);
    return std::chrono::milliseconds(*parsed);
}

}  // namespace

client::client_options make_client_options(const std::string& bootstrap, const client_properties& properties) {
    client::client_options options;
    options.bootstrap_servers = bootstrap;
    if (auto parsed = client::parse_bootstrap_servers(bootstrap); !parsed) {
        throw usage_error("Invalid --bootstrap-server '" + bootstrap + "': " + parsed.message());
    }
    for (const auto& [key, value] : properties) {
        if (key == "client.id") {
            options.client_id = value;
        } else if (key == "request.timeout.ms" || key == "default.api.timeout.ms") {
            options.request_timeout = milliseconds_property(key, value);
        } else if (key == "socket.connection.setup.timeout.ms") {
            options.connect_timeout = milliseconds_property(key, value);
        } else if (key == "retry.backoff.ms") {
            options.retry_backoff = milliseconds_property(key, value);
        } else if (key == "retry.backoff.max.ms") {
            options.retry_backoff_max = milliseconds_property(key, value);
        } else if (key == "retries") {
            const auto parsed = parse_int(value);
            if (!parsed || *parsed < 0) throw tool_error("Invalid value " + value + " for configuration retries");
            options.max_attempts = static_cast<int>(std::min<std::int64_t>(*parsed, 100) + 1);
        } else if (key == "bootstrap.servers") {
            // --bootstrap-server wins, as in Kafka's tools.
        } else {
            std::cerr << "WARN The configuration '" << key << "' was supplied but isn't a known config.\n";
        }
    }
    return options;
}

client::client_options make_client_options(const common_options& common) {
    client_properties properties;
    if (!common.command_config.empty()) properties = load_client_properties(common.command_config);
    return make_client_options(common.bootstrap_server, properties);
}

client_properties merged_properties(const std::string& file, const std::vector<std::string>& entries) {
    client_properties properties;
    if (!file.empty()) properties = load_client_properties(file);
    for (const auto& entry : entries) {
        auto [key, value] = parse_key_value(entry);
        properties[key] = value;
    }
    return properties;
}

bool is_true(std::string_view value) {
    std::string trimmed;
    for (const char c : value) {
        if (c != ' ' && c != '\t') trimmed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return trimmed == "true";
}

namespace {

volatile std::sig_atomic_t stop_flag = 0;
extern "C" void on_stop_signal(int) { stop_flag = 1; }

}  // namespace

void install_stop_signals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a signal wakes poll()
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() noexcept { return stop_flag != 0; }

void ignore_broken_pipes() { ::signal(SIGPIPE, SIG_IGN); }

po::variables_map parse_command_line(int argc, char** argv, const po::options_description& description) {
    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv).options(description).run(), values);
        po::notify(values);
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    return values;
}

std::optional<po::variables_map> parse_or_help(int argc, char** argv, const po::options_description& description,
                                               const common_options& common, std::string_view purpose) {
    if (argc <= 1) throw usage_error(std::string(purpose));
    auto values = parse_command_line(argc, argv, description);
    if (!common.help) return values;
    std::cout << description << "\n";
    return std::nullopt;
}

int run_tool(int argc, char** argv, std::string_view error_prefix, const std::function<int(int, char**)>& body,
             const std::function<void(std::ostream&)>& usage, std::ostream* error_stream) {
    std::ostream& errors = error_stream != nullptr ? *error_stream : std::cerr;
    try {
        return body(argc, argv);
    } catch (const usage_error& e) {
        std::cerr << e.what() << "\n";
        usage(std::cerr);
        return 1;
    } catch (const plain_error& e) {
        std::cerr << e.what() << std::endl;
        return 1;
    } catch (const tool_error& e) {
        errors << error_prefix << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        errors << "Error: " << e.what() << std::endl;
        return 1;
    }
}

std::string kafka_error_text(std::int16_t code, const std::optional<std::string>& broker_message) {
    if (broker_message && !broker_message->empty()) return *broker_message;
    const auto& info = messages::describe(code);
    return std::string(info.message);
}

std::string_view kafka_error_name(std::int16_t code) { return messages::describe(code).name; }

std::vector<std::pair<std::string, std::string>> parse_key_value_list(std::string_view text) {
    // Split on commas outside square brackets: "a=1,b=[x,y]" is two entries.
    std::vector<std::pair<std::string, std::string>> entries;
    std::size_t start = 0;
    int depth = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] == '[') ++depth;
        if (i < text.size() && text[i] == ']' && depth > 0) --depth;
        if (i == text.size() || (text[i] == ',' && depth == 0)) {
            const auto entry = text.substr(start, i - start);
            if (!entry.empty()) {
                auto [key, value] = parse_key_value(entry);
                if (value.size() >= 2 && value.front() == '[' && value.back() == ']') {
                    value = value.substr(1, value.size() - 2);
                }
                entries.emplace_back(std::move(key), std::move(value));
            }
            start = i + 1;
        }
    }
    return entries;
}

std::pair<std::string, std::string> parse_key_value(std::string_view text) {
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0) {
        throw usage_error("Invalid entry '" + std::string(text) + "': expected key=value");
    }
    return {std::string(text.substr(0, equals)), std::string(text.substr(equals + 1))};
}

std::vector<std::string> split_list(std::string_view text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(separator, start);
        if (end == std::string_view::npos) end = text.size();
        auto part = text.substr(start, end - start);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) parts.emplace_back(part);
        start = end + 1;
    }
    return parts;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    std::int64_t value = 0;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

namespace {

std::string normalize_include_list(const std::string& pattern) {
    std::string text;
    for (const char c : pattern) {
        if (c == ' ') continue;
        text += c == ',' ? '|' : c;
    }
    const auto first = text.find_first_not_of("\"'");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of("\"'");
    return text.substr(first, last - first + 1);
}

}  // namespace

name_pattern::name_pattern(const std::string& pattern) : text_(normalize_include_list(pattern)) {
    literal_ = text_.find_first_of("*+?[](){}|^$\\") == std::string::npos;
    try {
        regex_ = std::regex(text_, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        throw usage_error("Invalid regular expression '" + pattern + "': " + e.what());
    }
}

bool name_pattern::matches(const std::string& name) const {
    return name == text_ || std::regex_match(name, regex_);
}

void table::print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
        if (widths.size() < row.size()) widths.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 1, ' ');
        }
        out << line << "\n";
    }
}

std::string join_ints(const std::vector<std::int32_t>& values, std::string_view separator) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) text += separator;
        text += std::to_string(values[i]);
    }
    return text;
}

}  // namespace brook::tools
