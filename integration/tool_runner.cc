#include "tool_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace brook::integration {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string tool_output::describe() const {
    return "exit code " + std::to_string(exit_code) + "\n--- stdout\n" + out + "--- stderr\n" + err;
}

std::string tool_path(const std::string& name) { return std::string(BROOK_TOOLS_DIR) + "/" + name; }

background_program::background_program(const std::string& path, const std::vector<std::string>& arguments,
                                       const std::string& input) {
    char pattern[] = "/tmp/brook-program-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    directory_ = pattern;
    { std::ofstream(directory_ / "in", std::ios::binary) << input; }

    std::vector<std::string> storage{path};
    storage.insert(storage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : storage) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const std::string in_path = (directory_ / "in").string();
    const std::string out_path = (directory_ / "out").string();
    const std::string err_path = (directory_ / "err").string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int in = ::open(in_path.c_str(), O_RDONLY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0) ::_exit(126);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
}

background_program::~background_program() {
    if (!exit_code_) kill();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
}

std::string background_program::out() const { return read_file(directory_ / "out"); }
std::string background_program::err() const { return read_file(directory_ / "err"); }
void background_program::signal(int number) const {
    if (!exit_code_) ::kill(pid_, number);
}

std::optional<int> background_program::wait_for_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
}

void background_program::kill() {
    if (exit_code_) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = 128 + SIGKILL;
}

tool_output run_program(const std::string& path, const std::vector<std::string>& arguments, const std::string& input,
                        std::chrono::milliseconds timeout) {
    background_program program(path, arguments, input);
    tool_output result;
    const auto code = program.wait_for_exit(timeout);
    if (!code) program.kill();
    result.exit_code = code.value_or(128 + SIGKILL);
    result.out = program.out();
    result.err = program.err();
    return result;
}

tool_output run_tool(const std::string& name, const std::vector<std::string>& arguments, const std::string& input,
                     std::chrono::milliseconds timeout) {
    return run_program(tool_path(name), arguments, input, timeout);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

}  // namespace brook::integration
