import 'reflect-metadata';
import { parseCli, USAGE, type CliArgs } from './args';
import { runCommand, CliFailure } from './commands';

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
  try {
    await runCommand(args);
    // A check that found a problem (verify) sets the exit code itself and still prints its report.
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
