#!/usr/bin/env bash
# Installs what is missing, builds Brook, and starts a single-node broker on
# 127.0.0.1:9092 with its data under ./data. Arguments go to brook, e.g.
#   tools/dev/run.sh config/server.properties --override num.partitions=3
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target brook -j "$(nproc)"
exec build/release/src/app/brook "$@"
