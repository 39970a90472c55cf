import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { queryScorecard, queryTrace, queryView, queryWarnings, queryYearEnd } from '@ledger/reporting';
import { testLedger, type TestLedger } from '../testing/test-ledger';
import { seed004Phases, YEAR_CLOSED_EVENT_ID, YEAR_END_DEPARTMENT, YEAR_END_LINES, YEAR_END_YEAR } from './seed-004';

const fen = (yuan: string): bigint => BigInt(yuan.replace('.', ''));

/**
 * The year-end demo's figures reconcile: commitments reserve and are consumed or released, the
 * projects are judged against seed 004's plan, and the closed year's available balances are the
 * next year's 上年结转 to the fen — through the real append path, and again after a rebuild.
 */
describeEachEngine('seed 004 year-end demo', (get) => {
  let ledger: TestLedger;
  const department = YEAR_END_DEPARTMENT;
  const fiscalYear = YEAR_END_YEAR;
  const { basic, support, investment } = YEAR_END_LINES;

  beforeAll(async () => {
    ledger = testLedger(get().db);
    for (const phase of seed004Phases()) {
      const summary = await ledger.append(phase, 100);
      expect(summary.rejected).toEqual([]);
    }
  });

  it('reserves before paying: on 11-30 the contracts hold 22,060,000.00 and the support line has nothing available', async () => {
    const view = await queryView(get().db, { department, asOf: '2023-11-30', groupBy: 'line' });
    expect(view.total).toMatchObject({ committed: '22060000.00' });
    const row = view.rows.find((r) => r.key.line === support);
    expect(row).toMatchObject({ adjusted: '22000000.00', executed: '0.00', committed: '22000000.00', available: '0.00' });
    const total = view.total;
    expect(fen(total.adjusted)).toBe(fen(total.executed) + fen(total.committed) + fen(total.available));
  });

  it('consumes each commitment by the payments that name it, and releases part of one', async () => {
    const trace = await queryTrace(get().db, { lineId: support, asOf: '2023-12-31' });
    const byId = Object.fromEntries(trace.commitments.map((c) => [c.eventId, [c.amount, c.released, c.consumed, c.left]]));
    expect(byId).toEqual({
      'GX2023-CMT-XMFC-A': ['9000000.00', '0.00', '9000000.00', '0.00'],
      'GX2023-CMT-XMFC-B': ['8000000.00', '0.00', '8000000.00', '0.00'],
      'GX2023-CMT-XMFC-C': ['5000000.00', '800000.00', '4200000.00', '0.00'],
    });
    // The closed year keeps its figures: its available is what it carried.
    expect(trace.totals).toMatchObject({ executed: '21200000.00', committed: '0.00', available: '800000.00', carriedForward: '800000.00' });
    const zsyz = await queryTrace(get().db, { lineId: investment, asOf: '2023-12-31' });
    expect(zsyz.commitments.map((c) => [c.eventId, c.consumed, c.left])).toEqual([['GX2023-CMT-ZSYZ-1', '180000.00', '0.00']]);
    expect(zsyz.plans.map((p) => p.checkpoints.map((c) => c.share))).toEqual([['0.0000', '0.0000', '0.0000', '1.0000']]);
  });

  it('judges the projects against seed 004 plan (0% by 6月底), not the common 50%', async () => {
    const warnings = await queryWarnings(get().db, { department, asOf: '2023-06-30' });
    const rows = Object.fromEntries(warnings.rows.map((r) => [r.key, r]));
    expect(rows[support]).toMatchObject({ progress: '0.0000', expected: '0.0000', flagged: false, plan: 'own' });
    expect(rows[investment]).toMatchObject({ flagged: false, plan: 'own' });
    expect(rows[basic]).toMatchObject({ progress: '0.4800', plan: 'common', flagged: false });
    const card = await queryScorecard(get().db, { department, fiscalYear });
    const zsyz = card.projects.find((p) => p.project === '招商引资');
    expect(zsyz?.plan?.map((c) => [c.date, c.planned, c.progress, c.met])).toEqual([
      ['2023-03-31', '0.0000', '0.0000', true],
      ['2023-06-30', '0.0000', '0.0000', true],
      ['2023-10-31', '0.0000', '0.0000', true],
      ['2023-12-31', '1.0000', '0.8200', false],
    ]);
  });

  it('closes the year: the projects carry their available to new 上年结转 lines of 2024, the basic line lapses', async () => {
    const report = await queryYearEnd(get().db, { department, fiscalYear });
    expect(report).toMatchObject({ closed: true, yearClosedEventId: YEAR_CLOSED_EVENT_ID });
    const lines = Object.fromEntries(report.lines.map((l) => [l.lineId, [l.available, l.carriedForward, l.lapsed, l.toLineId]]));
    expect(lines).toEqual({
      [basic]: ['120000.00', '0.00', '120000.00', null],
      [support]: ['800000.00', '800000.00', '0.00', `${support}.cf2024`],
      [investment]: ['90000.00', '90000.00', '0.00', `${investment}.cf2024`],
    });
    expect(report.totals).toEqual({
      adjusted: '25500000.00',
      executed: '24490000.00',
      committed: '0.00',
      available: '1010000.00',
      carriedForward: '890000.00',
      lapsed: '120000.00',
    });
    for (const l of report.lines) {
      expect(fen(l.adjusted)).toBe(fen(l.executed) + fen(l.committed) + fen(l.available));
      expect(fen(l.available)).toBe(fen(l.carriedForward) + fen(l.lapsed));
    }
    expect(report.nextYear.fiscalYear).toBe(2024);
    expect(report.nextYear.totals).toEqual({ initial: '0.00', broughtForward: '890000.00', adjusted: '890000.00' });
    expect(report.nextYear.lines.map((l) => [l.lineId, l.fromLineIds, l.broughtForward])).toEqual([
      [`${support}.cf2024`, [support], '800000.00'],
      [`${investment}.cf2024`, [investment], '90000.00'],
    ]);
  });

  it('stores the derived events in the closing year stream, the line opened before the balance it receives', async () => {
    const rows = await get().db.query<{ event_id: string; type: string; data: Record<string, unknown> }>(
      `SELECT event_id, type, data FROM ledger_events WHERE event_id LIKE $1 ORDER BY position`,
      [`${YEAR_CLOSED_EVENT_ID}%`],
    );
    expect(rows.map((r) => [r.event_id, r.type])).toEqual([
      [YEAR_CLOSED_EVENT_ID, 'YearClosed'],
      [`${YEAR_CLOSED_EVENT_ID}:open:1`, 'BudgetLineOpened'],
      [`${YEAR_CLOSED_EVENT_ID}:cf:1`, 'BalanceCarriedForward'],
      [`${YEAR_CLOSED_EVENT_ID}:open:2`, 'BudgetLineOpened'],
      [`${YEAR_CLOSED_EVENT_ID}:cf:2`, 'BalanceCarriedForward'],
    ]);
    expect(rows[1]?.data).toMatchObject({ lineId: `${support}.cf2024`, fiscalYear: 2024, fundingSource: '上年结转', kind: 'project' });
  });

  it('the next year starts with the brought-forward amounts in its adjusted budget; the closed year keeps its figures', async () => {
    const next = await queryView(get().db, { department, asOf: '2024-01-01', fiscalYear: 2024 });
    expect(next.total).toMatchObject({ initial: '0.00', broughtForward: '890000.00', adjusted: '890000.00', available: '890000.00' });
    const closed = await queryView(get().db, { department, asOf: '2023-12-31', fiscalYear: 2023 });
    expect(closed.total).toMatchObject({
      adjusted: '25500000.00',
      executed: '24490000.00',
      committed: '0.00',
      carriedForward: '890000.00',
    });
  });

  it('posting the demo again stores nothing (the derived events are not given as input)', async () => {
    const again = await ledger.append(seed004Phases().flat());
    expect(again.appended).toBe(0);
    expect(again.rejected).toEqual([]);
  });

  it('rebuilds every projection from the log to the same year-end report', async () => {
    const before = await queryYearEnd(get().db, { department, fiscalYear });
    await rebuildProjections(get().db);
    const after = await queryYearEnd(get().db, { department, fiscalYear, knownAt: before.knownAt });
    expect(after).toEqual(before);
    expect((await ledger.store.verify()).ok).toBe(true);
  });
});
