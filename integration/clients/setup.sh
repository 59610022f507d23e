#!/usr/bin/env bash
# Installs the Kafka clients of the compatibility suite (README.md beside this
# file), and nothing that is already there. Safe to run any number of times.
# Uses sudo when not root. A client that cannot be installed is reported as
# "setup-clients: <client> unavailable: <reason>" and the script goes on; it
# always exits 0.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

unavailable() { echo "setup-clients: $1 unavailable: $2"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# --- Debian packages --------------------------------------------------------
# client name, then its packages.
declare -A client_packages=(
  [confluent-kafka-python]="python3-confluent-kafka"
  [kafka-python]="python3-kafka"
  [sarama]="golang-go golang-github-shopify-sarama-dev"
  [node]="nodejs"
)

missing=()
for client in "${!client_packages[@]}"; do
  for package in ${client_packages[$client]}; do
    if [ "$package" = nodejs ] && command -v node >/dev/null 2>&1; then
      continue  # any node (Debian's, NodeSource's) will do; its version is checked below
    fi
    installed "$package" || missing+=("$package")
  done
done

apt_install() {
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-clients: installing ${missing[*]}"
  updated=true
  $sudo apt-get update -qq || updated=false
  if ! $updated || ! apt_install "${missing[@]}"; then
    # One at a time, so that one unavailable package does not stop the others.
    for package in "${missing[@]}"; do
      apt_install "$package" || echo "setup-clients: apt-get install $package failed"
    done
  fi
  if [[ " ${missing[*]} " == *" nodejs "* ]] && ! command -v npm >/dev/null 2>&1; then
    apt_install npm || echo "setup-clients: apt-get install npm failed"
  fi
else
  echo "setup-clients: all Debian packages already installed"
fi

for client in confluent-kafka-python kafka-python sarama; do
  for package in ${client_packages[$client]}; do
    installed "$package" || unavailable "$client" "Debian package $package is not installed"
  done
done
if [ -x "$here/sarama/run.sh" ] && "$here/sarama/run.sh" --check; then
  # Prove that the offline build works (cached by run.sh's key, so cheap).
  probe=$(mktemp)
  if ! "$here/sarama/build.sh" "$probe" >/dev/null 2>&1; then
    unavailable sarama "offline build failed: run integration/clients/sarama/build.sh /tmp/x to see why"
  fi
  rm -f "$probe"
fi

# --- npm packages -----------------------------------------------------------
node_dir="$here/node"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  unavailable kafkajs "node or npm is not installed"
  unavailable platformatic-kafka "node or npm is not installed"
else
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  # node_modules is current when it was installed from this package-lock.json.
  stamp="$node_dir/node_modules/.brook-lock-sha256"
  want=$(cat "$node_dir/package.json" "$node_dir/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "setup-clients: node_modules already current"
  else
    echo "setup-clients: npm ci in $node_dir"
    if (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
      echo "$want" >"$stamp"
    else
      unavailable kafkajs "npm ci failed in $node_dir"
      unavailable platformatic-kafka "npm ci failed in $node_dir"
    fi
  fi
  [ -f "$node_dir/node_modules/kafkajs/package.json" ] || unavailable kafkajs "not in $node_dir/node_modules"
  if [ ! -f "$node_dir/node_modules/@platformatic/kafka/package.json" ]; then
    unavailable platformatic-kafka "not in $node_dir/node_modules"
  elif [ "$node_major" -lt 20 ]; then
    # @platformatic/kafka 1.x needs node >= 20.19.4 (2.x needs >= 22.22).
    unavailable platformatic-kafka "node $(node --version) is too old (needs >= 20.19.4)"
  fi
fi

exit 0
