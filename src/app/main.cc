// brook: a Kafka-compatible broker. With no arguments it is a complete
// single-node cluster on 127.0.0.1:9092 with its data under ./data.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "brook/broker/server.h"
#include "brook/broker/services.h"
#include "brook/io/shards.h"

namespace {

namespace options = boost::program_options;

constexpr const char* version_text = "brook " BROOK_VERSION;

int run(const options::variables_map& arguments) {
    const auto shard_count = arguments["shards"].as<std::size_t>();
    brook::io::shard_set shards(shard_count);
    brook::broker::broker_services services;
    brook::broker::listener_options listener;
    listener.host = arguments["host"].as<std::string>();
    listener.port = arguments["port"].as<std::uint16_t>();

    brook::broker::server server(shards, services, listener);
    shards.start();
    try {
        server.start();
    } catch (const std::system_error& error) {
        spdlog::critical("cannot listen on {}:{}: {}", listener.host, listener.port, error.what());
        shards.stop();
        return 1;
    }
    spdlog::info("{} started with {} shards", version_text, shards.size());

    // The main thread only waits for a signal, then shuts down in stages.
    boost::asio::io_context signals_context;
    boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int signal) {
        spdlog::info("received signal {}, shutting down", signal);
    });
    signals_context.run();

    server.stop(std::chrono::seconds(10));
    shards.stop();
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
        ("shards", options::value<std::size_t>()->default_value(0), "shards (threads); 0 = one per hardware thread");
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
