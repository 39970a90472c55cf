import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { Database } from '../db/database';
import { PgliteDatabase } from '../db/pglite-database';
import { PostgresDatabase } from '../db/postgres-database';
import { migrate } from '../db/migrate';

/**
 * Which engines the storage and projection suites run on. PGlite always; the PostgreSQL server
 * when `LEDGER_TEST_DATABASE=postgres` (CI sets it), at `LEDGER_TEST_SERVER_URL`
 * (default postgres://postgres@127.0.0.1:5432/postgres). Each suite gets its own throwaway
 * database on the server, dropped afterwards.
 */
export type TestEngine = 'pglite' | 'postgres';

export const SERVER_URL = process.env.LEDGER_TEST_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function testEngines(): TestEngine[] {
  const wanted = (process.env.LEDGER_TEST_DATABASE ?? 'pglite').split(',').map((s) => s.trim());
  return (['pglite', 'postgres'] as const).filter((engine) => wanted.includes(engine));
}

export interface ThrowawayDatabase {
  readonly engine: TestEngine;
  readonly db: Database;
  /** Connection URL for the server engine (other processes can open the same database); undefined for PGlite. */
  readonly url: string | undefined;
  /** Opens one more connection pool to the same database (server engine only). */
  openAnother(maxConnections?: number): Promise<Database>;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(engine: TestEngine, options: { maxConnections?: number } = {}): Promise<ThrowawayDatabase> {
  if (engine === 'pglite') {
    const db = await PgliteDatabase.open();
    await migrate(db);
    return {
      engine,
      db,
      url: undefined,
      openAnother: () => Promise.reject(new Error('PGlite has a single connection')),
      drop: () => db.close(),
    };
  }
  const name = `ledger_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = new PostgresDatabase(databaseUrl, { maxConnections: options.maxConnections ?? 10 });
  await migrate(db);
  const others: Database[] = [];
  return {
    engine,
    db,
    url: databaseUrl,
    async openAnother(maxConnections = 10) {
      const other = new PostgresDatabase(databaseUrl, { maxConnections });
      others.push(other);
      return other;
    },
    async drop() {
      for (const other of others) await other.close();
      await db.close();
      const dropper = postgres(SERVER_URL, { max: 1, onnotice: () => undefined });
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Declares `suite` once per enabled engine: `describe('<name> [pglite]', …)`.
 * The callback receives a getter for the suite's throwaway database, made in beforeAll.
 */
export function describeEachEngine(name: string, suite: (get: () => ThrowawayDatabase) => void): void {
  for (const engine of testEngines()) {
    describe(`${name} [${engine}]`, () => {
      let current: ThrowawayDatabase | undefined;
      beforeAll(async () => {
        current = await createThrowawayDatabase(engine);
      });
      afterAll(async () => {
        await current?.drop();
      });
      suite(() => {
        if (current === undefined) throw new Error('the throwaway database is made in beforeAll');
        return current;
      });
    });
  }
}
