#pragma once
// The vocabulary shared by broker and topic configuration: a key's type and
// where its value came from (both with DescribeConfigs' wire codes), the
// static description of a key, and one described entry as DescribeConfigs
// returns it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace brook::config {

// DescribeConfigs v3+ config_type codes.
enum class config_type : std::int8_t {
    boolean = 1,
    string = 2,
    int32 = 3,  // Kafka's INT
    int16 = 4,  // Kafka's SHORT
    int64 = 5,  // Kafka's LONG
    float64 = 6,  // Kafka's DOUBLE
    list = 7,
    class_name = 8,
    password = 9,
};

// Kafka's name for a type, as its documentation prints it: "int", "long", ...
std::string_view type_name(config_type type) noexcept;

// DescribeConfigs' config_source codes.
enum class config_source : std::int8_t {
    unknown = 0,
    dynamic_topic_config = 1,
    dynamic_broker_config = 2,
    dynamic_default_broker_config = 3,
    static_broker_config = 4,  // set in server.properties
    default_config = 5,        // nobody set it
    dynamic_broker_logger_config = 6,
    client_metrics_config = 7,
    group_config = 8,
};

// One key as documentation and DescribeConfigs present it.
struct config_key {
    std::string_view name;
    config_type type = config_type::string;
    std::optional<std::string_view> default_value;  // nothing = Kafka's null
    std::string allowed;                           // what a valid value is, e.g. "an integer >= 1"
    std::string_view doc;
    bool read_only = true;  // false when Kafka lets it change at runtime

    bool sensitive() const noexcept { return type == config_type::password; }
};

// Another key (or the default) that could have supplied a value.
struct config_synonym {
    std::string name;
    std::optional<std::string> value;  // nothing for null or a sensitive value
    config_source source = config_source::default_config;
};

// One entry of a DescribeConfigs answer.
struct described_config {
    std::string name;
    std::optional<std::string> value;  // nothing for null or a sensitive value
    std::optional<std::string> default_value;
    config_source source = config_source::default_config;
    int line = 0;  // the server.properties line when source is static_broker_config
    bool read_only = true;
    bool is_sensitive = false;
    std::vector<config_synonym> synonyms;  // most to least specific, the value's own source first
    config_type type = config_type::string;
    std::string doc;
};

}  // namespace brook::config
