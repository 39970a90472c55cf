import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { PgEventStore, type StoredEvent } from '@ledger/event-store';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { silentLogger } from '@ledger/observability';
import { createKafka } from './kafka-client';
import { kafkaConfigFromEnv, type LedgerKafkaConfig } from './kafka-config';
import type { PublishedEvent } from './ledger-publisher';
import { raw, waitFor } from './testing/fixtures';
import { committedAll, ConsumeProcess, deleteLedgerTopics, follow, freePort, localBroker } from './testing/kafka-harness';
import { ensureTopics, loadTopicDefinitions } from './topics';

/**
 * Scale-out on the engine itself: several `ledger consume` processes (the CLI, as operators run
 * it) share a payments topic of six partitions keyed by department and fiscal year, on one
 * database of the PostgreSQL server. During the ingestion a third consumer joins, one is killed
 * (SIGKILL: no goodbye to the group, a batch possibly stored and not committed), and — on the
 * 3-node cluster of infra/kafka/local-broker.sh (LEDGER_KAFKA_DIR, as .ci/run starts it) — a
 * broker is stopped, so partition leaders and perhaps the group coordinator move. Every payment
 * must still be stored exactly once, every offset committed, a follower of the log must see every
 * event once, and the ledger topic must carry every event in each department's order.
 */
const brokers = process.env.KAFKA_BROKERS?.trim();
const describeWithKafka = brokers ? describe : describe.skip;

const DEPARTMENTS = ['市贸促委', '市商务局', '市财政局', '市教委', '市卫健委', '市交通委'];
const YEARS = [2021, 2022];
const PAYMENTS_PER_KEY = 150;
const PARTITIONS = 6;

interface Sent {
  readonly key: string;
  readonly value: unknown;
}

function keyOf(department: string, year: number): string {
  return `${department}|${year}`;
}

function setUp(department: string, d: number, year: number): Sent[] {
  const line = `L-${d}-${year}`;
  return [
    { key: keyOf(department, year), value: raw.opened(line, department, year) },
    { key: keyOf(department, year), value: raw.approved(line, '1000000.00', year) },
  ];
}

function payments(department: string, d: number, year: number, from: number, to: number): Sent[] {
  const line = `L-${d}-${year}`;
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return { key: keyOf(department, year), value: raw.payment(`pay-${d}-${year}-${i}`, line, `${(i % 50) + 1}.25`, `${year}-03-15`) };
  });
}

function wave(from: number, to: number): Sent[] {
  return DEPARTMENTS.flatMap((department, d) => YEARS.flatMap((year) => payments(department, d, year, from, to)));
}

function expectedFen(): bigint {
  let fen = 0n;
  for (let i = 0; i < PAYMENTS_PER_KEY; i += 1) fen += BigInt((i % 50) + 1) * 100n + 25n;
  return fen;
}

describeWithKafka(`Kafka scale-out: consume processes share partitions through rebalances and a broker failover (${brokers})`, () => {
  const logger = silentLogger();
  const suffix = randomBytes(4).toString('hex');
  const config = kafkaConfigFromEnv({
    ...process.env,
    KAFKA_PAYMENTS_TOPIC: `so-${suffix}.payments`,
    KAFKA_DEAD_LETTER_TOPIC: `so-${suffix}.payments.dlq`,
    KAFKA_LEDGER_TOPIC: `so-${suffix}.ledger.events`,
    KAFKA_ALERTS_TOPIC: `so-${suffix}.ledger.alerts`,
    KAFKA_GROUP_ID: `so-${suffix}`,
  }) as LedgerKafkaConfig;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let server: ThrowawayDatabase;
  let replication = 1;
  const processes: ConsumeProcess[] = [];
  const readers: Consumer[] = [];
  let stoppedNode: string | undefined;

  const env = () => ({
    DATABASE_URL: server.url as string,
    KAFKA_PAYMENTS_TOPIC: config.paymentsTopic,
    KAFKA_DEAD_LETTER_TOPIC: config.deadLetterTopic,
    KAFKA_LEDGER_TOPIC: config.ledgerTopic,
    KAFKA_ALERTS_TOPIC: config.alertsTopic,
    KAFKA_GROUP_ID: config.groupId,
    // Small batches, so that the ingestion lasts through the joins, the kill and the failover.
    KAFKA_MAX_BYTES_PER_PARTITION: '4096',
    LEDGER_BATCH_SIZE: '20',
    // The killed consumer's partitions move after 8 s instead of 30.
    KAFKA_SESSION_TIMEOUT_MS: '8000',
  });

  async function start(name: string): Promise<ConsumeProcess> {
    const consumer = new ConsumeProcess(name, env(), await freePort());
    processes.push(consumer);
    return consumer;
  }

  async function storedPayments(): Promise<number> {
    const rows = await server.db.query<{ n: bigint }>("SELECT count(*) AS n FROM ledger_events WHERE type = 'PaymentRecorded'");
    return Number(rows[0]?.n ?? 0n);
  }

  const send = (messages: readonly Sent[]) =>
    producer.send({
      topic: config.paymentsTopic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })),
    });

  beforeAll(async () => {
    // Patient clients: on a busy shared machine a connection can take longer than kafkajs's 1 s.
    kafka = createKafka(config, logger, { connectionTimeout: 10_000 });
    admin = kafka.admin();
    await admin.connect();
    replication = Math.min(3, (await admin.describeCluster()).brokers.length);
    const topics = loadTopicDefinitions(config, { replicationFactor: replication }).map((t) =>
      t.role === 'payments' || t.role === 'ledgerEvents' ? { ...t, partitions: PARTITIONS } : t,
    );
    await ensureTopics(admin, topics);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    server = await createThrowawayDatabase('postgres');
    // Generous: on a busy machine the first metadata, group and database set-up take a while.
  }, 180_000);

  afterAll(async () => {
    for (const p of processes) await p.kill().catch(() => undefined);
    if (stoppedNode !== undefined) await localBroker.run('start', '--node', stoppedNode).catch(() => undefined);
    for (const r of readers) await r.disconnect().catch(() => undefined);
    await producer?.disconnect();
    await deleteLedgerTopics(admin, config);
    await admin?.disconnect();
    await server?.drop();
  }, 180_000);

  it('stores every payment exactly once while consumers join, die and a broker stops', async () => {
    const total = DEPARTMENTS.length * YEARS.length * PAYMENTS_PER_KEY;
    const third = PAYMENTS_PER_KEY / 3;
    const ledger = await follow(kafka, config.ledgerTopic);
    readers.push(ledger.consumer);

    await send(DEPARTMENTS.flatMap((department, d) => YEARS.flatMap((year) => setUp(department, d, year))));
    await send(wave(0, third));
    const a = await start('consumer A');
    const b = await start('consumer B');
    await waitFor('the first payments stored', async () => (await storedPayments()) > 0, 120_000);

    // A consumer joins: the group rebalances while batches are in flight.
    const c = await start('consumer C');
    await send(wave(third, 2 * third));
    await waitFor('half of the payments stored', async () => (await storedPayments()) >= total / 2, 180_000);

    // One is killed outright: its partitions move to the others once its session expires.
    await a.kill();
    const failover = localBroker.nodes() === 3;
    if (failover) {
      // A broker of the three stops: the leaders it had move to the others (min.insync.replicas 2 of 3).
      stoppedNode = '2';
      await localBroker.run('stop', '--node', stoppedNode);
    } else {
      process.stderr.write('kafka-scale-out: not a 3-node local-broker.sh cluster (LEDGER_KAFKA_DIR); the failover step is left out\n');
    }
    await send(wave(2 * third, PAYMENTS_PER_KEY));
    await waitFor('every offset committed', () => committedAll(admin, config.groupId, config.paymentsTopic), 240_000);
    if (stoppedNode !== undefined) {
      await localBroker.run('start', '--node', stoppedNode);
      stoppedNode = undefined;
    }

    // Exactly once: every payment one row, every line's 执行数 the exact sum of its payments.
    const counts = await server.db.query<{ n: bigint; distinct_ids: bigint }>(
      "SELECT count(*) AS n, count(DISTINCT event_id) AS distinct_ids FROM ledger_events WHERE type = 'PaymentRecorded'",
    );
    expect(counts[0]).toEqual({ n: BigInt(total), distinct_ids: BigInt(total) });
    const lines = await server.db.query<{ line_id: string; executed_fen: bigint }>('SELECT line_id, executed_fen FROM ledger_lines');
    expect(lines).toHaveLength(DEPARTMENTS.length * YEARS.length);
    for (const line of lines) expect([line.line_id, line.executed_fen]).toEqual([line.line_id, expectedFen()]);

    // The partitions were shared: more than one process stored batches.
    const worked = [a, b, c].filter((p) => p.logs.some((l) => l.msg === 'batch processed' && Number(l.stored) > 0));
    expect(worked.length).toBeGreaterThanOrEqual(2);

    // A follower of the log sees every event once, in position order.
    const seen: StoredEvent[] = [];
    const follower = new PgEventStore(server.db).subscribe({ subscriptionId: `follower-${suffix}`, pollIntervalMs: 20 }, async (events) => {
      seen.push(...events);
    });
    await follower.caughtUp();
    await follower.stop();
    const storedCount = Number(((await server.db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events'))[0] as { n: bigint }).n);
    expect(seen).toHaveLength(storedCount);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(storedCount);
    expect(seen.every((e, i) => i === 0 || e.position > (seen[i - 1] as StoredEvent).position)).toBe(true);

    // The ledger topic, deduped on eventId as its consumers do: every event, in each department's order.
    await waitFor(
      'every stored event on the ledger topic',
      () => new Set(ledger.messages.map((m) => m.headers.eventId)).size >= storedCount,
      180_000,
    );
    const order = new Map<string, string[]>();
    const firstSeen = new Set<string>();
    for (const m of [...ledger.messages].sort((x, y) => x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset)))) {
      const event = JSON.parse(m.value) as PublishedEvent;
      if (firstSeen.has(event.eventId)) continue;
      firstSeen.add(event.eventId);
      order.set(m.key ?? '', [...(order.get(m.key ?? '') ?? []), event.position]);
    }
    expect(order.size).toBe(DEPARTMENTS.length);
    for (const [department, positions] of order) {
      const sorted = [...positions].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
      expect([department, positions]).toEqual([department, sorted]);
    }

    for (const p of [b, c]) expect(await p.stop()).toBe(0);
  }, 600_000);
});
