import { runLedgerBench } from './ledger.bench';
import { printPipelineBench, runPipelineBench } from './pipeline.bench';
import { runStoreBench } from './store.bench';
import { BENCH_SERVER_URL } from './support';

/**
 * `npm run bench [-- store|ledger|pipeline …]`: the benchmarks of issues 2, 3 and 5 against the
 * PostgreSQL server (BENCH_SERVER_URL, default the local one), each in a throwaway database.
 * Figures and ratios are printed; nothing is asserted (speed is measured, not tested).
 */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const run = (name: string) => wanted.length === 0 || wanted.includes(name);
  process.stdout.write(`benchmarks against ${BENCH_SERVER_URL.replace(/\/\/[^@]*@/, '//')} on ${process.version}\n`);
  if (run('store')) await runStoreBench();
  if (run('ledger')) await runLedgerBench(Number(process.env.BENCH_LEDGER_EVENTS ?? 1_000_000));
  if (run('pipeline')) printPipelineBench(await runPipelineBench(BENCH_SERVER_URL));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
