#pragma once
// Always-on assertions for programmer errors. They stay enabled in release
// builds: a broken invariant must stop the process with context, never let it
// continue and corrupt a log.

#include <source_location>
#include <string_view>

namespace brook::base {

[[noreturn]] void assertion_failed(std::string_view condition, std::string_view message,
                                   const std::source_location& where) noexcept;

}  // namespace brook::base

#define BROOK_ASSERT(condition, message)                                                    \
    do {                                                                                    \
        if (!(condition)) [[unlikely]] {                                                    \
            ::brook::base::assertion_failed(#condition, (message),                          \
                                            std::source_location::current());               \
        }                                                                                   \
    } while (false)
