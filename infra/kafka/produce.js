'use strict';
// A console producer for trying the ledger without Kafka's own tools:
//   node infra/kafka/produce.js <topic>   then lines `key|value` on stdin (the value as is, JSON or not)
// Keyed by department (or department|year) so that one department's messages keep their order.
// Idempotent producer, acks from all in-sync replicas, murmur2 partitioning like Java clients.
const readline = require('node:readline');
const { Kafka, logLevel, Partitioners } = require('kafkajs');

const topic = process.argv[2];
const brokers = (process.env.KAFKA_BROKERS || '').split(',').filter(Boolean);
if (!topic || brokers.length === 0) {
  process.stderr.write('usage: KAFKA_BROKERS=host:port node infra/kafka/produce.js <topic> < lines of key|value\n');
  process.exit(2);
}

async function main() {
  const kafka = new Kafka({ clientId: 'ledger-console-producer', brokers, logLevel: logLevel.WARN });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let sent = 0;
  try {
    for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      const bar = line.indexOf('|');
      const [key, value] = bar < 0 ? [null, line] : [line.slice(0, bar), line.slice(bar + 1)];
      await producer.send({ topic, acks: -1, messages: [{ key, value }] });
      sent += 1;
    }
  } finally {
    await producer.disconnect();
  }
  process.stderr.write(`produce.js: ${sent} message(s) sent to ${topic}\n`);
}

main().catch((error) => {
  process.stderr.write(`produce.js: ${error.stack || error}\n`);
  process.exit(1);
});
