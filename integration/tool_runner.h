#pragma once
// Runs one of Brook's command-line tools (tools/), or any other program, as a
// child process, the way a person runs it from a shell, and captures what it printed and its exit
// code. Bounded: a tool still running at the deadline is killed and reported
// as exit code 128 + SIGKILL.

#include <chrono>
#include <string>
#include <vector>

namespace brook::integration {

struct tool_output {
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr

    // For failure messages: exit code, stdout and stderr.
    std::string describe() const;
};

// The path of a tool built alongside the tests, e.g. tool_path("brook-topics").
std::string tool_path(const std::string& name);

// Runs the program at `path` with `arguments`, feeding `input` on stdin
// (then EOF); the environment is the test's own.
tool_output run_program(const std::string& path, const std::vector<std::string>& arguments,
                        const std::string& input = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs tool `name` with `arguments`, feeding `input` on stdin (then EOF).
tool_output run_tool(const std::string& name, const std::vector<std::string>& arguments,
                     const std::string& input = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(60));

// stdout split into lines (without the newlines); empty lines dropped.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace brook::integration
