import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { PgEventStore } from '@ledger/event-store';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { LedgerWriter } from '@ledger/ledger';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, MetricsRegistry } from '@ledger/observability';
import { createKafka, KafkaMessageSink } from './kafka-client';
import { kafkaConfigFromEnv, type LedgerKafkaConfig } from './kafka-config';
import { KafkaPaymentConsumer } from './kafka-consumer';
import { deleteLedgerTopics } from './testing/kafka-harness';
import { LedgerPublisher, type PublishedEvent } from './ledger-publisher';
import { PaymentPipeline, type DeadLetterRecord } from './payment-pipeline';
import { raw, waitFor } from './testing/fixtures';
import { ensureTopics, loadTopicDefinitions } from './topics';

/**
 * The kafkajs adapter against a real broker: `npm run test:kafka` with KAFKA_BROKERS
 * (`npm run --silent kafka:local -- start` prints it; docs/kafka.md, Tests). Topics and the consumer group get a random suffix, so runs never
 * share state; they are deleted afterwards. The ledger is an embedded PGlite database.
 */
const brokers = process.env.KAFKA_BROKERS?.trim();
const describeWithKafka = brokers ? describe : describe.skip;
const title = brokers
  ? `Kafka integration (${brokers})`
  : 'Kafka integration — skipped: KAFKA_BROKERS is not set (export "$(npm run --silent kafka:local -- start)", then npm run test:kafka)';
// Jest does not show the name of a suite whose tests were all skipped; say why here, once.
if (!brokers) process.stderr.write(`kafka.int-spec.ts: ${title.replace('Kafka integration — ', '')}\n`);

/** Collects every message of a topic from the beginning, through a group of its own. */
async function follow(
  kafka: Kafka,
  topic: string,
): Promise<{ consumer: Consumer; messages: { partition: number; key: string | null; value: string; headers: Record<string, string> }[] }> {
  const messages: { partition: number; key: string | null; value: string; headers: Record<string, string> }[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${randomBytes(3).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      messages.push({ partition, key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? '', headers });
    },
  });
  return { consumer, messages };
}

describeWithKafka(title, () => {
  // Real processes, groups and brokers on a shared machine: minutes, not the default minute.
  jest.setTimeout(600_000);
  const suffix = randomBytes(4).toString('hex');
  const config = kafkaConfigFromEnv({
    ...process.env,
    KAFKA_PAYMENTS_TOPIC: `it-${suffix}.payments`,
    KAFKA_DEAD_LETTER_TOPIC: `it-${suffix}.payments.dlq`,
    KAFKA_LEDGER_TOPIC: `it-${suffix}.ledger.events`,
    KAFKA_ALERTS_TOPIC: `it-${suffix}.ledger.alerts`,
    KAFKA_GROUP_ID: `it-${suffix}`,
  }) as LedgerKafkaConfig;
  const logger = silentLogger();
  let db: ThrowawayDatabase;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const readers: Consumer[] = [];
  const toStop: { stop(): Promise<void> }[] = [];

  const produce = (key: string, value: unknown) =>
    producer.send({
      topic: config.paymentsTopic,
      acks: -1,
      messages: [{ key, value: typeof value === 'string' ? value : JSON.stringify(value) }],
    });

  function startConsumer(): KafkaPaymentConsumer {
    const pipeline = new PaymentPipeline(new LedgerWriter(db.db, new PgEventStore(db.db)), {
      batchSize: 100,
      logger,
      metrics: ingestionMetrics(new MetricsRegistry()),
    });
    const consumer = new KafkaPaymentConsumer(
      kafka,
      config,
      pipeline,
      new KafkaMessageSink(kafka),
      logger,
      ingestionMetrics(new MetricsRegistry()),
    );
    toStop.push(consumer);
    return consumer;
  }

  async function eventCount(): Promise<bigint> {
    return ((await db.db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events'))[0] as { n: bigint }).n;
  }

  async function committedAll(): Promise<boolean> {
    const [watermarks, committed] = await Promise.all([
      admin.fetchTopicOffsets(config.paymentsTopic),
      admin.fetchOffsets({ groupId: config.groupId, topics: [config.paymentsTopic] }),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
    return watermarks.every((w) => w.high === '0' || done.get(w.partition) === w.high);
  }

  beforeAll(async () => {
    db = await createThrowawayDatabase('pglite');
    // Patient clients: on a busy shared machine a connection can take longer than kafkajs's 1 s.
    kafka = createKafka(config, logger, { connectionTimeout: 10_000 });
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, loadTopicDefinitions(config, { replicationFactor: 1 }));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // Generous: on a busy machine the first metadata, group and database set-up take a while.
  }, 180_000);

  afterAll(async () => {
    for (const s of toStop) await s.stop().catch(() => undefined);
    for (const r of readers) await r.disconnect().catch(() => undefined);
    await producer?.disconnect();
    await deleteLedgerTopics(admin, config);
    await admin?.disconnect();
    await db?.drop();
  }, 180_000);

  it('stores the good payments, dead-letters the bad ones with their bytes and reason, and commits past them', async () => {
    await produce('D1', raw.opened('L-A', 'D1'));
    await produce('D1', raw.approved('L-A', '100.00'));
    await produce('D1', raw.payment('pay-1', 'L-A', '10.00'));
    await produce('D1', raw.payment('pay-1', 'L-A', '10.00'));
    await produce('D1', '{"eventId": "pay-broken", ');
    await produce('D1', raw.payment('pay-2', 'L-A', '95.00'));
    await produce('D1', raw.payment('pay-3', 'L-NOPE', '1.00'));
    await produce('D1', raw.payment('pay-4', 'L-A', '20.50'));

    const dlq = await follow(kafka, config.deadLetterTopic);
    readers.push(dlq.consumer);
    const consumer = startConsumer();
    await consumer.start();

    await waitFor('4 events stored and 3 dead letters', async () => (await eventCount()) === 4n && dlq.messages.length >= 3, 45_000);
    const lines = await db.db.query<{ executed_fen: bigint }>("SELECT executed_fen FROM ledger_lines WHERE line_id = 'L-A'");
    expect(lines[0]?.executed_fen).toBe(3050n);

    const records = dlq.messages.map((m) => ({ key: m.key, record: JSON.parse(m.value) as DeadLetterRecord, headers: m.headers }));
    expect(records.map((r) => [r.record.reason.code, r.record.eventId])).toEqual([
      ['INVALID_JSON', null],
      ['LINE_OVERDRAWN', 'pay-2'],
      ['LINE_NOT_FOUND', 'pay-3'],
    ]);
    for (const r of records) {
      expect(r.key).toBe('D1');
      expect(r.record.source.topic).toBe(config.paymentsTopic);
      expect(r.headers['x-dead-letter-code']).toBe(r.record.reason.code);
      expect(r.headers['x-source-offset']).toBe(r.record.source.offset);
    }
    expect(Buffer.from(records[0]!.record.valueBase64!, 'base64').toString('utf8')).toBe('{"eventId": "pay-broken", ');

    await waitFor('the offsets to be committed', committedAll, 20_000);
    await consumer.stop();
  });

  it('a consumer of the same group resumes after the committed offsets: only the new message is processed', async () => {
    await produce('D1', raw.payment('pay-1', 'L-A', '10.00'));
    await produce('D1', raw.payment('pay-5', 'L-A', '1.00'));
    const consumer = startConsumer();
    await consumer.start();
    await waitFor('the new payment', async () => (await eventCount()) === 5n, 45_000);
    await waitFor('the offsets to be committed', committedAll, 20_000);
    await consumer.stop();
    const lines = await db.db.query<{ executed_fen: bigint }>("SELECT executed_fen FROM ledger_lines WHERE line_id = 'L-A'");
    expect(lines[0]?.executed_fen).toBe(3150n);
    expect(await eventCount()).toBe(5n);
  });

  it('publishes every stored event to the ledger topic, keyed by department, in the order of the log', async () => {
    const ledger = await follow(kafka, config.ledgerTopic);
    readers.push(ledger.consumer);
    const publisher = new LedgerPublisher(new PgEventStore(db.db), new KafkaMessageSink(kafka), {
      ledgerTopic: config.ledgerTopic,
      alertsTopic: config.alertsTopic,
      subscriptionId: `it-${suffix}`,
      pollIntervalMs: 20,
      logger,
      metrics: ingestionMetrics(new MetricsRegistry()),
    });
    toStop.push(publisher);
    publisher.start();
    const stored = (await db.db.query<{ event_id: string }>('SELECT event_id FROM ledger_events ORDER BY position')).map((r) => r.event_id);
    await waitFor('every stored event on the ledger topic', () => ledger.messages.length >= stored.length, 45_000);
    await publisher.stop();
    // One department, so one partition: the topic's order is the log's order.
    expect(new Set(ledger.messages.map((m) => m.partition)).size).toBe(1);
    expect(ledger.messages.map((m) => m.key)).toEqual(stored.map(() => 'D1'));
    expect(ledger.messages.map((m) => (JSON.parse(m.value) as PublishedEvent).eventId)).toEqual(stored);
    expect(ledger.messages.map((m) => m.headers.eventId)).toEqual(stored);
  });
});
