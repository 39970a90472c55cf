import { PgEventStore } from '../pg/pg-event-store';
import { newEvent } from '../testing/events';
import { createThrowawayDatabase, testEngines, type ThrowawayDatabase } from '../testing/test-databases';
import type { Database } from './database';
import { FIRST_REFRESH_AFTER, PlannerStatistics } from './planner-statistics';
import { PostgresDatabase } from './postgres-database';

/** Server only: PGlite prepares no statement, so its stores keep no statistics (PgEventStore). */
const onServer = testEngines().includes('postgres') ? describe : describe.skip;

/** ledger_events' row count as the planner's statistics have it (-1: never analyzed). */
async function analyzedRows(db: Database): Promise<number> {
  const [row] = await db.query<{ rows: number }>(`SELECT reltuples::int AS rows FROM pg_class WHERE oid = 'ledger_events'::regclass`);
  return row?.rows ?? NaN;
}

async function appendEvents(store: PgEventStore, from: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => newEvent(`s-${from + i}`));
  await store.append([{ streamId: 'budget-D-2021', events }]);
}

onServer('the planner’s statistics kept in step with the log [postgres]', () => {
  let current: ThrowawayDatabase;

  beforeEach(async () => {
    current = await createThrowawayDatabase('postgres');
    // The server these run on may analyze on its own (autovacuum): the refreshes counted are the tests' own.
    await current.db.query(`ALTER TABLE ledger_events SET (autovacuum_enabled = false)`);
  });

  afterEach(async () => {
    await current.drop();
  });

  it('refreshes after its first events, then whenever the log may have doubled since the last refresh', async () => {
    const store = new PgEventStore(current.db);
    const statistics = new PlannerStatistics(
      current.db,
      (error) => {
        throw error;
      },
      5,
    );
    await appendEvents(store, 0, 4);
    statistics.committed(4);
    await statistics.settled();
    expect(await analyzedRows(current.db)).toBe(-1);

    await appendEvents(store, 4, 16);
    statistics.committed(1); // 5 events: the first refresh, with the log at 20
    await statistics.settled();
    expect(await analyzedRows(current.db)).toBe(20);

    await appendEvents(store, 20, 10);
    statistics.committed(19);
    await statistics.settled();
    expect(await analyzedRows(current.db)).toBe(20);
    statistics.committed(1); // 20 more since the refresh at 20
    await statistics.settled();
    expect(await analyzedRows(current.db)).toBe(30);
  });

  it('is kept by a store on a server, from the appends it commits', async () => {
    const store = new PgEventStore(current.db);
    await appendEvents(store, 0, FIRST_REFRESH_AFTER - 1);
    await (store as unknown as { statistics: PlannerStatistics }).statistics.settled();
    expect(await analyzedRows(current.db)).toBe(-1);
    await appendEvents(store, FIRST_REFRESH_AFTER - 1, 1);
    await (store as unknown as { statistics: PlannerStatistics }).statistics.settled();
    expect(await analyzedRows(current.db)).toBe(FIRST_REFRESH_AFTER);
  });

  it('reports a refresh that failed, and tries again after as many events more', async () => {
    const db = new PostgresDatabase(current.url as string, { maxConnections: 1 });
    try {
      await db.query(`DROP FUNCTION ledger_refresh_statistics()`); // the refresh fails: its function is gone
      const reported: unknown[] = [];
      const statistics = new PlannerStatistics(db, (error) => reported.push(error), 3);
      statistics.committed(3);
      await statistics.settled();
      expect(reported).toHaveLength(1);
      expect(String(reported[0])).toMatch(/ledger_refresh_statistics/);
      statistics.committed(2);
      await statistics.settled();
      expect(reported).toHaveLength(1);
      statistics.committed(1);
      await statistics.settled();
      expect(reported).toHaveLength(2);
    } finally {
      await db.close();
    }
  });
});
