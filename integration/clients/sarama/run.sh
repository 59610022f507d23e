#!/usr/bin/env bash
# Runs the sarama scenario: builds main.go offline with build.sh (once per
# version of the sources and of the sarama package, cached), then runs it.
#   run.sh <bootstrap host:port> <unique-suffix>   the scenario (README.md)
#   run.sh --check                                 exit 0 iff Go and sarama are installed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
package=golang-github-shopify-sarama-dev

installed() {
  command -v go >/dev/null 2>&1 &&
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" &&
    [ -d /usr/share/gocode/src/github.com/Shopify/sarama ]
}

if [ "${1:-}" = "--check" ]; then
  installed
  exit
fi
if [ $# -ne 2 ]; then
  echo "usage: run.sh <bootstrap host:port> <unique-suffix> | run.sh --check" >&2
  exit 2
fi

version=$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null || echo unknown)
steps=(metadata create_topic produce consume_group commit_offsets second_member delete_topic)
fail_all() {
  echo "client sarama ${version%%-*}"
  for step in "${steps[@]}"; do echo "step $step FAIL $1"; done
  exit 1
}
installed || fail_all "not installed: go or $package (integration/clients/setup.sh installs them)"

cache=${BROOK_COMPAT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/brook-compat}
key=$( (cat "$here/main.go" "$here/build.sh"; echo "$version"; go version) | sha256sum | cut -c1-16)
binary="$cache/sarama-scenario-$key"
if [ ! -x "$binary" ]; then
  mkdir -p "$cache"
  if ! timeout 100 "$here/build.sh" "$binary.tmp.$$" >&2; then
    rm -f "$binary.tmp.$$"
    fail_all "build failed: see stderr of integration/clients/sarama/build.sh"
  fi
  mv -f "$binary.tmp.$$" "$binary"
fi
exec "$binary" "$@"
