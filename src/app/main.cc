// brook: a Kafka-compatible broker.
//
//     brook [server.properties] [--override key=value]...
//
// With no file it is a complete single-node cluster: node 1, the Kafka
// listener on 127.0.0.1:9092, the controller listener on 127.0.0.1:9093, data
// under ./data. The file uses Kafka's server.properties keys.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <boost/system/system_error.hpp>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>

#include "brook/broker/fetch_sessions.h"
#include "brook/broker/group_manager.h"
#include "brook/broker/partition_manager.h"
#include "brook/broker/server.h"
#include "brook/broker/services.h"
#include "brook/config/broker_config.h"
#include "brook/config/topic_config.h"
#include "brook/io/shards.h"
#include "brook/metadata/controller.h"
#include "brook/metadata/metadata_log.h"
#include "meta_properties.h"

namespace {

namespace options = boost::program_options;

constexpr const char* version_text = "brook " BROOK_VERSION;

std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Reads the file (if any) and the --override pairs into a validated config;
// prints what is wrong and returns nothing when the node must not start.
std::optional<brook::config::broker_config> load_config(const std::optional<std::string>& file,
                                                        const std::vector<std::string>& overrides) {
    brook::config::properties values;
    if (file) {
        auto loaded = brook::config::properties::load(*file);
        if (!loaded) {
            std::cerr << "brook: " << loaded.error() << "\n";
            return std::nullopt;
        }
        values = std::move(loaded).value();
    }
    for (const auto& pair : overrides) {
        const auto equals = pair.find('=');
        if (equals == std::string::npos || equals == 0) {
            std::cerr << "brook: --override expects key=value, got '" << pair << "'\n";
            return std::nullopt;
        }
        values.set(pair.substr(0, equals), pair.substr(equals + 1));
    }
    auto parsed = brook::config::parse_broker_config(values);
    if (!parsed) {
        std::cerr << "brook: invalid configuration: " << parsed.error() << "\n";
        return std::nullopt;
    }
    for (const auto& issue : parsed.issues()) {
        if (issue.what == brook::config::config_issue::ignored) {
            spdlog::info("config: {}", issue.message);
        } else {
            spdlog::warn("config: {}", issue.message);
        }
    }
    return std::move(parsed).value();
}

bool is_controller_listener(const brook::config::broker_config& config, const std::string& name) {
    return std::find(config.controller_listener_names.begin(), config.controller_listener_names.end(), name) !=
           config.controller_listener_names.end();
}

std::string advertised_host(const std::string& host) {
    if (!host.empty() && host != "0.0.0.0" && host != "::") return host;
    // A listener on every interface advertises the machine's name, as Kafka does.
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0') return name;
    return "localhost";
}

// A broker holds a descriptor per segment and per connection; the usual
// soft limit (1024) runs out at a few hundred partitions. Raise it to the
// hard limit, as Kafka's packaging asks operators to.
void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
        spdlog::info("open file limit raised from {} to {}", before, limit.rlim_max);
    }
}

int run(const brook::config::broker_config& config) {
    raise_open_file_limit();
    const std::filesystem::path log_dir = config.log_dirs.front();
    auto identity = brook::app::load_or_create_meta_properties(log_dir, config.node_id);
    if (!identity) {
        spdlog::critical("{}", identity.error());
        return 1;
    }

    brook::io::shard_set shards(config.shards);
    brook::metadata::image_publisher publisher;
    auto metadata_log = brook::metadata::metadata_log::open(log_dir, publisher, wall_clock_ms());
    if (!metadata_log) {
        spdlog::critical("cannot open the metadata log in {}: {}", log_dir.string(), metadata_log.error().message());
        return 1;
    }
    brook::metadata::controller_options controller_options;
    controller_options.node_id = config.node_id;
    controller_options.default_partitions = config.num_partitions;
    controller_options.default_replication_factor = static_cast<std::int16_t>(config.default_replication_factor);
    controller_options.validate_topic_configs = [](const std::map<std::string, std::string>& overrides) {
        return brook::config::validate_topic_overrides(
            brook::config::topic_overrides(overrides.begin(), overrides.end()));
    };
    brook::metadata::controller controller(*metadata_log.value(), publisher, controller_options);

    brook::broker::partition_manager partitions(shards, config, config.node_id);
    partitions.remove_strays(*publisher.current());

    brook::broker::fetch_session_caches fetch_sessions(static_cast<std::uint32_t>(shards.size()),
                                                       static_cast<std::size_t>(config.max_incremental_fetch_session_cache_slots));

    brook::broker::broker_services services;
    services.fetch_sessions = &fetch_sessions;
    services.partitions = &partitions;
    services.shards = &shards;
    services.config = &config;
    services.metadata = &publisher;
    services.controller = &controller;
    services.settings.node_id = config.node_id;
    services.settings.cluster_id = identity->cluster_id;
    services.settings.auto_create_topics = config.auto_create_topics_enable;
    brook::broker::group_manager groups(services);
    services.groups = &groups;

    brook::broker::connection_limits limits;
    limits.max_frame_bytes = static_cast<std::size_t>(config.socket_request_max_bytes);
    limits.idle_timeout = std::chrono::milliseconds(config.connections_max_idle_ms);
    limits.max_connections = static_cast<std::size_t>(config.max_connections);

    std::vector<std::unique_ptr<brook::broker::server>> servers;
    for (const auto& listener : config.listeners) {
        brook::broker::listener_options options;
        options.name = listener.name;
        options.host = listener.host.empty() ? "0.0.0.0" : listener.host;
        options.port = listener.port;
        options.limits = limits;
        servers.push_back(std::make_unique<brook::broker::server>(shards, services, options));
    }
    shards.start();
    const auto stop_all = [&] {
        // Requests parked in a rebalance are answered first, so the
        // listeners' drain does not wait for them.
        std::promise<void> groups_stopped;
        boost::asio::co_spawn(
            shards.context(0),
            [&]() -> boost::asio::awaitable<void> {
                auto stop = groups.stop();
                co_await std::move(stop);
                groups_stopped.set_value();
            },
            boost::asio::detached);
        groups_stopped.get_future().wait();
        for (auto& server : servers) server->stop(std::chrono::seconds(10));
        partitions.close_all();
        shards.stop();
    };
    for (std::size_t i = 0; i < servers.size(); ++i) {
        try {
            servers[i]->start();
        } catch (const boost::system::system_error& error) {  // what Asio throws; not a std::system_error
            spdlog::critical("cannot listen on {}: {}", config.listeners[i].to_string(), error.code().message());
            stop_all();
            return 1;
        }
    }

    // What clients are told: advertised.listeners, with a port of 0 (or a
    // listener bound to port 0) resolved to the port actually bound.
    std::vector<brook::metadata::broker_endpoint> endpoints;
    for (const auto& advertised : config.advertised_listeners) {
        std::uint16_t port = advertised.port;
        for (std::size_t i = 0; i < servers.size(); ++i) {
            if (config.listeners[i].name == advertised.name && (port == 0 || config.listeners[i].port == 0)) {
                port = servers[i]->port();
            }
        }
        const std::string host = advertised_host(advertised.host);
        services.settings.listeners.push_back({advertised.name, host, port});
        if (!is_controller_listener(config, advertised.name)) endpoints.push_back({advertised.name, host, port, 0});
    }

    // Registration runs on the controller's shard like every metadata change.
    std::promise<brook::metadata::operation_result> registered;
    boost::asio::post(shards.context(0), [&] {
        registered.set_value(controller.register_broker(endpoints, config.broker_rack, wall_clock_ms()));
    });
    if (const auto result = registered.get_future().get(); !result.ok()) {
        spdlog::critical("broker registration failed: {}", result.message);
        stop_all();
        return 1;
    }
    // Open (and recover) the logs of every hosted partition before serving.
    std::promise<void> reconciled;
    boost::asio::co_spawn(
        shards.context(0),
        [&]() -> boost::asio::awaitable<void> {
            auto reconcile = partitions.reconcile(publisher.current());
            co_await std::move(reconcile);
            reconciled.set_value();
        },
        boost::asio::detached);
    reconciled.get_future().wait();
    partitions.start_retention(std::chrono::milliseconds(config.log_retention_check_interval_ms));
    spdlog::info("{} started: node {} of cluster {}, {} shards, data in {}", version_text, config.node_id,
                 identity->cluster_id, shards.size(), log_dir.string());

    // The main thread only waits for a signal, then shuts down in stages.
    boost::asio::io_context signals_context;
    boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int signal) {
        spdlog::info("received signal {}, shutting down", signal);
    });
    signals_context.run();

    stop_all();
    if (const auto error = metadata_log.value()->close()) {
        spdlog::error("closing the metadata log failed: {}", error.message());
    }
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    options::options_description described("Usage: brook [server.properties] [--override key=value]...\n\nOptions");
    described.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("config-reference", "print every configuration key Brook honours, as a markdown table, and exit")
        ("override", options::value<std::vector<std::string>>()->composing(),
         "set a server.properties key, after the file (repeatable)")
        ("config", options::value<std::string>(), "the server.properties file (also the first positional argument)");
    options::positional_options_description positional;
    positional.add("config", 1);
    options::variables_map arguments;
    try {
        options::store(options::command_line_parser(argc, argv).options(described).positional(positional).run(),
                       arguments);
        options::notify(arguments);
    } catch (const options::error& error) {
        std::cerr << "brook: " << error.what() << "\n" << described << "\n";
        return 2;
    }
    if (arguments.count("help")) {
        std::cout << described << "\nWith no file, brook is a single-node cluster on 127.0.0.1:9092 with its data "
                                  "under ./data.\n";
        return 0;
    }
    if (arguments.count("version")) {
        std::cout << version_text << "\n";
        return 0;
    }
    if (arguments.count("config-reference")) {
        std::cout << brook::config::configuration_reference_markdown();
        return 0;
    }
    std::optional<std::string> file;
    if (arguments.count("config")) file = arguments["config"].as<std::string>();
    std::vector<std::string> overrides;
    if (arguments.count("override")) overrides = arguments["override"].as<std::vector<std::string>>();
    const auto config = load_config(file, overrides);
    if (!config) return 1;
    return run(*config);
}
