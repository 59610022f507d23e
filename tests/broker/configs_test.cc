// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs over a real
// loopback socket against an in-process server with two shards, a real
// metadata log in a temporary directory and the controller.

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <filesystem>
#include <future>
#include <optional>
#include <random>

#include "brook/broker/server.h"
#include "brook/broker/services.h"
#include "brook/config/broker_config.h"
#include "brook/config/topic_config.h"
#include "brook/messages/alter_configs_request.h"
#include "brook/messages/alter_configs_response.h"
#include "brook/messages/api_table.h"
#include "brook/messages/describe_configs_request.h"
#include "brook/messages/describe_configs_response.h"
#include "brook/messages/incremental_alter_configs_request.h"
#include "brook/messages/incremental_alter_configs_response.h"
#include "brook/messages/request_header.h"
#include "brook/messages/response_header.h"
#include "brook/metadata/controller.h"
#include "brook/metadata/metadata_log.h"

namespace brook::broker {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using messages::AlterConfigsRequest;
using messages::AlterConfigsResponse;
using messages::DescribeConfigsRequest;
using messages::DescribeConfigsResponse;
using messages::IncrementalAlterConfigsRequest;
using messages::IncrementalAlterConfigsResponse;

constexpr std::int8_t topic_type = 2;
constexpr std::int8_t broker_type = 4;
constexpr std::int8_t broker_logger_type = 8;
constexpr std::int16_t unknown_topic_or_partition = 3;
constexpr std::int16_t invalid_topic_exception = 17;
constexpr std::int16_t invalid_config = 40;
constexpr std::int16_t invalid_request = 42;
constexpr std::int8_t source_dynamic_topic = 1;
constexpr std::int8_t source_default = 5;
constexpr std::int8_t op_set = 0;
constexpr std::int8_t op_delete = 1;
constexpr std::int8_t op_append = 2;
constexpr std::int8_t op_subtract = 3;

class temporary_directory {
public:
    temporary_directory() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() / ("brook-configs-test-" + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~temporary_directory() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class ConfigsTest : public ::testing::Test {
protected:
    void SetUp() override {
        config_ = config::default_broker_config();
        auto opened = metadata::metadata_log::open(directory_.path(), publisher_, now_ms_);
        ASSERT_TRUE(opened) << opened.error().message();
        log_ = std::move(opened).value();
        metadata::controller_options options;
        options.node_id = config_.node_id;
        options.validate_topic_configs = [](const std::map<std::string, std::string>& overrides) {
            return config::validate_topic_overrides(config::topic_overrides(overrides.begin(), overrides.end()));
        };
        controller_ = std::make_unique<metadata::controller>(*log_, publisher_, options);
        // Set up before the shards run, so the controller is still touched by
        // one thread only.
        ASSERT_TRUE(controller_->register_broker({{"PLAINTEXT", "127.0.0.1", 9092, 0}}, std::nullopt, now_ms_).ok());
        metadata::create_topic_request orders;
        orders.name = "orders";
        orders.num_partitions = 2;
        orders.configs = {{"retention.ms", "1000"}};
        metadata::create_topic_request plain;
        plain.name = "plain";
        const auto created = controller_->create_topics({orders, plain}, false, now_ms_);
        for (const auto& result : created) ASSERT_TRUE(result.ok()) << result.message;

        services_.shards = &shards_;
        services_.config = &config_;
        services_.settings.node_id = config_.node_id;
        services_.metadata = &publisher_;
        services_.controller = controller_.get();
        listener_options listener;
        listener.port = 0;
        server_.emplace(shards_, services_, listener);
        shards_.start();
        server_->start();
        socket_.emplace(client_context_);
        socket_->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    }
    void TearDown() override {
        socket_.reset();
        if (server_) server_->stop(std::chrono::seconds(5));
        shards_.stop();
    }

    // Sends `request` at `version` and decodes the answer.
    template <typename Response, typename Request>
    Response call(const Request& request, std::int16_t version) {
        messages::RequestHeader header;
        header.request_api_key = Request::api_key;
        header.request_api_version = version;
        header.correlation_id = ++correlation_id_;
        header.client_id = "configs-test";
        wire::writer w;
        header.write(w, messages::request_header_version(Request::api_key, version));
        EXPECT_EQ(request.encode(w, version), wire::errc::ok);
        const wire::bytes payload = w.take();
        wire::writer frame;
        frame.write_int32(static_cast<std::int32_t>(payload.size()));
        frame.write_bytes(payload);
        asio::write(*socket_, asio::buffer(frame.view().data(), frame.size()));

        std::array<wire::byte, 4> size_bytes{};
        asio::read(*socket_, asio::buffer(size_bytes));
        wire::reader size_reader(size_bytes);
        wire::bytes answer(static_cast<std::size_t>(size_reader.read_int32()));
        asio::read(*socket_, asio::buffer(answer));
        wire::reader r(answer);
        messages::ResponseHeader response_header;
        EXPECT_EQ(response_header.decode(r, messages::response_header_version(Request::api_key, version)),
                  wire::errc::ok);
        EXPECT_EQ(response_header.correlation_id, correlation_id_);
        Response body;
        EXPECT_EQ(body.decode(r, version), wire::errc::ok);
        EXPECT_TRUE(r.at_end());
        return body;
    }

    DescribeConfigsResponse describe(std::int8_t type, const std::string& name, std::int16_t version = 4,
                                     std::optional<std::vector<std::string>> keys = std::nullopt,
                                     bool synonyms = false, bool documentation = false) {
        DescribeConfigsRequest request;
        auto& resource = request.resources.emplace_back();
        resource.resource_type = type;
        resource.resource_name = name;
        resource.configuration_keys = std::move(keys);
        request.include_synonyms = synonyms;
        request.include_documentation = documentation;
        return call<DescribeConfigsResponse>(request, version);
    }

    static const DescribeConfigsResponse::DescribeConfigsResourceResult* entry(
        const DescribeConfigsResponse::DescribeConfigsResult& result, std::string_view name) {
        const auto it = std::find_if(result.configs.begin(), result.configs.end(),
                                     [&](const auto& e) { return e.name == name; });
        return it == result.configs.end() ? nullptr : &*it;
    }

    static AlterConfigsRequest::AlterConfigsResource legacy(std::int8_t type, const std::string& name,
                                                            std::vector<std::pair<std::string, std::string>> configs) {
        AlterConfigsRequest::AlterConfigsResource resource;
        resource.resource_type = type;
        resource.resource_name = name;
        for (auto& [key, value] : configs) {
            auto& config = resource.configs.emplace_back();
            config.name = key;
            config.value = value;
        }
        return resource;
    }

    struct operation {
        std::string name;
        std::int8_t op;
        std::optional<std::string> value;
    };
    static IncrementalAlterConfigsRequest::AlterConfigsResource incremental(std::int8_t type, const std::string& name,
                                                                            std::vector<operation> operations) {
        IncrementalAlterConfigsRequest::AlterConfigsResource resource;
        resource.resource_type = type;
        resource.resource_name = name;
        for (auto& o : operations) {
            auto& config = resource.configs.emplace_back();
            config.name = o.name;
            config.config_operation = o.op;
            config.value = o.value;
        }
        return resource;
    }

    IncrementalAlterConfigsResponse alter_incremental(std::vector<IncrementalAlterConfigsRequest::AlterConfigsResource> resources,
                                                      bool validate_only = false, std::int16_t version = 1) {
        IncrementalAlterConfigsRequest request;
        request.resources = std::move(resources);
        request.validate_only = validate_only;
        return call<IncrementalAlterConfigsResponse>(request, version);
    }

    AlterConfigsResponse alter_legacy(std::vector<AlterConfigsRequest::AlterConfigsResource> resources,
                                      bool validate_only = false, std::int16_t version = 2) {
        AlterConfigsRequest request;
        request.resources = std::move(resources);
        request.validate_only = validate_only;
        return call<AlterConfigsResponse>(request, version);
    }

    // The topic's overrides in the current image.
    std::map<std::string, std::string> overrides(const std::string& topic) const {
        const auto info = publisher_.current()->topic(topic);
        return info ? info->configs : std::map<std::string, std::string>{};
    }

    std::int64_t now_ms_ = 1700000000000;
    temporary_directory directory_;
    config::broker_config config_;
    metadata::image_publisher publisher_;
    std::unique_ptr<metadata::metadata_log> log_;
    std::unique_ptr<metadata::controller> controller_;
    io::shard_set shards_{2};
    broker_services services_;
    std::optional<server> server_;
    asio::io_context client_context_;
    std::optional<tcp::socket> socket_;
    std::int32_t correlation_id_ = 0;
};

// Proves a topic is described with every topic key: defaults with source
// DEFAULT_CONFIG, the override with source DYNAMIC_TOPIC_CONFIG, types from
// v3, no synonyms or documentation unless asked.
TEST_F(ConfigsTest, DescribeTopicDefaultsAndOverride) {
    const auto body = describe(topic_type, "orders");
    ASSERT_EQ(body.results.size(), 1u);
    const auto& result = body.results[0];
    EXPECT_EQ(result.error_code, 0);
    EXPECT_FALSE(result.error_message);
    EXPECT_EQ(result.resource_type, topic_type);
    EXPECT_EQ(result.resource_name, "orders");
    EXPECT_EQ(result.configs.size(), config::topic_config_keys().size());

    const auto* retention = entry(result, "retention.ms");
    ASSERT_NE(retention, nullptr);
    EXPECT_EQ(retention->value, "1000");
    EXPECT_EQ(retention->config_source, source_dynamic_topic);
    EXPECT_FALSE(retention->read_only);
    EXPECT_FALSE(retention->is_sensitive);
    EXPECT_EQ(retention->config_type, 5);  // LONG
    EXPECT_TRUE(retention->synonyms.empty());
    EXPECT_FALSE(retention->documentation);

    const auto* cleanup = entry(result, "cleanup.policy");
    ASSERT_NE(cleanup, nullptr);
    EXPECT_EQ(cleanup->value, "delete");
    EXPECT_EQ(cleanup->config_source, source_default);
    EXPECT_EQ(cleanup->config_type, 7);  // LIST

    const auto plain = describe(topic_type, "plain");
    const auto* plain_retention = entry(plain.results.at(0), "retention.ms");
    ASSERT_NE(plain_retention, nullptr);
    EXPECT_EQ(plain_retention->value, "604800000");
    EXPECT_EQ(plain_retention->config_source, source_default);
}

// Proves include_synonyms lists the override first, then the broker-level
// default it would fall back to, and include_documentation fills the doc.
TEST_F(ConfigsTest, DescribeTopicWithSynonymsAndDocumentation) {
    const auto body = describe(topic_type, "orders", 4, std::vector<std::string>{"retention.ms"}, true, true);
    const auto& result = body.results.at(0);
    ASSERT_EQ(result.configs.size(), 1u);
    const auto& retention = result.configs[0];
    ASSERT_GE(retention.synonyms.size(), 2u);
    EXPECT_EQ(retention.synonyms[0].name, "retention.ms");
    EXPECT_EQ(retention.synonyms[0].value, "1000");
    EXPECT_EQ(retention.synonyms[0].source, source_dynamic_topic);
    EXPECT_EQ(retention.synonyms.back().source, source_default);
    EXPECT_TRUE(retention.synonyms.back().name.starts_with("log.retention."));
    ASSERT_TRUE(retention.documentation);
    EXPECT_FALSE(retention.documentation->empty());
}

// Proves v1 answers carry config_source and synonyms but none of the v3
// fields, and that the v0-only is_default stays unset.
TEST_F(ConfigsTest, DescribeAtVersionOne) {
    const auto body = describe(topic_type, "orders", 1, std::vector<std::string>{"retention.ms", "segment.ms"}, true);
    const auto& result = body.results.at(0);
    ASSERT_EQ(result.configs.size(), 2u);
    const auto* retention = entry(result, "retention.ms");
    ASSERT_NE(retention, nullptr);
    EXPECT_EQ(retention->config_source, source_dynamic_topic);
    EXPECT_FALSE(retention->synonyms.empty());
    EXPECT_EQ(retention->config_type, 0);
    EXPECT_FALSE(retention->is_default);
}

// Proves v0 (dropped by Kafka 4, served for sarama 1.22's ListTopics) says
// is_default instead of a source: true for a broker default, false for the
// topic's override, and carries no synonyms.
TEST_F(ConfigsTest, DescribeAtVersionZero) {
    const auto body = describe(topic_type, "orders", 0, std::vector<std::string>{"retention.ms", "segment.ms"});
    const auto& result = body.results.at(0);
    ASSERT_EQ(result.error_code, 0);
    ASSERT_EQ(result.configs.size(), 2u);
    const auto* retention = entry(result, "retention.ms");
    const auto* segment = entry(result, "segment.ms");
    ASSERT_NE(retention, nullptr);
    ASSERT_NE(segment, nullptr);
    EXPECT_FALSE(retention->is_default);
    EXPECT_TRUE(segment->is_default);
    EXPECT_TRUE(retention->synonyms.empty());
    EXPECT_EQ(retention->config_source, -1);
}

// Proves configuration_keys filters the entries, ignores unknown names, and
// that null and an empty list both mean every key.
TEST_F(ConfigsTest, DescribeFiltersByKey) {
    auto body = describe(topic_type, "plain", 4, std::vector<std::string>{"retention.ms", "cleanup.policy", "no.such"});
    ASSERT_EQ(body.results.at(0).configs.size(), 2u);
    EXPECT_NE(entry(body.results[0], "retention.ms"), nullptr);
    EXPECT_NE(entry(body.results[0], "cleanup.policy"), nullptr);
    body = describe(topic_type, "plain", 4, std::vector<std::string>{});
    EXPECT_EQ(body.results.at(0).configs.size(), config::topic_config_keys().size());
    body = describe(broker_type, "1", 4, std::vector<std::string>{"node.id"});
    ASSERT_EQ(body.results.at(0).configs.size(), 1u);
    EXPECT_EQ(body.results[0].configs[0].value, "1");
}

// Proves the broker resource named by this node's id lists every broker key
// Brook honours with read-only flags and sources, and the empty name (the
// cluster-wide dynamic defaults) is an empty, successful answer.
TEST_F(ConfigsTest, DescribeBroker) {
    auto body = describe(broker_type, "1", 4, std::nullopt, true, true);
    const auto& result = body.results.at(0);
    EXPECT_EQ(result.error_code, 0);
    EXPECT_EQ(result.configs.size(), config_.entries.size());
    const auto* node_id = entry(result, "node.id");
    ASSERT_NE(node_id, nullptr);
    EXPECT_EQ(node_id->value, "1");
    EXPECT_TRUE(node_id->read_only);
    const auto* retention_hours = entry(result, "log.retention.hours");
    ASSERT_NE(retention_hours, nullptr);
    EXPECT_TRUE(retention_hours->read_only);  // Brook changes broker configs only at start-up
    EXPECT_EQ(retention_hours->config_source, source_default);
    EXPECT_EQ(retention_hours->value, "168");
    ASSERT_FALSE(retention_hours->synonyms.empty());
    EXPECT_TRUE(retention_hours->documentation);

    body = describe(broker_type, "");
    EXPECT_EQ(body.results.at(0).error_code, 0);
    EXPECT_TRUE(body.results[0].configs.empty());
}

// Proves dynamic broker overrides in the metadata log are laid over the
// static configuration: this broker's own (DYNAMIC_BROKER_CONFIG) before the
// cluster-wide default (DYNAMIC_DEFAULT_BROKER_CONFIG), and the empty
// resource name lists the cluster-wide defaults alone.
TEST_F(ConfigsTest, DescribeBrokerWithDynamicOverrides) {
    std::vector<messages::metadata_record> records;
    for (const auto& [broker, value] : {std::pair<std::string, std::string>{"1", "24"}, {"", "48"}}) {
        messages::ConfigRecord record;
        record.resource_type = broker_type;
        record.resource_name = broker;
        record.name = "log.retention.hours";
        record.value = value;
        records.push_back(std::move(record));
    }
    // The metadata log belongs to shard 0.
    std::promise<bool> appended;
    asio::post(shards_.executor(0), [&] { appended.set_value(static_cast<bool>(log_->append(records, now_ms_))); });
    ASSERT_TRUE(appended.get_future().get());

    auto body = describe(broker_type, "1", 4, std::vector<std::string>{"log.retention.hours"}, true);
    ASSERT_EQ(body.results.at(0).configs.size(), 1u);
    const auto& own = body.results[0].configs[0];
    EXPECT_EQ(own.value, "24");
    EXPECT_EQ(own.config_source, 2);  // DYNAMIC_BROKER_CONFIG
    ASSERT_GE(own.synonyms.size(), 3u);
    EXPECT_EQ(own.synonyms[0].source, 2);
    EXPECT_EQ(own.synonyms[1].source, 3);  // DYNAMIC_DEFAULT_BROKER_CONFIG
    EXPECT_EQ(own.synonyms[1].value, "48");
    EXPECT_EQ(own.synonyms.back().source, source_default);

    body = describe(broker_type, "", 4, std::nullopt, true);
    ASSERT_EQ(body.results.at(0).configs.size(), 1u);
    EXPECT_EQ(body.results[0].configs[0].name, "log.retention.hours");
    EXPECT_EQ(body.results[0].configs[0].value, "48");
    EXPECT_EQ(body.results[0].configs[0].config_source, 3);
}

// Proves every describe error is reported for its resource alone, with
// Kafka's codes: unknown topic, illegal topic name, another broker's id, a
// broker id that is no number, BROKER_LOGGER and an unknown resource type.
TEST_F(ConfigsTest, DescribeErrorsArePerResource) {
    DescribeConfigsRequest request;
    const std::vector<std::pair<std::int8_t, std::string>> resources = {
        {topic_type, "missing"}, {topic_type, "bad name!"}, {broker_type, "2"},         {broker_type, "x"},
        {broker_logger_type, "1"}, {99, "what"},            {topic_type, "plain"},
    };
    for (const auto& [type, name] : resources) {
        auto& r = request.resources.emplace_back();
        r.resource_type = type;
        r.resource_name = name;
        r.configuration_keys = std::nullopt;
    }
    const auto body = call<DescribeConfigsResponse>(request, 4);
    ASSERT_EQ(body.results.size(), resources.size());
    const std::vector<std::int16_t> expected = {unknown_topic_or_partition, invalid_topic_exception, invalid_request,
                                                invalid_request, invalid_request, invalid_request, 0};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(body.results[i].error_code, expected[i]) << body.results[i].resource_name;
        EXPECT_EQ(body.results[i].resource_type, resources[i].first);
        EXPECT_EQ(body.results[i].resource_name, resources[i].second);
        if (expected[i] != 0) {
            EXPECT_TRUE(body.results[i].configs.empty());
            ASSERT_TRUE(body.results[i].error_message);
            EXPECT_FALSE(body.results[i].error_message->empty());
        }
    }
    EXPECT_EQ(*body.results[0].error_message, "This server does not host this topic-partition.");
    EXPECT_EQ(*body.results[2].error_message, "Unexpected broker id, expected 1 or empty string, but received 2");
    EXPECT_FALSE(body.results[6].configs.empty());
}

// Proves legacy AlterConfigs replaces the whole override set (the override
// not named is removed), at every version, and the change is visible to
// DescribeConfigs.
TEST_F(ConfigsTest, LegacyAlterReplacesOverrides) {
    auto body = alter_legacy({legacy(topic_type, "orders", {{"segment.ms", "3600000"}, {"cleanup.policy", "compact"}})},
                             false, 0);
    ASSERT_EQ(body.responses.size(), 1u);
    EXPECT_EQ(body.responses[0].error_code, 0);
    EXPECT_FALSE(body.responses[0].error_message);
    EXPECT_EQ(body.responses[0].resource_name, "orders");
    EXPECT_EQ(overrides("orders"),
              (std::map<std::string, std::string>{{"cleanup.policy", "compact"}, {"segment.ms", "3600000"}}));

    const auto described = describe(topic_type, "orders");
    EXPECT_EQ(entry(described.results.at(0), "retention.ms")->config_source, source_default);
    EXPECT_EQ(entry(described.results[0], "segment.ms")->value, "3600000");
    EXPECT_EQ(entry(described.results[0], "segment.ms")->config_source, source_dynamic_topic);

    // An empty set removes every override.
    body = alter_legacy({legacy(topic_type, "orders", {})}, false, 1);
    EXPECT_EQ(body.responses.at(0).error_code, 0);
    EXPECT_TRUE(overrides("orders").empty());
}

// Proves validate_only checks a legacy change (errors still reported) but
// writes nothing.
TEST_F(ConfigsTest, LegacyAlterValidateOnly) {
    auto body = alter_legacy({legacy(topic_type, "orders", {{"retention.ms", "5000"}})}, true);
    EXPECT_EQ(body.responses.at(0).error_code, 0);
    body = alter_legacy({legacy(topic_type, "plain", {{"retention.ms", "soon"}})}, true);
    EXPECT_EQ(body.responses.at(0).error_code, invalid_config);
    EXPECT_EQ(overrides("orders"), (std::map<std::string, std::string>{{"retention.ms", "1000"}}));
    EXPECT_TRUE(overrides("plain").empty());
}

// Proves every legacy AlterConfigs error, each on its own resource, with
// nothing changed by a failed resource: unknown topic, bad value, unknown
// key, null value, repeated key, repeated resource, empty topic name,
// broker changes (read-only key, runtime key, unknown key, wrong id),
// BROKER_LOGGER, and that a broker resource without changes succeeds.
TEST_F(ConfigsTest, LegacyAlterErrors) {
    auto null_value = legacy(topic_type, "n1", {{"retention.ms", "1"}});
    null_value.configs[0].value = std::nullopt;
    std::string runtime_key;
    for (const auto& key : config::broker_config_keys()) {
        if (!key.read_only) runtime_key = std::string(key.name);
    }
    ASSERT_FALSE(runtime_key.empty());
    const auto body = alter_legacy({
        legacy(topic_type, "missing", {{"retention.ms", "1"}}),
        legacy(topic_type, "orders", {{"retention.ms", "-7"}}),
        legacy(topic_type, "plain", {{"no.such.config", "1"}}),
        null_value,
        legacy(topic_type, "twice", {}),
        legacy(topic_type, "twice", {}),
        legacy(topic_type, "n2", {{"segment.ms", "1"}, {"segment.ms", "2"}}),
        legacy(topic_type, "", {}),
        legacy(broker_type, "1", {{"node.id", "2"}}),
        legacy(broker_type, "", {{"no.such.broker.config", "1"}}),
        legacy(broker_type, "3", {}),
        legacy(broker_logger_type, "1", {{"root", "DEBUG"}}),
    });
    const std::vector<std::int16_t> expected = {
        unknown_topic_or_partition, invalid_config, invalid_config, invalid_request, invalid_request,
        invalid_request, invalid_request, invalid_request, invalid_config, invalid_config,
        invalid_request, invalid_request};
    ASSERT_EQ(body.responses.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(body.responses[i].error_code, expected[i]) << i << " " << body.responses[i].error_message.value_or("");
        if (expected[i] != 0) {
            EXPECT_FALSE(body.responses[i].error_message.value_or("").empty()) << i;
        }
    }
    EXPECT_EQ(*body.responses[0].error_message, "The topic 'missing' does not exist.");
    EXPECT_EQ(*body.responses[2].error_message, "Unknown topic config name: no.such.config");
    EXPECT_NE(body.responses[8].error_message->find("node.id"), std::string::npos);
    // A key Kafka could change at runtime is still refused, by name; a
    // broker resource without changes succeeds.
    auto runtime = alter_legacy({legacy(broker_type, "1", {{runtime_key, "1"}})});
    EXPECT_EQ(runtime.responses.at(0).error_code, invalid_request);
    EXPECT_NE(runtime.responses[0].error_message.value_or("").find(runtime_key), std::string::npos);
    runtime = alter_legacy({legacy(broker_type, "1", {})});
    EXPECT_EQ(runtime.responses.at(0).error_code, 0);
    EXPECT_EQ(overrides("orders"), (std::map<std::string, std::string>{{"retention.ms", "1000"}}));
    EXPECT_TRUE(overrides("plain").empty());
}

// Proves incremental SET adds or replaces one override and DELETE removes
// one, leaving the others alone; deleting an absent override is no error.
TEST_F(ConfigsTest, IncrementalSetAndDelete) {
    auto body = alter_incremental({incremental(topic_type, "orders", {{"segment.ms", op_set, "60000"},
                                                                      {"retention.ms", op_set, "2000"}})},
                                  false, 0);
    ASSERT_EQ(body.responses.size(), 1u);
    EXPECT_EQ(body.responses[0].error_code, 0);
    EXPECT_FALSE(body.responses[0].error_message);
    EXPECT_EQ(overrides("orders"),
              (std::map<std::string, std::string>{{"retention.ms", "2000"}, {"segment.ms", "60000"}}));

    body = alter_incremental({incremental(topic_type, "orders", {{"retention.ms", op_delete, std::nullopt},
                                                                 {"max.message.bytes", op_delete, std::nullopt}})});
    EXPECT_EQ(body.responses.at(0).error_code, 0);
    EXPECT_EQ(overrides("orders"), (std::map<std::string, std::string>{{"segment.ms", "60000"}}));
    const auto described = describe(topic_type, "orders", 4, std::vector<std::string>{"retention.ms"});
    EXPECT_EQ(described.results.at(0).configs.at(0).config_source, source_default);
}

// Proves APPEND and SUBTRACT edit a list-type key starting from its default
// when there is no override, never duplicate an item, refuse to empty a list
// that must not be empty, and are INVALID_CONFIG on a non-list key.
TEST_F(ConfigsTest, IncrementalAppendAndSubtract) {
    auto body = alter_incremental({incremental(topic_type, "plain", {{"cleanup.policy", op_append, "compact"}})});
    EXPECT_EQ(body.responses.at(0).error_code, 0);
    EXPECT_EQ(overrides("plain").at("cleanup.policy"), "delete,compact");

    body = alter_incremental({incremental(topic_type, "plain", {{"cleanup.policy", op_append, "compact,delete"}})});
    EXPECT_EQ(body.responses.at(0).error_code, 0);
    EXPECT_EQ(overrides("plain").at("cleanup.policy"), "delete,compact");

    body = alter_incremental({incremental(topic_type, "plain", {{"cleanup.policy", op_subtract, "delete"}})});
    EXPECT_EQ(body.responses.at(0).error_code, 0);
    EXPECT_EQ(overrides("plain").at("cleanup.policy"), "compact");

    body = alter_incremental({incremental(topic_type, "plain", {{"cleanup.policy", op_subtract, "compact"}})});
    EXPECT_EQ(body.responses.at(0).error_code, invalid_config);
    EXPECT_EQ(overrides("plain").at("cleanup.policy"), "compact");

    body = alter_incremental({incremental(topic_type, "plain", {{"retention.ms", op_append, "5"}})});
    EXPECT_EQ(body.responses.at(0).error_code, invalid_config);
    EXPECT_EQ(body.responses[0].error_message, "Can't APPEND to key retention.ms because its type is not LIST.");
    body = alter_incremental({incremental(topic_type, "plain", {{"retention.ms", op_subtract, "5"}})});
    EXPECT_EQ(body.responses.at(0).error_code, invalid_config);
}

// Proves incremental validate_only reports the outcome and writes nothing.
TEST_F(ConfigsTest, IncrementalValidateOnly) {
    auto body = alter_incremental({incremental(topic_type, "orders", {{"retention.ms", op_delete, std::nullopt},
                                                                      {"segment.ms", op_set, "1000"}})},
                                  true);
    EXPECT_EQ(body.responses.at(0).error_code, 0);
    body = alter_incremental({incremental(topic_type, "orders", {{"segment.ms", op_set, "-5"}})}, true);
    EXPECT_EQ(body.responses.at(0).error_code, invalid_config);
    EXPECT_EQ(overrides("orders"), (std::map<std::string, std::string>{{"retention.ms", "1000"}}));
}

// Proves incremental errors stay with their resource and a resource with one
// bad change applies none of its changes: repeated resource, repeated key,
// unknown operation, null SET value, bad value, unknown topic, broker
// changes and unsupported types; the good resource beside them applies.
TEST_F(ConfigsTest, IncrementalErrors) {
    const auto body = alter_incremental({
        incremental(topic_type, "orders", {{"retention.ms", op_set, "1"}}),
        incremental(topic_type, "orders", {{"retention.ms", op_set, "2"}}),
        incremental(topic_type, "p2", {{"segment.ms", op_set, "1"}, {"segment.ms", op_delete, std::nullopt}}),
        incremental(topic_type, "p3", {{"segment.ms", 9, "1"}}),
        incremental(topic_type, "p4", {{"segment.ms", op_set, std::nullopt}}),
        incremental(topic_type, "plain", {{"segment.ms", op_set, "100000"}, {"segment.bytes", op_set, "big"}}),
        incremental(topic_type, "missing", {{"segment.ms", op_set, "1"}}),
        incremental(broker_type, "1", {{"log.dirs", op_set, "/tmp"}}),
        incremental(broker_type, "7", {{"log.dirs", op_set, "/tmp"}}),
        incremental(broker_logger_type, "1", {{"root", op_set, "DEBUG"}}),
        incremental(32, "group", {{"x", op_set, "1"}}),
        incremental(topic_type, "fine", {}),
    });
    const std::vector<std::int16_t> expected = {invalid_request, invalid_request, invalid_request, invalid_request,
                                                invalid_request, invalid_config,  unknown_topic_or_partition,
                                                invalid_config,  invalid_request, invalid_request, invalid_request,
                                                unknown_topic_or_partition};
    ASSERT_EQ(body.responses.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(body.responses[i].error_code, expected[i]) << i << " " << body.responses[i].error_message.value_or("");
        EXPECT_FALSE(body.responses[i].error_message.value_or("").empty()) << i;
    }
    EXPECT_EQ(body.responses[0].error_message, "Duplicate resource.");
    EXPECT_EQ(overrides("orders"), (std::map<std::string, std::string>{{"retention.ms", "1000"}}));
    EXPECT_TRUE(overrides("plain").empty());

    // One good resource next to a bad one is applied.
    const auto mixed = alter_incremental({incremental(topic_type, "missing", {{"segment.ms", op_set, "1"}}),
                                          incremental(topic_type, "plain", {{"segment.ms", op_set, "100000"}})});
    EXPECT_EQ(mixed.responses.at(0).error_code, unknown_topic_or_partition);
    EXPECT_EQ(mixed.responses.at(1).error_code, 0);
    EXPECT_EQ(overrides("plain"), (std::map<std::string, std::string>{{"segment.ms", "100000"}}));
}

// Proves config changes are metadata records: after the metadata log is
// reopened (replayed), the overrides are as the last change left them.
TEST_F(ConfigsTest, ChangesSurviveReplay) {
    auto body = alter_incremental({incremental(topic_type, "orders", {{"retention.ms", op_delete, std::nullopt},
                                                                      {"cleanup.policy", op_set, "compact"}})});
    ASSERT_EQ(body.responses.at(0).error_code, 0);
    server_->stop(std::chrono::seconds(5));
    server_.reset();
    shards_.stop();
    ASSERT_FALSE(log_->close());
    metadata::image_publisher replayed;
    auto reopened = metadata::metadata_log::open(directory_.path(), replayed, now_ms_);
    ASSERT_TRUE(reopened) << reopened.error().message();
    EXPECT_EQ(replayed.current()->topic("orders")->configs,
              (std::map<std::string, std::string>{{"cleanup.policy", "compact"}}));
}

}  // namespace
}  // namespace brook::broker
