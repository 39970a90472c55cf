import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { rebuildProjections } from '@ledger/projections';
import { PgEventStore } from '../pg/pg-event-store';
import { newEvent } from '../testing/events';
import { createThrowawayDatabase, SERVER_URL, testEngines, type ThrowawayDatabase } from '../testing/test-databases';
import { grantAppRole, roleOfUrl } from './app-role';
import type { Database } from './database';
import { openDatabase } from './open-database';
import { PostgresDatabase } from './postgres-database';

/**
 * The guard of the log by the rights of the ledger's own role (docs/decisions/0011): tried as an
 * attacker holding the ledger's connection would. Server only: PGlite has a single role.
 */
const onServer = testEngines().includes('postgres') ? describe : describe.skip;

onServer('the ledger’s own PostgreSQL role [postgres]', () => {
  const role = `ledger_app_t${randomBytes(4).toString('hex')}`;
  let owner: ThrowawayDatabase;
  let app: Database;
  let appUrl: string;

  beforeAll(async () => {
    owner = await createThrowawayDatabase('postgres');
    const admin = postgres(SERVER_URL, { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`CREATE ROLE ${role} LOGIN`);
    } finally {
      await admin.end();
    }
    await grantAppRole(owner.db, role);
    const url = new URL(owner.url as string);
    url.username = role;
    appUrl = url.toString();
    app = new PostgresDatabase(appUrl, { maxConnections: 2 });
    await new PgEventStore(app).append([{ streamId: 'budget-D-2021', events: [newEvent('e-1'), newEvent('e-2')] }]);
  });

  afterAll(async () => {
    await app?.close();
    await owner?.drop();
    const admin = postgres(SERVER_URL, { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  });

  it('appends, reads, verifies and rebuilds the projections', async () => {
    const store = new PgEventStore(app);
    await store.append([{ streamId: 'budget-D-2021', events: [newEvent('e-3')] }]);
    expect((await store.readStream('budget-D-2021')).map((e) => e.eventId)).toEqual(['e-1', 'e-2', 'e-3']);
    expect(await store.verify()).toEqual({ ok: true, events: 3 });
    await expect(rebuildProjections(app)).resolves.toMatchObject({ events: 3 });
    await app.query(`UPDATE ledger_checkpoints SET position = position`);
    await app.query(`INSERT INTO ledger_access_log (at, identity, method, path, status) VALUES (now(), 'key:t', 'GET', '/v1/events', 200)`);
    expect(await app.query(`SELECT path FROM ledger_access_log`)).toEqual([{ path: '/v1/events' }]);
  });

  it('refreshes the planner’s statistics of the tables it does not own (PlannerStatistics)', async () => {
    await expect(app.query('ANALYZE ledger_events')).resolves.toEqual([]); // skipped with a warning: not the owner
    const [before] = await app.query<{ analyzed: number }>(
      `SELECT reltuples::int AS analyzed FROM pg_class WHERE relname = 'ledger_events'`,
    );
    const [events] = await app.query<{ count: number }>('SELECT count(*)::int AS count FROM ledger_events');
    const [refreshed] = await app.query<{ events: bigint }>('SELECT ledger_refresh_statistics() AS events');
    expect(before?.analyzed).toBe(-1);
    expect(refreshed?.events).toBe(BigInt(events?.count ?? NaN));
  });

  it.each([
    ['UPDATE the log', `UPDATE ledger_events SET data = '{}' WHERE event_id = 'e-1'`, /permission denied for table ledger_events/],
    ['DELETE from the log', `DELETE FROM ledger_events WHERE event_id = 'e-2'`, /permission denied for table ledger_events/],
    ['TRUNCATE the log', 'TRUNCATE ledger_events', /permission denied for table ledger_events/],
    [
      'disable the append-only trigger',
      'ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only',
      /must be owner of table ledger_events/,
    ],
    ['disable every trigger', 'ALTER TABLE ledger_events DISABLE TRIGGER ALL', /must be owner of table ledger_events/],
    [
      'set session_replication_role',
      'SET session_replication_role = replica',
      /permission denied to set parameter "session_replication_role"/,
    ],
    ['drop the trigger', 'DROP TRIGGER ledger_events_append_only ON ledger_events', /must be owner of (table|relation) ledger_events/],
    [
      'replace the guard function',
      `CREATE OR REPLACE FUNCTION ledger_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$`,
      /must be owner of function|permission denied for schema/,
    ],
    ['alter a projection table', 'ALTER TABLE ledger_lines ADD COLUMN x int', /must be owner of table ledger_lines/],
    ['change the access log', `UPDATE ledger_access_log SET identity = NULL`, /permission denied for table ledger_access_log/],
    ['delete from the access log', `DELETE FROM ledger_access_log`, /permission denied for table ledger_access_log/],
    ['truncate the access log', 'TRUNCATE ledger_access_log', /permission denied for table ledger_access_log/],
    ['rewrite the migrations', `DELETE FROM ledger_migrations`, /permission denied for table ledger_migrations/],
  ])('cannot %s', async (_what, statement, error) => {
    await expect(app.query(statement)).rejects.toThrow(error);
    expect((await new PgEventStore(app).readStream('budget-D-2021')).length).toBeGreaterThanOrEqual(2);
  });

  it('opens with the owner migrating and the app role connected, and refuses to grant to the owning role itself', async () => {
    const db = await openDatabase({ databaseUrl: appUrl, migrationUrl: owner.url });
    try {
      expect(await db.query('SELECT current_user AS who')).toEqual([{ who: role }]);
      expect(roleOfUrl(appUrl)).toBe(role);
    } finally {
      await db.close();
    }
    // Started with its own URL alone on a database its owner migrated (docker-compose does so), it needs no DDL.
    const alone = await openDatabase({ databaseUrl: appUrl });
    await alone.close();
    await expect(grantAppRole(owner.db, 'postgres')).rejects.toThrow(/must not be the role that owns the tables/);
  });
});
