import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { PgEventStore } from '@ledger/event-store';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { LedgerWriter } from '@ledger/ledger';
import type { BatchAppender } from '@ledger/ingestion';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, MetricsRegistry } from '@ledger/observability';
import { createKafka, KafkaMessageSink } from './kafka-client';
import { kafkaConfigFromEnv, type LedgerKafkaConfig } from './kafka-config';
import { KafkaPaymentConsumer } from './kafka-consumer';
import { KafkaHealth, lagVerdict } from './kafka-health';
import { LedgerPublisher, type PublishedEvent } from './ledger-publisher';
import type { MessageSink, SinkMessage } from './message-sink';
import { PaymentPipeline, type DeadLetterRecord } from './payment-pipeline';
import { raw, waitFor } from './testing/fixtures';
import {
  committedAll,
  committedOffsets,
  ConsumeProcess,
  follow,
  freePort,
  metricValue,
  REPO_ROOT,
  type FollowedMessage,
} from './testing/kafka-harness';
import { ensureTopics, loadTopicDefinitions, type TopicDefinition } from './topics';

/**
 * What the ledger promises around Kafka (docs/kafka.md, Guarantees), proven against a real broker:
 * `npm run test:kafka` with KAFKA_BROKERS (infra/kafka/local-broker.sh start prints it). The
 * killed-consumer test runs `ledger consume` as child processes on a throwaway database of the
 * PostgreSQL server (127.0.0.1:5432), since an embedded database cannot be shared by processes.
 */
const brokers = process.env.KAFKA_BROKERS?.trim();
const describeWithKafka = brokers ? describe : describe.skip;
const title = brokers ? `Kafka delivery guarantees (${brokers})` : 'Kafka delivery guarantees — skipped: KAFKA_BROKERS is not set';

const DEPARTMENTS = ['市贸促委', '市商务局', '市财政局'];
const PAYMENTS_PER_DEPARTMENT = 40;

function configFor(prefix: string, overrides: Record<string, string> = {}): LedgerKafkaConfig {
  return kafkaConfigFromEnv({
    ...process.env,
    KAFKA_PAYMENTS_TOPIC: `${prefix}.payments`,
    KAFKA_DEAD_LETTER_TOPIC: `${prefix}.payments.dlq`,
    KAFKA_LEDGER_TOPIC: `${prefix}.ledger.events`,
    KAFKA_ALERTS_TOPIC: `${prefix}.ledger.alerts`,
    KAFKA_GROUP_ID: `${prefix}-ledger`,
    ...overrides,
  }) as LedgerKafkaConfig;
}

/** Replication the cluster can give: 3 on the 3-node cluster of CI, 1 on a single broker. */
async function replication(admin: Admin): Promise<number> {
  return Math.min(3, (await admin.describeCluster()).brokers.length);
}

function topicsOf(config: LedgerKafkaConfig, replicationFactor: number, skip: readonly string[] = []): TopicDefinition[] {
  return loadTopicDefinitions(config, { replicationFactor }).filter((t) => !skip.includes(t.role));
}

/** What a treasury system sends for one department-year: its line, the approval, payments, and an adjustment that crosses 10 %. */
function treasuryMessages(department: string, index: number): { key: string; value: unknown }[] {
  const line = `L-${index}`;
  const key = `${department}|2021`;
  return [
    { key, value: raw.opened(line, department) },
    { key, value: raw.approved(line, '100000.00') },
    ...Array.from({ length: PAYMENTS_PER_DEPARTMENT }, (_, i) => ({
      key,
      value: raw.payment(`pay-${index}-${i}`, line, `${(i % 7) + 1}.${String(i % 100).padStart(2, '0')}`),
    })),
    {
      key,
      value: { eventId: `adj-${index}`, type: 'BudgetAdjusted', effectiveDate: '2021-04-01', data: { lineId: line, amount: '20000.00' } },
    },
    ...Array.from({ length: 5 }, (_, i) => ({ key, value: raw.payment(`late-${index}-${i}`, line, '1.00', '2021-05-01') })),
  ];
}

function expectedFen(): bigint {
  let fen = 0n;
  for (let i = 0; i < PAYMENTS_PER_DEPARTMENT; i += 1) fen += BigInt((i % 7) + 1) * 100n + BigInt(i % 100);
  return fen + 5n * 100n;
}

/** The first occurrence of each eventId, per message key, in topic order (what a consumer deduping on eventId keeps). */
function dedupedByKey(messages: readonly FollowedMessage[]): Map<string, string[]> {
  const seen = new Set<string>();
  const byKey = new Map<string, string[]>();
  for (const m of [...messages].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))) {
    const eventId = (JSON.parse(m.value) as PublishedEvent).eventId;
    if (seen.has(eventId)) continue;
    seen.add(eventId);
    const list = byKey.get(m.key ?? '') ?? [];
    list.push(eventId);
    byKey.set(m.key ?? '', list);
  }
  return byKey;
}

/** A sink that, once, reports a failure after Kafka acknowledged: the crash between acknowledgement and checkpoint. */
class FailingAfterAck implements MessageSink {
  sends = 0;
  failed = false;
  constructor(
    private readonly inner: MessageSink,
    private readonly failOnSend: number,
  ) {}
  async send(topic: string, messages: readonly SinkMessage[]): Promise<void> {
    await this.inner.send(topic, messages);
    this.sends += 1;
    if (!this.failed && this.sends === this.failOnSend) {
      this.failed = true;
      throw new Error('lost after the acknowledgement');
    }
  }
}

describeWithKafka(title, () => {
  // Real processes, groups and brokers on a shared machine: minutes, not the default minute.
  jest.setTimeout(600_000);
  const logger = silentLogger();
  const suffix = randomBytes(4).toString('hex');
  const config = configFor(`dl-${suffix}`);
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let db: ThrowawayDatabase;
  const readers: Consumer[] = [];
  const toStop: { stop(): Promise<void> }[] = [];
  const topicsToDelete: string[] = [];

  beforeAll(async () => {
    // Patient clients: on a busy shared machine a connection can take longer than kafkajs's 1 s.
    kafka = createKafka(config, logger, { connectionTimeout: 10_000 });
    admin = kafka.admin();
    await admin.connect();
    const topics = topicsOf(config, await replication(admin));
    await ensureTopics(admin, topics);
    topicsToDelete.push(...topics.map((t) => t.name));
    // Like treasury's producers: idempotent, acks from all in-sync replicas, keyed (murmur2) by department-year.
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = await createThrowawayDatabase('pglite');
    // Generous: on a busy machine the first metadata, group and database set-up take a while.
  }, 180_000);

  afterAll(async () => {
    for (const s of toStop) await s.stop().catch(() => undefined);
    for (const r of readers) await r.disconnect().catch(() => undefined);
    await producer?.disconnect();
    if (topicsToDelete.length > 0) await admin?.deleteTopics({ topics: topicsToDelete }).catch(() => undefined);
    await admin?.disconnect();
    await db?.drop();
  }, 180_000);

  it('stores every payment of a treasury producer once and only once, and commits no offset before its batch is stored', async () => {
    const messages = DEPARTMENTS.flatMap((d, i) => treasuryMessages(d, i));
    // Treasury re-sends some payments (a retry on its side): same eventId, same content.
    const resent = messages.filter((_, i) => i % 9 === 5);
    for (const batch of [messages, resent]) {
      await producer.send({
        topic: config.paymentsTopic,
        acks: -1,
        messages: batch.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })),
      });
    }

    // The store is held shut until the test has looked at the committed offsets.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let appendsAsked = 0;
    const writer = new LedgerWriter(db.db, new PgEventStore(db.db));
    const appender: BatchAppender = {
      append: async (events) => {
        appendsAsked += 1;
        await gate;
        return writer.append(events);
      },
    };
    const registry = new MetricsRegistry();
    const metrics = ingestionMetrics(registry);
    const consumer = new KafkaPaymentConsumer(
      kafka,
      config,
      new PaymentPipeline(appender, { batchSize: 25, logger, metrics }),
      new KafkaMessageSink(kafka),
      logger,
      metrics,
    );
    toStop.push(consumer);
    await consumer.start();

    await waitFor('the consumer to hand a batch to the store', () => appendsAsked > 0, 60_000);
    // The batch is in hand and not stored: the broker must have no offset of this group beyond -1.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const whileHeld = await committedOffsets(admin, config.groupId, config.paymentsTopic);
    expect([...whileHeld.values()].every((offset) => offset === '-1')).toBe(true);
    expect((await db.db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events'))[0]?.n).toBe(0n);

    open();
    await waitFor('every offset committed', () => committedAll(admin, config.groupId, config.paymentsTopic), 60_000);
    await consumer.stop();

    const ids = await db.db.query<{ event_id: string; n: bigint }>(
      "SELECT event_id, count(*) AS n FROM ledger_events WHERE type <> 'ThresholdCrossed' GROUP BY event_id",
    );
    expect(ids).toHaveLength(messages.length);
    expect(ids.every((r) => r.n === 1n)).toBe(true);
    expect(metrics.duplicates.get({ source: 'kafka' })).toBe(resent.length);
    const lines = await db.db.query<{ line_id: string; executed_fen: bigint }>(
      'SELECT line_id, executed_fen FROM ledger_lines ORDER BY line_id',
    );
    expect(lines.map((l) => [l.line_id, l.executed_fen])).toEqual(DEPARTMENTS.map((_, i) => [`L-${i}`, expectedFen()]));
    // Each adjustment of 20 % crossed the 10 % threshold once: one alert per department.
    const alerts = await db.db.query<{ n: bigint }>("SELECT count(*) AS n FROM ledger_events WHERE type = 'ThresholdCrossed'");
    expect(alerts[0]?.n).toBe(BigInt(DEPARTMENTS.length));
  });

  it('publishes events and alerts in order per department, and a publisher that fails after an acknowledgement and is restarted mid-way neither loses nor reorders', async () => {
    const ledger = await follow(kafka, config.ledgerTopic);
    const alerts = await follow(kafka, config.alertsTopic);
    readers.push(ledger.consumer, alerts.consumer);
    const store = new PgEventStore(db.db);
    const publisherWith = (sink: MessageSink) =>
      new LedgerPublisher(store, sink, {
        ledgerTopic: config.ledgerTopic,
        alertsTopic: config.alertsTopic,
        subscriptionId: `publisher-${suffix}`,
        batchSize: 10,
        pollIntervalMs: 20,
        retryDelayMs: 20,
        logger,
        metrics: ingestionMetrics(new MetricsRegistry()),
      });
    const stored = await db.db.query<{ event_id: string; type: string; stream_id: string }>(
      'SELECT event_id, type, stream_id FROM ledger_events ORDER BY position',
    );

    // The third send is acknowledged by Kafka and then reported lost: its batch goes out twice.
    const first = publisherWith(new FailingAfterAck(new KafkaMessageSink(kafka), 3));
    toStop.push(first);
    first.start();
    await waitFor('a third of the log published', () => ledger.messages.length >= stored.length / 3, 60_000);
    await first.stop();
    const second = publisherWith(new KafkaMessageSink(kafka));
    toStop.push(second);
    second.start();
    await waitFor('the whole log published', () => new Set(ledger.messages.map((m) => m.headers.eventId)).size >= stored.length, 60_000);
    await waitFor('every alert published', () => alerts.messages.length >= DEPARTMENTS.length, 30_000);
    await second.stop();

    // Nothing lost, and per department (one key, one partition) the order of the log.
    const expectedByKey = new Map<string, string[]>();
    for (const row of stored) {
      const department = /^budget-(.+)-2021$/.exec(row.stream_id)?.[1] ?? row.stream_id;
      expectedByKey.set(department, [...(expectedByKey.get(department) ?? []), row.event_id]);
    }
    expect(dedupedByKey(ledger.messages)).toEqual(expectedByKey);
    // At least once: the batch reported lost was sent again (consumers dedupe on eventId).
    expect(ledger.messages.length).toBeGreaterThan(stored.length);

    const expectedAlerts = new Map<string, string[]>();
    for (const row of stored.filter((r) => r.type === 'ThresholdCrossed')) {
      const department = /^budget-(.+)-2021$/.exec(row.stream_id)?.[1] ?? row.stream_id;
      expectedAlerts.set(department, [...(expectedAlerts.get(department) ?? []), row.event_id]);
    }
    expect(dedupedByKey(alerts.messages)).toEqual(expectedAlerts);
  });

  it('dead-letters bad messages with the reason, the original key and headers, and the source offset', async () => {
    const prefix = `dlq-${suffix}`;
    const own = configFor(prefix);
    const topics = topicsOf(own, await replication(admin));
    await ensureTopics(admin, topics);
    topicsToDelete.push(...topics.map((t) => t.name));
    const key = '市贸促委|2021';
    const sent = await producer.send({
      topic: own.paymentsTopic,
      acks: -1,
      messages: [
        { key, value: '{"eventId": "broken", ', headers: { traceparent: '00-trace-1' } },
        { key, value: JSON.stringify(raw.payment('pay-nowhere', 'L-NOPE', '1.00')), headers: { traceparent: '00-trace-2' } },
      ],
    });
    const baseOffset = BigInt(sent[0]!.baseOffset!);
    const dlq = await follow(kafka, own.deadLetterTopic);
    readers.push(dlq.consumer);
    const dlqDb = await createThrowawayDatabase('pglite');
    try {
      const consumer = new KafkaPaymentConsumer(
        kafka,
        own,
        new PaymentPipeline(new LedgerWriter(dlqDb.db, new PgEventStore(dlqDb.db)), { logger }),
        new KafkaMessageSink(kafka),
        logger,
        ingestionMetrics(new MetricsRegistry()),
      );
      toStop.push(consumer);
      await consumer.start();
      await waitFor('two dead letters', () => dlq.messages.length >= 2, 60_000);
      await waitFor('the offsets committed past them', () => committedAll(admin, own.groupId, own.paymentsTopic), 30_000);
      await consumer.stop();
    } finally {
      await dlqDb.drop();
    }
    // At least once: a batch re-delivered (a rebalance, a retried commit) dead-letters again; the source offset tells copies apart.
    const copies = dlq.messages.map((m) => ({ ...m, record: JSON.parse(m.value) as DeadLetterRecord }));
    const letters = copies.filter((l, i) => copies.findIndex((o) => o.record.source.offset === l.record.source.offset) === i);
    expect(letters.map((l) => [l.record.reason.code, l.record.eventId, l.record.source.offset])).toEqual([
      ['INVALID_JSON', null, baseOffset.toString()],
      ['LINE_NOT_FOUND', 'pay-nowhere', (baseOffset + 1n).toString()],
    ]);
    letters.forEach((l, i) => {
      expect(l.key).toBe(key);
      expect(Buffer.from(l.record.source.keyBase64!, 'base64').toString('utf8')).toBe(key);
      expect(l.headers).toMatchObject({
        traceparent: `00-trace-${i + 1}`,
        'x-dead-letter-code': l.record.reason.code,
        'x-source-topic': own.paymentsTopic,
        'x-source-partition': String(sent[0]!.partition),
        'x-source-offset': l.record.source.offset,
      });
      expect(l.record.reason.message).toMatch(i === 0 ? /not valid JSON/ : /pay-nowhere/);
    });
  });

  it('a consumer killed after storing and before committing: the next one re-reads the batch and the duplicates change nothing', async () => {
    const prefix = `kill-${suffix}`;
    const own = configFor(prefix);
    // No dead-letter topic yet: the batch's dead letter cannot be produced, so its offsets cannot be committed.
    const topics = topicsOf(own, await replication(admin), ['deadLetters']);
    await ensureTopics(admin, topics);
    topicsToDelete.push(...topics.map((t) => t.name), own.deadLetterTopic);
    const messages = [...treasuryMessages('市商务局', 7), { key: '市商务局|2021', value: raw.payment('pay-nowhere', 'L-NOPE', '1.00') }];
    await producer.send({
      topic: own.paymentsTopic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: typeof m.value === 'string' ? m.value : JSON.stringify(m.value) })),
    });
    const server = await createThrowawayDatabase('postgres');
    const env = {
      DATABASE_URL: server.url as string,
      KAFKA_PAYMENTS_TOPIC: own.paymentsTopic,
      KAFKA_DEAD_LETTER_TOPIC: own.deadLetterTopic,
      KAFKA_LEDGER_TOPIC: own.ledgerTopic,
      KAFKA_ALERTS_TOPIC: own.alertsTopic,
      KAFKA_GROUP_ID: own.groupId,
    };
    try {
      const first = new ConsumeProcess('first consumer', env, await freePort());
      const batch = await first.waitForLog('a batch stored', (l) => l.msg === 'batch processed' && Number(l.stored) > 0, 300_000);
      await first.kill();
      const storedBeforeKill = Number(batch.stored);
      expect(storedBeforeKill).toBeGreaterThan(0);
      expect([...(await committedOffsets(admin, own.groupId, own.paymentsTopic)).values()].every((o) => o === '-1')).toBe(true);

      await ensureTopics(admin, loadTopicDefinitions(own, { replicationFactor: await replication(admin) }));
      const second = new ConsumeProcess('second consumer', env, await freePort());
      try {
        await waitFor('every offset committed', () => committedAll(admin, own.groupId, own.paymentsTopic), 300_000);
        const text = await second.metrics();
        expect(metricValue(text, 'ledger_events_duplicate_total{source="kafka"}')).toBe(storedBeforeKill);
        expect(metricValue(text, 'ledger_messages_dead_lettered_total{source="kafka",code="LINE_NOT_FOUND"}')).toBe(1);
      } finally {
        expect(await second.stop()).toBe(0);
      }
      const rows = await server.db.query<{ n: bigint }>("SELECT count(*) AS n FROM ledger_events WHERE type <> 'ThresholdCrossed'");
      expect(rows[0]?.n).toBe(BigInt(messages.length - 1));
      const line = await server.db.query<{ executed_fen: bigint }>("SELECT executed_fen FROM ledger_lines WHERE line_id = 'L-7'");
      expect(line[0]?.executed_fen).toBe(expectedFen());
    } finally {
      await server.drop();
    }
  });

  it('reports the lag per partition, and readiness turns false above the threshold and true once consumed', async () => {
    const prefix = `lag-${suffix}`;
    const own = configFor(prefix, { KAFKA_READY_MAX_LAG: '10' });
    const topics = topicsOf(own, await replication(admin));
    await ensureTopics(admin, topics);
    topicsToDelete.push(...topics.map((t) => t.name));
    await producer.send({
      topic: own.paymentsTopic,
      acks: -1,
      messages: treasuryMessages('市财政局', 3).map((m) => ({ key: m.key, value: JSON.stringify(m.value) })),
    });
    const health = new KafkaHealth(own, logger);
    try {
      const before = await health.consumerLag(10_000);
      expect(before.reduce((sum, p) => sum + p.lag, 0n)).toBe(BigInt(PAYMENTS_PER_DEPARTMENT + 8));
      expect(before.filter((p) => p.lag > 0n)).toHaveLength(1);
      expect(lagVerdict(before, health.readyMaxLag).ready).toBe(false);

      const lagDb = await createThrowawayDatabase('pglite');
      try {
        const consumer = new KafkaPaymentConsumer(
          kafka,
          own,
          new PaymentPipeline(new LedgerWriter(lagDb.db, new PgEventStore(lagDb.db)), { logger }),
          new KafkaMessageSink(kafka),
          logger,
          ingestionMetrics(new MetricsRegistry()),
        );
        toStop.push(consumer);
        await consumer.start();
        await waitFor('the group caught up', () => committedAll(admin, own.groupId, own.paymentsTopic), 300_000);
        await consumer.stop();
      } finally {
        await lagDb.drop();
      }
      const after = await health.consumerLag(10_000);
      expect(after.every((p) => p.lag === 0n)).toBe(true);
      expect(lagVerdict(after, health.readyMaxLag).ready).toBe(true);
    } finally {
      await health.close();
    }
  });

  it('creates the topics of infra/kafka/topics.json idempotently, also when two kafka-init run at once', async () => {
    const prefix = `init-${suffix}`;
    const own = configFor(prefix);
    const rf = await replication(admin);
    const env = {
      ...process.env,
      KAFKA_PAYMENTS_TOPIC: own.paymentsTopic,
      KAFKA_DEAD_LETTER_TOPIC: own.deadLetterTopic,
      KAFKA_LEDGER_TOPIC: own.ledgerTopic,
      KAFKA_ALERTS_TOPIC: own.alertsTopic,
      KAFKA_REPLICATION_FACTOR: String(rf),
      LOG_LEVEL: 'warn',
    };
    const kafkaInit = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['-r', './tools/register.js', 'apps/consumer/src/create-topics.ts'], {
          cwd: REPO_ROOT,
          env,
          stdio: 'ignore',
        });
        child.once('exit', resolve);
      });
    const definitions = topicsOf(own, rf);
    topicsToDelete.push(...definitions.map((t) => t.name));
    expect(await Promise.all([kafkaInit(), kafkaInit()])).toEqual([0, 0]);
    expect(await kafkaInit()).toBe(0);
    expect(await ensureTopics(admin, definitions)).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: definitions.map((t) => t.name) });
    for (const t of definitions) {
      const found = metadata.topics.find((m) => m.name === t.name);
      expect([t.name, found?.partitions.length, found?.partitions[0]?.replicas.length]).toEqual([t.name, t.partitions, rf]);
    }
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: own.paymentsTopic, configNames: ['retention.ms', 'max.message.bytes'] }],
    });
    expect(Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]))).toEqual({
      'retention.ms': '604800000',
      'max.message.bytes': '1048576',
    });
  });
});
