import { spawnSync } from 'node:child_process';
import { runCommitmentsBench } from './commitments.bench';
import { runHttpAppendBench } from './http-append.bench';
import { runKafkaBrokerBench } from './kafka-broker.bench';
import { runLedgerBench } from './ledger.bench';
import { printPipelineBench, runPipelineBench } from './pipeline.bench';
import { runStartupBench } from './startup.bench';
import { runStoreBench } from './store.bench';
import { BENCH_SERVER_URL } from './support';

const BENCHES = ['store', 'ledger', 'commitments', 'pipeline', 'http-append', 'kafka-broker', 'startup'] as const;
type BenchName = (typeof BENCHES)[number];
/** Run when none is named; kafka-broker needs a broker (KAFKA_BROKERS), so only when named. */
const DEFAULT_BENCHES: readonly BenchName[] = ['store', 'ledger', 'pipeline'];

/**
 * `npm run bench [-- store|ledger|commitments|pipeline …] [--events 1000000,10000000]`: the benchmarks of issues 2, 3 and 5 against the
 * PostgreSQL server (BENCH_SERVER_URL, default the local one), each in a throwaway database.
 * Figures and ratios are printed; nothing is asserted (speed is measured, not tested). Each
 * benchmark runs in a process of its own, so that the peak RSS it reports is its own.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // `--events N` (or a comma list, run one after the other) sizes the ledger and commitments benches.
  const eventsAt = args.indexOf('--events');
  const sizes = eventsAt === -1 ? [] : (args[eventsAt + 1] ?? '').split(',').map((n) => Number(n.replace(/_/g, '')));
  if (eventsAt !== -1 && (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 20_000))) {
    throw new Error('--events takes a number of events (at least 20,000), or a comma list of them');
  }
  const wanted = eventsAt === -1 ? args : [...args.slice(0, eventsAt), ...args.slice(eventsAt + 2)];
  const unknown = wanted.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}`);
  const names = (wanted.length === 0 ? [...DEFAULT_BENCHES] : wanted) as BenchName[];
  const [only] = names;
  if (names.length === 1 && only !== undefined && process.env.BENCH_CHILD === '1') return run(only);
  process.stdout.write(`benchmarks against ${BENCH_SERVER_URL.replace(/\/\/[^@]*@/, '//')} on ${process.version}\n`);
  for (const name of names) {
    for (const events of (name === 'ledger' || name === 'commitments') && sizes.length > 0 ? sizes : [undefined]) {
      const child = spawnSync(process.execPath, [...process.execArgv, __filename, name], {
        stdio: 'inherit',
        env: { ...process.env, BENCH_CHILD: '1', ...(events === undefined ? {} : { BENCH_LEDGER_EVENTS: String(events) }) },
      });
      if (child.status !== 0) throw new Error(`benchmark ${name} failed (exit ${child.status ?? child.signal})`);
    }
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
    case 'commitments':
      await runCommitmentsBench(process.env.BENCH_LEDGER_EVENTS === undefined ? undefined : Number(process.env.BENCH_LEDGER_EVENTS));
      break;
    case 'pipeline':
      printPipelineBench(await runPipelineBench());
      break;
    case 'http-append':
      await runHttpAppendBench();
      break;
    case 'kafka-broker':
      await runKafkaBrokerBench();
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
