// kcat, the command-line client the README's quick start uses, against a
// real brook: list metadata, produce keyed lines, consume them back.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness.h"

namespace brook::integration {
namespace {

constexpr const char* kcat_binary = "/usr/bin/kcat";

// Runs a shell command (bounded by `timeout` through coreutils' timeout) and
// returns its standard output.
std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(("timeout 60 " + command + " 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
    return out;
}

// Proves the README's kcat commands work: -L lists the broker and an
// auto-created topic, -P produces keyed lines with acks=all, -C -e reads them
// back with their keys and offsets.
TEST(Kcat, QuickStartCommands) {
    if (!std::filesystem::exists(kcat_binary)) GTEST_SKIP() << "kcat is not installed (" << kcat_binary << ")";
    broker_process broker;
    ASSERT_TRUE(broker.start());
    const std::string b = " -b " + broker.bootstrap();

    const auto input = broker.directory() / "lines.txt";
    std::ofstream(input) << "k1:hello\nk2:world\n";
    run(std::string(kcat_binary) + b + " -P -t demo -K: -X acks=all -z gzip < " + input.string());

    const std::string consumed = run(std::string(kcat_binary) + b + " -C -t demo -e -o beginning -q -f '%k=%s @%o\\n'");
    EXPECT_EQ(consumed, "k1=hello @0\nk2=world @1\n");

    const std::string listing = run(std::string(kcat_binary) + b + " -L");
    EXPECT_NE(listing.find("broker 1 at " + broker.bootstrap()), std::string::npos) << listing;
    EXPECT_NE(listing.find("topic \"demo\" with 1 partitions"), std::string::npos) << listing;

    const std::string latest = run(std::string(kcat_binary) + b + " -Q -t demo:0:-1");
    EXPECT_NE(latest.find("offset 2"), std::string::npos) << latest;
}

}  // namespace
}  // namespace brook::integration
