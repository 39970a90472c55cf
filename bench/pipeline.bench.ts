import { PgEventStore } from '@ledger/event-store';
import { PaymentPipeline, processAndCommit, type ConsumedMessage, type MessageSink } from '@ledger/kafka';
import { ingestionMetrics, MetricsRegistry, silentLogger } from '@ledger/observability';
import { LedgerWriter } from '@ledger/ledger';
import { benchDatabase, peakRssMb, report, seeded } from './support';

/**
 * Issue 5's benchmark: the Kafka consumer pipeline without the broker. 500,000 payment messages in
 * batches of 1,000 go through decoding, validation, the budget rules, the store and the
 * projections, on a throwaway database of the real server; 1% of them are bad (invalid JSON,
 * invalid fields, payments to an unknown line, payments above the available) and 5% are
 * duplicates of earlier payments. Prints events/s stored and the peak RSS.
 */

const DEPARTMENTS = 20;
const LINES_PER_DEPARTMENT = 10;
const PARTITIONS = 12;
const TOPIC = 'treasury.payments';

export interface PipelineBenchResult {
  readonly messages: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly elapsedMs: number;
  readonly storedPerSecond: number;
  readonly messagesPerSecond: number;
  readonly peakRssMb: number;
  readonly lanes: number;
}

const lineOf = (d: number, l: number) => `D${d}-L${l}`;

/** The department of payment n: the first draw of its own sequence, cheap enough to route by. */
function paymentDepartment(n: number): number {
  return Math.floor(seeded(n + 1)() * DEPARTMENTS);
}

/** Payment n, the same bytes every time it is asked for (a duplicate is a re-send of the same message). */
function payment(n: number, total: number): { department: number; value: string; amountFen: bigint } {
  const random = seeded(n + 1);
  const d = Math.floor(random() * DEPARTMENTS);
  const l = Math.floor(random() * LINES_PER_DEPARTMENT);
  const fen = 100 + Math.floor(random() * 50_000);
  const day = 1 + Math.floor((n / total) * 364);
  const date = new Date(Date.UTC(2021, 0, day)).toISOString().slice(0, 10);
  const amount = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  return {
    department: d,
    value: JSON.stringify({
      eventId: `pay-${n}`,
      type: 'PaymentRecorded',
      effectiveDate: date,
      data: { lineId: lineOf(d, l), amount, payee: `supplier-${n % 997}` },
      metadata: { source: 'treasury', documentNo: `国库支付〔2021〕${n}号` },
    }),
    amountFen: BigInt(fen),
  };
}

const isBad = (n: number) => n % 100 === 50;
const isDuplicate = (n: number) => n % 20 === 7 && n >= 13;

/** The department (hence the partition) of message n, without building it. */
function messageDepartment(n: number): number {
  if (isBad(n)) return n % DEPARTMENTS;
  return paymentDepartment(isDuplicate(n) ? n - 13 : n);
}

/** Message n of the run: 1% bad (n % 100 === 50), 5% duplicates of payment n − 13 (n % 20 === 7), the rest payments. */
function message(n: number, total: number): { department: number; value: string; amountFen: bigint } {
  if (isBad(n)) {
    const d = n % DEPARTMENTS;
    const bad = [
      '{"eventId": "pay-broken-' + n + '", "type": "PaymentRecorded", ',
      JSON.stringify({
        eventId: `pay-${n}`,
        type: 'PaymentRecorded',
        effectiveDate: '2021-06-01',
        data: { lineId: lineOf(d, 0), amount: '12.345' },
      }),
      JSON.stringify({
        eventId: `pay-${n}`,
        type: 'PaymentRecorded',
        effectiveDate: '2021-06-01',
        data: { lineId: 'NO-SUCH-LINE', amount: '1.00' },
      }),
      JSON.stringify({
        eventId: `pay-${n}`,
        type: 'PaymentRecorded',
        effectiveDate: '2021-06-01',
        data: { lineId: lineOf(d, 1), amount: '999999999.00' },
      }),
    ][((n / 100) % 4) | 0] as string;
    return { department: d, value: bad, amountFen: 0n };
  }
  // A duplicate is payment n − 13 again: same key, same partition, after the original.
  if (isDuplicate(n)) return { ...payment(n - 13, total), amountFen: 0n };
  return payment(n, total);
}

const partitionOf = (department: number) => department % PARTITIONS;

function consumed(department: number, value: string, offsets: number[]): ConsumedMessage {
  // Keyed by department like the producers' messages; offsets count per partition.
  const partition = partitionOf(department);
  const offset = offsets[partition] ?? 0;
  offsets[partition] = offset + 1;
  return { topic: TOPIC, partition, offset: String(offset), key: Buffer.from(`部门${department}`), value: Buffer.from(value) };
}

/**
 * Runs the benchmark on a throwaway database of the benchmark server (dropped afterwards).
 * `lanes` processes the partitions in that many concurrent lanes, each sequential, as the
 * consumer does with KAFKA_PARTITIONS_CONCURRENTLY (default 2, as there): departments never share
 * a lane, so their streams never wait on each other's locks.
 */
export async function runPipelineBench(total = 500_000, batchSize = 1_000, lanes = 2): Promise<PipelineBenchResult> {
  const bench = await benchDatabase('pipeline');
  const db = bench.db;
  try {
    const writer = new LedgerWriter(db, new PgEventStore(db));
    const pipeline = new PaymentPipeline(writer, { batchSize, logger: silentLogger(), metrics: ingestionMetrics(new MetricsRegistry()) });
    let deadLetters = 0;
    const sink: MessageSink = { send: async (_topic, messages) => void (deadLetters += messages.length) };
    const commit = () => Promise.resolve();
    const offsets: number[] = [];

    // The lines and their budgets, through the same pipeline, not timed.
    const setup: ConsumedMessage[] = [];
    for (let d = 0; d < DEPARTMENTS; d += 1) {
      for (let l = 0; l < LINES_PER_DEPARTMENT; l += 1) {
        const lineId = lineOf(d, l);
        const opened = {
          eventId: `open-${lineId}`,
          type: 'BudgetLineOpened',
          effectiveDate: '2021-01-01',
          data: { lineId, department: `部门${d}`, fiscalYear: 2021, kind: 'basic' },
        };
        setup.push(consumed(d, JSON.stringify(opened), offsets));
        const approved = {
          eventId: `init-${lineId}`,
          type: 'InitialBudgetApproved',
          effectiveDate: '2021-01-01',
          data: { lineId, amount: '100000000.00' },
        };
        setup.push(consumed(d, JSON.stringify(approved), offsets));
      }
    }
    const setupResult = await processAndCommit(pipeline, setup, { deadLetters: sink, deadLetterTopic: 'dlq', commit });
    if (setupResult.stored !== setup.length) throw new Error(`setup stored ${setupResult.stored} of ${setup.length}`);

    let stored = 0;
    let duplicates = 0;
    let deadLettered = 0;
    let expectedExecutedFen = 0n;
    const lane = async (which: number): Promise<void> => {
      let batch: ConsumedMessage[] = [];
      const flush = async () => {
        const result = await processAndCommit(pipeline, batch, { deadLetters: sink, deadLetterTopic: 'dlq', commit });
        stored += result.stored;
        duplicates += result.duplicates;
        deadLettered += result.deadLettered;
        batch = [];
      };
      for (let n = 0; n < total; n += 1) {
        const department = messageDepartment(n);
        if (partitionOf(department) % lanes !== which) continue;
        // Each batch is made when it is needed, as a broker would hand it over: memory stays flat.
        const m = message(n, total);
        expectedExecutedFen += m.amountFen;
        batch.push(consumed(m.department, m.value, offsets));
        if (batch.length === batchSize) await flush();
      }
      if (batch.length > 0) await flush();
    };
    const startedMs = performance.now();
    await Promise.all(Array.from({ length: lanes }, (_, which) => lane(which)));
    const elapsedMs = performance.now() - startedMs;

    // The figures must be exact, or the speed means nothing.
    const [counts] = await db.query<{ events: bigint; executed: bigint }>(
      'SELECT (SELECT count(*) FROM ledger_events) AS events, (SELECT sum(executed_fen)::bigint FROM ledger_lines) AS executed',
    );
    if (counts?.events !== BigInt(setup.length + stored)) {
      throw new Error(`ledger_events has ${counts?.events}, expected ${setup.length + stored}`);
    }
    if (counts.executed !== expectedExecutedFen) throw new Error(`executed ${counts.executed} fen, expected ${expectedExecutedFen}`);
    if (deadLetters !== deadLettered) throw new Error(`${deadLetters} dead letters produced, ${deadLettered} counted`);

    return {
      messages: total,
      stored,
      duplicates,
      deadLettered,
      elapsedMs: Math.round(elapsedMs),
      storedPerSecond: Math.round((stored * 1000) / elapsedMs),
      messagesPerSecond: Math.round((total * 1000) / elapsedMs),
      peakRssMb: peakRssMb(),
      lanes,
    };
  } finally {
    await bench.drop();
  }
}

export function printPipelineBench(result: PipelineBenchResult): void {
  const rows: [string, string | number][] = [
    ['messages', result.messages],
    ['stored', result.stored],
    ['duplicates', result.duplicates],
    ['dead-lettered', result.deadLettered],
    ['elapsed ms', result.elapsedMs],
    ['events/s stored', result.storedPerSecond],
    ['messages/s', result.messagesPerSecond],
    ['peak RSS MB', result.peakRssMb],
  ];
  const lanes = result.lanes === 1 ? 'one partition at a time' : `${result.lanes} partitions at a time`;
  report(`Kafka consumer pipeline (no broker, ${lanes}): 1% bad, 5% duplicates, batches of 1,000`, rows);
}

if (require.main === module) {
  const total = Number(process.env.BENCH_PIPELINE_EVENTS ?? 500_000);
  const lanes = Number(process.env.BENCH_PIPELINE_LANES ?? 2);
  runPipelineBench(total, 1_000, lanes).then(printPipelineBench, (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
