#!/usr/bin/env python3
"""Brook's benchmark driver: one run, one table (docs/benchmarks.md).

Shared machines drift 15-25 % between runs, so numbers only count side by
side. In one run this measures the machine's ceilings (brook-machine-ceilings),
starts Brook and librdkafka's mock cluster (brook-mock-cluster) on loopback,
runs the same workloads against both with librdkafka load tools
(brook-producer-perf-test, brook-consumer-perf-test) and against Brook with the
lean generator (brook-lean-bench), and prints one markdown table: absolute
numbers, Brook/peer and Brook/ceiling, the broker's CPU per GB, and the target
each row is held to. Targets are shown, never asserted.

    tools/dev/bench.sh                 # builds, then runs this with defaults
    tools/perf/bench.py --quick        # about a tenth of the data
    tools/perf/bench.py --only produce,latency --markdown table.md

Everything binds to 127.0.0.1; data goes under --data-dir (a temporary
directory by default) and is removed afterwards unless --keep.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

MIB = 1024 * 1024
GIB = 1024 * MIB
SECTIONS = ["produce", "lean", "consume", "latency", "e2e", "partitions", "restart"]


class BenchError(Exception):
    pass


def log(text):
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command, timeout):
    """Runs a tool; its stdout, or BenchError with its stderr."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"{os.path.basename(command[0])} took longer than {timeout} s") from e
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BenchError(f"{os.path.basename(command[0])} exited {done.returncode}: {' / '.join(tail)}")
    return done.stdout


# ---------------------------------------------------------------------------
# Parsing the tools' output.

PRODUCER_SUMMARY = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, ([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th, ([\d.]+) ms 99.9th")
LEAN_SUMMARY = re.compile(r"(\d+) records (?:sent|fetched), ([\d.]+) records/sec \(([\d.]+) MB/sec\)")
LATENCY_LINE = re.compile(r"([\d.]+) ms avg, ([\d.]+) ms 50th, ([\d.]+) ms 99th, ([\d.]+) ms 99.9th, ([\d.]+) ms max")
CPU_LINE = re.compile(r"Broker CPU: ([\d.]+) core-seconds .* ([\d.]+) core-seconds per GB; RSS ([\d.]+) MiB")
E2E_LINE = re.compile(r"End-to-end latency: ([\d.]+) ms avg, ([\d.]+) ms 50th, ([\d.]+) ms 99th, ([\d.]+) ms 99.9th")


@dataclass
class Measure:
    records_per_s: float = 0.0
    mb_per_s: float = 0.0
    records: int = 0
    p50: float = 0.0
    p99: float = 0.0
    p999: float = 0.0
    cpu_per_gb: float | None = None
    rss_mib: float | None = None
    extra: dict = field(default_factory=dict)


def parse_cpu(out, m):
    found = CPU_LINE.search(out)
    if found:
        m.cpu_per_gb = float(found.group(2))
        m.rss_mib = float(found.group(3))
    return m


def parse_producer(out):
    found = PRODUCER_SUMMARY.search(out)
    if not found:
        raise BenchError("producer-perf-test printed no summary: " + out[-300:])
    g = found.groups()
    m = Measure(records=int(g[0]), records_per_s=float(g[1]), mb_per_s=float(g[2]), p50=float(g[5]),
                p99=float(g[7]), p999=float(g[8]))
    return parse_cpu(out, m)


def parse_consumer(out):
    lines = [line for line in out.splitlines() if line.count(",") >= 9 and not line.startswith("start.time")]
    if not lines:
        raise BenchError("consumer-perf-test printed no result row: " + out[-300:])
    cells = [c.strip() for c in lines[-1].split(",")]
    m = Measure(mb_per_s=float(cells[3]), records=int(cells[4]), records_per_s=float(cells[5]))
    e2e = E2E_LINE.search(out)
    if e2e:
        m.p50, m.p99, m.p999 = float(e2e.group(2)), float(e2e.group(3)), float(e2e.group(4))
    return parse_cpu(out, m)


def parse_lean(out):
    found = LEAN_SUMMARY.search(out)
    if not found:
        raise BenchError("brook-lean-bench printed no summary: " + out[-300:])
    m = Measure(records=int(found.group(1)), records_per_s=float(found.group(2)), mb_per_s=float(found.group(3)))
    latency = LATENCY_LINE.search(out)
    if latency:
        m.p50, m.p99, m.p999 = float(latency.group(2)), float(latency.group(3)), float(latency.group(4))
    return parse_cpu(out, m)


# ---------------------------------------------------------------------------
# The two servers.

class Brook:
    """A single-node brook with its data under `directory`."""

    def __init__(self, tools, directory, name="brook"):
        self.tools = tools
        self.directory = directory
        self.name = name
        self.port = free_port()
        self.controller_port = free_port()
        self.process = None
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "server.properties"), "w") as f:
            f.write(f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}\n"
                    f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}\n"
                    f"log.dirs={os.path.join(directory, 'data')}\n")

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.process.pid

    def start(self, ready_topic=None, timeout=120):
        """Starts brook; the seconds until it answered Metadata (for
        `ready_topic`, with every partition led, when given)."""
        started = time.monotonic()
        log_file = open(os.path.join(self.directory, "brook.log"), "a")
        self.process = subprocess.Popen([self.tools.brook, os.path.join(self.directory, "server.properties")],
                                        stdout=log_file, stderr=subprocess.STDOUT)
        log_file.close()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.process.returncode}; see "
                                 f"{self.directory}/brook.log")
            if metadata_ready("127.0.0.1", self.port, ready_topic):
                return time.monotonic() - started
            time.sleep(0.005)
        raise BenchError(f"{self.name} was not ready within {timeout} s")

    def stop(self, kill=False):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def create_topic(self, topic, partitions):
        run([self.tools.topics, "--bootstrap-server", self.bootstrap, "--create", "--if-not-exists",
             "--topic", topic, "--partitions", str(partitions)], timeout=600)
        # Timed loads start once every partition has its leader, so a
        # client's first metadata retries do not count against the broker.
        deadline = time.monotonic() + 120
        while not metadata_ready("127.0.0.1", self.port, topic):
            if time.monotonic() > deadline:
                raise BenchError(f"{topic}: partitions not all led within 120 s")
            time.sleep(0.05)


class Mock:
    """librdkafka's mock cluster, one broker, as its own process."""

    def __init__(self, tools):
        self.process = subprocess.Popen([tools.mock_cluster], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        self.bootstrap = self.process.stdout.readline().strip()
        if not self.bootstrap:
            raise BenchError("brook-mock-cluster printed no bootstrap address")

    @property
    def pid(self):
        return self.process.pid

    def create_topic(self, topic, partitions):
        self.process.stdin.write(f"create {topic} {partitions}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if answer != "ok":
            raise BenchError(f"mock cluster: create {topic}: {answer}")

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def metadata_ready(host, port, topic):
    """Whether the node answers a Metadata v1 request (for `topic` with every
    partition led, when given). Raw bytes, so no client library's retry
    backoff blurs a restart time."""
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.settimeout(5)
            client_id = b"bench"
            body = struct.pack(">i", 1 if topic else -1)
            if topic:
                body += struct.pack(">h", len(topic)) + topic.encode()
            header = struct.pack(">hhih", 3, 1, 7, len(client_id)) + client_id
            s.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
            size = struct.unpack(">i", recv_exactly(s, 4))[0]
            reply = recv_exactly(s, size)
    except (OSError, ValueError):
        return False
    return topic is None or metadata_all_led(reply, topic)


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ValueError("connection closed")
        data += chunk
    return data


def metadata_all_led(reply, topic):
    """Parses a Metadata v1 response: the topic has partitions, all led."""
    pos = 4  # correlation id
    (brokers,) = struct.unpack_from(">i", reply, pos)
    pos += 4
    for _ in range(brokers):
        pos += 4  # node id
        (n,) = struct.unpack_from(">h", reply, pos)
        pos += 2 + n + 4  # host, port
        (n,) = struct.unpack_from(">h", reply, pos)
        pos += 2 + max(n, 0)  # rack
    pos += 4  # controller id
    (topics,) = struct.unpack_from(">i", reply, pos)
    pos += 4
    for _ in range(topics):
        (error,) = struct.unpack_from(">h", reply, pos)
        (n,) = struct.unpack_from(">h", reply, pos + 2)
        name = reply[pos + 4:pos + 4 + n].decode()
        pos += 4 + n + 1  # error, name, is_internal
        (partitions,) = struct.unpack_from(">i", reply, pos)
        pos += 4
        led = error == 0 and partitions > 0
        for _ in range(partitions):
            perror, _, leader = struct.unpack_from(">hii", reply, pos)
            pos += 10
            led = led and perror == 0 and leader >= 0
            for _ in range(2):  # replicas, isr
                (n,) = struct.unpack_from(">i", reply, pos)
                pos += 4 + 4 * n
        if name == topic:
            return led
    return False


# ---------------------------------------------------------------------------
# The table.

@dataclass
class Row:
    section: str
    workload: str
    brook: str
    peer: str = "-"
    vs_peer: float | None = None
    ceiling: str = "-"
    vs_ceiling: float | None = None
    cpu: str = "-"
    target: str = ""
    met: bool | None = None


def fmt_rate(m):
    if m.records_per_s >= 1e6:
        rate = f"{m.records_per_s / 1e6:.2f} M/s"
    else:
        rate = f"{m.records_per_s / 1e3:.1f} k/s"
    return f"{m.mb_per_s:.0f} MB/s, {rate}"


def fmt_latency(m):
    return f"{m.p50:.2f} / {m.p99:.2f} / {m.p999:.2f} ms"


def ratio(a, b):
    return a / b if b else None


def print_table(rows, out):
    header = ["Workload", "Brook", "Peer (mock)", "Brook/peer", "Ceiling", "Brook/ceiling", "Broker CPU s/GB",
              "Target"]
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join("---" for _ in header) + "|", file=out)
    for r in rows:
        verdict = "" if r.met is None else (" (met)" if r.met else " (missed)")
        cells = [r.workload, r.brook, r.peer, "-" if r.vs_peer is None else f"{r.vs_peer:.2f}", r.ceiling,
                 "-" if r.vs_ceiling is None else f"{r.vs_ceiling:.2f}", r.cpu, (r.target + verdict).strip()]
        print("| " + " | ".join(cells) + " |", file=out)


# ---------------------------------------------------------------------------
# Workloads.

class Bench:
    def __init__(self, args, tools):
        self.args = args
        self.tools = tools
        self.scale = args.scale
        self.rows = []
        self.ceilings = {}
        self.brook = None
        self.mock = None

    def add(self, row):
        self.rows.append(row)
        log(f"{row.workload}: Brook {row.brook}; peer {row.peer}")

    def count(self, n):
        return max(int(n * self.scale), 1000)

    def side_by_side(self, servers, measure, key):
        """Runs `measure(server)` --repeat times on each server, alternating
        which goes first (the machine's speed drifts; pairs keep the ratio
        honest), and returns each server's run with the median `key`."""
        runs = {name: [] for name, _ in servers}
        for round_ in range(self.args.repeat):
            order = servers if round_ % 2 == 0 else list(reversed(servers))
            for name, server in order:
                runs[name].append(measure(server))
        return {name: sorted(found, key=key)[len(found) // 2] for name, found in runs.items()}

    # -- ceilings -----------------------------------------------------------
    def measure_ceilings(self):
        log("measuring the machine's ceilings")
        # As many bytes as the lean produce writes, so both meet the page
        # cache in the same state (a write that fits in free memory runs
        # ten times faster than a sustained one on a VM).
        out = run([self.tools.ceilings, "--dir", self.args.data_dir, "--bytes", str(max(int(4 * GIB * self.scale), 256 * MIB)),
                   "--seconds", "10"], timeout=600)
        for line in out.splitlines():
            cells = line.split("\t")
            if len(cells) >= 3:
                cpu = None
                if len(cells) >= 5 and cells[4].startswith("cpu_s="):
                    cpu = float(cells[4][6:])
                self.ceilings[cells[0]] = (float(cells[1]), cells[2], cpu)
        for name, (value, unit, _) in self.ceilings.items():
            log(f"ceiling {name}: {value} {unit}")

    def ceiling(self, name):
        value = self.ceilings.get(name)
        return (value[0], f"{value[0]:.0f} {value[1]} ({name})") if value else (None, "-")

    # -- tools --------------------------------------------------------------
    def producer(self, server, topic, records, size, acks, throughput=-1, linger=None, extra=()):
        command = [self.tools.producer_perf, "--topic", topic, "--num-records", str(records), "--record-size",
                   str(size), "--throughput", str(throughput), "--broker-pid", str(server.pid),
                   "--producer-props", f"bootstrap.servers={server.bootstrap}", f"acks={acks}"]
        if linger is not None:
            command.append(f"linger.ms={linger}")
        command += list(extra)
        return parse_producer(run(command, timeout=900))

    def consumer(self, server, topic, messages, extra=()):
        command = [self.tools.consumer_perf, "--bootstrap-server", server.bootstrap, "--topic", topic,
                   "--messages", str(messages), "--timeout", "30000", "--broker-pid", str(server.pid)] + list(extra)
        return parse_consumer(run(command, timeout=900))

    def lean(self, server, *arguments):
        command = [self.tools.lean, *arguments, "--bootstrap-server", server.bootstrap, "--broker-pid",
                   str(server.pid)]
        return parse_lean(run(command, timeout=900))

    # -- produce with librdkafka ----------------------------------------------
    def produce(self):
        for size in (100, 1024):
            for partitions in (1, 6):
                for acks in ("1", "all"):
                    topic = f"produce-{size}-{partitions}-{acks}"
                    records = self.count(3_000_000 if size == 100 else 1_000_000)
                    servers = [("brook", self.brook), ("mock", self.mock)]
                    for _, server in servers:
                        server.create_topic(topic, partitions)
                    results = self.side_by_side(
                        servers, lambda server: self.producer(server, topic, records, size, acks),
                        key=lambda m: m.records_per_s)
                    b, p = results["brook"], results["mock"]
                    vs = ratio(b.records_per_s, p.records_per_s)
                    self.add(Row("produce", f"produce {size} B, {partitions} partition{'s' if partitions > 1 else ''}, "
                                 f"acks={acks} (librdkafka, {records} records)", fmt_rate(b), fmt_rate(p), vs,
                                 cpu=cpu_text(b), target=">= 0.95 x peer",
                                 met=None if vs is None else vs >= 0.95))

    # -- produce with the lean generator ---------------------------------------
    def lean_produce(self):
        cases = [("1", 1 * MIB, 6, "write_buffered", "acks=1, 1 MiB batches, 6 partitions", 0.8),
                 ("-1", 1 * MIB, 1, "write_fsync_1m", "acks=all, 1 MiB batches, 1 partition", 0.8),
                 ("-1", 64 * 1024, 1, "write_fsync_64k", "acks=all, 64 KiB batches, 1 partition", 0.8)]
        for acks, batch, partitions, ceiling_name, text, goal in cases:
            topic = f"lean-{acks}-{batch}-{partitions}"
            self.brook.create_topic(topic, partitions)
            total = max(int(4 * GIB * self.scale), 64 * MIB) if acks == "1" else max(int(GIB * self.scale), 32 * MIB)
            m = self.lean(self.brook, "produce", "--topic", topic, "--partitions", str(partitions), "--acks", acks,
                          "--batch-bytes", str(batch), "--record-size", "1024", "--bytes", str(total),
                          "--seconds", "60", "--in-flight", "8")
            value, ceiling_text = self.ceiling(ceiling_name)
            vs = ratio(m.mb_per_s, value)
            self.add(Row("lean", f"lean produce 1 KiB records, {text}", fmt_rate(m), "-", None, ceiling_text, vs,
                         cpu_text(m), f">= {goal:.2f} x ceiling", None if vs is None else vs >= goal))

    # -- consume -------------------------------------------------------------
    def consume(self):
        topic = "consume"
        total = max(int(GIB * self.scale), 64 * MIB)
        self.brook.create_topic(topic, 1)
        written = self.lean(self.brook, "produce", "--topic", topic, "--acks", "1", "--record-size", "1024",
                            "--bytes", str(total), "--seconds", "120")
        records = written.records
        # The mock keeps only the last few MiB of a partition; --rewind reads
        # those again until as many records went by.
        self.mock.create_topic(topic, 1)
        self.producer(self.mock, topic, 20_000, 1024, "1")

        warm = self.consumer(self.brook, topic, records)
        peer = self.consumer(self.mock, topic, records, ["--rewind"])
        vs = ratio(warm.mb_per_s, peer.mb_per_s)
        self.add(Row("consume", f"consume {total // MIB} MiB, warm page cache (librdkafka)", fmt_rate(warm),
                     fmt_rate(peer) + " (rewinding 5 MiB)", vs, cpu=cpu_text(warm), target=">= 0.95 x peer",
                     met=None if vs is None else vs >= 0.95))
        lean_warm = self.lean(self.brook, "fetch", "--topic", topic, "--bytes", str(total), "--seconds", "60")
        value, ceiling_text = self.ceiling("sendfile_loopback")
        vs = ratio(lean_warm.mb_per_s, value)
        self.add(Row("consume", f"lean fetch {total // MIB} MiB, warm page cache", fmt_rate(lean_warm), "-", None,
                     ceiling_text, vs, cpu_text(lean_warm), ">= 0.80 x ceiling; CPU <= 0.3 s/GB",
                     None if vs is None else vs >= 0.8 and (lean_warm.cpu_per_gb or 0) <= 0.3))
        for what, action in (("librdkafka", lambda: self.consumer(self.brook, topic, records)),
                             ("lean fetch", lambda: self.lean(self.brook, "fetch", "--topic", topic, "--bytes",
                                                              str(total), "--seconds", "120"))):
            if not drop_caches():
                self.add(Row("consume", f"consume, cold page cache ({what})", "n/a: cannot drop caches (not root)"))
                continue
            cold = action()
            self.add(Row("consume", f"consume {total // MIB} MiB, cold page cache ({what})", fmt_rate(cold),
                         "n/a (in memory)", cpu=cpu_text(cold)))

    # -- latency at fixed rates ----------------------------------------------------
    def latency(self):
        seconds = max(2.0, 5.0 * min(self.scale, 1.0))
        for rate in (1000, 10000, 100000):
            for acks in ("1", "all"):
                topic = f"latency-{rate}-{acks}"
                servers = [("brook", self.brook), ("mock", self.mock)]
                for _, server in servers:
                    server.create_topic(topic, 1)
                results = self.side_by_side(
                    servers, lambda server: self.producer(server, topic, int(rate * seconds), 100, acks,
                                                          throughput=rate, linger=0),
                    key=lambda m: m.p99)
                b, p = results["brook"], results["mock"]
                target, met = "", None
                if rate == 10000 and acks == "1":
                    target, met = "p99 <= peer's", b.p99 <= p.p99
                elif rate == 10000:
                    target, met = "p99 < peer's + 2 ms", b.p99 < p.p99 + 2.0
                self.add(Row("latency", f"latency p50/p99/p99.9 at {rate} msgs/s, 100 B, acks={acks}, linger.ms=0",
                             fmt_latency(b), fmt_latency(p), ratio(b.p99, p.p99), target=target, met=met,
                             cpu=cpu_text(b)))

    # -- end to end ------------------------------------------------------------------
    def end_to_end(self):
        seconds = max(2.0, 5.0 * min(self.scale, 1.0))
        rate = 10000
        records = int(rate * seconds)
        results = {}
        for name, server in (("brook", self.brook), ("mock", self.mock)):
            topic = "e2e"
            server.create_topic(topic, 1)
            command = [self.tools.consumer_perf, "--bootstrap-server", server.bootstrap, "--topic", topic,
                       "--messages", str(records), "--timeout", "30000", "--end-to-end-latency"]
            consumer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1.0)  # the consumer assigns itself the partition from its start
            produced = self.producer(server, topic, records, 100, "1", throughput=rate, linger=0,
                                     extra=["--embed-send-time"])
            out, err = consumer.communicate(timeout=120)
            if consumer.returncode != 0:
                raise BenchError(f"consumer-perf-test exited {consumer.returncode}: {err.strip()[-300:]}")
            m = parse_consumer(out)
            m.extra["produce"] = produced
            results[name] = m
        b, p = results["brook"], results["mock"]
        self.add(Row("e2e", f"end-to-end p50/p99/p99.9 at {rate} msgs/s, 100 B, acks=1 (produce and consume at once)",
                     fmt_latency(b), fmt_latency(p), ratio(b.p99, p.p99)))

    # -- many partitions -----------------------------------------------------------
    def partitions(self):
        for count in (1000, 10000):
            topic = f"parts-{count}"
            results = {}
            for name, server in (("brook", self.brook), ("mock", self.mock)):
                started = time.monotonic()
                server.create_topic(topic, count)
                created = time.monotonic() - started
                meta = run([self.tools.lean, "metadata", "--bootstrap-server", server.bootstrap, "--requests", "5"],
                           timeout=300)
                latency = LATENCY_LINE.search(meta)
                m = self.producer(server, topic, self.count(1_000_000), 100, "1")
                usage = process_rss_mib(server.pid)
                results[name] = (created, float(latency.group(2)) if latency else 0.0, m, usage)
            (bc, bmeta, bm, brss), (pc, pmeta, pm, prss) = results["brook"], results["mock"]
            self.add(Row("partitions", f"{count} partitions: create time / Metadata p50", f"{bc:.2f} s / {bmeta:.1f} ms",
                         f"{pc:.2f} s / {pmeta:.1f} ms", ratio(bmeta, pmeta)))
            vs = ratio(bm.records_per_s, pm.records_per_s)
            self.add(Row("partitions", f"{count} partitions: produce 100 B, acks=1 (librdkafka)", fmt_rate(bm),
                         fmt_rate(pm), vs, cpu=cpu_text(bm)))
            self.add(Row("partitions", f"{count} partitions: broker RSS after the produce", f"{brss:.0f} MiB",
                         f"{prss:.0f} MiB", ratio(brss, prss),
                         target="< 1024 MiB" if count == 10000 else "", met=(brss < 1024) if count == 10000 else None))

    # -- restart ---------------------------------------------------------------------
    def restart(self):
        gib = self.args.restart_gib
        directory = os.path.join(self.args.data_dir, "restart")
        broker = Brook(self.tools, directory, "restart brook")
        topic = "restart"
        try:
            broker.start()
            broker.create_topic(topic, 6)
            log(f"writing {gib} GiB for the restart test")
            self.lean(broker, "produce", "--topic", topic, "--partitions", "6", "--acks", "1", "--bytes",
                      str(int(gib * GIB)), "--seconds", "600")
            broker.stop()
            clean = broker.start(ready_topic=topic)
            self.add(Row("restart", f"restart with {gib:g} GiB of log after a clean stop", f"{clean:.2f} s",
                         target="< 2 s", met=clean < 2.0))
            # kill -9 in the middle of a write load.
            load = subprocess.Popen([self.tools.lean, "produce", "--topic", topic, "--partitions", "6", "--acks", "1",
                                     "--bytes", str(4 * GIB), "--seconds", "30", "--bootstrap-server",
                                     broker.bootstrap], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2.0)
            broker.stop(kill=True)
            load.wait(timeout=120)
            crashed = broker.start(ready_topic=topic)
            self.add(Row("restart", f"restart with {gib:g} GiB of log after kill -9 during writes",
                         f"{crashed:.2f} s"))
        finally:
            broker.stop()


def cpu_text(m):
    return "-" if m.cpu_per_gb is None else f"{m.cpu_per_gb:.2f}"


def process_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def drop_caches():
    """Empties the page cache so the next read comes from the disk (root only)."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


@dataclass
class Tools:
    build: str

    def __post_init__(self):
        tools = os.path.join(self.build, "tools")
        self.brook = os.path.join(self.build, "src", "app", "brook")
        self.topics = os.path.join(tools, "brook-topics")
        self.producer_perf = os.path.join(tools, "brook-producer-perf-test")
        self.consumer_perf = os.path.join(tools, "brook-consumer-perf-test")
        self.lean = os.path.join(tools, "brook-lean-bench")
        self.mock_cluster = os.path.join(tools, "brook-mock-cluster")
        self.ceilings = os.path.join(tools, "brook-machine-ceilings")
        missing = [p for p in vars(self).values() if p != self.build and not os.access(p, os.X_OK)]
        if missing:
            raise BenchError("not built: " + ", ".join(missing) + " (run tools/dev/bench.sh, which builds them)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--build-dir", default=os.path.join(root, "build", "release"))
    parser.add_argument("--data-dir", help="where logs and test files go (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep --data-dir afterwards")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every amount of data (default 1)")
    parser.add_argument("--quick", action="store_true", help="--scale 0.1 and a 1 GiB restart test")
    parser.add_argument("--restart-gib", type=float, default=10.0, help="log size of the restart test (default 10)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each librdkafka workload, Brook and the peer in turn; medians are shown (default 3)")
    parser.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    if args.quick:
        args.scale = min(args.scale, 0.1)
        args.restart_gib = min(args.restart_gib, 1.0)
        args.repeat = 1
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sections = SECTIONS if not args.only else [s.strip() for s in args.only.split(",")]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error("unknown sections: " + ", ".join(unknown))

    temporary = args.data_dir is None
    if temporary:
        args.data_dir = tempfile.mkdtemp(prefix="brook-bench-", dir=os.environ.get("TMPDIR", "/tmp"))
    os.makedirs(args.data_dir, exist_ok=True)
    bench = None
    try:
        tools = Tools(args.build_dir)
        bench = Bench(args, tools)
        bench.measure_ceilings()
        if any(s != "restart" for s in sections):
            bench.brook = Brook(tools, os.path.join(args.data_dir, "brook"))
            bench.brook.start()
            bench.mock = Mock(tools)
            log(f"Brook on {bench.brook.bootstrap} (pid {bench.brook.pid}), mock on {bench.mock.bootstrap} "
                f"(pid {bench.mock.pid})")
        steps = {"produce": bench.produce, "lean": bench.lean_produce, "consume": bench.consume,
                 "latency": bench.latency, "e2e": bench.end_to_end, "partitions": bench.partitions,
                 "restart": bench.restart}
        for section in SECTIONS:
            if section in sections:
                log(f"== {section}")
                steps[section]()
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 1
    finally:
        if bench is not None:
            if bench.mock:
                bench.mock.stop()
            if bench.brook:
                bench.brook.stop()
            if bench.rows:
                print()
                print(f"Machine: {os.cpu_count()} cores, {machine_memory_gib():.0f} GiB; scale {args.scale:g}; "
                      f"librdkafka produce and latency rows: median of {args.repeat} runs each; "
                      f"{time.strftime('%Y-%m-%d %H:%M')}")
                print()
                print_table(bench.rows, sys.stdout)
                if args.markdown:
                    with open(args.markdown, "w") as f:
                        print_table(bench.rows, f)
        if temporary and not args.keep:
            shutil.rmtree(args.data_dir, ignore_errors=True)
    return 0


def machine_memory_gib():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    except (ValueError, OSError):
        return 0.0


if __name__ == "__main__":
    sys.exit(main())
