import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { PgEventStore } from '@ledger/event-store';
import { Ingestion } from '@ledger/ingestion';
import { LedgerWriter } from '@ledger/ledger';
import { DEFAULT_RULES, queryTrace, queryView } from '@ledger/reporting';
import { benchDatabase, cpuMs, cpuPerEventUs, peakRssMb, percentile, rate, report, seeded } from './support';

const DEPARTMENTS = 200;
const LINES_PER_DEPARTMENT = 50;
/** One line gets this many payments, for the trace target. */
const HOT_LINE_EVENTS = 5_000;

/** Raw events for `total` events: lines opened and approved, then payments in date order over the year. */
function* ledgerEvents(total: number): Generator<Record<string, unknown>> {
  const random = seeded(3);
  for (let d = 0; d < DEPARTMENTS; d += 1) {
    for (let l = 0; l < LINES_PER_DEPARTMENT; l += 1) {
      const lineId = `D${d}-L${l}`;
      yield {
        eventId: `${lineId}-open`,
        type: 'BudgetLineOpened',
        effectiveDate: '2021-01-01',
        data: {
          lineId,
          department: `部门${d}`,
          fiscalYear: 2021,
          kind: l < 20 ? 'basic' : 'project',
          economicCode: `30${l % 10}01`,
          functionCode: '2011301',
          tags: l % 7 === 0 ? ['procurement'] : [],
        },
      };
      yield {
        eventId: `${lineId}-init`,
        type: 'InitialBudgetApproved',
        effectiveDate: '2021-01-01',
        data: { lineId, amount: '100000000.00' },
      };
    }
  }
  const opening = DEPARTMENTS * LINES_PER_DEPARTMENT * 2;
  const payments = total - opening;
  // The dates of the year, made once: the bench measures the ledger, not the making of its input.
  const dates = Array.from({ length: 365 }, (_, d) => new Date(Date.UTC(2021, 0, 1 + d)).toISOString().slice(0, 10));
  for (let n = 0; n < payments; n += 1) {
    const date = dates[Math.floor((n / payments) * 364)] as string;
    // Every 196th payment goes to the hot line, so that it ends with ~5,000 events.
    const hot = n % Math.floor(payments / HOT_LINE_EVENTS) === 0;
    const d = hot ? 0 : Math.floor(random() * DEPARTMENTS);
    const l = hot ? 0 : Math.floor(random() * LINES_PER_DEPARTMENT);
    // The hot line's payments are small so that 5,000 of them stay within its budget.
    const amount = `${1 + Math.floor(random() * (hot ? 100 : 50_000))}.${String(Math.floor(random() * 100)).padStart(2, '0')}`;
    yield {
      eventId: `pay-${n}`,
      type: 'PaymentRecorded',
      effectiveDate: date,
      data: { lineId: `D${d}-L${l}`, amount },
      metadata: { source: 'bench' },
    };
  }
}

/**
 * Issue 3's benchmark on the real server: 1,000,000 events (200 departments × 50 lines, payments
 * over a year) appended with every rule and projection in batches of 1,000; then department views
 * as of random dates, views known at past instants, a trace of a line with 5,000 events, and a
 * rebuild of every projection (in a child process, to measure its peak RSS alone).
 */
export async function runLedgerBench(total = 1_000_000): Promise<Record<string, number>> {
  const bench = await benchDatabase('ledger');
  try {
    const store = new PgEventStore(bench.db);
    const lanes = Number(process.env.LEDGER_APPEND_LANES ?? 2);
    const writer = new LedgerWriter(bench.db, store, { paymentPolicy: 'reject', scoring: DEFAULT_RULES.scoring, lanes });
    const ingestion = new Ingestion(writer, 1_000);
    const instants: string[] = [];
    const cpuBefore = cpuMs();
    const appendStart = performance.now();
    let n = 0;
    for (const raw of ledgerEvents(total)) {
      n += 1;
      await ingestion.addValue(n, raw);
      if (n % 100_000 === 0) instants.push(new Date().toISOString());
    }
    const summary = await ingestion.finish();
    const appendMs = performance.now() - appendStart;
    const cpu = cpuPerEventUs(cpuBefore, cpuMs(), total);
    if (summary.rejected.length > 0) throw new Error(`bench data refused: ${JSON.stringify(summary.rejected.slice(0, 3))}`);
    await bench.db.query('ANALYZE');

    const random = seeded(4);
    const day = () => new Date(Date.UTC(2021, 0, 1 + Math.floor(random() * 365))).toISOString().slice(0, 10);
    const dept = () => `部门${Math.floor(random() * DEPARTMENTS)}`;
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const viewMs: number[] = [];
    for (let i = 0; i < 300; i += 1)
      viewMs.push(
        await time(() => queryView(bench.db, { department: dept(), asOf: day(), groupBy: i % 2 === 0 ? 'economicCode:3' : undefined })),
      );
    const knownAtMs: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const knownAt = instants[Math.floor(random() * instants.length)] as string;
      knownAtMs.push(await time(() => queryView(bench.db, { department: dept(), asOf: day(), knownAt })));
    }
    const traceMs: number[] = [];
    let traceEntries = 0;
    for (let i = 0; i < 20; i += 1) {
      traceMs.push(
        await time(async () => {
          traceEntries = (await queryTrace(bench.db, { lineId: 'D0-L0', asOf: '2021-12-31' })).entries.length;
        }),
      );
    }

    const child = await promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'bench/rebuild-child.ts'], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: bench.url },
    });
    const rebuild = JSON.parse(child.stdout) as { events: number; elapsedMs: number; peakRssMb: number };

    const figures = {
      appendPerSecond: rate(total, appendMs),
      appendProcessCpuUs: cpu.process,
      appendServerCpuUs: cpu.server,
      viewP95Ms: percentile(viewMs, 95),
      viewKnownAtP95Ms: percentile(knownAtMs, 95),
      traceEntries,
      traceP95Ms: percentile(traceMs, 95),
      rebuildPerSecond: rate(rebuild.events, rebuild.elapsedMs),
      rebuildPeakRssMb: rebuild.peakRssMb,
      appendPeakRssMb: peakRssMb(),
    };
    report(`ledger: ${total} events, ${DEPARTMENTS} departments × ${LINES_PER_DEPARTMENT} lines (PostgreSQL server)`, [
      ['append with rules + projections, batches of 1,000 (events/s, target ≥ 20,000)', figures.appendPerSecond],
      ['  CPU per event appended: this process (µs)', figures.appendProcessCpuUs],
      ['  CPU per event appended: database server, when on this machine (µs)', figures.appendServerCpuUs],
      ['view as of a date, p95 (ms, target ≤ 50)', figures.viewP95Ms],
      ['view known at a past instant, p95 (ms, target ≤ 200)', figures.viewKnownAtP95Ms],
      [`trace of a line with ${traceEntries} entries, p95 (ms, target ≤ 200)`, figures.traceP95Ms],
      ['rebuild all projections (events/s, target ≥ 100,000)', figures.rebuildPerSecond],
      ['rebuild peak RSS (MB)', figures.rebuildPeakRssMb],
      ['append process peak RSS (MB)', figures.appendPeakRssMb],
    ]);
    return figures;
  } finally {
    await bench.drop();
  }
}

if (require.main === module) {
  const total = Number(process.argv[2] ?? 1_000_000);
  void runLedgerBench(total).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
