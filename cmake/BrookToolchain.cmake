# Compiler flags shared by every Brook target: strict warnings, optional
# -Werror (CI turns it on), sanitizers, and ccache when it is installed.

find_program(BROOK_CCACHE ccache)
if(BROOK_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${BROOK_CCACHE}")
  set(CMAKE_C_COMPILER_LAUNCHER "${BROOK_CCACHE}")
endif()

# -Wnull-dereference is left out: GCC 12 raises it at -O2 inside inlined
# Boost.Asio scheduler code, where system-header suppression does not apply.
add_library(brook_compile_options INTERFACE)
target_compile_options(brook_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations)
if(BROOK_WERROR)
  target_compile_options(brook_compile_options INTERFACE -Werror)
endif()
if(BROOK_SANITIZE)
  target_compile_options(brook_compile_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(brook_compile_options INTERFACE -fsanitize=address,undefined)
endif()
