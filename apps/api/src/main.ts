import 'reflect-metadata';
import { authConfigFromEnv } from '@ledger/auth';
import { ledgerConfigFromEnv, withOwner } from '@ledger/ledger';
import { startApi, startupMessage } from '@ledger/http';

// The HTTP API alone (the CLI's `serve` does the same): it serves an embedded store to the CLI while it runs.
const auth = authConfigFromEnv();
void startApi(Number(process.env.PORT ?? 3000), withOwner(ledgerConfigFromEnv(), { command: 'ledger-api', share: true }), auth).then(
  (started) => process.stderr.write(startupMessage(started, auth)),
);
