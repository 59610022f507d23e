#include "meta_properties.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "brook/wire/uuid.h"

namespace brook::app {
namespace {

std::string random_id() {
    std::random_device random;
    wire::uuid id;
    for (auto& b : id.value) b = static_cast<wire::byte>(random());
    return id.to_base64();
}

std::map<std::string, std::string> read_properties(const std::filesystem::path& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto equals = line.find('=');
        if (equals != std::string::npos) out[line.substr(0, equals)] = line.substr(equals + 1);
    }
    return out;
}

// Writes via a temporary file, fsync and rename, so a crash leaves either no
// file or a whole one.
bool write_durably(const std::filesystem::path& path, const std::string& text) {
    const auto temporary = path.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return false;
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) return false;
    const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return true;
}

}  // namespace

meta_properties_result load_or_create_meta_properties(const std::filesystem::path& log_dir, std::int32_t node_id) {
    std::error_code error;
    std::filesystem::create_directories(log_dir, error);
    if (error) return "cannot create the data directory " + log_dir.string() + ": " + error.message();
    const auto path = log_dir / "meta.properties";
    if (std::filesystem::exists(path)) {
        auto properties = read_properties(path);
        meta_properties out;
        out.cluster_id = properties["cluster.id"];
        out.directory_id = properties["directory.id"];
        try {
            out.node_id = std::stoi(properties["node.id"]);
        } catch (const std::exception&) {
            return path.string() + " has no valid node.id";
        }
        if (out.cluster_id.empty()) return path.string() + " has no cluster.id";
        if (out.node_id != node_id) {
            return "the data directory " + log_dir.string() + " belongs to node " + std::to_string(out.node_id) +
                   ", not to node.id " + std::to_string(node_id);
        }
        return out;
    }
    meta_properties out{random_id(), random_id(), node_id};
    std::ostringstream text;
    text << "#\n#Written by brook\n"
         << "cluster.id=" << out.cluster_id << "\n"
         << "directory.id=" << out.directory_id << "\n"
         << "node.id=" << node_id << "\n"
         << "version=1\n";
    if (!write_durably(path, text.str())) return "cannot write " + path.string();
    return out;
}

}  // namespace brook::app
