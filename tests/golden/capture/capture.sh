#!/usr/bin/env bash
# Re-captures every golden frame under tests/golden/<client>/ from scratch.
#
#   sudo tests/golden/capture/capture.sh [CLIENT ...]
#
# CLIENT is any of librdkafka, kafka-python, kafkajs (default: all three).
# Needs root (tcpdump on the loopback interface). Everything listens on
# 127.0.0.1 only, every process is bounded by a timeout, and only the
# processes this script started are stopped. Scratch files (binaries,
# pcaps, logs) go to $WORK (default /tmp/golden-capture); kafkajs is
# installed under $NODE_DIR (default /tmp/golden-node), never in the repo.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GOLDEN="${OUT:-$(dirname "$HERE")}"   # OUT: write somewhere else (for experiments)
WORK="${WORK:-/tmp/golden-capture}"
NODE_DIR="${NODE_DIR:-/tmp/golden-node}"
KAFKAJS_VERSION="${KAFKAJS_VERSION:-2.2.4}"
PY=/usr/bin/python3   # Debian's python, which has python3-kafka
CLIENTS=("$@")
[ ${#CLIENTS[@]} -gt 0 ] || CLIENTS=(librdkafka kafka-python kafkajs)

mkdir -p "$WORK"

# ---------------------------------------------------------------- setup ---
need_pkgs=()
command -v kcat >/dev/null || need_pkgs+=(kcat)
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || need_pkgs+=(librdkafka-dev)
command -v tcpdump >/dev/null || need_pkgs+=(tcpdump)
command -v cc >/dev/null || need_pkgs+=(gcc)
command -v node >/dev/null || need_pkgs+=(nodejs npm)
$PY -c 'import kafka' 2>/dev/null || need_pkgs+=(python3-kafka)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need_pkgs[@]}"
fi
if [ ! -f "$NODE_DIR/node_modules/kafkajs/package.json" ]; then
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } &&
        npm install --no-audit --no-fund "kafkajs@$KAFKAJS_VERSION" >/dev/null)
fi

cc -O2 -Wall -o "$WORK/mock_cluster" "$HERE/mock_cluster.c" -lrdkafka
cc -O2 -Wall -o "$WORK/librdkafka_admin" "$HERE/librdkafka_admin.c" -lrdkafka

# ------------------------------------------------------------ processes ---
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# start_server NAME CMD... : runs CMD in the background, waits for the
# "127.0.0.1:PORT" line it prints and stores it in $ADDR.
start_server() {
    local name="$1"; shift
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PIDS+=($!)
    local i
    for i in $(seq 50); do
        ADDR="$(head -n1 "$WORK/$name.out" 2>/dev/null || true)"
        [ -n "$ADDR" ] && return 0
        sleep 0.1
    done
    echo "$name did not start" >&2
    cat "$WORK/$name.err" >&2
    exit 1
}

stop_pid() {
    kill -"${2:-TERM}" "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# ------------------------------------------------------------ scenarios ---
scenario_librdkafka() {
    local mock="$1" stub="$2" topic="$3" big i
    big="$(printf 'compressible payload %.0s' $(seq 20))"
    # Admin API (CreateTopics, DeleteTopics) against the admin stub.
    timeout 30 "$WORK/librdkafka_admin" "$stub" "$topic-admin"
    # Metadata for all topics.
    timeout 20 kcat -b "$mock" -L >/dev/null
    # Idempotent producer (InitProducerId), lz4-compressed batch.
    for i in 0 1 2; do printf 'lz4-%d:%s%d\n' "$i" "$big" "$i"; done |
        timeout 20 kcat -b "$mock" -P -t "$topic" -K: -z lz4 \
            -X enable.idempotence=true -X linger.ms=50
    # Plain producer, acks=1, keys and a header, no compression.
    printf 'key-0:value-0\nkey-1:value-1\nkey-2:value-2\n' |
        timeout 20 kcat -b "$mock" -P -t "$topic" -K: -H h=header \
            -X acks=1 -X linger.ms=50
    # Simple consumer: ListOffsets + Fetch.
    timeout 20 kcat -b "$mock" -C -t "$topic" -o beginning -e -q >/dev/null
    # Balanced consumer group: FindCoordinator, JoinGroup, SyncGroup,
    # OffsetFetch, Heartbeat, Fetch, OffsetCommit, LeaveGroup.
    timeout 40 kcat -b "$mock" -G golden-librdkafka-group -e -q \
        -X auto.offset.reset=earliest -X auto.commit.interval.ms=200 \
        -X heartbeat.interval.ms=300 -X session.timeout.ms=6000 \
        "$topic" >/dev/null
}

scenario_kafka-python() {
    timeout 90 "$PY" "$HERE/scenario_kafka_python.py" "$1" "$2" "$3"
}

scenario_kafkajs() {
    KAFKAJS_NO_PARTITIONER_WARNING=1 NODE_PATH="$NODE_DIR/node_modules" timeout 90 node "$HERE/scenario_kafkajs.js" "$1" "$2" "$3"
}

# Extra mock_cluster arguments per client. The 2.0.2 mock advertises
# Metadata v0-2 only although its handler writes every field up to v8;
# kafkajs is given v0-8 so that it uses Metadata v6 (librdkafka and
# kafka-python keep the defaults and give v0, v1, v2).
declare -A CLIENT_MOCK_ARGS=([kafkajs]="-a 3:0:8")

# ------------------------------------------------------------- capture ---
capture_client() {
    local client="$1" topic="golden-$1" mock stub mpid spid tpid
    echo "== $client"
    # shellcheck disable=SC2086
    start_server "mock-$client" "$WORK/mock_cluster" -t 300 \
        ${MOCK_ARGS-${CLIENT_MOCK_ARGS[$client]:-}} "$topic"
    mock="$ADDR"; mpid="${PIDS[-1]}"
    start_server "stub-$client" "$PY" "$HERE/admin_stub.py" --lifetime 300
    stub="$ADDR"; spid="${PIDS[-1]}"

    local pcap="$WORK/$client.pcap"
    rm -f "$pcap"
    timeout 300 tcpdump -i lo -U -s 0 -w "$pcap" \
        "tcp and host 127.0.0.1 and (port ${mock##*:} or port ${stub##*:})" \
        2>"$WORK/tcpdump-$client.err" &
    tpid=$!; PIDS+=("$tpid")
    local i
    for i in $(seq 50); do
        grep -q "listening on" "$WORK/tcpdump-$client.err" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5

    "scenario_$client" "$mock" "$stub" "$topic"

    sleep 1  # let the last responses and FINs reach the capture
    stop_pid "$tpid" INT
    stop_pid "$mpid"
    stop_pid "$spid"
    cat "$WORK/tcpdump-$client.err"
    if grep -q "[1-9][0-9]* packets dropped by kernel" "$WORK/tcpdump-$client.err"; then
        echo "tcpdump dropped packets; re-run" >&2
        exit 1
    fi

    rm -rf "${GOLDEN:?}/$client"
    "$PY" "$HERE/pcap_split.py" --pcap "$pcap" --out "$GOLDEN/$client" \
        --server "${mock##*:}" --server "${stub##*:}:19,20"
}

for client in "${CLIENTS[@]}"; do
    capture_client "$client"
done

"$PY" "$HERE/validate.py" "$GOLDEN"
