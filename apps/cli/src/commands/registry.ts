import type { CliArgs } from '../args';
import { appendCommand } from './append.command';
import { checkpointCommand, proveCommand } from './checkpoint.command';
import { closePeriodCommand } from './close-period.command';
import { consumeCommand, publishCommand } from './consume.command';
import { dbCommand } from './db.command';
import { demoCommand } from './demo.command';
import { keysCommand } from './keys.command';
import { progressCommand } from './progress.command';
import { ratiosCommand } from './ratios.command';
import { rebuildCommand } from './rebuild.command';
import { scorecardCommand } from './scorecard.command';
import { serveCommand } from './serve.command';
import { traceCommand } from './trace.command';
import { verifyCommand } from './verify.command';
import { viewCommand } from './view.command';
import { warningsCommand } from './warnings.command';
import { yearEndCommand } from './year-end.command';

/** A CLI command: checks its arguments, does its work, prints its answer; throws when it could not run. */
export type CliCommand = (args: CliArgs) => Promise<void>;

/** Every command of `ledger <command>` (USAGE in args.ts lists them for people). */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  append: appendCommand,
  view: viewCommand,
  trace: traceCommand,
  progress: progressCommand,
  ratios: ratiosCommand,
  scorecard: scorecardCommand,
  warnings: warningsCommand,
  'year-end': yearEndCommand,
  'close-period': closePeriodCommand,
  demo: demoCommand,
  verify: verifyCommand,
  checkpoint: checkpointCommand,
  prove: proveCommand,
  db: dbCommand,
  rebuild: rebuildCommand,
  serve: serveCommand,
  keys: keysCommand,
  consume: consumeCommand,
  publish: publishCommand,
};
