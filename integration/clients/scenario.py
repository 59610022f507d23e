"""What every Python scenario shares (README.md beside this file): the steps
and their prerequisites, the one-line-per-step report, the per-step and
whole-script time limits, and the exit.

A step function takes its deadline (time.monotonic()) and returns nothing
(the step is ok) or a note (the client cannot do the step itself and the
scenario did it another way: "step <name> n/a <note>"); raising fails it.
"""
import os
import sys
import threading
import time

STEPS = ["metadata", "create_topic", "produce", "consume_group", "commit_offsets", "second_member", "delete_topic"]
DEPENDS = {
    "create_topic": ["metadata"],
    "produce": ["create_topic"],
    "consume_group": ["produce"],
    "commit_offsets": ["consume_group"],
    "second_member": ["consume_group"],
    "delete_topic": ["create_topic"],
}
STEP_SECONDS = 30.0
TOTAL_SECONDS = 110.0
MESSAGES = 1000
KEYS = 20
PARTITIONS = 3

_lock = threading.Lock()
_results = {}
_start = time.monotonic()


def report(step, status, reason=""):
    """status is "ok", "n/a" or "FAIL"; only the first report of a step counts."""
    with _lock:
        if step in _results:
            return
        _results[step] = status in ("ok", "n/a")
        why = " ".join(str(reason).split())
        if status == "FAIL" and not why:
            why = "failed"
        print(f"step {step} {status}" + (f" {why}" if why else ""), flush=True)


class RecordCheck:
    """What consume_group checks of the records read back: each is
    (key-(i%20), value-i, header h=i), each key's i increase, all 1,000
    distinct values arrive, none twice."""

    def __init__(self):
        self.seen = {}
        self.last = {}
        self.problems = []

    def add(self, key, value, header, where):
        """key and value as text, header: h's value as text (None without one)."""
        i = int(value.split("-", 1)[1])
        if key != f"key-{i % KEYS}" or header != str(i):
            self.problems.append(f"at {where}: key {key} value {value} header h={header}")
        if key in self.last and self.last[key] >= i:
            self.problems.append(f"key {key}: {i} after {self.last[key]}")
        self.last[key] = i
        self.seen[i] = self.seen.get(i, 0) + 1

    def complete(self):
        return len(self.seen) >= MESSAGES

    def verify(self):
        if self.problems:
            raise RuntimeError(f"{len(self.problems)} bad records, first: {self.problems[0]}")
        if len(self.seen) != MESSAGES:
            raise TimeoutError(f"read {len(self.seen)} of {MESSAGES} distinct messages")
        duplicates = sum(n - 1 for n in self.seen.values())
        if duplicates:
            raise RuntimeError(f"{duplicates} duplicate deliveries")


def _watchdog():
    with _lock:
        for step in STEPS:
            if step not in _results:
                _results[step] = False
                print(f"step {step} FAIL timeout: script deadline of {TOTAL_SECONDS:.0f} s reached", flush=True)
    sys.stdout.flush()
    os._exit(1)


def start_watchdog():
    """The whole script ends in time even when a client call never returns."""
    timer = threading.Timer(TOTAL_SECONDS + 5, _watchdog)
    timer.daemon = True
    timer.start()


def seconds_left():
    """Of the whole script's time."""
    return TOTAL_SECONDS - (time.monotonic() - _start)


def left(deadline):
    return max(0.1, deadline - time.monotonic())


def run(step, fn):
    for dep in DEPENDS.get(step, []):
        if not _results.get(dep):
            report(step, "FAIL", f"skipped: {dep} failed")
            return
    remaining = TOTAL_SECONDS - (time.monotonic() - _start) - 2
    deadline = time.monotonic() + max(1.0, min(STEP_SECONDS, remaining))

    # In a thread, so that a client call that never returns (some block while
    # the coordinator is unreachable) costs this step its budget, not the script.
    def body():
        try:
            note = fn(deadline)
            report(step, "n/a" if note else "ok", note or "")
        except Exception as e:  # noqa: BLE001 - every failure becomes a FAIL line
            report(step, "FAIL", f"{type(e).__name__}: {e}")

    worker = threading.Thread(target=body, daemon=True)
    worker.start()
    worker.join(left(deadline) + 1.0)
    if worker.is_alive():
        report(step, "FAIL", f"timeout: the client call did not return within {STEP_SECONDS:.0f} s")


def close_quietly(state, names, seconds=5.0):
    """Closes and forgets state[name] for each name. A close may block while
    a hung step still holds the client, so it runs in a thread, bounded."""
    def close_all():
        for name in names:
            client = state.pop(name, None)
            if client is not None:
                try:
                    client.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass

    closer = threading.Thread(target=close_all, daemon=True)
    closer.start()
    closer.join(seconds)


def run_all(functions, state, consumers=("c2", "c1")):
    """Runs every step's function (functions[step]) in order. Consumers are
    closed before delete_topic: one left open by a failed step could
    recreate the topic (auto-creation)."""
    for step in STEPS:
        if step == "delete_topic":
            close_quietly(state, consumers)
        run(step, functions[step])
    close_quietly(state, consumers)


def finish():
    """Exits (without waiting for client threads): 0 when every step passed."""
    ok = all(_results.get(s) for s in STEPS)
    sys.stdout.flush()
    os._exit(0 if ok else 1)
