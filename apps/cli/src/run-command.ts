import 'reflect-metadata';
import type { CliArgs } from './args';
import { usage } from './cli-failure';
import { COMMANDS } from './commands/registry';

export { CliFailure } from './cli-failure';

/** Runs one command of the registry; an unknown one is a usage error. */
export async function runCommand(args: CliArgs): Promise<void> {
  const name = String(args.command);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) throw usage(`unknown command '${name}' (see --help)`);
  return command(args);
}
