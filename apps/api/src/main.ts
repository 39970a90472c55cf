import 'reflect-metadata';
import { ledgerConfigFromEnv, withOwner } from '@ledger/ledger';
import { startApi } from './start-api';

// The HTTP API alone (the CLI's `serve` does the same): it serves an embedded store to the CLI while it runs.
void startApi(Number(process.env.PORT ?? 3000), withOwner(ledgerConfigFromEnv(), { command: 'ledger-api', share: true })).then(() =>
  process.stderr.write(`ledger API listening on ${process.env.PORT ?? 3000}\n`),
);
