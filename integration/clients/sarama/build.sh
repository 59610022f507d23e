#!/usr/bin/env bash
# Builds the sarama scenario offline: GOPATH mode against Debian's
# golang-github-shopify-sarama-dev (and its dependencies) in /usr/share/gocode.
# Usage: build.sh <output-binary>
set -euo pipefail
out=${1:?usage: build.sh <output-binary>}
here=$(cd "$(dirname "$0")" && pwd)
version=$(dpkg-query -W -f='${Version}' golang-github-shopify-sarama-dev 2>/dev/null || echo unknown)
version=${version%%-*}  # Debian revision off: 1.22.1-1 -> 1.22.1
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
cache=${GOCACHE:-${TMPDIR:-/tmp}/brook-sarama-gocache}
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS='' GOCACHE="$cache" \
  CGO_CFLAGS="${CGO_CFLAGS:--O2} -Wno-deprecated-declarations" \
  go build -o "$out" -ldflags "-X main.saramaVersion=$version" main.go
