import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { seed002Phases } from '@ledger/ledger';
import { report } from './support';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
}

/** One run of the built CLI with plain node, as a user runs it; its own peak RSS and CPU come back through tools/peak-rss.js. */
function measure(args: string[], env: NodeJS.ProcessEnv, before?: () => void): Sample {
  before?.();
  const usageFile = path.join(os.tmpdir(), `ledger-bench-usage-${process.pid}.json`);
  const started = performance.now();
  const child = spawnSync(process.execPath, ['-r', path.join(ROOT, 'tools/peak-rss.js'), ...args], {
    env: { ...env, BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status ?? child.signal}: ${child.stderr.toString()}`);
  const usage = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as { maxRssKb: number; cpuUs: number };
  fs.rmSync(usageFile);
  return { wallMs, cpuMs: usage.cpuUs / 1000, peakRssMb: usage.maxRssKb / 1024 };
}

/** The median run by wall time, with the range of wall times. */
function summary(samples: Sample[], target: string): string {
  const sorted = [...samples].sort((a, b) => a.wallMs - b.wallMs);
  const median = sorted[Math.floor(sorted.length / 2)] as Sample;
  const first = sorted[0] as Sample;
  const last = sorted[sorted.length - 1] as Sample;
  return (
    `${(median.wallMs / 1000).toFixed(2)} s (${(first.wallMs / 1000).toFixed(2)}–${(last.wallMs / 1000).toFixed(2)}), ` +
    `CPU ${(median.cpuMs / 1000).toFixed(2)} s, peak RSS ${Math.round(median.peakRssMb)} MB   target ${target}`
  );
}

/**
 * `npm run bench -- startup` (issue 14 §3): the built CLI's start-up as a user meets it — `--help`,
 * a query on an embedded store, and the first append into a fresh embedded store — each in a new
 * process, timed from spawn to exit. Needs `npm run build` (done by `npm ci`). Bare `node -e 0`
 * is measured beside them: on a busy machine it shows how much of a figure is the machine.
 */
export function runStartupBench(): void {
  if (!fs.existsSync(CLI)) throw new Error(`no built CLI at ${CLI}: run npm run build`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-startup-'));
  try {
    const base = { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '' };
    const events = path.join(work, 'events.ndjson');
    fs.writeFileSync(events, `${(seed002Phases()[0] ?? []).map((e) => JSON.stringify(e)).join('\n')}\n`);
    const queried = path.join(work, 'queried');
    const prepare = spawnSync(process.execPath, [CLI, 'demo'], { env: { ...base, LEDGER_DATA_DIR: queried }, stdio: 'ignore' });
    if (prepare.status !== 0) throw new Error('demo into the query store failed');

    const times = <T>(fn: (i: number) => T): T[] => Array.from({ length: RUNS }, (_, i) => fn(i));
    const node = times(() => measure(['-e', '0'], base));
    const help = times(() => measure([CLI, '--help'], base));
    const query = times(() =>
      measure([CLI, 'view', '--department', '市贸促委', '--as-of', '2021-12-31', '--group-by', 'kind'], {
        ...base,
        LEDGER_DATA_DIR: queried,
      }),
    );
    const append = times((i) => {
      const fresh = path.join(work, `fresh-${i}`);
      return measure([CLI, 'append', events], { ...base, LEDGER_DATA_DIR: fresh });
    });
    report(`startup of the built CLI (${RUNS} runs each, median; ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)})`, [
      ['node -e 0 (the floor)', summary(node, '-')],
      ['ledger --help', summary(help, '≤ 0.3 s')],
      ['view on the embedded store', summary(query, '≤ 1 s, ≤ 250 MB')],
      [`first append into a fresh store (${seed002Phases()[0]?.length ?? 0} events)`, summary(append, '≤ 600 MB')],
    ]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
