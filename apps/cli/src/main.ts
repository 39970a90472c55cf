import { parseCli, USAGE, type CliArgs } from './args';
import { chooseWasmTier } from './wasm-tier';

/**
 * `npm run --silent ledger -- <command>`: exit 0 on success, 2 when the command could not run
 * (bad arguments, a query the ledger cannot answer, no database). With --json, stdout carries
 * exactly one JSON document, the error included.
 */
async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help || args.command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return args.command === undefined && !args.help ? 2 : 0;
  }
  chooseWasmTier(args.command);
  // Loaded only once a command is to run: `--help` and usage errors then start in tens of
  // milliseconds instead of loading Nest, PGlite and kafkajs first.
  const { runCommand, CliFailure } = await import('./run-command');
  try {
    await runCommand(args);
    // A command that ran and found a problem (verify on a broken chain) has set its own exit code.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const failure = CliFailure.from(error);
    if (args.json) process.stdout.write(`${JSON.stringify({ error: failure.body })}\n`);
    process.stderr.write(`ledger ${args.command}: ${failure.message}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 2;
  },
);
