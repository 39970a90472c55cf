import { spawnSync } from 'node:child_process';
import { runLedgerBench } from './ledger.bench';
import { printPipelineBench, runPipelineBench } from './pipeline.bench';
import { runStartupBench } from './startup.bench';
import { runStoreBench } from './store.bench';
import { BENCH_SERVER_URL } from './support';

const BENCHES = ['store', 'ledger', 'pipeline', 'startup'] as const;
type BenchName = (typeof BENCHES)[number];

/**
 * `npm run bench [-- store|ledger|pipeline …]`: the benchmarks of issues 2, 3 and 5 against the
 * PostgreSQL server (BENCH_SERVER_URL, default the local one), each in a throwaway database.
 * Figures and ratios are printed; nothing is asserted (speed is measured, not tested). Each
 * benchmark runs in a process of its own, so that the peak RSS it reports is its own.
 */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}`);
  const names = (wanted.length === 0 ? [...BENCHES] : wanted) as BenchName[];
  const [only] = names;
  if (names.length === 1 && only !== undefined && process.env.BENCH_CHILD === '1') return run(only);
  process.stdout.write(`benchmarks against ${BENCH_SERVER_URL.replace(/\/\/[^@]*@/, '//')} on ${process.version}\n`);
  for (const name of names) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, name], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_CHILD: '1' },
    });
    if (child.status !== 0) throw new Error(`benchmark ${name} failed (exit ${child.status ?? child.signal})`);
  }
}

async function run(name: BenchName): Promise<void> {
  switch (name) {
    case 'store':
      await runStoreBench();
      break;
    case 'ledger':
      await runLedgerBench(Number(process.env.BENCH_LEDGER_EVENTS ?? 1_000_000));
      break;
    case 'pipeline':
      printPipelineBench(await runPipelineBench());
      break;
    case 'startup':
      runStartupBench();
      break;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
