#include "brook/base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace brook::base {

void assertion_failed(std::string_view condition, std::string_view message,
                      const std::source_location& where) noexcept {
    std::fprintf(stderr, "brook: assertion failed: %.*s (%.*s) at %s:%u in %s\n",
                 static_cast<int>(condition.size()), condition.data(),
                 static_cast<int>(message.size()), message.data(), where.file_name(),
                 static_cast<unsigned>(where.line()), where.function_name());
    std::fflush(stderr);
    std::abort();
}

}  // namespace brook::base
