// brook: a Kafka-compatible broker. With no arguments it is a complete
// single-node cluster on 127.0.0.1:9092 with its data under ./data.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>

#include "brook/broker/server.h"
#include "brook/broker/services.h"
#include "brook/io/shards.h"
#include "brook/metadata/controller.h"
#include "brook/metadata/metadata_log.h"
#include "meta_properties.h"

namespace {

namespace options = boost::program_options;

constexpr const char* version_text = "brook " BROOK_VERSION;

std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int run(const options::variables_map& arguments) {
    const auto shard_count = arguments["shards"].as<std::size_t>();
    const std::filesystem::path log_dir = arguments["log-dir"].as<std::string>();
    const std::int32_t node_id = 1;

    // The data directory's identity (cluster id, node id), as Kafka keeps it.
    auto identity = brook::app::load_or_create_meta_properties(log_dir, node_id);
    if (!identity) {
        spdlog::critical("{}", identity.error());
        return 1;
    }

    brook::io::shard_set shards(shard_count);
    brook::metadata::image_publisher publisher;
    auto metadata_log = brook::metadata::metadata_log::open(log_dir, publisher, wall_clock_ms());
    if (!metadata_log) {
        spdlog::critical("cannot open the metadata log in {}: {}", log_dir.string(), metadata_log.error().message());
        return 1;
    }
    brook::metadata::controller_options controller_options;
    controller_options.node_id = node_id;
    brook::metadata::controller controller(*metadata_log.value(), publisher, controller_options);

    brook::broker::listener_options listener;
    listener.host = arguments["host"].as<std::string>();
    listener.port = arguments["port"].as<std::uint16_t>();

    brook::broker::broker_services services;
    services.shards = &shards;
    services.metadata = &publisher;
    services.controller = &controller;
    services.settings.node_id = node_id;
    services.settings.cluster_id = identity->cluster_id;

    brook::broker::server server(shards, services, listener);
    shards.start();
    try {
        server.start();
    } catch (const std::system_error& error) {
        spdlog::critical("cannot listen on {}:{}: {}", listener.host, listener.port, error.what());
        shards.stop();
        return 1;
    }
    services.settings.listeners = {{listener.name, listener.host, server.port()}};
    // Registration runs on the controller's shard like every metadata change.
    std::promise<brook::metadata::operation_result> registered;
    boost::asio::post(shards.context(0), [&] {
        registered.set_value(controller.register_broker({{listener.name, listener.host, server.port(), 0}},
                                                        std::nullopt, wall_clock_ms()));
    });
    if (const auto result = registered.get_future().get(); !result.ok()) {
        spdlog::critical("broker registration failed: {}", result.message);
        server.stop(std::chrono::seconds(1));
        shards.stop();
        return 1;
    }
    spdlog::info("{} started: node {} of cluster {}, {} shards, data in {}", version_text, node_id,
                 identity->cluster_id, shards.size(), log_dir.string());

    // The main thread only waits for a signal, then shuts down in stages.
    boost::asio::io_context signals_context;
    boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int signal) {
        spdlog::info("received signal {}, shutting down", signal);
    });
    signals_context.run();

    server.stop(std::chrono::seconds(10));
    shards.stop();
    if (const auto error = metadata_log.value()->close()) {
        spdlog::error("closing the metadata log failed: {}", error.message());
    }
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    options::options_description described("Usage: brook [options] [server.properties]\n\nOptions");
    described.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("host", options::value<std::string>()->default_value("127.0.0.1"), "address the Kafka listener binds")
        ("port", options::value<std::uint16_t>()->default_value(9092), "port of the Kafka listener (0: any free port)")
        ("shards", options::value<std::size_t>()->default_value(0), "shards (threads); 0 = one per hardware thread")
        ("log-dir", options::value<std::string>()->default_value("./data"), "data directory (log.dirs)");
    options::variables_map arguments;
    try {
        options::store(options::parse_command_line(argc, argv, described), arguments);
        options::notify(arguments);
    } catch (const options::error& error) {
        std::cerr << "brook: " << error.what() << "\n" << described << "\n";
        return 2;
    }
    if (arguments.count("help")) {
        std::cout << described << "\n";
        return 0;
    }
    if (arguments.count("version")) {
        std::cout << version_text << "\n";
        return 0;
    }
    return run(arguments);
}
