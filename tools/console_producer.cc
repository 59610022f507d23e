// brook-console-producer: reads lines from standard input and produces each
// as one record, like kafka-console-producer.sh (same flags, same line
// format, same partitioner), on the internal client.
//
// Records are batched per partition: a batch is sent when it reaches
// batch.size, when input pauses for linger.ms with records pending, at the
// end of input, or after every record with --sync. Keyed records go to
// murmur2(key) % partitions as Kafka's default partitioner puts them;
// unkeyed ones stick to one partition until batch.size bytes went there, then
// move on to the next (Kafka's built-in sticky partitioning). Every batch must be
// acknowledged (per acks) before the tool exits 0; any record that could not
// be delivered is reported on stderr in Kafka's words and the exit code is 1.

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "brook/messages/error_codes.h"
#include "brook/messages/metadata_request.h"
#include "brook/messages/metadata_response.h"
#include "brook/messages/produce_request.h"
#include "brook/messages/produce_response.h"
#include "brook/record/record_batch.h"
#include "tool.h"

namespace brook::tools {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------
// Command line.

struct producer_command {
    common_options common;
    std::string topic;
    std::vector<std::string> reader_properties;    // --property
    std::vector<std::string> producer_properties;  // --producer-property
    std::string producer_config;
    std::string reader_config;
    std::optional<std::string> request_required_acks;
    std::optional<std::string> compression_codec;
    std::optional<std::int64_t> batch_size;
    std::optional<std::int64_t> max_partition_memory_bytes;
    std::optional<std::int64_t> linger_ms;  // --timeout
    std::optional<std::int64_t> max_block_ms;
    std::optional<std::int64_t> max_memory_bytes;
    std::optional<std::int64_t> request_timeout_ms;
    std::optional<std::int64_t> message_send_max_retries;
    std::optional<std::int64_t> retry_backoff_ms;
    bool sync = false;
};

po::options_description describe_options(producer_command& command) {
    po::options_description options(
        "brook-console-producer: reads data from standard input and publishes it to a topic.\nOptions");
    add_common_options(options, command.common);
    options.add_options()
        ("topic", po::value(&command.topic)->value_name("topic"), "REQUIRED: The topic id to produce messages to.")
        ("property", po::value(&command.reader_properties)->value_name("prop"),
         "A property of the line reader, key=value (repeatable). Defaults: parse.key=false, "
         "parse.headers=false, ignore.error=false, key.separator=\\t, headers.delimiter=\\t, "
         "headers.separator=',', headers.key.separator=':', null.marker (unset: any field equal to it becomes "
         "null). Line layout with parse.headers and parse.key: \"h1:v1,h2:v2...\\tkey\\tvalue\".")
        ("reader-config", po::value(&command.reader_config)->value_name("config file"),
         "A properties file for the line reader; --property takes precedence.")
        ("producer-property", po::value(&command.producer_properties)->value_name("producer_prop"),
         "A producer property, key=value (repeatable): acks, linger.ms, batch.size, compression.type, "
         "client.id, request.timeout.ms, retries, retry.backoff.ms, max.block.ms, buffer.memory, "
         "max.request.size, compression.<codec>.level.")
        ("producer.config", po::value(&command.producer_config)->value_name("config file"),
         "A producer properties file; --producer-property takes precedence.")
        ("request-required-acks", po::value<std::string>()->value_name("request required acks"),
         "The required acks of the producer requests (default -1, that is all).")
        ("compression-codec", po::value<std::string>()->implicit_value("gzip")->value_name("compression-codec"),
         "The compression codec: none, gzip, snappy, lz4 or zstd; gzip when given without a value.")
        ("batch-size", po::value<std::int64_t>()->value_name("size"),
         "The most bytes of records in one batch (batch.size, default 16384).")
        ("max-partition-memory-bytes", po::value<std::int64_t>()->value_name("memory in bytes per partition"),
         "Same as --batch-size.")
        ("timeout", po::value<std::int64_t>()->value_name("timeout_ms"),
         "How long records wait for more to join their batch when input pauses (linger.ms, default 1000).")
        ("max-block-ms", po::value<std::int64_t>()->value_name("max block on send"),
         "How long to wait for the topic's metadata (max.block.ms, default 60000).")
        ("max-memory-bytes", po::value<std::int64_t>()->value_name("total memory in bytes"),
         "The most bytes buffered before everything pending is sent (buffer.memory, default 33554432).")
        ("request-timeout-ms", po::value<std::int64_t>()->value_name("request timeout ms"),
         "The ack timeout of the producer requests (request.timeout.ms, default 30000).")
        ("message-send-max-retries", po::value<std::int64_t>(),
         "How often a batch that failed with a retriable error is sent again (retries, default 3).")
        ("retry-backoff-ms", po::value<std::int64_t>(),
         "The wait before a retry, doubled for each further one (retry.backoff.ms, default 100).")
        ("sync", po::bool_switch(&command.sync), "Send each record on its own and wait for it before the next.");
    return options;
}

template <typename T>
void take(const po::variables_map& values, const char* name, std::optional<T>& into) {
    if (values.count(name) != 0) into = values[name].as<T>();
}

// ---------------------------------------------------------------------------
// Reading and splitting lines, as Kafka's LineMessageReader does.

struct reader_settings {
    bool parse_key = false;
    std::string key_separator = "\t";
    bool parse_headers = false;
    std::string headers_delimiter = "\t";
    std::string headers_separator = ",";
    std::string headers_key_separator = ":";
    bool ignore_error = false;
    std::optional<std::string> null_marker;
};

reader_settings make_reader_settings(const client_properties& properties) {
    reader_settings settings;
    for (const auto& [key, value] : properties) {
        if (key == "parse.key") settings.parse_key = is_true(value);
        else if (key == "key.separator") settings.key_separator = value;
        else if (key == "parse.headers") settings.parse_headers = is_true(value);
        else if (key == "headers.delimiter") settings.headers_delimiter = value;
        else if (key == "headers.separator") settings.headers_separator = value;
        else if (key == "headers.key.separator") settings.headers_key_separator = value;
        else if (key == "ignore.error") settings.ignore_error = is_true(value);
        else if (key == "null.marker") settings.null_marker = value;
        // Kafka hands every property to the reader, which ignores the ones it
        // does not know; so do we.
    }
    const auto refuse_equal = [](const std::string& a, const std::string& b, const char* a_name,
                                 const char* b_name) {
        if (a == b) throw tool_error(std::string(a_name) + " and " + b_name + " may not be equal");
    };
    refuse_equal(settings.headers_delimiter, settings.headers_separator, "headers.delimiter", "headers.separator");
    refuse_equal(settings.headers_delimiter, settings.headers_key_separator, "headers.delimiter",
                 "headers.key.separator");
    refuse_equal(settings.headers_separator, settings.headers_key_separator, "headers.separator",
                 "headers.key.separator");
    if (settings.key_separator.empty() || settings.headers_delimiter.empty() || settings.headers_separator.empty() ||
        settings.headers_key_separator.empty()) {
        throw tool_error("key.separator, headers.delimiter, headers.separator and headers.key.separator may not be "
                         "empty");
    }
    if (settings.null_marker) {
        refuse_equal(*settings.null_marker, settings.key_separator, "null.marker", "key.separator");
        refuse_equal(*settings.null_marker, settings.headers_separator, "null.marker", "headers.separator");
        refuse_equal(*settings.null_marker, settings.headers_delimiter, "null.marker", "headers.delimiter");
        refuse_equal(*settings.null_marker, settings.headers_key_separator, "null.marker",
                     "headers.key.separator");
    }
    return settings;
}

struct input_record {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    std::int64_t timestamp_ms = -1;
};

// A line that cannot be parsed; the records read before it are still sent.
struct parse_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class line_parser {
public:
    explicit line_parser(reader_settings settings) : settings_(std::move(settings)) {}

    input_record parse(const std::string& line, std::int64_t line_number) const {
        input_record record;
        const auto headers = field(settings_.parse_headers, line, 0, settings_.headers_delimiter,
                                   "headers delimiter", line_number);
        const std::size_t header_offset = headers ? headers->size() + settings_.headers_delimiter.size() : 0;
        const auto key =
            field(settings_.parse_key, line, header_offset, settings_.key_separator, "key separator", line_number);
        const std::size_t key_offset = key ? key->size() + settings_.key_separator.size() : 0;
        std::string value = line.substr(header_offset + key_offset);

        if (key && key != settings_.null_marker) record.key = *key;
        if (value != settings_.null_marker) record.value = std::move(value);
        if (headers && headers != settings_.null_marker) record.headers = split_headers(*headers, line_number);
        return record;
    }

private:
    std::optional<std::string> field(bool enabled, const std::string& line, std::size_t start,
                                     const std::string& separator, const char* name,
                                     std::int64_t line_number) const {
        if (!enabled) return std::nullopt;
        const auto index = line.find(separator, start);
        if (index == std::string::npos) {
            if (settings_.ignore_error) return std::nullopt;
            throw parse_error("No " + std::string(name) + " found on line number " + std::to_string(line_number) +
                              ": '" + line + "'");
        }
        return line.substr(start, index - start);
    }

    std::vector<std::pair<std::string, std::optional<std::string>>> split_headers(const std::string& text,
                                                                                  std::int64_t line_number) const {
        std::vector<std::pair<std::string, std::optional<std::string>>> headers;
        std::vector<std::string> pairs;
        std::size_t start = 0;
        while (true) {
            const auto end = text.find(settings_.headers_separator, start);
            pairs.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
            if (end == std::string::npos) break;
            start = end + settings_.headers_separator.size();
        }
        // Like Java's String.split: trailing empty entries go.
        while (pairs.size() > 1 && pairs.back().empty()) pairs.pop_back();
        for (const auto& pair : pairs) {
            const auto split = pair.find(settings_.headers_key_separator);
            if (split == std::string::npos) {
                if (settings_.ignore_error) {
                    headers.emplace_back(pair, std::nullopt);
                    continue;
                }
                throw parse_error("No header key separator found in pair '" + pair + "' on line number " +
                                  std::to_string(line_number));
            }
            std::string key = pair.substr(0, split);
            if (key == settings_.null_marker) {
                throw parse_error("Header keys should not be equal to the null marker '" + *settings_.null_marker +
                                  "' as they can't be null");
            }
            std::string value = pair.substr(split + settings_.headers_key_separator.size());
            if (value == settings_.null_marker) headers.emplace_back(std::move(key), std::nullopt);
            else headers.emplace_back(std::move(key), std::move(value));
        }
        return headers;
    }

    reader_settings settings_;
};

// Lines from a file descriptor, with a timeout so pending batches can be
// sent while input pauses.
class line_source {
public:
    enum class status { line, timed_out, end, interrupted };

    explicit line_source(int fd) : fd_(fd) {}

    // The next line (without "\n" or "\r\n") in `line`; waits at most
    // `timeout` (forever when negative) for input to arrive.
    status next(std::string& line, milliseconds timeout) {
        while (true) {
            const auto newline = buffer_.find('\n', scanned_);
            if (newline != std::string::npos) {
                line.assign(buffer_, 0, newline);
                buffer_.erase(0, newline + 1);
                scanned_ = 0;
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return status::line;
            }
            scanned_ = buffer_.size();
            if (eof_) {
                if (buffer_.empty()) return status::end;
                line = std::move(buffer_);  // a last line without a newline is still a line
                buffer_.clear();
                scanned_ = 0;
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return status::line;
            }
            if (stop_requested()) return status::interrupted;
            pollfd entry{fd_, POLLIN, 0};
            const int ready = ::poll(&entry, 1, timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
            if (ready < 0) {
                if (errno == EINTR) {
                    if (stop_requested()) return status::interrupted;
                    continue;
                }
                throw tool_error(std::string("Cannot read standard input: ") + std::strerror(errno));
            }
            if (ready == 0) return status::timed_out;
            char chunk[65536];
            const auto got = ::read(fd_, chunk, sizeof(chunk));
            if (got < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                throw tool_error(std::string("Cannot read standard input: ") + std::strerror(errno));
            }
            if (got == 0) eof_ = true;
            else buffer_.append(chunk, static_cast<std::size_t>(got));
        }
    }

private:
    int fd_;
    std::string buffer_;
    std::size_t scanned_ = 0;
    bool eof_ = false;
};

// ---------------------------------------------------------------------------
// Kafka's default partitioner for keyed records.

// Kafka's Utils.murmur2: MurmurHash2, seed 0x9747b28c, over the key's bytes,
// read four at a time little-endian. Returned as Java's signed int.
std::int32_t murmur2(std::string_view data) {
    constexpr std::uint32_t seed = 0x9747b28cU;
    constexpr std::uint32_t m = 0x5bd1e995U;
    constexpr int r = 24;
    const auto length = data.size();
    const auto byte_at = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])); };

    std::uint32_t h = seed ^ static_cast<std::uint32_t>(length);
    const std::size_t words = length / 4;
    for (std::size_t i = 0; i < words; ++i) {
        const std::size_t at = i * 4;
        std::uint32_t k = byte_at(at) | (byte_at(at + 1) << 8) | (byte_at(at + 2) << 16) | (byte_at(at + 3) << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const std::size_t tail = length & ~std::size_t{3};
    switch (length % 4) {
        case 3:
            h ^= byte_at(tail + 2) << 16;
            [[fallthrough]];
        case 2:
            h ^= byte_at(tail + 1) << 8;
            [[fallthrough]];
        case 1:
            h ^= byte_at(tail);
            h *= m;
            break;
        default:
            break;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<std::int32_t>(h);
}

std::int32_t partition_for_key(std::string_view key, std::int32_t partitions) {
    const auto positive = static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffU;
    return static_cast<std::int32_t>(positive % static_cast<std::uint32_t>(partitions));
}

// ---------------------------------------------------------------------------
// Producer settings, from properties as Kafka's producer names them.

struct producer_settings {
    std::int16_t acks = -1;
    std::int64_t linger_ms = 1000;
    std::int64_t batch_size = 16384;
    record::compression codec = record::compression::none;
    std::map<record::compression, int> levels;
    std::int64_t max_block_ms = 60000;
    std::int64_t buffer_memory = 32 * 1024 * 1024;
    std::int64_t max_request_size = 1024 * 1024;
    std::int64_t retries = 3;
    std::int64_t retry_backoff_ms = 100;
    std::int64_t request_timeout_ms = 30000;
};

std::int64_t number_property(const std::string& key, const std::string& value, const char* type,
                             std::int64_t minimum) {
    const auto parsed = parse_int(value);
    if (!parsed) throw tool_error("Invalid value " + value + " for configuration " + key + ": Not a number of type " + type);
    if (*parsed < minimum) {
        throw tool_error("Invalid value " + value + " for configuration " + key + ": Value must be at least " +
                         std::to_string(minimum));
    }
    if (std::string_view(type) == "INT" && *parsed > std::numeric_limits<std::int32_t>::max()) {
        throw tool_error("Invalid value " + value + " for configuration " + key + ": Not a number of type INT");
    }
    return *parsed;
}

std::optional<record::compression> codec_named(std::string_view name) {
    if (name == "none") return record::compression::none;
    if (name == "gzip") return record::compression::gzip;
    if (name == "snappy") return record::compression::snappy;
    if (name == "lz4") return record::compression::lz4;
    if (name == "zstd") return record::compression::zstd;
    return std::nullopt;
}

// Takes the producer's own properties out of `properties`; what is left is
// for the client (client.id, timeouts, ...) and is checked there.
producer_settings make_producer_settings(client_properties& properties) {
    producer_settings settings;
    // Properties the Java producer has but that mean nothing here.
    for (const char* ignored : {"key.serializer", "value.serializer", "enable.idempotence", "send.buffer.bytes",
                                "receive.buffer.bytes", "metadata.max.age.ms", "delivery.timeout.ms",
                                "max.in.flight.requests.per.connection", "partitioner.ignore.keys"}) {
        properties.erase(ignored);
    }
    for (auto it = properties.begin(); it != properties.end();) {
        const auto& [key, value] = *it;
        bool taken = true;
        if (key == "acks") {
            if (value == "all" || value == "-1") settings.acks = -1;
            else if (value == "0") settings.acks = 0;
            else if (value == "1") settings.acks = 1;
            else throw tool_error("Invalid value " + value + " for configuration acks: String must be one of: all, -1, 0, 1");
        } else if (key == "linger.ms") {
            settings.linger_ms = number_property(key, value, "LONG", 0);
        } else if (key == "batch.size") {
            settings.batch_size = number_property(key, value, "INT", 0);
        } else if (key == "compression.type") {
            const auto codec = codec_named(value);
            if (!codec) {
                throw tool_error("Invalid value " + value +
                                 " for configuration compression.type: String must be one of: none, gzip, snappy, "
                                 "lz4, zstd");
            }
            settings.codec = *codec;
        } else if (key == "compression.gzip.level" || key == "compression.lz4.level" ||
                   key == "compression.zstd.level") {
            const auto codec = codec_named(key.substr(12, key.size() - 12 - 6));
            settings.levels[*codec] = static_cast<int>(number_property(key, value, "INT", -131072));
        } else if (key == "max.block.ms") {
            settings.max_block_ms = number_property(key, value, "LONG", 0);
        } else if (key == "buffer.memory") {
            settings.buffer_memory = number_property(key, value, "LONG", 0);
        } else if (key == "max.request.size") {
            settings.max_request_size = number_property(key, value, "INT", 0);
        } else if (key == "retries") {
            settings.retries = number_property(key, value, "INT", 0);
        } else if (key == "retry.backoff.ms") {
            settings.retry_backoff_ms = number_property(key, value, "LONG", 0);
            taken = false;  // the client uses it too
        } else if (key == "request.timeout.ms") {
            settings.request_timeout_ms = number_property(key, value, "INT", 0);
            taken = false;
        } else {
            taken = false;
        }
        it = taken ? properties.erase(it) : std::next(it);
    }
    // The client's own retries are for connections; batches are retried here.
    properties.erase("retries");
    return settings;
}

// ---------------------------------------------------------------------------
// Batches and sending.

// Kafka's ErrorLoggingCallback sizes: "null" or "N bytes".
std::string size_text(const std::optional<std::size_t>& size) {
    return size ? std::to_string(*size) + " bytes" : "null";
}

struct record_sizes {
    std::optional<std::size_t> key;
    std::optional<std::size_t> value;
};

struct pending_batch {
    std::optional<record::batch_builder> builder;
    std::vector<record_sizes> records;
};

class console_producer {
public:
    console_producer(client::blocking_client& client, std::string topic, producer_settings settings)
        : client_(client), topic_(std::move(topic)), settings_(std::move(settings)) {}

    // Adds one record; may send batches. A record that cannot be sent is
    // reported and counted in failed().
    void add(const input_record& input) {
        ensure_metadata();
        const auto partitions = static_cast<std::int32_t>(partitions_.size());
        std::int32_t partition;
        if (input.key) {
            partition = partition_for_key(*input.key, partitions);
        } else {
            // Kafka's built-in partitioner: stay on one partition until
            // batch.size bytes went there, then move on.
            if (!sticky_ || sticky_bytes_ >= settings_.batch_size) {
                sticky_ = static_cast<std::int32_t>(next_sticky_++ % static_cast<std::uint32_t>(partitions));
                sticky_bytes_ = 0;
            }
            partition = *sticky_;
        }

        std::vector<record::header_view> headers;
        for (const auto& [key, value] : input.headers) {
            record::header_view header;
            header.key = as_bytes(key);
            if (value) header.value = as_bytes(*value);
            headers.push_back(header);
        }
        record::new_record entry;
        if (input.key) entry.key = as_bytes(*input.key);
        if (input.value) entry.value = as_bytes(*input.value);
        entry.headers = headers;
        entry.timestamp_ms = input.timestamp_ms;

        const record_sizes sizes{input.key ? std::optional(input.key->size()) : std::nullopt,
                                 input.value ? std::optional(input.value->size()) : std::nullopt};
        std::size_t estimate = record::batch_layout::header_size_bytes + 32 + (input.key ? input.key->size() : 0) +
                               (input.value ? input.value->size() : 0);
        for (const auto& [key, value] : input.headers) estimate += 10 + key.size() + (value ? value->size() : 0);
        if (static_cast<std::int64_t>(estimate) > settings_.max_request_size) {
            report(sizes, "The message is " + std::to_string(estimate) +
                              " bytes when serialized which is larger than " +
                              std::to_string(settings_.max_request_size) +
                              ", which is the value of the max.request.size configuration.");
            return;
        }

        auto& batch = pending_[partition];
        if (!batch.builder) {
            record::batch_options options;
            options.codec = settings_.codec;
            if (const auto level = settings_.levels.find(settings_.codec); level != settings_.levels.end()) {
                options.compression_level = level->second;
            }
            batch.builder.emplace(options);
            if (pending_.size() == 1 && batch.records.empty()) first_pending_ = steady::now();
        }
        if (const auto appended = batch.builder->append(entry); appended != wire::errc::ok) {
            report(sizes, "The record cannot be added to a batch: " + wire::make_error_code(appended).message());
            if (batch.records.empty()) pending_.erase(partition);
            return;
        }
        batch.records.push_back(sizes);
        buffered_bytes_ += estimate;
        if (!input.key) sticky_bytes_ += static_cast<std::int64_t>(estimate);

        if (static_cast<std::int64_t>(batch.builder->uncompressed_records_bytes()) >= settings_.batch_size) {
            send({partition});
        }
        if (static_cast<std::int64_t>(buffered_bytes_) >= settings_.buffer_memory) flush();
    }

    bool has_pending() const { return !pending_.empty(); }
    steady::time_point linger_deadline() const { return first_pending_ + milliseconds(settings_.linger_ms); }

    // Sends every pending batch and waits for the answers.
    void flush() {
        std::vector<std::int32_t> partitions;
        for (const auto& [partition, batch] : pending_) partitions.push_back(partition);
        if (!partitions.empty()) send(partitions);
    }

    std::size_t failed() const { return failed_; }

private:
    static wire::bytes_view as_bytes(const std::string& text) {
        return {reinterpret_cast<const wire::byte*>(text.data()), text.size()};
    }

    void report(const record_sizes& sizes, const std::string& why) {
        ++failed_;
        std::cerr << "ERROR Error when sending message to topic " << topic_ << " with key: " << size_text(sizes.key)
                  << ", value: " << size_text(sizes.value) << " with error: " << why << "\n";
    }

    void report_batch(const pending_batch& batch, const std::string& why) {
        for (const auto& sizes : batch.records) report(sizes, why);
    }

    // Waits (up to max.block.ms) until the topic exists, asking the broker to
    // create it as Kafka's producer does, and every partition has a leader.
    void ensure_metadata() {
        if (!partitions_.empty()) return;
        const auto deadline = steady::now() + milliseconds(settings_.max_block_ms);
        auto backoff = milliseconds(std::max<std::int64_t>(settings_.retry_backoff_ms, 10));
        while (true) {
            messages::MetadataRequest request;
            request.allow_auto_topic_creation = true;
            request.topics.emplace().emplace_back().name = topic_;
            auto reply = client_.send_to_any(request);
            if (!reply) throw tool_error("Cannot fetch the metadata of topic " + topic_ + ": " + reply.message());
            std::int16_t topic_error = static_cast<std::int16_t>(messages::error_code::unknown_topic_or_partition);
            for (const auto& topic : reply->topics) {
                if (topic.name != topic_) continue;
                topic_error = topic.error_code;
                if (topic_error == 0 && !topic.partitions.empty()) {
                    bool all_led = true;
                    for (const auto& partition : topic.partitions) all_led &= partition.leader_id >= 0;
                    if (!all_led) topic_error = static_cast<std::int16_t>(messages::error_code::leader_not_available);
                }
            }
            if (topic_error == 0) {
                // The client's own view, so requests can go to the leaders.
                auto view = client_.metadata(std::vector<std::string>{topic_});
                if (!view) throw tool_error("Cannot fetch the metadata of topic " + topic_ + ": " + view.message());
                if (const auto* topic = view->find_topic(topic_); topic != nullptr && topic->error_code == 0 &&
                                                                  !topic->partitions.empty()) {
                    partitions_ = topic->partitions;
                    next_sticky_ = std::uniform_int_distribution<std::uint32_t>(
                        0, static_cast<std::uint32_t>(partitions_.size() - 1))(random_);
                    return;
                }
            } else if (topic_error == static_cast<std::int16_t>(messages::error_code::invalid_topic_exception)) {
                throw tool_error("Invalid topics: [" + topic_ + "]");
            } else if (!messages::describe(topic_error).retriable) {
                throw tool_error("Topic " + topic_ + ": " + kafka_error_text(topic_error));
            }
            if (steady::now() + backoff > deadline || stop_requested()) {
                throw tool_error("Topic " + topic_ + " not present in metadata after " +
                                 std::to_string(settings_.max_block_ms) + " ms.");
            }
            std::this_thread::sleep_for(backoff);
            backoff = std::min(backoff * 2, milliseconds(1000));
        }
    }

    void refresh_leaders() {
        auto view = client_.metadata(std::vector<std::string>{topic_});
        if (!view) return;  // the retry will fail and say why
        if (const auto* topic = view->find_topic(topic_); topic != nullptr && topic->error_code == 0 &&
                                                          topic->partitions.size() >= partitions_.size()) {
            // Keep the partition count the records were partitioned with.
            for (std::size_t i = 0; i < partitions_.size(); ++i) partitions_[i] = topic->partitions[i];
        }
    }

    std::int32_t leader_of(std::int32_t partition) const {
        return partitions_[static_cast<std::size_t>(partition)].leader_id;
    }

    // Builds and sends the pending batches of `partitions`, retrying the
    // retriable failures; reports what could not be delivered.
    void send(const std::vector<std::int32_t>& partitions) {
        std::map<std::int32_t, wire::bytes> built;  // partition -> batch bytes
        std::map<std::int32_t, pending_batch> batches;
        for (const auto partition : partitions) {
            auto found = pending_.find(partition);
            if (found == pending_.end()) continue;
            pending_batch batch = std::move(found->second);
            pending_.erase(found);
            wire::bytes bytes;
            if (const auto made = batch.builder->build(bytes); made != wire::errc::ok) {
                report_batch(batch, "The batch cannot be built: " + wire::make_error_code(made).message());
                continue;
            }
            built.emplace(partition, std::move(bytes));
            batches.emplace(partition, std::move(batch));
        }
        buffered_bytes_ = 0;
        for (const auto& [partition, batch] : pending_) {
            buffered_bytes_ += batch.builder ? batch.builder->uncompressed_records_bytes() : 0;
        }

        auto backoff = milliseconds(std::max<std::int64_t>(settings_.retry_backoff_ms, 1));
        for (std::int64_t attempt = 0; !built.empty(); ++attempt) {
            // partition -> why it failed this time, for those worth retrying
            std::map<std::int32_t, std::string> retriable;
            std::map<std::int32_t, std::vector<std::int32_t>> by_leader;
            for (const auto& [partition, bytes] : built) by_leader[leader_of(partition)].push_back(partition);
            for (const auto& [leader, members] : by_leader) {
                send_to(leader, members, built, batches, retriable);
            }
            for (auto it = built.begin(); it != built.end();) {
                it = retriable.count(it->first) != 0 ? std::next(it) : built.erase(it);
            }
            if (built.empty()) break;
            if (attempt >= settings_.retries || stop_requested()) {
                for (const auto& [partition, bytes] : built) report_batch(batches[partition], retriable[partition]);
                break;
            }
            std::this_thread::sleep_for(backoff);
            backoff = std::min(backoff * 2, milliseconds(1000));
            refresh_leaders();
        }
    }

    void send_to(std::int32_t leader, const std::vector<std::int32_t>& members,
                 const std::map<std::int32_t, wire::bytes>& built, std::map<std::int32_t, pending_batch>& batches,
                 std::map<std::int32_t, std::string>& retriable) {
        if (leader < 0) {
            for (const auto partition : members) {
                retriable[partition] = kafka_error_text(
                    static_cast<std::int16_t>(messages::error_code::leader_not_available));
            }
            return;
        }
        messages::ProduceRequest request;
        request.acks = settings_.acks;
        request.timeout_ms = static_cast<std::int32_t>(settings_.request_timeout_ms);
        auto& data = request.topic_data.emplace_back();
        data.name = topic_;
        for (const auto partition : members) {
            auto& entry = data.partition_data.emplace_back();
            entry.index = partition;
            entry.records = wire::record_set::view_of(built.at(partition));
        }

        if (settings_.acks == 0) {
            // No response comes; a written request is all Kafka promises too.
            auto sent = client_.send_to_leader_without_response(topic_, members.front(), request);
            if (!sent) {
                for (const auto partition : members) retriable[partition] = sent.message();
            }
            return;
        }
        auto reply = client_.send_to_node(leader, request);
        if (!reply) {
            for (const auto partition : members) retriable[partition] = reply.message();
            return;
        }
        std::map<std::int32_t, const messages::ProduceResponse::PartitionProduceResponse*> answers;
        for (const auto& topic : reply->responses) {
            if (topic.name != topic_) continue;
            for (const auto& partition : topic.partition_responses) answers[partition.index] = &partition;
        }
        for (const auto partition : members) {
            const auto found = answers.find(partition);
            if (found == answers.end()) {
                retriable[partition] = "the broker did not answer for partition " + std::to_string(partition);
                continue;
            }
            const auto& answer = *found->second;
            if (answer.error_code == 0) continue;
            const auto text = kafka_error_text(answer.error_code, answer.error_message);
            if (messages::describe(answer.error_code).retriable) {
                retriable[partition] = text;
            } else {
                report_batch(batches[partition], text);
            }
        }
    }

    client::blocking_client& client_;
    std::string topic_;
    producer_settings settings_;
    std::vector<client::partition_view> partitions_;
    std::map<std::int32_t, pending_batch> pending_;
    std::size_t buffered_bytes_ = 0;
    steady::time_point first_pending_{};
    std::optional<std::int32_t> sticky_;
    std::int64_t sticky_bytes_ = 0;
    std::uint32_t next_sticky_ = 0;
    std::mt19937 random_{std::random_device{}()};
    std::size_t failed_ = 0;
};

std::int64_t now_ms() {
    return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int run(int argc, char** argv) {
    producer_command command;
    const auto options = describe_options(command);
    const auto values = parse_command_line(argc, argv, options);
    if (command.common.help) {
        std::cout << "This tool helps to read data from standard input and publish it to Kafka.\n" << options << "\n";
        return 0;
    }
    if (values.count("topic") == 0) throw usage_error("Missing required argument \"[topic]\"");
    if (command.topic.empty()) throw usage_error("The topic name may not be empty");
    take(values, "request-required-acks", command.request_required_acks);
    take(values, "compression-codec", command.compression_codec);
    take(values, "batch-size", command.batch_size);
    take(values, "max-partition-memory-bytes", command.max_partition_memory_bytes);
    take(values, "timeout", command.linger_ms);
    take(values, "max-block-ms", command.max_block_ms);
    take(values, "max-memory-bytes", command.max_memory_bytes);
    take(values, "request-timeout-ms", command.request_timeout_ms);
    take(values, "message-send-max-retries", command.message_send_max_retries);
    take(values, "retry-backoff-ms", command.retry_backoff_ms);

    const reader_settings reader = make_reader_settings(merged_properties(command.reader_config, command.reader_properties));

    // --command-config, then --producer.config, then --producer-property;
    // the dedicated flags win when given, as in Kafka.
    client_properties properties;
    if (!command.common.command_config.empty()) properties = load_client_properties(command.common.command_config);
    for (auto& [key, value] : merged_properties(command.producer_config, command.producer_properties)) {
        properties[key] = value;
    }
    const auto flag = [&](const char* key, const auto& value) {
        if (value) {
            if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, std::string>) properties[key] = *value;
            else properties[key] = std::to_string(*value);
        }
    };
    flag("acks", command.request_required_acks);
    if (command.compression_codec) {
        properties["compression.type"] = command.compression_codec->empty() ? "gzip" : *command.compression_codec;
    }
    flag("batch.size", command.batch_size);
    flag("batch.size", command.max_partition_memory_bytes);
    flag("linger.ms", command.linger_ms);
    flag("max.block.ms", command.max_block_ms);
    flag("buffer.memory", command.max_memory_bytes);
    flag("request.timeout.ms", command.request_timeout_ms);
    flag("retries", command.message_send_max_retries);
    flag("retry.backoff.ms", command.retry_backoff_ms);
    if (properties.count("client.id") == 0) properties["client.id"] = "console-producer";

    const producer_settings settings = make_producer_settings(properties);
    auto client_options = make_client_options(command.common.bootstrap_server, properties);
    client_options.request_timeout =
        std::max(client_options.request_timeout, milliseconds(settings.request_timeout_ms + 5000));

    install_stop_signals();

    client::blocking_client client(client_options);
    console_producer producer(client, command.topic, settings);
    const line_parser parser(reader);
    line_source input(STDIN_FILENO);

    std::string line;
    std::int64_t line_number = 0;
    std::optional<std::string> parse_failure;
    while (true) {
        milliseconds wait(-1);
        if (producer.has_pending()) {
            wait = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(producer.linger_deadline() -
                                                                                      steady::now()));
        }
        const auto got = input.next(line, wait);
        if (got == line_source::status::timed_out) {
            producer.flush();
            continue;
        }
        if (got != line_source::status::line) break;  // end of input or a stop signal
        ++line_number;
        input_record record;
        try {
            record = parser.parse(line, line_number);
        } catch (const parse_error& e) {
            parse_failure = e.what();
            break;
        }
        record.timestamp_ms = now_ms();
        producer.add(record);
        if (command.sync) producer.flush();
    }
    producer.flush();  // what was read before a bad line is still sent, as in Kafka
    if (parse_failure) throw tool_error(*parse_failure);
    return producer.failed() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace brook::tools

int main(int argc, char** argv) {
    using namespace brook::tools;
    return tool_main<producer_command>(argc, argv, "Error: ", run);
}
