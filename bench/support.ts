import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrate, PostgresDatabase, type Database } from '@ledger/event-store';

/** Benchmarks run on the real server: `BENCH_SERVER_URL` (default the local one, trust auth). */
export const BENCH_SERVER_URL = process.env.BENCH_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly db: Database;
  readonly url: string;
  drop(): Promise<void>;
}

/** A throwaway database on the server, migrated, dropped afterwards (kept, and named, with BENCH_KEEP=1). */
export async function benchDatabase(label: string): Promise<BenchDatabase> {
  const name = `ledger_bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(BENCH_SERVER_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  const db = new PostgresDatabase(url.toString(), { maxConnections: 4 });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      if (process.env.BENCH_KEEP === '1') {
        process.stdout.write(`kept the database ${url.toString()}\n`);
        return;
      }
      const dropper = postgres(BENCH_SERVER_URL, { max: 1, onnotice: () => undefined });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

export function rate(count: number, ms: number): number {
  return Math.round((count * 1000) / ms);
}

export function percentile(samplesMs: number[], p: number): number {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number((sorted[Math.max(0, index)] ?? 0).toFixed(2));
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** A deterministic pseudo-random sequence, so that two runs measure the same data. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function report(title: string, rows: [string, string | number][]): void {
  process.stdout.write(`\n${title}\n`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`);
}

/**
 * CPU time used so far by this process and by the database server's processes, in ms. Wall-clock
 * rates on a shared 2-core machine vary from run to run; the CPU each side spends per event is
 * the steadier figure. The server's is read from /proc, so only for a server on this machine
 * (processes named `postgres`); undefined otherwise.
 */
export function cpuMs(): { process: number; server: number | undefined } {
  const usage = process.cpuUsage();
  return { process: (usage.user + usage.system) / 1000, server: serverCpuMs() };
}

/**
 * The CPU this process and the local server spent per event between two cpuMs() readings, in µs
 * (NaN for the server when it is not on this machine).
 */
export function cpuPerEventUs(
  before: ReturnType<typeof cpuMs>,
  after: ReturnType<typeof cpuMs>,
  events: number,
): { process: number; server: number } {
  const perEvent = (ms: number | undefined): number => (ms === undefined ? NaN : Number(((ms * 1000) / events).toFixed(1)));
  return {
    process: perEvent(after.process - before.process),
    server: perEvent(after.server === undefined || before.server === undefined ? undefined : after.server - before.server),
  };
}

function serverCpuMs(): number | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  let ticks = 0;
  let found = false;
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid … utime stime: fields 14 and 15, counted after the ")" that ends comm.
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    found = true;
  }
  return found ? ticks / ticksPerMs : undefined;
}
