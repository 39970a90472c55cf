import 'reflect-metadata';
import { authConfigFromEnv } from '@ledger/auth';
import { startApi, startupMessage } from './start-api';

// The HTTP API alone (the CLI's `serve` does the same).
const auth = authConfigFromEnv();
void startApi(Number(process.env.PORT ?? 3000), undefined, auth).then((started) => process.stderr.write(startupMessage(started, auth)));
