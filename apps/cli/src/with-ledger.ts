import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LedgerModule } from '@ledger/ledger';
import type { CliArgs } from './args';
import { cliLedgerConfig } from './owner';

/**
 * Opens the ledger (LedgerModule on the configured store) for one command, runs `fn` and closes
 * it. Every command that reads or writes the ledger goes through here; the command is named in the
 * owner lock of an embedded store.
 */
export async function withLedger<T>(args: CliArgs, fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  // abortOnError false: a failure to start (no database, or a store another process owns) is
  // thrown to main, which prints it as every other failure (one line, exit 2), instead of Nest
  // logging a stack and exiting 1. Nest's own logger stays quiet: whatever it would log about a
  // failed start is that same error.
  const app = await NestFactory.createApplicationContext(LedgerModule.forRoot(cliLedgerConfig(String(args.command), false)), {
    logger: false,
    abortOnError: false,
  });
  app.useLogger(['error']);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
