#!/usr/bin/python3
"""Brook client compatibility scenario for kafka-python.

Usage: kafka_python_scenario.py <bootstrap host:port> <unique-suffix>
Contract and steps: integration/clients/README.md. Set COMPAT_DEBUG=1 for
kafka-python DEBUG logging on stderr.
"""
import os
import sys
import threading
import time

from scenario import KEYS, MESSAGES, PARTITIONS, RecordCheck, close_quietly, finish, left, run_all, seconds_left, start_watchdog


def main():
    if len(sys.argv) != 3:
        print("usage: kafka_python_scenario.py <bootstrap host:port> <unique-suffix>", file=sys.stderr)
        return 2
    bootstrap, suffix = sys.argv[1], sys.argv[2]
    start_watchdog()

    import logging
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if os.environ.get("COMPAT_DEBUG") else logging.CRITICAL,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    import kafka
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import NewTopic

    print(f"client kafka-python {kafka.__version__}", flush=True)

    topic = f"compat-{suffix}"
    group = f"compat-group-{suffix}"
    host, _, port = bootstrap.rpartition(":")
    common = {"bootstrap_servers": [bootstrap], "client_id": f"compat-kafka-python-{suffix}",
              "request_timeout_ms": 15000, "api_version_auto_timeout_ms": 10000, "reconnect_backoff_max_ms": 1000}
    state = {}

    def admin():
        if "admin" not in state:
            state["admin"] = KafkaAdminClient(**common)
        return state["admin"]

    def metadata(deadline):
        cluster = admin().describe_cluster()
        brokers = [f"{b['host']}:{b['port']}" for b in cluster["brokers"]]
        admin().list_topics()
        if not brokers:
            raise RuntimeError("metadata lists no broker")
        if f"{host}:{port}" not in brokers:
            raise RuntimeError(f"no broker at {host}:{port}; brokers: {brokers}")

    def create_topic(deadline):
        response = admin().create_topics([NewTopic(topic, PARTITIONS, 1)], timeout_ms=int(left(deadline) * 1000))
        for t in getattr(response, "topic_errors", []):
            if t[1] != 0:
                raise RuntimeError(f"CreateTopics error {t}")
        while True:
            described = admin().describe_topics([topic])
            t = described[0] if described else None
            if t is not None and t["error_code"] == 0 and len(t["partitions"]) == PARTITIONS:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"metadata shows {t}")
            time.sleep(0.2)

    def produce(deadline):
        # kafka-python 2.0.2 has no idempotent producer.
        producer = KafkaProducer(**common, acks="all", linger_ms=5, max_block_ms=int(left(deadline) * 1000))
        try:
            futures = [producer.send(topic, key=f"key-{i % KEYS}".encode(), value=f"value-{i}".encode(),
                                     headers=[("h", str(i).encode())]) for i in range(MESSAGES)]
            producer.flush(timeout=left(deadline))
            errors = []
            for f in futures:
                if not f.is_done:
                    raise TimeoutError(f"{sum(1 for f in futures if f.is_done)} of {MESSAGES} confirmed")
                if f.exception is not None:
                    errors.append(repr(f.exception))
            if errors:
                raise RuntimeError(f"{len(errors)} delivery errors, first: {errors[0]}")
        finally:
            producer.close(timeout=5)

    def new_consumer():
        return KafkaConsumer(**common, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False,
                             session_timeout_ms=10000, heartbeat_interval_ms=1000)

    def consume_group(deadline):
        consumer = new_consumer()
        state["c1"] = consumer
        consumer.subscribe([topic])
        check = RecordCheck()
        while not check.complete() and time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=int(min(1.0, left(deadline)) * 1000))
            for records in batches.values():
                for msg in records:
                    header = dict(msg.headers or []).get("h")
                    check.add(msg.key.decode(), msg.value.decode(), header.decode() if header is not None else None,
                              f"{msg.partition}/{msg.offset}")
        check.verify()

    def commit_offsets(deadline):
        consumer = state["c1"]
        consumer.commit()
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        ends = consumer.end_offsets(parts)
        total = 0
        for tp in parts:
            committed = consumer.committed(tp)
            if committed != ends[tp]:
                raise RuntimeError(f"partition {tp.partition}: committed {committed}, end offset {ends[tp]}")
            total += committed
        if total != MESSAGES:
            raise RuntimeError(f"committed offsets sum to {total}, expected {MESSAGES}")

    def second_member(deadline):
        # kafka-python's poll() blocks inside JoinGroup until the rebalance
        # completes, so each member polls in its own thread.
        c1 = state["c1"]
        c2 = new_consumer()
        state["c2"] = c2
        c2.subscribe([topic])
        stop = threading.Event()
        seen = {}
        errors = []

        def poll_loop(name, c):
            try:
                while not stop.is_set():
                    c.poll(timeout_ms=200)
                    seen[name] = {tp.partition for tp in c.assignment()}
            except Exception as e:  # noqa: BLE001
                errors.append(f"{name}: {type(e).__name__}: {e}")

        threads = [threading.Thread(target=poll_loop, args=(n, c), daemon=True) for n, c in (("c1", c1), ("c2", c2))]
        for t in threads:
            t.start()
        a1 = a2 = set()
        try:
            while time.monotonic() < deadline:
                if errors:
                    raise RuntimeError(errors[0])
                a1, a2 = seen.get("c1", set()), seen.get("c2", set())
                if a1 and a2 and not (a1 & a2) and (a1 | a2) == set(range(PARTITIONS)):
                    break
                time.sleep(0.1)
            else:
                raise TimeoutError(f"assignments never settled: first {sorted(a1)}, second {sorted(a2)}")
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=max(0.1, min(10.0, seconds_left() - 5)))
            if not any(t.is_alive() for t in threads):
                for name in ("c2", "c1"):
                    c = state.pop(name, None)
                    if c is not None:
                        c.close(autocommit=False)

    def delete_topic(deadline):
        response = admin().delete_topics([topic], timeout_ms=int(left(deadline) * 1000))
        for t in getattr(response, "topic_error_codes", []):
            if t[1] != 0:
                raise RuntimeError(f"DeleteTopics error {t}")
        while True:
            if topic not in admin().list_topics():
                return
            if time.monotonic() > deadline:
                raise TimeoutError("topic still listed in metadata")
            time.sleep(0.2)

    run_all({"metadata": metadata, "create_topic": create_topic, "produce": produce,
             "consume_group": consume_group, "commit_offsets": commit_offsets,
             "second_member": second_member, "delete_topic": delete_topic}, state)
    close_quietly(state, ["admin"])
    finish()


if __name__ == "__main__":
    sys.exit(main())
