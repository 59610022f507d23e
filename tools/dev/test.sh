#!/usr/bin/env bash
# The one test command: installs what is missing, builds, and runs every test,
# first in the optimized build, then all of them again under AddressSanitizer
# and UndefinedBehaviorSanitizer (integration tests included: they run the
# sanitized brook, and a sanitizer report in its log fails the test). Exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

tools/dev/setup.sh

jobs=$(nproc)
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Let builds of other checkouts of this repository (CI clones it afresh) hit the
# same ccache entries: paths are hashed relative to the checkout.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

echo "== release build and all tests"
cmake --preset release
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

echo "== sanitizer build (ASan + UBSan) and all tests"
cmake --preset asan
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs"

if command -v ccache >/dev/null; then ccache --show-stats | grep -iE 'hit|miss' | head -3 || true; fi
