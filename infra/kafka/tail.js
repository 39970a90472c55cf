'use strict';
// Prints the messages of a topic from its beginning, `key | value` per line, like
// kafka-console-consumer.sh --from-beginning --property print.key=true:
//   node infra/kafka/tail.js <topic> [count] [timeoutMs]
// With a count it exits 0 once that many messages were printed, 1 if the timeout (default 60 s)
// comes first; without one it runs until Ctrl-C.
const { Kafka, logLevel } = require('kafkajs');

const [, , topic, countText, timeoutText] = process.argv;
const brokers = (process.env.KAFKA_BROKERS || '').split(',').filter(Boolean);
if (!topic || brokers.length === 0) {
  process.stderr.write('usage: KAFKA_BROKERS=host:port node infra/kafka/tail.js <topic> [count] [timeoutMs]\n');
  process.exit(2);
}
const count = countText === undefined ? Infinity : Number(countText);
const timeoutMs = Number(timeoutText || 60000);

async function main() {
  const kafka = new Kafka({ clientId: 'ledger-console-consumer', brokers, logLevel: logLevel.WARN });
  // A group of its own each time, so that it always starts from the beginning and never moves anyone's offsets.
  const consumer = kafka.consumer({ groupId: `console-${process.pid}-${Date.now()}` });
  let printed = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (printed >= count) return;
      const headers = Object.entries(message.headers || {})
        .filter(([name]) => name.startsWith('x-'))
        .map(([name, value]) => `${name}=${value}`);
      process.stdout.write(`${message.key ? message.key.toString() : ''} | ${message.value ? message.value.toString() : ''}${headers.length ? `  [${headers.join(' ')}]` : ''}\n`);
      printed += 1;
      if (printed >= count) done(0);
    },
  });
  const timer = count === Infinity ? undefined : setTimeout(() => done(1), timeoutMs);
  const code = await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  if (code !== 0) process.stderr.write(`tail.js: ${printed} of ${count} message(s) within ${timeoutMs} ms\n`);
  process.exit(code);
}

main().catch((error) => {
  process.stderr.write(`tail.js: ${error.stack || error}\n`);
  process.exit(1);
});
