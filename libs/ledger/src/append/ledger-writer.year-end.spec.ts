import { parseEvent, type LedgerEvent } from '@ledger/domain';
import { streamLockKey } from '@ledger/event-store';
import {
  createThrowawayDatabase,
  describeEachEngine,
  testEngines,
  type ThrowawayDatabase,
} from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { DEFAULT_RULES } from '@ledger/reporting';
import { testLedger, type TestLedger } from '../testing/test-ledger';
import { closeQuarter, closeYear, init, line, payAgainst, P_AVAILABLE, yearBeforeClose } from '../testing/year-end-events';
import { verifyProjections } from '../verify-projections/verify-projections';
import { projectionTables } from '../testing/projection-tables';

const parsed = (raw: unknown): LedgerEvent => {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(result.error.message);
  return result.event;
};

interface EventRow {
  event_id: string;
  type: string;
  position: bigint;
  stream_id: string;
  stream_version: bigint;
  data: Record<string, unknown>;
  recorded_by: string | null;
  effective_date: string;
}

describeEachEngine('a YearClosed through the writer', (get) => {
  let ledger: TestLedger;
  /** A writer that appended the year before the close, and keeps the lines it wrote. */
  let before: TestLedger;

  beforeAll(async () => {
    before = testLedger(get().db);
    const summary = await before.append(yearBeforeClose());
    expect(summary.rejected).toEqual([]);
    ledger = testLedger(get().db); // another writer closes the years
    const results = await ledger.writer.append(
      [closeYear('yc-D9-2021', 'D9', 2021), closeYear('yc-D8-2021', 'D8', 2021)].map(parsed),
      undefined,
      {
        recordedBy: 'closer',
      },
    );
    // One result per input event: the derived events are not answered for.
    expect(results.map((r) => [r.eventId, r.status])).toEqual([
      ['yc-D9-2021', 'appended'],
      ['yc-D8-2021', 'appended'],
    ]);
  });

  const events = (streamId: string) =>
    get().db.query<EventRow>(
      `SELECT event_id, type, position, stream_id, stream_version, data, recorded_by, effective_date FROM ledger_events
        WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );

  it('stores the derived events right after the YearClosed, in its stream, posted by its poster, in the hash chain', async () => {
    const stream = await events('budget-D9-2021');
    const at = stream.findIndex((e) => e.event_id === 'yc-D9-2021');
    const after = stream.slice(at);
    expect(after.map((e) => [e.event_id, e.type, e.recorded_by, e.effective_date])).toEqual([
      ['yc-D9-2021', 'YearClosed', 'closer', '2021-12-31'],
      ['yc-D9-2021:open:1', 'BudgetLineOpened', 'closer', '2021-12-31'],
      ['yc-D9-2021:cf:1', 'BalanceCarriedForward', 'closer', '2021-12-31'],
      ['yc-D9-2021:cf:2', 'BalanceCarriedForward', 'closer', '2021-12-31'],
    ]);
    // Consecutive versions and positions: nothing between the YearClosed and what it derives.
    after.forEach((e, i) => {
      expect(e.stream_version).toBe((after[0] as EventRow).stream_version + BigInt(i));
      expect(e.position).toBe((after[0] as EventRow).position + BigInt(i));
    });
    // P had no 2022 line of its kind: one is opened for it; P2's existing N2 receives its balance.
    expect(after[1]?.data).toMatchObject({
      lineId: 'P.cf2022',
      department: 'D9',
      fiscalYear: 2022,
      kind: 'project',
      fundingSource: '上年结转',
    });
    expect(after[2]?.data).toEqual({ fromLineId: 'P', toLineId: 'P.cf2022', amount: P_AVAILABLE });
    expect(after[3]?.data).toEqual({ fromLineId: 'P2', toLineId: 'N2', amount: '300.00' });
    expect((await events('budget-D9-2022')).map((e) => e.event_id)).toEqual(['N2-open', 'N2-init']);
    expect(await ledger.store.verify()).toMatchObject({ ok: true });
  });

  it('projects the derived events like any other: lines, carried and brought forward, the closed years', async () => {
    const lines = await get().db.query<Record<string, unknown>>(
      `SELECT line_id, department, fiscal_year, funding_source, project, tags, executed_fen, committed_fen, brought_forward_fen, carried_forward_fen
         FROM ledger_lines WHERE department IN ('D9', 'D8') ORDER BY line_id`,
    );
    const byId = new Map(lines.map((l) => [l.line_id, l]));
    expect(byId.get('P')).toMatchObject({
      executed_fen: 45000n,
      committed_fen: 6000n,
      carried_forward_fen: 49000n,
      brought_forward_fen: 0n,
    });
    expect(byId.get('P2')).toMatchObject({ carried_forward_fen: 30000n });
    expect(byId.get('B')).toMatchObject({ carried_forward_fen: 0n }); // a basic line's balance lapses
    expect(byId.get('P.cf2022')).toMatchObject({
      fiscal_year: 2022,
      funding_source: '上年结转',
      project: 'PRJ-A',
      tags: ['procurement'],
      brought_forward_fen: 49000n,
    });
    expect(byId.get('N2')).toMatchObject({ brought_forward_fen: 30000n });
    expect(byId.get('E.cf2022')).toMatchObject({ department: 'D8', brought_forward_fen: 5000n });
    const movements = await get().db.query<Record<string, unknown>>(
      `SELECT m.line_id, m.fiscal_year, m.brought_forward_fen, m.carried_forward_fen, m.running_brought_forward_fen, m.running_carried_forward_fen
         FROM ledger_movements m JOIN ledger_events e ON e.position = m.position WHERE e.event_id = 'yc-D9-2021:cf:1' ORDER BY m.line_id`,
    );
    expect(movements).toEqual([
      {
        line_id: 'P',
        fiscal_year: 2021,
        brought_forward_fen: 0n,
        carried_forward_fen: 49000n,
        running_brought_forward_fen: 0n,
        running_carried_forward_fen: 49000n,
      },
      {
        line_id: 'P.cf2022',
        fiscal_year: 2022,
        brought_forward_fen: 49000n,
        carried_forward_fen: 0n,
        running_brought_forward_fen: 49000n,
        running_carried_forward_fen: 0n,
      },
    ]);
    const yearEnds = await get().db.query(`SELECT department, fiscal_year, event_id FROM ledger_year_ends ORDER BY department`);
    expect(yearEnds).toEqual(
      [
        { department: 'D9', fiscal_year: 2021, event_id: 'yc-D9-2021' },
        { department: 'D8', fiscal_year: 2021, event_id: 'yc-D8-2021' },
      ].sort((a, b) => (a.department < b.department ? -1 : 1)),
    );
  });

  it('lets a writer that kept the next year’s lines from before the close see what the close brought to them', async () => {
    // The first writer kept N2 (20.00) from before the close, at the head of D9 2022, which the
    // close did not move: it must see the 300.00 brought forward all the same, and no more.
    const kept = await before.append([
      payAgainst('spend-n2', 'N2', '320.00', undefined, '2022-01-02'),
      payAgainst('n2-more', 'N2', '0.01', undefined, '2022-01-02'),
    ]);
    expect(kept.rejected.map((r) => [r.eventId, r.code])).toEqual([['n2-more', 'LINE_OVERDRAWN']]);
  });

  it('closes the year for everything, and lets the next year spend what it brought forward', async () => {
    const summary = await ledger.append([
      payAgainst('late-2021', 'B', '1.00', undefined, '2021-12-30'),
      // D8 2022 has lines only through the derived opening, stored in D8 2021's stream.
      closeQuarter('D8', 2022, 1),
      payAgainst('spend-cf', 'P.cf2022', P_AVAILABLE, undefined, '2022-01-02'),
      payAgainst('spend-more', 'P.cf2022', '0.01', undefined, '2022-01-02'),
    ]);
    expect(summary.rejected.map((r) => [r.eventId, r.code])).toEqual([
      ['late-2021', 'YEAR_CLOSED'],
      ['spend-more', 'LINE_OVERDRAWN'],
    ]);
  });

  it('opens a line under a lineId free in every department-year, not only in the closing department’s', async () => {
    const summary = await ledger.append([
      line('Q', 'D6', 2021, 'project'),
      init('Q', '10.00'),
      line('Q.cf2022', 'D5', 2021, 'basic'), // another department's line holds the first choice
      ...[1, 2, 3, 4].map((q) => closeQuarter('D6', 2021, q as 1)),
      closeYear('yc-D6-2021', 'D6', 2021),
    ]);
    expect(summary.rejected).toEqual([]);
    const opened = await get().db.query(`SELECT data->>'lineId' AS line_id FROM ledger_events WHERE event_id = 'yc-D6-2021:open:1'`);
    expect(opened).toEqual([{ line_id: 'Q.cf2022-2' }]);
  });

  it('answers the YearClosed and its derived events posted again as duplicates, at their positions; a changed copy is refused', async () => {
    const stored = await get().db.query<{ event_id: string; position: bigint; data: Record<string, unknown> }>(
      `SELECT event_id, position, data FROM ledger_events WHERE event_id LIKE 'yc-D9-2021%' ORDER BY position`,
    );
    const again = stored.map((e) => ({
      eventId: e.event_id,
      type: e.event_id === 'yc-D9-2021' ? 'YearClosed' : e.event_id.includes(':open:') ? 'BudgetLineOpened' : 'BalanceCarriedForward',
      effectiveDate: '2021-12-31',
      data: e.data,
      metadata: { source: 'ledger', yearClosedEventId: 'yc-D9-2021' },
    }));
    // The YearClosed itself carries no metadata.
    delete (again[0] as { metadata?: unknown }).metadata;
    const results = await ledger.writer.append(again.map(parsed));
    expect(results.map((r) => [r.status, r.status === 'rejected' ? r.error.code : r.position])).toEqual(
      stored.map((e) => ['duplicate', e.position]),
    );
    const changed = await ledger.writer.append(
      [{ ...(again[2] as object), data: { fromLineId: 'P', toLineId: 'P.cf2022', amount: '1.00' } }].map(parsed),
    );
    expect(changed.map((r) => r.status)).toEqual(['rejected']);
  });

  it('rebuilds to the same tables, and verify finds nothing', async () => {
    const appended = await projectionTables(get().db);
    expect(appended.commitments).toHaveLength(2);
    expect(appended.yearEnds).toHaveLength(3);
    expect(appended.plans).toHaveLength(1);
    expect(await verifyProjections(get().db, DEFAULT_RULES)).toMatchObject({ ok: true, problems: [] });
    await rebuildProjections(get().db);
    expect(await projectionTables(get().db)).toEqual(appended);
    await rebuildProjections(get().db);
    expect(await projectionTables(get().db)).toEqual(appended);
    expect(await verifyProjections(get().db, DEFAULT_RULES)).toMatchObject({ ok: true, problems: [] });
  });
});

/** Server only (PGlite has one connection): another session holds the next year's stream. */
const describeServer = testEngines().includes('postgres') ? describe : describe.skip;

describeServer('a YearClosed holds its department-year and the next [postgres]', () => {
  let server: ThrowawayDatabase;
  beforeAll(async () => {
    server = await createThrowawayDatabase('postgres');
  });
  afterAll(async () => server.drop());

  it('waits for the lock of the next year’s stream, into which it opens lines and brings balances', async () => {
    const ledger = testLedger(server.db);
    expect((await ledger.append(yearBeforeClose())).rejected).toEqual([]);
    const holder = await server.openAnother(1);
    let release = () => {};
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const held = holder.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [streamLockKey('budget-D9-2022').toString()]);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await lockTaken;
    const closing = ledger.append([closeYear('yc-D9-2021', 'D9', 2021)]);
    // The append waits on an advisory lock (the next year's stream), with nothing stored.
    for (let tries = 0; ; tries += 1) {
      const [waiting] = await server.db.query<{ n: bigint }>(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
      );
      if (waiting?.n === 1n) break;
      if (tries > 200) throw new Error('the YearClosed never waited for the next year’s stream');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await server.db.query(`SELECT event_id FROM ledger_events WHERE type = 'YearClosed'`)).toEqual([]);
    release();
    await held;
    expect((await closing).appended).toBe(1);
  });
});
