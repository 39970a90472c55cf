import 'reflect-metadata';
import { startApi } from './start-api';

// The HTTP API alone (the CLI's `serve` does the same).
void startApi(Number(process.env.PORT ?? 3000)).then(() => process.stderr.write(`ledger API listening on ${process.env.PORT ?? 3000}\n`));
