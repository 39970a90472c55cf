import { randomBytes } from 'node:crypto';
import { createKafka, kafkaConfigFromEnv, type LedgerKafkaConfig } from '@ledger/kafka';
import { silentLogger } from '@ledger/observability';
import { ConsumeProcess, freePort } from '@ledger/kafka/testing/kafka-harness';
import { ensureTopics, loadTopicDefinitions } from '@ledger/kafka';
import { benchDatabase, rate, report } from './support';

/**
 * End to end through a real broker (issue 17 §4): payments already on a topic of 12 partitions
 * keyed by department and fiscal year, then 1, 2 and 3 `ledger consume` processes (the CLI, each
 * also publishing, as deployed) on one database of the PostgreSQL server. The rate counts from the
 * first payment stored to the last, so the processes' start-up is left out. Needs KAFKA_BROKERS
 * (`npm run --silent kafka:local -- start`). BENCH_KAFKA_PAYMENTS (default 30,000) and
 * BENCH_KAFKA_CONSUMERS (default 1,2,3) choose the size.
 */
const DEPARTMENTS = ['市贸促委', '市商务局', '市财政局', '市教委', '市卫健委', '市交通委'];
const YEARS = [2021, 2022];
const PARTITIONS = 12;
const SEND_CHUNK = 1_000;

export async function runKafkaBrokerBench(): Promise<void> {
  const base = kafkaConfigFromEnv();
  if (base === undefined) throw new Error('KAFKA_BROKERS is not set: start a broker with `npm run --silent kafka:local -- start` first');
  const total = Number(process.env.BENCH_KAFKA_PAYMENTS ?? 30_000);
  const counts = (process.env.BENCH_KAFKA_CONSUMERS ?? '1,2,3').split(',').map(Number);
  const rows: [string, string | number][] = [];
  for (const consumers of counts) {
    const result = await once(base, total, consumers);
    rows.push([
      `${consumers} consumer${consumers === 1 ? '' : 's'}`,
      `${result.perSecond.toLocaleString('en-US')} payments/s stored (${total.toLocaleString('en-US')} in ${(result.ms / 1000).toFixed(1)} s; ${result.startMs} ms until the first)`,
    ]);
  }
  report(
    `Kafka through a real broker (${base.brokers.join(',')}), ${PARTITIONS} partitions, ${total.toLocaleString('en-US')} payments`,
    rows,
  );
}

async function once(
  base: LedgerKafkaConfig,
  total: number,
  consumers: number,
): Promise<{ perSecond: number; ms: number; startMs: number }> {
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const config: LedgerKafkaConfig = {
    ...base,
    paymentsTopic: `${prefix}.payments`,
    deadLetterTopic: `${prefix}.payments.dlq`,
    ledgerTopic: `${prefix}.ledger.events`,
    alertsTopic: `${prefix}.ledger.alerts`,
    groupId: prefix,
  };
  const kafka = createKafka(config, silentLogger());
  const admin = kafka.admin();
  await admin.connect();
  const replication = Math.min(3, (await admin.describeCluster()).brokers.length);
  const topics = loadTopicDefinitions(config, { replicationFactor: replication }).map((t) =>
    t.role === 'payments' ? { ...t, partitions: PARTITIONS } : t,
  );
  await ensureTopics(admin, topics);
  const database = await benchDatabase('kafka');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const processes: ConsumeProcess[] = [];
  try {
    const keys = DEPARTMENTS.flatMap((department, d) => YEARS.map((year) => ({ department, d, year, line: `L-${d}-${year}` })));
    const messages: { key: string; value: string }[] = [];
    for (const k of keys) {
      const key = `${k.department}|${k.year}`;
      messages.push({
        key,
        value: JSON.stringify(
          event('BudgetLineOpened', `open-${k.line}`, `${k.year}-01-01`, {
            lineId: k.line,
            department: k.department,
            fiscalYear: k.year,
            kind: 'basic',
          }),
        ),
      });
      messages.push({
        key,
        value: JSON.stringify(
          event('InitialBudgetApproved', `init-${k.line}`, `${k.year}-01-01`, { lineId: k.line, amount: '100000000.00' }),
        ),
      });
    }
    for (let i = 0; i < total; i += 1) {
      const k = keys[i % keys.length]!;
      messages.push({
        key: `${k.department}|${k.year}`,
        value: JSON.stringify(
          event('PaymentRecorded', `pay-${k.line}-${i}`, `${k.year}-03-15`, {
            lineId: k.line,
            amount: `${(i % 900) + 1}.50`,
            payee: 'supplier',
          }),
        ),
      });
    }
    for (let i = 0; i < messages.length; i += SEND_CHUNK) {
      await producer.send({ topic: config.paymentsTopic, acks: -1, messages: messages.slice(i, i + SEND_CHUNK) });
    }

    const env = {
      DATABASE_URL: database.url,
      KAFKA_PAYMENTS_TOPIC: config.paymentsTopic,
      KAFKA_DEAD_LETTER_TOPIC: config.deadLetterTopic,
      KAFKA_LEDGER_TOPIC: config.ledgerTopic,
      KAFKA_ALERTS_TOPIC: config.alertsTopic,
      KAFKA_GROUP_ID: config.groupId,
      LOG_LEVEL: 'warn',
    };
    const started = performance.now();
    for (let i = 0; i < consumers; i += 1) processes.push(new ConsumeProcess(`consumer ${i + 1}`, env, await freePort()));
    let firstAt: number | undefined;
    let firstCount = 0;
    for (;;) {
      const rows = await database.db.query<{ n: bigint }>("SELECT count(*) AS n FROM ledger_events WHERE type = 'PaymentRecorded'");
      const stored = Number(rows[0]?.n ?? 0n);
      const now = performance.now();
      if (firstAt === undefined && stored > 0) {
        firstAt = now;
        firstCount = stored;
      }
      if (stored >= total) {
        const ms = now - (firstAt ?? started);
        return { perSecond: rate(total - firstCount, ms), ms, startMs: Math.round((firstAt ?? now) - started) };
      }
      for (const p of processes) {
        if (p.logs.some((l) => l.level === 'error' && String(l.msg).includes('for good'))) throw new Error(`${p.name} failed: ${p.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    for (const p of processes) await p.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: topics.map((t) => t.name) }).catch(() => undefined);
    await admin.disconnect();
    await database.drop();
  }
}

function event(type: string, eventId: string, effectiveDate: string, data: Record<string, unknown>) {
  return { eventId, type, effectiveDate, data };
}
