import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { streamIdOf } from '@ledger/domain';
import { copyText, EVENT_COPY_COLUMNS, PgEventStore, PostgresDatabase, type Database, type NewEvent } from '@ledger/event-store';
import { Ingestion } from '@ledger/ingestion';
import { LedgerWriter } from '@ledger/ledger';
import { DEFAULT_RULES, queryProgress, queryRatios, queryTrace, queryView } from '@ledger/reporting';
import { benchDatabase, cpuMs, cpuPerEventUs, peakRssMb, percentile, rate, report, seeded } from './support';

export const DEPARTMENTS = 200;
export const LINES_PER_DEPARTMENT = 50;
/** One line gets one payment in this many, for the trace target: 5,000 at 1M events, 50,000 at 10M. */
const HOT_LINE_SHARE = 200;
/** Entries per page of the hot line's trace. */
const TRACE_PAGE = 1_000;

/** Raw events for `total` events: lines opened and approved, then payments in date order over the year. */
export function* ledgerEvents(total: number): Generator<Record<string, unknown>> {
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
  const hotEvery = Math.max(1, Math.floor(payments / Math.floor(total / HOT_LINE_SHARE)));
  // The dates of the year, made once: the bench measures the ledger, not the making of its input.
  const dates = Array.from({ length: 365 }, (_, d) => new Date(Date.UTC(2021, 0, 1 + d)).toISOString().slice(0, 10));
  for (let n = 0; n < payments; n += 1) {
    const date = dates[Math.floor((n / payments) * 364)] as string;
    // Every ~200th payment goes to the hot line, so that it ends with total / 200 events.
    const hot = n % hotEvery === 0;
    const d = hot ? 0 : Math.floor(random() * DEPARTMENTS);
    const l = hot ? 0 : Math.floor(random() * LINES_PER_DEPARTMENT);
    // The hot line's payments are small so that 50,000 of them stay within its budget.
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
 * Issue 3's benchmark on the real server, at any size (issue 18 measures it at 1M and 10M):
 * `total` events (200 departments × 50 lines, payments over a year) appended with every rule and
 * projection in batches of 1,000; then department views as of random dates (with and without a
 * groupBy), views known at past instants, progress and ratios of random department-years, pages
 * of the trace of a line with total / 200 events at random places, and a rebuild of every
 * projection (in a child process, to measure its peak RSS alone). The figures are kept in
 * `.bench-data/ledger-<total>.json`; the table compares them with those of the other sizes kept.
 */
export async function runLedgerBench(total = 1_000_000): Promise<Record<string, number>> {
  const bench = await benchDatabase('ledger');
  try {
    const store = new PgEventStore(bench.db);
    const fill = process.env.BENCH_LEDGER_FILL;
    const fillThroughStore = fill === 'store' || fill === 'copy';
    const instants: string[] = [];
    const appended =
      fill === 'copy'
        ? await fillByCopy(bench.db, total, instants)
        : fill === 'store'
          ? await fillStore(store, total, instants)
          : await appendAll(bench.db, store, total, instants);
    const rebuildChild = () =>
      promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'bench/rebuild-child.ts'], {
        cwd: path.resolve(__dirname, '..'),
        env: { ...process.env, DATABASE_URL: bench.url },
        maxBuffer: 1 << 20,
      });
    // Filled through the store, the projections are built by the rebuild, which is measured then.
    const filledRebuild = fillThroughStore ? await rebuildChild() : undefined;
    await bench.db.query('ANALYZE');

    const random = seeded(4);
    const day = () => new Date(Date.UTC(2021, 0, 1 + Math.floor(random() * 365))).toISOString().slice(0, 10);
    const dept = () => `部门${Math.floor(random() * DEPARTMENTS)}`;
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const samples = async (count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; i < count; i += 1) ms.push(await time(() => fn(i)));
      return ms;
    };
    const groupBys = ['economicCode:3', 'kind', 'tag', 'functionCode:5', 'line'];
    // A server that has been answering: one untimed round of every kind of query first, on other
    // departments and dates (a random stream of its own), so that the figures at every size are
    // those of a warm server rather than of whatever the fill or the rebuild left in its caches.
    const warm = seeded(5);
    const warmDay = () => new Date(Date.UTC(2021, 0, 1 + Math.floor(warm() * 365))).toISOString().slice(0, 10);
    const warmDept = () => `部门${Math.floor(warm() * DEPARTMENTS)}`;
    for (let i = 0; i < 100; i += 1) {
      await queryView(bench.db, {
        department: warmDept(),
        asOf: warmDay(),
        groupBy: i % 2 === 0 ? undefined : groupBys[i % groupBys.length],
      });
      await queryView(bench.db, { department: warmDept(), asOf: warmDay(), knownAt: instants[i % instants.length] });
      await queryProgress(bench.db, { department: warmDept(), fiscalYear: 2021 });
      await queryRatios(bench.db, { department: warmDept(), fiscalYear: 2021, asOf: warmDay() });
    }
    const viewMs = await samples(1000, () => queryView(bench.db, { department: dept(), asOf: day() }));
    const groupByMs = await samples(1000, (i) =>
      queryView(bench.db, { department: dept(), asOf: day(), groupBy: groupBys[i % groupBys.length] }),
    );
    const knownAtMs = await samples(1000, () =>
      queryView(bench.db, { department: dept(), asOf: day(), knownAt: instants[Math.floor(random() * instants.length)] }),
    );
    const progressMs = await samples(500, () => queryProgress(bench.db, { department: dept(), fiscalYear: 2021 }));
    const ratiosMs = await samples(500, () => queryRatios(bench.db, { department: dept(), fiscalYear: 2021, asOf: day() }));
    // Pages of the hot line's trace at random places: every page starts from the line's running
    // totals up to its cursor and carries the line's totals.
    const hotPositions = (
      await bench.db.query<{ position: bigint }>(`SELECT position FROM ledger_movements WHERE line_id = 'D0-L0' ORDER BY position`)
    ).map((r) => r.position.toString());
    const traceEntries = hotPositions.length + 1;
    const traceMs = await samples(100, (i) =>
      queryTrace(bench.db, {
        lineId: 'D0-L0',
        asOf: '2021-12-31',
        limit: TRACE_PAGE,
        after: i === 0 ? undefined : hotPositions[Math.floor(random() * Math.max(0, hotPositions.length - TRACE_PAGE))],
      }),
    );

    // What the figures' growth is made of: the shared buffers a query touches (the same at every
    // size when its work does not grow with the log), and how many of them it had to read in from
    // outside PostgreSQL's shared_buffers (which grows once the working set outgrows them).
    const counted = seeded(6);
    const countedDay = () => new Date(Date.UTC(2021, 0, 1 + Math.floor(counted() * 365))).toISOString().slice(0, 10);
    const countedDept = () => `部门${Math.floor(counted() * DEPARTMENTS)}`;
    // On a connection of its own, once every other backend has reported its pending counts (an
    // idle one does within 10 s).
    const counting = new PostgresDatabase(bench.url, { maxConnections: 1 });
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const [viewBuffers, knownAtBuffers, traceBuffers] = await (async () => {
      try {
        return [
          await buffersPerQuery(counting, 200, () => queryView(counting, { department: countedDept(), asOf: countedDay() })),
          await buffersPerQuery(counting, 200, () =>
            queryView(counting, {
              department: countedDept(),
              asOf: countedDay(),
              knownAt: instants[Math.floor(counted() * instants.length)],
            }),
          ),
          await buffersPerQuery(counting, 50, () =>
            queryTrace(counting, {
              lineId: 'D0-L0',
              asOf: '2021-12-31',
              limit: TRACE_PAGE,
              after: hotPositions[Math.floor(counted() * Math.max(0, hotPositions.length - TRACE_PAGE))],
            }),
          ),
        ];
      } finally {
        await counting.close();
      }
    })();

    const child = filledRebuild ?? (await rebuildChild());
    const rebuild = JSON.parse(child.stdout) as { events: number; elapsedMs: number; peakRssMb: number };

    const figures: Record<string, number> = {
      appendPerSecond: appended.perSecond,
      appendProcessCpuUs: appended.processCpuUs,
      appendServerCpuUs: appended.serverCpuUs,
      viewP95Ms: percentile(viewMs, 95),
      viewGroupByP95Ms: percentile(groupByMs, 95),
      viewKnownAtP95Ms: percentile(knownAtMs, 95),
      progressP95Ms: percentile(progressMs, 95),
      ratiosP95Ms: percentile(ratiosMs, 95),
      traceEntries,
      tracePageP95Ms: percentile(traceMs, 95),
      viewBuffers: viewBuffers.touched,
      viewBuffersRead: viewBuffers.read,
      knownAtBuffers: knownAtBuffers.touched,
      knownAtBuffersRead: knownAtBuffers.read,
      traceBuffers: traceBuffers.touched,
      traceBuffersRead: traceBuffers.read,
      rebuildPerSecond: rate(rebuild.events, rebuild.elapsedMs),
      rebuildPeakRssMb: rebuild.peakRssMb,
      appendPeakRssMb: peakRssMb(),
    };
    const kept = keepFigures(total, figures);
    const labels: [string, string][] = [
      ['appendPerSecond', 'append with rules + projections, batches of 1,000 (events/s, target ≥ 20,000)'],
      ['appendProcessCpuUs', '  CPU per event appended: this process (µs)'],
      ['appendServerCpuUs', '  CPU per event appended: database server, when on this machine (µs)'],
      ['viewP95Ms', 'view as of a date, p95 (ms, target ≤ 20)'],
      ['viewGroupByP95Ms', 'view as of a date with a groupBy, p95 (ms, target ≤ 40)'],
      ['viewKnownAtP95Ms', 'view known at a past instant, p95 (ms, target ≤ 100)'],
      ['progressP95Ms', 'progress of a department-year, p95 (ms, target ≤ 50)'],
      ['ratiosP95Ms', 'ratios of a department-year, p95 (ms, target ≤ 50)'],
      ['traceEntries', "entries in the hot line's trace"],
      ['tracePageP95Ms', `trace page of ${TRACE_PAGE} entries of that line, p95 (ms, target ≤ 200)`],
      ['viewBuffers', 'shared buffers touched per view as of a date'],
      ['viewBuffersRead', '  of them read in from outside shared_buffers'],
      ['knownAtBuffers', 'shared buffers touched per view known at a past instant'],
      ['knownAtBuffersRead', '  of them read in from outside shared_buffers'],
      ['traceBuffers', 'shared buffers touched per trace page'],
      ['traceBuffersRead', '  of them read in from outside shared_buffers'],
      ['rebuildPerSecond', 'rebuild all projections (events/s, target ≥ 200,000)'],
      ['rebuildPeakRssMb', 'rebuild peak RSS (MB)'],
      ['appendPeakRssMb', 'append process peak RSS (MB)'],
    ];
    report(
      `ledger: ${total} events, ${DEPARTMENTS} departments × ${LINES_PER_DEPARTMENT} lines (PostgreSQL server)`,
      labels.map(([key, label]) => [label, figures[key] ?? NaN]),
    );
    const sizes = [...kept.keys()].sort((a, b) => a - b);
    if (sizes.length > 1) {
      const smallest = sizes[0] as number;
      const largest = sizes[sizes.length - 1] as number;
      const [a, b] = [kept.get(smallest) as Record<string, number>, kept.get(largest) as Record<string, number>];
      process.stdout.write(`\nledger at ${sizes.join(', ')} events (kept in .bench-data/), growth ${smallest} → ${largest}\n`);
      const width = Math.max(...labels.map(([, label]) => label.trim().length));
      for (const [key, label] of labels) {
        const values = sizes.map((size) => String(kept.get(size)?.[key] ?? '-').padStart(10));
        const growth = (b[key] ?? NaN) / (a[key] ?? NaN);
        process.stdout.write(
          `  ${label.trim().padEnd(width)}  ${values.join('  ')}  ×${Number.isFinite(growth) ? growth.toFixed(2) : '-'}\n`,
        );
      }
    }
    return figures;
  } finally {
    await bench.drop();
  }
}

/**
 * The shared buffers `count` runs of a query touch on average, and how many of them were read in
 * (not found in shared_buffers): pg_stat_database's counts for the database around the runs, which
 * go through `db`, one connection whose own counts are flushed on demand before each reading.
 */
async function buffersPerQuery(db: Database, count: number, run: () => Promise<unknown>): Promise<{ touched: number; read: number }> {
  const blocks = async () => {
    await db.query('SELECT pg_stat_force_next_flush()');
    const [row] = await db.query<{ hit: bigint; read: bigint }>(
      'SELECT blks_hit AS hit, blks_read AS read FROM pg_stat_database WHERE datname = current_database()',
    );
    return { hit: Number(row?.hit ?? 0n), read: Number(row?.read ?? 0n) };
  };
  const before = await blocks();
  for (let i = 0; i < count; i += 1) await run();
  const after = await blocks();
  const read = after.read - before.read;
  return { touched: Math.round((after.hit - before.hit + read) / count), read: Math.round(read / count) };
}

interface Appended {
  readonly perSecond: number;
  readonly processCpuUs: number;
  readonly serverCpuUs: number;
}

/** Appends the events through the ledger's write side (every rule and projection), noting an instant every tenth. */
async function appendAll(db: Database, store: PgEventStore, total: number, instants: string[]): Promise<Appended> {
  const lanes = Number(process.env.LEDGER_APPEND_LANES ?? 2);
  const writer = new LedgerWriter(db, store, { paymentPolicy: 'reject', scoring: DEFAULT_RULES.scoring, lanes });
  const ingestion = new Ingestion(writer, 1_000);
  const cpuBefore = cpuMs();
  const appendStart = performance.now();
  let n = 0;
  const tenth = Math.max(1, Math.floor(total / 10));
  for (const raw of ledgerEvents(total)) {
    n += 1;
    await ingestion.addValue(n, raw);
    if (n % tenth === 0) noteTenth(instants, n);
  }
  const summary = await ingestion.finish();
  const appendMs = performance.now() - appendStart;
  const cpu = cpuPerEventUs(cpuBefore, cpuMs(), total);
  if (summary.rejected.length > 0) throw new Error(`bench data refused: ${JSON.stringify(summary.rejected.slice(0, 3))}`);
  return { perSecond: rate(total, appendMs), processCpuUs: cpu.process, serverCpuUs: cpu.server };
}

/**
 * BENCH_LEDGER_FILL=store: the same events stored through the event store alone (hash chain,
 * positions, recorded instants; no rules, no projections), for sizes whose append through every
 * rule would outlast the machine's time; the rebuild then makes the projections (the suites hold
 * the rebuild and the append path to identical tables).
 */
async function fillStore(store: PgEventStore, total: number, instants: string[]): Promise<Appended> {
  let batch = new Map<string, NewEvent[]>();
  let inBatch = 0;
  let n = 0;
  const tenth = Math.max(1, Math.floor(total / 10));
  const flush = async () => {
    await store.append([...batch].map(([streamId, events]) => ({ streamId, expectedVersion: 'any' as const, events })));
    batch = new Map();
    inBatch = 0;
  };
  for (const raw of ledgerEvents(total)) {
    n += 1;
    const data = raw.data as Record<string, unknown>;
    const lineId = data.lineId as string;
    const department = (data.department as string | undefined) ?? `部门${lineId.slice(1, lineId.indexOf('-'))}`;
    const streamId = streamIdOf(department, 2021);
    const list = batch.get(streamId) ?? [];
    list.push({ ...(raw as Omit<NewEvent, 'correction'>), correction: false, metadata: (raw.metadata as NewEvent['metadata']) ?? null });
    batch.set(streamId, list);
    inBatch += 1;
    if (inBatch === 1_000) await flush();
    if (n % tenth === 0) {
      if (inBatch > 0) await flush();
      noteTenth(instants, n);
    }
  }
  if (inBatch > 0) await flush();
  return { perSecond: NaN, processCpuUs: NaN, serverCpuUs: NaN };
}

/**
 * BENCH_LEDGER_FILL=copy: the same events COPYed straight into ledger_events, for the query and
 * rebuild figures at sizes this shared machine cannot append in its time: positions in order,
 * stream versions per department-year, one recorded instant per 1,000 events (as an append of a
 * batch gives), and no hash chain (placeholders; `verify` would refuse this log, no query reads it).
 */
async function fillByCopy(db: Database, total: number, instants: string[]): Promise<Appended> {
  const versions = new Map<string, number>();
  const startMs = Date.now() - 86_400_000;
  const events = ledgerEvents(total);
  const tenth = Math.max(1, Math.floor(total / 10));
  const perTransaction = 500_000;
  let n = 0;
  while (n < total) {
    const end = Math.min(total, n + perTransaction);
    await db.transaction((tx) =>
      tx.copyFrom(
        'ledger_events',
        EVENT_COPY_COLUMNS,
        (function* () {
          let chunk = '';
          while (n < end) {
            const next = events.next();
            if (next.done === true) break;
            const raw = next.value;
            n += 1;
            const data = raw.data as Record<string, unknown>;
            const lineId = data.lineId as string;
            const department = (data.department as string | undefined) ?? `部门${lineId.slice(1, lineId.indexOf('-'))}`;
            const streamId = streamIdOf(department, 2021);
            const version = (versions.get(streamId) ?? 0) + 1;
            versions.set(streamId, version);
            const recordedAt = new Date(startMs + Math.floor((n - 1) / 1_000)).toISOString();
            // A line of EVENT_COPY_COLUMNS, with placeholders for the chain and no recorded_by.
            chunk += `${n}\t${copyText(streamId)}\t${version}\t${copyText(raw.eventId as string)}\t${raw.type as string}\t${raw.effectiveDate as string}\tf\t${copyText(JSON.stringify(data))}\t${raw.metadata === undefined ? '\\N' : copyText(JSON.stringify(raw.metadata))}\t${recordedAt}\t-\t-\t-\t\\N\n`;
            if (n % tenth === 0) noteTenth(instants, n, recordedAt);
            if (chunk.length > 32_768) {
              yield chunk;
              chunk = '';
            }
          }
          if (chunk.length > 0) yield chunk;
        })(),
      ),
    );
  }
  return { perSecond: NaN, processCpuUs: NaN, serverCpuUs: NaN };
}

function noteTenth(instants: string[], n: number, at = new Date().toISOString()): void {
  instants.push(at);
  if (process.env.BENCH_PROGRESS === '1') process.stderr.write(`${new Date().toISOString()} appended ${n}\n`);
}

/** Keeps this run's figures beside those of the other sizes run on this machine, and returns them all by size. */
function keepFigures(total: number, figures: Record<string, number>): Map<number, Record<string, number>> {
  const dir = path.resolve(__dirname, '..', '.bench-data');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `ledger-${total}.json`), `${JSON.stringify({ at: new Date().toISOString(), figures }, null, 2)}\n`);
  const kept = new Map<number, Record<string, number>>();
  for (const name of fs.readdirSync(dir)) {
    const size = /^ledger-(\d+)\.json$/.exec(name)?.[1];
    if (size === undefined) continue;
    kept.set(Number(size), (JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { figures: Record<string, number> }).figures);
  }
  return kept;
}

if (require.main === module) {
  const total = Number(process.argv[2] ?? 1_000_000);
  void runLedgerBench(total).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
