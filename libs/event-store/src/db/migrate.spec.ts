import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describeEachEngine, SERVER_URL, testEngines } from '../testing/test-databases';
import { PostgresDatabase } from './postgres-database';
import { loadMigrations, migrate, splitStatements } from './migrate';

describe('splitStatements', () => {
  it('splits at statement ends but keeps dollar-quoted bodies, quotes and comments apart', () => {
    const script = `-- a comment; not a statement
CREATE TABLE t (a text DEFAULT 'x;y');
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
SELECT 1`;
    expect(splitStatements(script)).toEqual([
      "CREATE TABLE t (a text DEFAULT 'x;y')",
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$',
      'SELECT 1',
    ]);
  });
});

describeEachEngine('migrate', (get) => {
  it('has applied every migration once, and applying again does nothing', async () => {
    const { db } = get();
    const names = (await db.query<{ name: string }>('SELECT name FROM ledger_migrations ORDER BY name')).map((r) => r.name);
    expect(names).toEqual(loadMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
  });

  it('maps value types the same way on every engine', async () => {
    const { db } = get();
    const [row] = await db.query(
      "SELECT 12::int8 AS n, '2021-03-31'::date AS d, 1.50::numeric AS x, '2021-04-02T10:00:00.123Z'::timestamptz AS t, '{\"a\":1}'::jsonb AS j",
    );
    expect(row).toEqual({ n: 12n, d: '2021-03-31', x: '1.50', t: new Date('2021-04-02T10:00:00.123Z'), j: { a: 1 } });
  });

  it('refuses UPDATE and DELETE of stored events', async () => {
    const { db } = get();
    await expect(db.query('DELETE FROM ledger_events')).resolves.toEqual([]); // no rows, trigger is per row
    await db.query(
      `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, effective_date, data, recorded_at, content_hash, prev_hash, hash)
       VALUES (1, 's', 0, 'e1', 'T', '2021-01-01', '{}', now(), 'c', '', 'h')`,
    );
    await expect(db.query("UPDATE ledger_events SET type = 'X'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM ledger_events')).rejects.toThrow(/append-only/);
  });
});

// Issue 10: concurrent first starts on a fresh database raced on CREATE TABLE ledger_migrations.
(testEngines().includes('postgres') ? describe : describe.skip)('migrate on a fresh server database [postgres]', () => {
  it('applies every migration once when several processes start at the same moment', async () => {
    const name = `ledger_fresh_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(SERVER_URL, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    const pools = Array.from({ length: 8 }, () => new PostgresDatabase(url.toString(), { maxConnections: 1 }));
    try {
      // Connected beforehand, so that the first statements of all of them reach the server together.
      await Promise.all(pools.map((db) => db.query('SELECT 1')));
      const applied = await Promise.all(pools.map((db) => migrate(db)));
      expect(applied.flat().sort()).toEqual(loadMigrations().map((m) => m.name));
    } finally {
      for (const db of pools) await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
