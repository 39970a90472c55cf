import { PgEventStore, type Database } from '@ledger/event-store';
import { Ingestion } from '@ledger/ingestion';
import { LedgerWriter } from '@ledger/ledger';
import { DEFAULT_RULES } from '@ledger/reporting';
import { ledgerEvents, LINES_PER_DEPARTMENT } from './ledger.bench';
import { benchDatabase, cpuMs, cpuPerEventUs, rate, report } from './support';

/**
 * `npm run bench -- commitments [--events N]` (issue 16: "bench figures with commitments in the
 * mix stay within 10% of today's"): the ledger bench's append (every rule and projection, batches
 * of 1,000, the same lanes) of the same number of events twice in one run, each on a throwaway
 * database of the server — today's mix (payments only), and a mix where one event in ten of the
 * payment phase is a CommitmentMade (预留) on a project line and one in ten a payment against the
 * commitment made two events before, on its line (some above what is left of it, the rest from
 * available). Runs go plain, mixed, mixed, plain (BENCH_COMMITMENTS_ROUNDS pairs), so that a
 * machine slowing down or warming up weighs on both alike; the median of each is compared.
 * Nothing is asserted.
 */

const DEFAULT_EVENTS = 200_000;
/** Lines from this one on are projects (ledger.bench: `l < 20 ? 'basic' : 'project'`). */
const FIRST_PROJECT_LINE = 20;

/** The ledger bench's events with commitments in the mix: the same count, the same openings. */
export function* eventsWithCommitments(total: number): Generator<Record<string, unknown>> {
  let slot = 0;
  /** The commitment made two slots before, if any: the next payment against one names it. */
  const recent: { eventId: string; lineId: string }[] = [];
  for (const raw of ledgerEvents(total)) {
    if (raw.type !== 'PaymentRecorded') {
      yield raw;
      continue;
    }
    slot += 1;
    const data = raw.data as { lineId: string; amount: string };
    if (slot % 10 === 5) {
      // A commitment instead of this payment, on a project line of the payment's department.
      const [department, line] = data.lineId.split('-L') as [string, string];
      const lineId = `${department}-L${FIRST_PROJECT_LINE + (Number(line) % (LINES_PER_DEPARTMENT - FIRST_PROJECT_LINE))}`;
      const eventId = `commit-${slot}`;
      recent.push({ eventId, lineId });
      if (recent.length > 1) recent.shift();
      yield {
        eventId,
        type: 'CommitmentMade',
        effectiveDate: raw.effectiveDate,
        data: { lineId, amount: '20000.00', reference: `合同-${slot}` },
      };
      continue;
    }
    const commitment = recent[0];
    if (slot % 10 === 7 && commitment !== undefined) {
      // A payment against it, on its line: its amount (1–50,000) is above the commitment one time in
      // about 2.5, and then consumes all that is left and takes the rest from available.
      yield { ...raw, data: { ...data, lineId: commitment.lineId, commitmentEventId: commitment.eventId } };
      continue;
    }
    yield raw;
  }
}

interface Run {
  readonly perSecond: number;
  readonly processCpuUs: number;
  readonly serverCpuUs: number;
}

/** Appends the events as the ledger bench does, on a database of their own. */
async function appendRun(label: string, events: Iterable<Record<string, unknown>>, total: number): Promise<Run> {
  const bench = await benchDatabase(`commit_${label}`);
  try {
    const lanes = Number(process.env.LEDGER_APPEND_LANES ?? 2);
    const writer = new LedgerWriter(bench.db, new PgEventStore(bench.db), {
      paymentPolicy: 'reject',
      scoring: DEFAULT_RULES.scoring,
      lanes,
    });
    const ingestion = new Ingestion(writer, 1_000);
    const before = cpuMs();
    const started = performance.now();
    let n = 0;
    for (const raw of events) {
      n += 1;
      await ingestion.addValue(n, raw);
    }
    const summary = await ingestion.finish();
    const elapsed = performance.now() - started;
    const cpu = cpuPerEventUs(before, cpuMs(), total);
    if (summary.rejected.length > 0) throw new Error(`bench data refused: ${JSON.stringify(summary.rejected.slice(0, 3))}`);
    if (label === 'mixed') await expectCommitmentsConsumed(bench.db);
    return { perSecond: rate(total, elapsed), processCpuUs: cpu.process, serverCpuUs: cpu.server };
  } finally {
    await bench.drop();
  }
}

/** The mix did what it says: commitments made, and consumed by payments (wholly and in part). */
async function expectCommitmentsConsumed(db: Database): Promise<void> {
  const [row] = await db.query<{ made: bigint; consuming: bigint }>(
    `SELECT count(*) FILTER (WHERE committed_fen > 0) AS made, count(*) FILTER (WHERE committed_fen < 0 AND executed_fen > 0) AS consuming
     FROM ledger_movements`,
  );
  if (row === undefined || Number(row.made) === 0 || Number(row.consuming) === 0) {
    throw new Error(`the mixed run made ${String(row?.made)} commitments and ${String(row?.consuming)} payments against them`);
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export async function runCommitmentsBench(total = DEFAULT_EVENTS): Promise<void> {
  const rounds = Number(process.env.BENCH_COMMITMENTS_ROUNDS ?? 1);
  const runs: { plain: Run[]; mixed: Run[] } = { plain: [], mixed: [] };
  for (let round = 0; round < rounds; round += 1) {
    // plain, mixed, mixed, plain: a drift of the machine's speed weighs on both alike.
    for (const label of ['plain', 'mixed', 'mixed', 'plain'] as const) {
      const events = label === 'plain' ? ledgerEvents(total) : eventsWithCommitments(total);
      runs[label].push(await appendRun(label, events, total));
      if (process.env.BENCH_PROGRESS === '1') {
        process.stderr.write(`${new Date().toISOString()} ${label}: ${runs[label].at(-1)?.perSecond} events/s\n`);
      }
    }
  }
  const figure = (list: Run[], key: keyof Run) => Number(median(list.map((r) => r[key])).toFixed(1));
  const plain = figure(runs.plain, 'perSecond');
  const mixed = figure(runs.mixed, 'perSecond');
  report(`append with commitments in the mix: ${total} events, ${runs.plain.length} runs of each (PostgreSQL server)`, [
    ["today's mix (payments only), median (events/s)", plain],
    ['  runs (events/s)', runs.plain.map((r) => r.perSecond).join(', ')],
    ['  CPU per event: this process / server (µs)', `${figure(runs.plain, 'processCpuUs')} / ${figure(runs.plain, 'serverCpuUs')}`],
    ['1 commitment and 1 payment against one per 10 events, median (events/s)', mixed],
    ['  runs (events/s)', runs.mixed.map((r) => r.perSecond).join(', ')],
    ['  CPU per event: this process / server (µs)', `${figure(runs.mixed, 'processCpuUs')} / ${figure(runs.mixed, 'serverCpuUs')}`],
    ['with commitments ÷ today (target ≥ 0.90)', (mixed / plain).toFixed(3)],
  ]);
}
