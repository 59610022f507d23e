#!/usr/bin/python3
"""Brook client compatibility scenario for kcat (the command-line client).

Usage: kcat_scenario.py <bootstrap host:port> <unique-suffix>
Contract and steps: integration/clients/README.md.

kcat has no admin API: create_topic and delete_topic report "n/a" and use
brook-topics (found through $BROOK_TOOLS_DIR) instead, so the rest of the
scenario still runs. kcat sets headers per run, not per line, so messages
are produced by one kcat run each, in 20 parallel streams (one per key, which
keeps each key's order). kcat cannot read committed offsets back; the
commit_offsets step proves them by consuming again in the same group and
getting nothing.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from scenario import KEYS, MESSAGES, PARTITIONS, RecordCheck, finish, run_all, start_watchdog

KCAT = "/usr/bin/kcat"


def kcat(bootstrap, *args, stdin=None, timeout=30):
    return subprocess.run([KCAT, "-b", bootstrap, *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def tool(*args):
    tools = os.environ.get("BROOK_TOOLS_DIR", "")
    path = os.path.join(tools, "brook-topics")
    if not tools or not os.path.exists(path):
        raise RuntimeError("BROOK_TOOLS_DIR does not name a directory with brook-topics")
    done = subprocess.run([path, *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"brook-topics {' '.join(args)}: {done.stdout.strip()} {done.stderr.strip()}")


def partitions_listed(bootstrap, topic):
    # All topics: asking for one by name ("-L -t") would auto-create it.
    listing = kcat(bootstrap, "-L").stdout
    marker = f'topic "{topic}" with '
    at = listing.find(marker)
    if at < 0:
        return -1
    return int(listing[at + len(marker):].split()[0])


def main():
    if len(sys.argv) != 3:
        print("usage: kcat_scenario.py <bootstrap host:port> <unique-suffix>", file=sys.stderr)
        return 2
    bootstrap, suffix = sys.argv[1], sys.argv[2]
    start_watchdog()
    topic = f"compat-{suffix}"
    group = f"compat-group-{suffix}"
    about = subprocess.run([KCAT, "-V"], capture_output=True, text=True).stdout.splitlines()
    version = next((line.split()[1] for line in about if line.startswith("Version ")), "unknown")
    librdkafka = next((word.rstrip(")") for line in about for word in line.split()[1:]
                       if line.startswith("Version ") and word[0].isdigit() and word != version), "")
    print(f"client kcat {version}" + (f"+librdkafka-{librdkafka}" if librdkafka else ""), flush=True)

    def metadata(deadline):
        listing = kcat(bootstrap, "-L").stdout
        if f"at {bootstrap}" not in listing:
            raise RuntimeError(f"no broker at {bootstrap} in: {listing[:200]}")

    def create_topic(deadline):
        tool("--bootstrap-server", bootstrap, "--create", "--topic", topic, "--partitions", str(PARTITIONS))
        while partitions_listed(bootstrap, topic) != PARTITIONS:
            if time.monotonic() > deadline:
                raise TimeoutError("metadata never showed 3 partitions")
            time.sleep(0.2)
        return "kcat has no admin API; created with brook-topics"

    def produce(deadline):
        def stream(k):
            for i in range(k, MESSAGES, KEYS):
                done = kcat(bootstrap, "-P", "-t", topic, "-K", ":", "-H", f"h={i}", "-X", "acks=all",
                            stdin=f"key-{k}:value-{i}\n", timeout=max(1, deadline - time.monotonic()))
                if done.returncode != 0:
                    raise RuntimeError(f"kcat -P exit {done.returncode}: {done.stderr.strip()[:200]}")
        with ThreadPoolExecutor(max_workers=KEYS) as pool:
            for future in [pool.submit(stream, k) for k in range(KEYS)]:
                future.result()

    def consume(deadline):
        done = kcat(bootstrap, "-G", group, topic, "-e", "-q", "-X", "auto.offset.reset=earliest",
                    "-f", "%k\t%s\t%h\t%p\t%o\n", timeout=max(1, deadline - time.monotonic()))
        if done.returncode != 0:
            raise RuntimeError(f"kcat -G exit {done.returncode}: {done.stderr.strip()[:200]}")
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def consume_group(deadline):
        records = consume(deadline)
        check = RecordCheck()
        for key, value, headers, partition, offset in records:
            # kcat prints headers as "h=<value>".
            check.add(key, value, headers[2:] if headers.startswith("h=") else None, f"{partition}/{offset}")
        check.verify()

    def commit_offsets(deadline):
        # kcat commits on close; consuming again in the group must find nothing.
        again = consume(deadline)
        if again:
            raise RuntimeError(f"the group re-read {len(again)} messages: offsets were not committed")
        return "kcat cannot read committed offsets; proven by re-consuming nothing in the group"

    def second_member(deadline):
        members = []
        assigned = [set(), set()]

        def watch(index, process):
            for line in process.stderr:
                if "rebalanced" in line and "assigned:" in line:
                    parts = line.split("assigned:", 1)[1]
                    assigned[index] = {int(p.split("]")[0]) for p in parts.split("[")[1:]}
                elif "rebalanced" in line and "revoked" in line:
                    assigned[index] = set()
        try:
            for index in range(2):
                process = subprocess.Popen([KCAT, "-b", bootstrap, "-G", group, topic, "-f", "%s\n",
                                            "-X", "session.timeout.ms=10000"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                members.append(process)
                threading.Thread(target=watch, args=(index, process), daemon=True).start()
                if index == 0:
                    while not assigned[0] and time.monotonic() < deadline:
                        time.sleep(0.1)
            while time.monotonic() < deadline:
                a, b = assigned
                if a and b and not (a & b) and (a | b) == set(range(PARTITIONS)):
                    return None
                time.sleep(0.1)
            raise TimeoutError(f"assignments never settled: {sorted(assigned[0])} and {sorted(assigned[1])}")
        finally:
            for process in members:
                process.send_signal(signal.SIGINT)
            for process in members:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def delete_topic(deadline):
        tool("--bootstrap-server", bootstrap, "--delete", "--topic", topic)
        while partitions_listed(bootstrap, topic) != -1:
            if time.monotonic() > deadline:
                raise TimeoutError("topic still listed in metadata")
            time.sleep(0.2)
        return "kcat has no admin API; deleted with brook-topics"

    run_all({"metadata": metadata, "create_topic": create_topic, "produce": produce,
             "consume_group": consume_group, "commit_offsets": commit_offsets,
             "second_member": second_member, "delete_topic": delete_topic}, {})
    finish()


if __name__ == "__main__":
    sys.exit(main())
