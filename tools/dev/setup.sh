#!/usr/bin/env bash
# Installs what building and testing Brook needs on Debian 12, the Kafka
# clients of the compatibility suite included, and nothing that is already
# there. Safe to run any number of times. Uses sudo when not root.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config python3
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libspdlog-dev libfmt-dev libgtest-dev
  librdkafka-dev kcat
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libssl-dev
)

missing=()
for package in "${packages[@]}"; do
  # A package counts as present only when dpkg says it is fully installed.
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Kafka clients of the compatibility suite (Debian and npm). One that
# cannot be installed is reported, and its test is skipped saying so.
"$(dirname "$0")/../../integration/clients/setup.sh"
