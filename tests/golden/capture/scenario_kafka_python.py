#!/usr/bin/python3
"""kafka-python (Debian python3-kafka) scenario for the golden captures.

Usage: scenario_kafka_python.py MOCK_BOOTSTRAP STUB_BOOTSTRAP TOPIC

1. admin (against the admin stub): create a topic, then delete it;
2. producer (mock): 3 uncompressed records with keys and headers, then a
   second producer with gzip and 3 larger, compressible records;
3. consumer group (mock): subscribe, poll until all 6 records are in,
   commit synchronously, idle a little so heartbeats go out, close
   (LeaveGroup).
Every step is bounded in time.
"""
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

mock, stub, topic = sys.argv[1:4]
# A generous version-probe timeout: the default 2 s is too short on a busy
# machine and then the client gives up with NoBrokersAvailable.
common = dict(request_timeout_ms=10000, retry_backoff_ms=100, api_version_auto_timeout_ms=10000)

# 1. admin: CreateTopics + DeleteTopics
admin = KafkaAdminClient(bootstrap_servers=stub, client_id="golden-kafka-python-admin", **common)
admin.create_topics([NewTopic(name=topic + "-admin", num_partitions=3, replication_factor=1,
                              topic_configs={"cleanup.policy": "compact"})], timeout_ms=5000)
admin.delete_topics([topic + "-admin"], timeout_ms=5000)
admin.close()

# 2. producers
producer = KafkaProducer(bootstrap_servers=mock, client_id="golden-kafka-python-producer",
                         acks="all", linger_ms=50, **common)
for i in range(3):
    producer.send(topic, key=b"key-%d" % i, value=b"value-%d" % i,
                  headers=[("h", b"header-%d" % i)])
producer.flush(timeout=10)
producer.close(timeout=5)

producer = KafkaProducer(bootstrap_servers=mock, client_id="golden-kafka-python-producer-gzip",
                         acks=1, compression_type="gzip", linger_ms=50, **common)
for i in range(3):
    producer.send(topic, key=b"gzip-%d" % i, value=(b"compressible payload %d " % i) * 20)
producer.flush(timeout=10)
producer.close(timeout=5)

# 3. consumer group with explicit commits
consumer = KafkaConsumer(topic, bootstrap_servers=mock, client_id="golden-kafka-python-consumer",
                         group_id="golden-kafka-python-group", auto_offset_reset="earliest",
                         enable_auto_commit=False, heartbeat_interval_ms=300,
                         session_timeout_ms=6000, **common)
got = 0
deadline = time.time() + 20
while got < 6 and time.time() < deadline:
    for records in consumer.poll(timeout_ms=500).values():
        got += len(records)
consumer.commit()
end = time.time() + 1.5
while time.time() < end:  # let heartbeats go out
    consumer.poll(timeout_ms=200)
consumer.close()
print("kafka-python: consumed %d records" % got)
sys.exit(0 if got >= 6 else 1)
