import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { startServeProcess } from '../test/support/serve-process';
import { benchDatabase, cpuMs, percentile, rate, report } from './support';

/**
 * `npm run bench -- http-append` (issue 14, items 1 and 2): the ledger as a treasury system meets
 * it — `ledger serve` (the built CLI, API keys on) on a throwaway database of the local server —
 * against Emmett's PostgreSQL event store (`@event-driven-io/emmett-postgresql`) on another, in
 * the same run:
 *   - one payment per request, one request after the other;
 *   - 8 clients at once, one payment per request, all on one department (group commit);
 *   - batches of 1,000 (JSON arrays), every rule and projection, against Emmett's 1,000-event appends;
 *   - one payment per request again, on the larger log the batches left.
 * Prints rates, latencies, the CPU the serve process and the server spent per request, and the
 * ratios. Nothing is asserted.
 */
const SINGLE = Number(process.env.BENCH_HTTP_SINGLE ?? 2000);
const CONCURRENT = Number(process.env.BENCH_HTTP_CONCURRENT ?? 4000);
const CLIENTS = 8;
const BULK_BATCHES = Number(process.env.BENCH_HTTP_BULK_BATCHES ?? 20);
/**
 * Requests before the figures: serve's code is still being compiled by V8 for the first thousands
 * (one client: 180 requests/s over the first 2,000, 240/s over the next), and a long-running server
 * is measured, not one starting.
 */
const WARM_UP = Number(process.env.BENCH_HTTP_WARM_UP ?? 2000);
const LINES = 20;

interface Serve {
  readonly child: ChildProcess;
  readonly base: string;
  readonly key: string;
}

export async function runHttpAppendBench(): Promise<void> {
  const ledgerDb = await benchDatabase('http');
  const emmettDb = await benchDatabase('emmett');
  await ledgerDb.db.close();
  const serve = await startServe(ledgerDb.url);
  try {
    await post(serve, openLines());
    let n = 0;
    const payment = () => {
      n += 1;
      return {
        eventId: `p-${n}`,
        type: 'PaymentRecorded',
        effectiveDate: '2021-06-15',
        data: { lineId: `H-${n % LINES}`, amount: '1.01' },
      };
    };
    // Warm-up: JIT, prepared statements, the writer's line cache, both paths of the load (INSERT, COPY).
    for (let i = 0; i < WARM_UP; i += 1) await post(serve, [payment()]);
    for (let b = 0; b < 2; b += 1) await post(serve, Array.from({ length: 1000 }, payment));

    const oneByOne = (count: number) =>
      measure(serve, count, async () => {
        const latencies: number[] = [];
        for (let i = 0; i < count; i += 1) latencies.push(await timed(() => post(serve, [payment()])));
        return latencies;
      });
    const single = await oneByOne(SINGLE);
    const concurrent = await measure(serve, CONCURRENT, async () => {
      const latencies: number[] = [];
      let left = CONCURRENT;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (left > 0) {
            left -= 1;
            latencies.push(await timed(() => post(serve, [payment()])));
          }
        }),
      );
      return latencies;
    });
    const bulk = await measure(serve, BULK_BATCHES * 1000, async () => {
      const latencies: number[] = [];
      for (let b = 0; b < BULK_BATCHES; b += 1) latencies.push(await timed(() => post(serve, Array.from({ length: 1000 }, payment))));
      return latencies;
    });
    // The same one by one on the log the batches left (the per-append cost must not grow with the log).
    const eventsBefore = n;
    const later = await oneByOne(Math.min(SINGLE, 1000));

    const emmett = await emmettFigures(emmettDb.url);
    const floor = await floorFigures(emmettDb.url, serve);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
    report(`HTTP appends (serve, API keys on) against Emmett ${emmett.version} on the same server`, [
      ['one payment per request, sequential', `${single.rate} events/s (p50 ${single.p50} ms, p99 ${single.p99} ms)`],
      ['  Emmett appendToStream, one event', `${emmett.single} events/s`],
      ['  ledger ÷ Emmett (target ≥ 2×)', ratio(single.rate, emmett.single)],
      ['  CPU per request: serve / PostgreSQL', `${single.cpu.serve} ms / ${single.cpu.server} ms (target serve ≤ 0.5 ms)`],
      ['  floor: one-row INSERT, committed per statement', `${floor.commit} /s = ${ratio(floor.commit, emmett.single)} Emmett`],
      ['  floor: GET /health, sequential (no query; its access-log line)', `${floor.health} requests/s`],
      [
        '  floor: both in sequence (durable event per request)',
        `${floor.durableRequest} /s = ${ratio(floor.durableRequest, emmett.single)} Emmett`,
      ],
      ['  floor: POST /v1/events of [], sequential (its key checked; nothing to append)', `${floor.emptyPost} requests/s`],
      [
        '  floor: that and the INSERT in sequence',
        `${floor.durableAppendPath} /s = ${ratio(floor.durableAppendPath, emmett.single)} Emmett`,
      ],
      [
        `${CLIENTS} clients, one department`,
        `${concurrent.rate} events/s (p50 ${concurrent.p50} ms, p99 ${concurrent.p99} ms; target p99 ≤ 50)`,
      ],
      ['  ÷ sequential (target ≥ 5×)', ratio(concurrent.rate, single.rate)],
      ['  CPU per request: serve / PostgreSQL', `${concurrent.cpu.serve} ms / ${concurrent.cpu.server} ms`],
      ['batches of 1,000, every rule', `${bulk.rate} events/s (p50 ${bulk.p50} ms per batch)`],
      ['  Emmett appendToStream, 1,000 events', `${emmett.bulk} events/s`],
      ['  ledger ÷ Emmett (target ≥ 2×)', ratio(bulk.rate, emmett.bulk)],
      ['  CPU per event: serve / PostgreSQL', `${bulk.cpu.servePerEventUs} µs / ${bulk.cpu.serverPerEventUs} µs`],
      [
        `one payment per request, sequential, after ${eventsBefore.toLocaleString('en')} payments`,
        `${later.rate} events/s (p50 ${later.p50} ms); CPU per request: serve ${later.cpu.serve} ms / PostgreSQL ${later.cpu.server} ms`,
      ],
    ]);
  } finally {
    serve.child.kill('SIGTERM');
    await new Promise((resolve) => serve.child.once('exit', resolve));
    await ledgerDb.drop();
    await emmettDb.drop();
  }
}

function openLines(): unknown[] {
  return Array.from({ length: LINES }, (_, i) => [
    {
      eventId: `H-${i}-open`,
      type: 'BudgetLineOpened',
      effectiveDate: '2021-01-01',
      data: { lineId: `H-${i}`, department: '基准部门', fiscalYear: 2021, kind: 'basic' },
    },
    {
      eventId: `H-${i}-init`,
      type: 'InitialBudgetApproved',
      effectiveDate: '2021-01-01',
      data: { lineId: `H-${i}`, amount: '100000000.00' },
    },
  ]).flat();
}

async function measure(serve: Serve, requestsOrEvents: number, fn: () => Promise<number[]>) {
  const before = { serve: childCpuMs(serve.child), ...cpuMs() };
  const started = performance.now();
  const latencies = await fn();
  const elapsed = performance.now() - started;
  const after = { serve: childCpuMs(serve.child), ...cpuMs() };
  const per = (ms: number | undefined, count: number) => (ms === undefined ? NaN : Number((ms / count).toFixed(3)));
  const serverMs = after.server === undefined || before.server === undefined ? undefined : after.server - before.server;
  return {
    rate: rate(requestsOrEvents, elapsed),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpu: {
      serve: per(after.serve - before.serve, latencies.length),
      server: per(serverMs, latencies.length),
      servePerEventUs: per((after.serve - before.serve) * 1000, requestsOrEvents),
      serverPerEventUs: per(serverMs === undefined ? undefined : serverMs * 1000, requestsOrEvents),
    },
  };
}

async function emmettFigures(url: string): Promise<{ version: string; single: number; bulk: number }> {
  const { getPostgreSQLEventStore } = await import('@event-driven-io/emmett-postgresql');
  // The package exports no package.json: its version is read from the file above its entry.
  const entry = require.resolve('@event-driven-io/emmett-postgresql');
  const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string })
    .version;
  const store = getPostgreSQLEventStore(url);
  const event = (i: number) => ({ type: 'PaymentRecorded', data: { lineId: `H-${i % LINES}`, amount: '1.01' } });
  const appendOne = (i: number) => store.appendToStream('budget-基准部门-2021', [event(i)]);
  const appendThousand = () =>
    store.appendToStream(
      'budget-基准部门-2021',
      Array.from({ length: 1000 }, (_, i) => event(i)),
    );
  try {
    // The same warm-up as the ledger's.
    for (let i = 0; i < WARM_UP; i += 1) await appendOne(i);
    for (let b = 0; b < 2; b += 1) await appendThousand();
    let started = performance.now();
    for (let i = 0; i < SINGLE; i += 1) await appendOne(i);
    const single = rate(SINGLE, performance.now() - started);
    started = performance.now();
    for (let b = 0; b < BULK_BATCHES; b += 1) await appendThousand();
    const bulk = rate(BULK_BATCHES * 1000, performance.now() - started);
    return { version, single, bulk };
  } finally {
    await store.close();
  }
}

/**
 * What no one-event-per-request append can beat on this machine, measured in the same run: a
 * statement that inserts one row and commits (one round trip and one WAL flush, nothing else), and
 * an HTTP round trip to serve that touches no database, and a POST /v1/events with no event (the
 * append's own path: its key looked up, nothing stored). A durable append answered over HTTP costs
 * at least a commit and a request in sequence (1 / (1/commit + 1/request)).
 */
async function floorFigures(
  url: string,
  serve: Serve,
): Promise<{ commit: number; health: number; durableRequest: number; emptyPost: number; durableAppendPath: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`CREATE TABLE bench_floor (id bigserial PRIMARY KEY, body jsonb NOT NULL)`;
    const insert = () => sql`INSERT INTO bench_floor (body) VALUES (${sql.json({ lineId: 'H-1', amount: '1.01' })})`;
    for (let i = 0; i < 200; i += 1) await insert();
    let started = performance.now();
    for (let i = 0; i < SINGLE; i += 1) await insert();
    const commit = rate(SINGLE, performance.now() - started);
    const health = async () => (await fetch(`${serve.base}/health`)).arrayBuffer();
    for (let i = 0; i < 200; i += 1) await health();
    started = performance.now();
    for (let i = 0; i < SINGLE; i += 1) await health();
    const healthRate = rate(SINGLE, performance.now() - started);
    // The path a one-event POST takes (outside the framework, its key looked up), with no event.
    for (let i = 0; i < 200; i += 1) await post(serve, []);
    started = performance.now();
    for (let i = 0; i < SINGLE; i += 1) await post(serve, []);
    const emptyPost = rate(SINGLE, performance.now() - started);
    const inSequence = (a: number, b: number) => Math.round(1 / (1 / a + 1 / b));
    return {
      commit,
      health: healthRate,
      durableRequest: inSequence(commit, healthRate),
      emptyPost,
      durableAppendPath: inSequence(commit, emptyPost),
    };
  } finally {
    await sql.end();
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function post(serve: Serve, events: unknown[]): Promise<void> {
  const res = await fetch(`${serve.base}/v1/events`, {
    method: 'POST',
    body: JSON.stringify(events),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serve.key}` },
  });
  const summary = (await res.json()) as { rejected?: unknown[] };
  if (res.status !== 200 || (summary.rejected?.length ?? 0) > 0) {
    throw new Error(`POST answered ${res.status}: ${JSON.stringify(summary).slice(0, 300)}`);
  }
}

/** The built CLI's serve on the database (API keys on); its first admin key is read off its start-up message. */
async function startServe(url: string): Promise<Serve> {
  const started = await startServeProcess({
    DATABASE_URL: url,
    HOST: '127.0.0.1',
    // The default per-identity rate limit (1,200 a minute) is for people; a treasury system's key gets more.
    LEDGER_RATE_LIMIT_PER_MINUTE: '10000000',
    LEDGER_RATE_LIMIT_BURST: '100000',
  });
  if (started.firstAdminKey === undefined) throw new Error('serve made no admin key');
  return { child: started.child, base: started.base, key: started.firstAdminKey };
}

/** user + system CPU of a child process so far, in ms (USER_HZ is 100 on Linux). */
function childCpuMs(child: ChildProcess): number {
  const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
