#!/usr/bin/python3
"""Brook client compatibility scenario for confluent-kafka-python (librdkafka).

Usage: confluent_kafka_scenario.py <bootstrap host:port> <unique-suffix>
Contract and steps: integration/clients/README.md. Set COMPAT_DEBUG=1 for
librdkafka debug logging (protocol,broker,cgrp,topic,msg) on stderr.
"""
import os
import sys
import time

from scenario import KEYS, MESSAGES, PARTITIONS, RecordCheck, close_quietly, finish, left, run_all, start_watchdog


def main():
    if len(sys.argv) != 3:
        print("usage: confluent_kafka_scenario.py <bootstrap host:port> <unique-suffix>", file=sys.stderr)
        return 2
    bootstrap, suffix = sys.argv[1], sys.argv[2]
    start_watchdog()

    import confluent_kafka
    from confluent_kafka import Consumer, Producer, TopicPartition, KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic

    print(f"client confluent-kafka-python {confluent_kafka.version()[0]}+librdkafka-{confluent_kafka.libversion()[0]}",
          flush=True)

    topic = f"compat-{suffix}"
    group = f"compat-group-{suffix}"
    host, _, port = bootstrap.rpartition(":")
    debug = {"debug": "protocol,broker,cgrp,topic,msg"} if os.environ.get("COMPAT_DEBUG") else {}
    common = {"bootstrap.servers": bootstrap, "client.id": f"compat-confluent-{suffix}", **debug}
    admin = AdminClient(dict(common))
    state = {}

    def metadata(deadline):
        md = admin.list_topics(timeout=left(deadline))
        brokers = [f"{b.host}:{b.port}" for b in md.brokers.values()]
        if not brokers:
            raise RuntimeError("metadata lists no broker")
        if f"{host}:{port}" not in brokers:
            raise RuntimeError(f"no broker at {host}:{port}; brokers: {brokers}")

    def create_topic(deadline):
        futures = admin.create_topics([NewTopic(topic, PARTITIONS, 1)], request_timeout=left(deadline))
        futures[topic].result(timeout=left(deadline))
        while True:
            md = admin.list_topics(topic=topic, timeout=left(deadline))
            t = md.topics.get(topic)
            if t is not None and t.error is None and len(t.partitions) == PARTITIONS:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"metadata shows {len(t.partitions) if t else 0} partitions, error {t.error if t else None}")
            time.sleep(0.2)

    def produce(deadline):
        # librdkafka 2.x: enable.idempotence defaults to false; set it anyway.
        producer = Producer({**common, "acks": "all", "enable.idempotence": False, "linger.ms": 5})
        delivered = []
        errors = []

        def on_delivery(err, msg):
            if err is not None:
                errors.append(str(err))
            else:
                delivered.append(msg.offset())

        for i in range(MESSAGES):
            while True:
                try:
                    producer.produce(topic, key=f"key-{i % KEYS}", value=f"value-{i}", headers=[("h", str(i))],
                                     on_delivery=on_delivery)
                    break
                except BufferError:
                    producer.poll(0.1)
                    if time.monotonic() > deadline:
                        raise
        remaining = producer.flush(left(deadline))
        if errors:
            raise RuntimeError(f"{len(errors)} delivery errors, first: {errors[0]}")
        if remaining or len(delivered) != MESSAGES:
            raise TimeoutError(f"{len(delivered)} of {MESSAGES} delivered, {remaining} still queued")

    def new_consumer():
        return Consumer({**common, "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000})

    def consume_group(deadline):
        consumer = new_consumer()
        state["c1"] = consumer
        consumer.subscribe([topic])
        check = RecordCheck()
        while not check.complete() and time.monotonic() < deadline:
            msg = consumer.poll(min(1.0, left(deadline)))
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            header = dict(msg.headers() or []).get("h")
            check.add(msg.key().decode(), msg.value().decode(), header.decode() if header is not None else None,
                      f"{msg.partition()}/{msg.offset()}")
        check.verify()

    def commit_offsets(deadline):
        consumer = state["c1"]
        consumer.commit(asynchronous=False)
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        committed = consumer.committed(parts, timeout=left(deadline))
        total = 0
        for tp in committed:
            if tp.error:
                raise KafkaException(tp.error)
            _, high = consumer.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=left(deadline))
            if tp.offset != high:
                raise RuntimeError(f"partition {tp.partition}: committed {tp.offset}, end offset {high}")
            total += tp.offset
        if total != MESSAGES:
            raise RuntimeError(f"committed offsets sum to {total}, expected {MESSAGES}")

    def second_member(deadline):
        c1 = state["c1"]
        c2 = new_consumer()
        state["c2"] = c2
        c2.subscribe([topic])
        a1 = a2 = set()
        try:
            while time.monotonic() < deadline:
                for c in (c1, c2):
                    msg = c.poll(0.2)
                    if msg is not None and msg.error():
                        raise KafkaException(msg.error())
                a1 = {tp.partition for tp in c1.assignment()}
                a2 = {tp.partition for tp in c2.assignment()}
                if a1 and a2 and not (a1 & a2) and (a1 | a2) == set(range(PARTITIONS)):
                    break
            else:
                raise TimeoutError(f"assignments never settled: first {sorted(a1)}, second {sorted(a2)}")
        finally:
            # c2 first: the group then has one member left to leave.
            close_quietly(state, ("c2", "c1"))

    def delete_topic(deadline):
        futures = admin.delete_topics([topic], request_timeout=left(deadline))
        futures[topic].result(timeout=left(deadline))
        while True:
            md = admin.list_topics(timeout=left(deadline))
            if topic not in md.topics:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("topic still listed in metadata")
            time.sleep(0.2)

    run_all({"metadata": metadata, "create_topic": create_topic, "produce": produce,
             "consume_group": consume_group, "commit_offsets": commit_offsets,
             "second_member": second_member, "delete_topic": delete_topic}, state)
    finish()


if __name__ == "__main__":
    sys.exit(main())
