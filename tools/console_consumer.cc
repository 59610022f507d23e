// brook-console-consumer: prints records of a topic on standard output, like
// kafka-console-consumer.sh (same flags, same DefaultMessageFormatter
// layout). It is a full group member (join, assignment, commits), which the
// internal client does not do, so it runs on librdkafka.
//
// Without --group it makes up "console-consumer-<n>" and does not commit, as
// Kafka does; with --partition it assigns that one partition (no group) and
// starts at --offset (latest by default). It stops after --max-messages, after
// --timeout-ms without a record, or on SIGINT/SIGTERM, and then closes the
// consumer (committing and leaving the group) and prints "Processed a total
// of N messages" on stderr.

#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rdkafka_support.h"
#include "tool.h"

namespace brook::tools {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------
// Command line.

struct consumer_command {
    common_options common;
    std::string consumer_config;  // --consumer.config, Kafka's older name of --command-config
    std::vector<std::string> consumer_properties;  // --consumer-property
    std::vector<std::string> command_properties;   // --command-property
    std::vector<std::string> properties;            // --property
    std::vector<std::string> formatter_properties;  // --formatter-property
    std::string formatter_config;
    std::string isolation_level = "read_uncommitted";
    bool from_beginning = false;
    bool skip_message_on_error = false;
};

po::options_description describe_options(consumer_command& command) {
    po::options_description options(
        "brook-console-consumer: reads records from topics and writes them to standard output.\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("topic", po::value<std::string>()->value_name("topic"), "The topic to consume from.")
        ("include", po::value<std::string>()->value_name("Java regex (String)"),
         "Regular expression specifying list of topics to include for consumption.")
        ("partition", po::value<std::int32_t>()->value_name("partition"),
         "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is "
         "specified.")
        ("offset", po::value<std::string>()->value_name("consume offset"),
         "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or "
         "'latest' which means from end (default latest).")
        ("group", po::value<std::string>()->value_name("consumer group id"), "The consumer group id of the consumer.")
        ("from-beginning", po::bool_switch(&command.from_beginning),
         "If the consumer does not already have an established offset to consume from, start with the earliest "
         "message present in the log rather than the latest message.")
        ("max-messages", po::value<std::int64_t>()->value_name("num_messages"),
         "The maximum number of messages to consume before exiting. If not set, consumption is continual.")
        ("timeout-ms", po::value<std::int64_t>()->value_name("timeout_ms"),
         "If specified, exit if no message is available for consumption for the specified interval.")
        ("consumer-property", po::value(&command.consumer_properties)->value_name("consumer_prop"),
         "A consumer property, key=value (repeatable), as librdkafka and Kafka's consumer name them.")
        ("command-property", po::value(&command.command_properties)->value_name("consumer_prop"),
         "Same as --consumer-property (Kafka 4.2's name).")
        ("consumer.config", po::value(&command.consumer_config)->value_name("config file"),
         "Consumer config properties file (same as --command-config).")
        ("property", po::value(&command.properties)->value_name("prop"),
         "A formatter property, key=value (repeatable): print.timestamp, print.key, print.offset, "
         "print.partition, print.headers, print.value (true|false), key.separator, line.separator, "
         "headers.separator, null.literal.")
        ("formatter-property", po::value(&command.formatter_properties)->value_name("prop"),
         "Same as --property (Kafka 4.2's name).")
        ("formatter-config", po::value(&command.formatter_config)->value_name("config file"),
         "A properties file for the formatter; --property takes precedence.")
        ("isolation-level", po::value(&command.isolation_level)->value_name("level"),
         "read_committed to skip records of aborted transactions, read_uncommitted (default) to read all.")
        ("skip-message-on-error", po::bool_switch(&command.skip_message_on_error),
         "Accepted for compatibility; records are printed as bytes, so formatting cannot fail.");
    return options;
}

// ---------------------------------------------------------------------------
// Kafka's DefaultMessageFormatter.

struct formatter_settings {
    bool print_timestamp = false;
    bool print_key = false;
    bool print_value = true;
    bool print_partition = false;
    bool print_offset = false;
    bool print_headers = false;
    std::string key_separator = "\t";
    std::string line_separator = "\n";
    std::string headers_separator = ",";
    std::string null_literal = "null";
};

formatter_settings make_formatter(const client_properties& properties) {
    formatter_settings settings;
    for (const auto& [key, value] : properties) {
        if (key == "print.timestamp") settings.print_timestamp = is_true(value);
        else if (key == "print.key") settings.print_key = is_true(value);
        else if (key == "print.value") settings.print_value = is_true(value);
        else if (key == "print.partition") settings.print_partition = is_true(value);
        else if (key == "print.offset") settings.print_offset = is_true(value);
        else if (key == "print.headers") settings.print_headers = is_true(value);
        else if (key == "key.separator") settings.key_separator = value;
        else if (key == "line.separator") settings.line_separator = value;
        else if (key == "headers.separator") settings.headers_separator = value;
        else if (key == "null.literal") settings.null_literal = value;
    }
    return settings;
}

void append_bytes(std::string& out, const void* data, std::size_t size, const std::string& null_literal) {
    if (data == nullptr) out += null_literal;
    else out.append(static_cast<const char*>(data), size);
}

// One record as Kafka prints it: timestamp, partition, offset, headers, key,
// value, each followed by key.separator when more follows, and the value by
// line.separator.
std::string format_record(const formatter_settings& f, const rd_kafka_message_t& message) {
    std::string out;
    const auto separator = [&](bool more) {
        if (more) out += f.key_separator;
        else out += f.line_separator;
    };
    if (f.print_timestamp) {
        rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        const auto timestamp = rd_kafka_message_timestamp(&message, &type);
        if (type == RD_KAFKA_TIMESTAMP_CREATE_TIME) out += "CreateTime:" + std::to_string(timestamp);
        else if (type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME) out += "LogAppendTime:" + std::to_string(timestamp);
        else out += "NO_TIMESTAMP";
        separator(f.print_partition || f.print_offset || f.print_headers || f.print_key || f.print_value);
    }
    if (f.print_partition) {
        out += "Partition:" + std::to_string(message.partition);
        separator(f.print_offset || f.print_headers || f.print_key || f.print_value);
    }
    if (f.print_offset) {
        out += "Offset:" + std::to_string(message.offset);
        separator(f.print_headers || f.print_key || f.print_value);
    }
    if (f.print_headers) {
        rd_kafka_headers_t* headers = nullptr;
        if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR || headers == nullptr ||
            rd_kafka_header_cnt(headers) == 0) {
            out += "NO_HEADERS";
        } else {
            const char* name = nullptr;
            const void* value = nullptr;
            std::size_t size = 0;
            for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
                 ++i) {
                if (i > 0) out += f.headers_separator;
                out += name;
                out += ':';
                append_bytes(out, value, size, f.null_literal);
            }
        }
        separator(f.print_key || f.print_value);
    }
    if (f.print_key) {
        append_bytes(out, message.key, message.key_len, f.null_literal);
        separator(f.print_value);
    }
    if (f.print_value) {
        append_bytes(out, message.payload, message.len, f.null_literal);
        out += f.line_separator;
    }
    return out;
}

// ---------------------------------------------------------------------------
// Running.

struct consume_plan {
    std::optional<std::string> topic;
    std::optional<std::string> include;
    std::optional<std::int32_t> partition;
    std::int64_t start_offset = RD_KAFKA_OFFSET_END;
    std::int64_t max_messages = -1;
    std::optional<std::int64_t> timeout_ms;
};

std::int64_t parse_offset(const std::string& text) {
    std::string lower;
    for (const char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "earliest") return RD_KAFKA_OFFSET_BEGINNING;
    if (lower == "latest") return RD_KAFKA_OFFSET_END;
    const auto value = parse_int(text);
    if (!value || *value < 0) {
        throw usage_error("The provided offset value '" + text +
                          "' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.");
    }
    return *value;
}

// Errors that only mean "not yet": Kafka's consumer keeps waiting through them.
bool worth_waiting_for(rd_kafka_resp_err_t error) {
    switch (error) {
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__TRANSPORT:
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR__RESOLVE:
        case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
        case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
        case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
            return true;
        default:
            return false;
    }
}

// Consumes until a stop condition; returns the exit code. `count` is the
// number of records printed.
int consume(rd_kafka_t* consumer, const consume_plan& plan, const formatter_settings& formatter,
            std::int64_t& count) {
    auto last_record = steady::now();
    while (plan.max_messages < 0 || count < plan.max_messages) {
        if (stop_requested()) return 0;
        if (kafka_fatal_error()) return 1;
        int wait = 100;
        if (plan.timeout_ms) {
            const auto idle = std::chrono::duration_cast<milliseconds>(steady::now() - last_record).count();
            if (idle >= *plan.timeout_ms) return 0;
            wait = static_cast<int>(std::min<std::int64_t>(wait, *plan.timeout_ms - idle));
        }
        rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, wait);
        if (message == nullptr) continue;
        std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(message, rd_kafka_message_destroy);
        if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            const std::string text = rd_kafka_message_errstr(message);
            if (worth_waiting_for(message->err)) {
                warn_once(text);
                continue;
            }
            std::cerr << "ERROR Error processing message, terminating consumer process: " << text << std::endl;
            return 1;
        }
        const std::string line = format_record(formatter, *message);
        ++count;
        last_record = steady::now();
        if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0) {
            // No one is reading our output any more.
            std::cerr << "Unable to write to standard out, closing consumer." << std::endl;
            return 1;
        }
    }
    return 0;
}

int run(int argc, char** argv) {
    consumer_command command;
    const auto options = describe_options(command);
    const auto values = parse_command_line(argc, argv, options);
    if (command.common.help) {
        std::cout << "This tool helps to read data from Kafka topics and outputs it to standard output.\n"
                  << options << "\n";
        return 0;
    }

    consume_plan plan;
    if (values.count("topic") != 0) plan.topic = values["topic"].as<std::string>();
    if (values.count("include") != 0) plan.include = values["include"].as<std::string>();
    if (values.count("partition") != 0) plan.partition = values["partition"].as<std::int32_t>();
    if (plan.topic.has_value() == plan.include.has_value()) {
        throw usage_error("Exactly one of the following arguments is required: [topic], [include]");
    }
    const bool has_offset = values.count("offset") != 0;
    if (plan.partition) {
        if (!plan.topic) throw usage_error("The topic is required when partition is specified.");
        if (*plan.partition < 0) throw usage_error("The partition must be a non-negative number.");
        if (command.from_beginning && has_offset) {
            throw usage_error("Options from-beginning and offset cannot be specified together.");
        }
    } else if (has_offset) {
        throw usage_error("The partition is required when offset is specified.");
    }
    if (values.count("max-messages") != 0) plan.max_messages = values["max-messages"].as<std::int64_t>();
    if (values.count("timeout-ms") != 0 && values["timeout-ms"].as<std::int64_t>() >= 0) {
        plan.timeout_ms = values["timeout-ms"].as<std::int64_t>();
    }
    if (!command.consumer_properties.empty() && !command.command_properties.empty()) {
        throw usage_error("Options --consumer-property and --command-property cannot be specified together.");
    }
    if (!command.consumer_config.empty() && !command.common.command_config.empty()) {
        throw usage_error("Options --consumer.config and --command-config cannot be specified together.");
    }
    if (!command.properties.empty() && !command.formatter_properties.empty()) {
        throw usage_error("Options --property and --formatter-property cannot be specified together.");
    }
    if (command.isolation_level != "read_committed" && command.isolation_level != "read_uncommitted") {
        throw usage_error("Invalid --isolation-level '" + command.isolation_level +
                          "': expected read_committed or read_uncommitted");
    }

    const std::string config_file =
        command.consumer_config.empty() ? command.common.command_config : command.consumer_config;
    client_properties properties = merged_properties(
        config_file, command.consumer_properties.empty() ? command.command_properties : command.consumer_properties);
    const formatter_settings formatter = make_formatter(merged_properties(
        command.formatter_config, command.properties.empty() ? command.formatter_properties : command.properties));

    // The group: --group, group.id from the properties; all the same if
    // several are given.
    std::set<std::string> groups;
    if (values.count("group") != 0) groups.insert(values["group"].as<std::string>());
    if (const auto it = properties.find("group.id"); it != properties.end()) groups.insert(it->second);
    if (groups.size() > 1) {
        std::string listed;
        for (const auto& group : groups) listed += (listed.empty() ? "'" : ", '") + group + "'";
        throw usage_error("The group ids provided in different places (directly using '--group', via "
                          "'--consumer-property', or via '--consumer.config') do not match. Detected group ids: " +
                          listed);
    }
    if (!groups.empty() && plan.partition) {
        throw usage_error("Options group and partition cannot be specified together.");
    }

    if (const auto it = properties.find("auto.offset.reset"); it != properties.end()) {
        if (command.from_beginning && it->second != "earliest") {
            throw plain_error("Can't simultaneously specify --from-beginning and 'auto.offset.reset=" + it->second +
                              "', please remove one option");
        }
    } else {
        properties["auto.offset.reset"] = command.from_beginning ? "earliest" : "latest";
    }
    if (plan.partition) {
        plan.start_offset = has_offset ? parse_offset(values["offset"].as<std::string>())
                                       : (command.from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END);
    }
    if (auto parsed = client::parse_bootstrap_servers(command.common.bootstrap_server); !parsed) {
        throw usage_error("Invalid --bootstrap-server '" + command.common.bootstrap_server + "': " + parsed.message());
    }
    properties["bootstrap.servers"] = command.common.bootstrap_server;
    if (properties.count("client.id") == 0) properties["client.id"] = "console-consumer";
    if (properties.count("isolation.level") == 0 || values.count("isolation-level") != 0) {
        properties["isolation.level"] = command.isolation_level;
    }
    if (groups.empty()) {
        // A group of its own that nobody will use again: no commits by default.
        std::mt19937 random{std::random_device{}()};
        properties["group.id"] = "console-consumer-" + std::to_string(std::uniform_int_distribution<int>(0, 99999)(random));
        if (properties.count("enable.auto.commit") == 0) properties["enable.auto.commit"] = "false";
    } else {
        properties["group.id"] = *groups.begin();
    }
    // Java-only settings with no librdkafka counterpart.
    for (const char* ignored : {"key.deserializer", "value.deserializer", "exclude.internal.topics",
                                "default.api.timeout.ms"}) {
        properties.erase(ignored);
    }

    kafka_handle consumer = make_kafka_client(RD_KAFKA_CONSUMER, properties);
    rd_kafka_poll_set_consumer(consumer.get());

    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_resp_err_t started;
    if (plan.partition) {
        rd_kafka_topic_partition_list_add(topics, plan.topic->c_str(), *plan.partition)->offset = plan.start_offset;
        started = rd_kafka_assign(consumer.get(), topics);
    } else {
        // Kafka matches --include against whole names; librdkafka takes a
        // regex subscription as a name starting with '^'.
        const std::string name = plan.topic ? *plan.topic : "^(" + *plan.include + ")$";
        rd_kafka_topic_partition_list_add(topics, name.c_str(), RD_KAFKA_PARTITION_UA);
        started = rd_kafka_subscribe(consumer.get(), topics);
    }
    rd_kafka_topic_partition_list_destroy(topics);
    if (started != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw tool_error(std::string(plan.partition ? "Cannot assign the partition: " : "Cannot subscribe: ") +
                         rd_kafka_err2str(started));
    }

    install_stop_signals();
    ignore_broken_pipes();

    std::int64_t count = 0;
    int exit_code = 1;
    try {
        exit_code = consume(consumer.get(), plan, formatter, count);
    } catch (const std::exception& e) {
        std::cerr << "ERROR " << e.what() << std::endl;
    }
    // Commits (when auto-commit is on) and leaves the group.
    rd_kafka_consumer_close(consumer.get());
    consumer.reset();
    std::cerr << "Processed a total of " << count << " messages" << std::endl;
    return exit_code;
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    using namespace brook::tools;
    return tool_main<consumer_command>(argc, argv, "Error: ", run);
}
