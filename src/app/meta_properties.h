#pragma once
// meta.properties: the identity of a data directory, in Kafka's format
// (version=1, cluster.id, node.id, directory.id). A directory formatted for
// another node is refused, so two nodes never share one by mistake.

#include <filesystem>
#include <string>
#include <variant>

namespace brook::app {

struct meta_properties {
    std::string cluster_id;
    std::string directory_id;
    std::int32_t node_id = -1;
};

// Either the properties or a readable error.
class meta_properties_result {
public:
    meta_properties_result(meta_properties value) : value_(std::move(value)) {}  // NOLINT
    meta_properties_result(std::string error) : value_(std::move(error)) {}       // NOLINT
    explicit operator bool() const noexcept { return std::holds_alternative<meta_properties>(value_); }
    const meta_properties* operator->() const { return &std::get<meta_properties>(value_); }
    const std::string& error() const { return std::get<std::string>(value_); }

private:
    std::variant<meta_properties, std::string> value_;
};

meta_properties_result load_or_create_meta_properties(const std::filesystem::path& log_dir, std::int32_t node_id);

}  // namespace brook::app
