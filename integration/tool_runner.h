#pragma once
// Runs one of Brook's command-line tools (tools/), or any other program, as a
// child process, the way a person runs it from a shell, and captures what it
// printed and its exit code. Bounded: a program still running at the deadline
// is killed and reported as exit code 128 + SIGKILL.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
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

// A program running in the background with `input` on stdin and its output
// going to files (no pipe can fill up while a test waits); killed and reaped
// when it goes out of scope if it has not exited.
class background_program {
public:
    // `path` is searched in PATH when it has no slash; the environment is the test's own.
    background_program(const std::string& path, const std::vector<std::string>& arguments,
                       const std::string& input = {});
    ~background_program();
    background_program(const background_program&) = delete;
    background_program& operator=(const background_program&) = delete;

    std::string out() const;
    std::string err() const;
    void signal(int number) const;
    // Its exit code (128 + signal when a signal ended it) once it exited;
    // nothing when it is still running at the deadline.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
    // SIGKILL, then reap.
    void kill();

private:
    std::filesystem::path directory_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

// Runs the program at `path` with `arguments`, feeding `input` on stdin
// (then EOF), and waits for it (bounded by `timeout`).
tool_output run_program(const std::string& path, const std::vector<std::string>& arguments,
                        const std::string& input = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs tool `name` with `arguments`, feeding `input` on stdin (then EOF).
tool_output run_tool(const std::string& name, const std::vector<std::string>& arguments,
                     const std::string& input = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(60));

// stdout split into lines (without the newlines); empty lines dropped.
std::vector<std::string> lines_of(const std::string& text);

// A whole file's bytes (empty when it cannot be read).
std::string read_file(const std::filesystem::path& path);

}  // namespace brook::integration
