import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createThrowawayDatabase, testEngines, type TestEngine, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { DEFAULT_RULES } from '@ledger/reporting';
import type { LedgerConfig } from '@ledger/ledger';

/**
 * Storage for an end-to-end suite: a throwaway database on the server, or a fresh PGlite data
 * directory. `env` is what a child process (the CLI) needs to open the same storage.
 */
export interface E2eStorage {
  readonly engine: TestEngine;
  readonly config: LedgerConfig;
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function e2eStorage(engine: TestEngine): Promise<E2eStorage> {
  const base = { paymentPolicy: 'reject' as const, batchSize: 1000, appendLanes: engine === 'pglite' ? 1 : 2, rules: DEFAULT_RULES };
  if (engine === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-e2e-'));
    return {
      engine,
      config: { ...base, database: { dataDir } },
      env: { LEDGER_DATA_DIR: dataDir, DATABASE_URL: '' },
      cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const server: ThrowawayDatabase = await createThrowawayDatabase('postgres');
  const url = server.url as string;
  // The suite's own pool is closed at once: the app under test opens its own.
  return {
    engine,
    config: { ...base, database: { databaseUrl: url, maxConnections: 4 } },
    env: { DATABASE_URL: url },
    cleanup: () => server.drop(),
  };
}

export { testEngines };
