// kafkajs scenario for the golden captures.
//
// Usage: NODE_PATH=/tmp/golden-node/node_modules node scenario_kafkajs.js \
//          MOCK_BOOTSTRAP STUB_BOOTSTRAP TOPIC
//
// 1. admin (against the admin stub): create a topic, then delete it;
// 2. producer (mock): one gzip batch of compressible records, then one
//    uncompressed batch with keys and headers. (Not idempotent: kafkajs
//    sends InitProducerId to the controller, and the 2.0.2 mock cluster
//    advertises controller id 0, a broker that does not exist.)
// 3. consumer group (mock): subscribe from the beginning, consume all
//    records (kafkajs commits the offsets), disconnect (LeaveGroup).
// Every step is bounded in time; the process exits by itself.
'use strict';
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const [mock, stub, topic] = process.argv.slice(2);
const watchdog = setTimeout(() => { console.error('kafkajs: timed out'); process.exit(1); }, 60000);

async function main() {
  const retry = { retries: 3, initialRetryTime: 100 };

  const adminKafka = new Kafka({ clientId: 'golden-kafkajs-admin', brokers: [stub], logLevel: logLevel.WARN, retry });
  const admin = adminKafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: topic + '-admin', numPartitions: 3, replicationFactor: 1,
               configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    waitForLeaders: true, timeout: 5000,
  });
  await admin.deleteTopics({ topics: [topic + '-admin'], timeout: 5000 });
  await admin.disconnect();

  const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [mock], logLevel: logLevel.WARN, retry });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({
    topic, compression: CompressionTypes.GZIP,
    messages: [0, 1, 2].map((i) => ({ key: `gzip-${i}`, value: `compressible payload ${i} `.repeat(20) })),
  });
  await producer.send({
    topic,
    messages: [0, 1, 2].map((i) => ({ key: `key-${i}`, value: `value-${i}`, headers: { h: `header-${i}` } })),
  });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'golden-kafkajs-group', heartbeatInterval: 300, sessionTimeout: 6000,
                                    maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  await new Promise((resolve) => {
    consumer.run({
      autoCommitInterval: 200,
      eachMessage: async () => { got += 1; if (got >= 6) resolve(); },
    });
  });
  await new Promise((r) => setTimeout(r, 1500)); // commits and heartbeats go out
  await consumer.disconnect();
  console.log(`kafkajs: consumed ${got} records`);
}

main().then(() => { clearTimeout(watchdog); process.exit(0); },
            (err) => { console.error(err); process.exit(1); });
