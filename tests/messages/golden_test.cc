// Golden bytes: request and response frames captured from real Kafka clients
// and a real broker implementation (see tests/golden/README.md) decode with
// Brook's codecs and re-encode to exactly the same bytes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include "brook/messages/dispatch.h"
#include "brook/messages/request_header.h"
#include "brook/messages/response_header.h"

namespace brook::messages {
namespace {

struct golden_file {
    std::filesystem::path path;
    std::int16_t api_key;
    std::int16_t version;
    bool is_request;
};

std::vector<golden_file> golden_files() {
    std::vector<golden_file> out;
    const std::filesystem::path root(BROOK_GOLDEN_DIR);
    if (!std::filesystem::exists(root)) return out;
    const std::regex name(R"((\d+)-[A-Za-z]+-v(\d+)-(request|response)(-\d+)?\.bin)");
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        std::smatch match;
        const std::string file = entry.path().filename().string();
        if (!entry.is_regular_file() || !std::regex_match(file, match, name)) continue;
        out.push_back({entry.path(), static_cast<std::int16_t>(std::stoi(match[1])),
                       static_cast<std::int16_t>(std::stoi(match[2])), match[3] == "request"});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return out;
}

wire::bytes read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return wire::bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Proves byte-identical decode and re-encode of every captured frame, header
// included.
TEST(Golden, DecodeAndReencodeByteIdentical) {
    const auto files = golden_files();
    ASSERT_FALSE(files.empty()) << "no golden files under " << BROOK_GOLDEN_DIR;
    for (const auto& file : files) {
        SCOPED_TRACE(file.path.string());
        const wire::bytes frame = read_file(file.path);
        wire::reader r(frame);
        wire::writer w(frame.size());
        if (file.is_request) {
            RequestHeader header;
            ASSERT_EQ(header.decode(r, request_header_version(file.api_key, file.version)), wire::errc::ok);
            EXPECT_EQ(header.request_api_key, file.api_key);
            EXPECT_EQ(header.request_api_version, file.version);
            request body;
            ASSERT_EQ(decode_request(file.api_key, file.version, r, body), wire::errc::ok);
            ASSERT_TRUE(r.at_end()) << (frame.size() - r.position()) << " bytes left over";
            ASSERT_EQ(header.encode(w, request_header_version(file.api_key, file.version)), wire::errc::ok);
            std::visit([&](const auto& typed) { EXPECT_EQ(typed.encode(w, file.version), wire::errc::ok); }, body);
        } else {
            ResponseHeader header;
            ASSERT_EQ(header.decode(r, response_header_version(file.api_key, file.version)), wire::errc::ok);
            response body;
            ASSERT_EQ(decode_response(file.api_key, file.version, r, body), wire::errc::ok);
            ASSERT_TRUE(r.at_end()) << (frame.size() - r.position()) << " bytes left over";
            ASSERT_EQ(header.encode(w, response_header_version(file.api_key, file.version)), wire::errc::ok);
            std::visit([&](const auto& typed) { EXPECT_EQ(typed.encode(w, file.version), wire::errc::ok); }, body);
        }
        EXPECT_TRUE(std::ranges::equal(w.view(), frame)) << "re-encoded bytes differ";
    }
}

// Proves the captures cover the APIs every client depends on, as requests and
// as responses.
TEST(Golden, CoversTheCoreApis) {
    std::set<int> requests;
    std::set<int> responses;
    for (const auto& file : golden_files()) (file.is_request ? requests : responses).insert(file.api_key);
    for (const auto key : {api_key::api_versions, api_key::metadata, api_key::produce, api_key::fetch,
                           api_key::find_coordinator, api_key::join_group, api_key::sync_group,
                           api_key::offset_commit, api_key::offset_fetch, api_key::create_topics}) {
        EXPECT_TRUE(requests.contains(static_cast<int>(key))) << "no request captured for api " << static_cast<int>(key);
        EXPECT_TRUE(responses.contains(static_cast<int>(key))) << "no response captured for api " << static_cast<int>(key);
    }
}

}  // namespace
}  // namespace brook::messages
