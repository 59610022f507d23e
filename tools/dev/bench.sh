#!/usr/bin/env bash
# The benchmark command (docs/benchmarks.md): installs what is missing, builds
# the optimized broker and the load tools, then runs the driver, which prints
# one table of Brook against this machine's ceilings and librdkafka's mock
# cluster. Arguments go to the driver, e.g.
#   tools/dev/bench.sh --quick
#   tools/dev/bench.sh --only produce,latency --markdown /tmp/table.md
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/setup.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target brook brook-topics brook-producer-perf-test \
  brook-consumer-perf-test brook-lean-bench brook-mock-cluster brook-machine-ceilings
exec python3 tools/perf/bench.py --build-dir build/release "$@"
