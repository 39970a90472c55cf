import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { queryProgress, queryRatios, queryScorecard, queryTrace, queryView } from '@ledger/reporting';
import { testLedger, type TestLedger } from '../testing/test-ledger';
import { DEMO_DEPARTMENT, DEMO_YEAR, LATE_PAYMENT, seed002Phases } from './seed-002';

/**
 * Seed 002's published figures, reproduced from events through the real append path, then the
 * same after rebuilding every projection from the log alone.
 */
describeEachEngine('seed 002 department-year', (get) => {
  let ledger: TestLedger;
  const department = DEMO_DEPARTMENT;
  const fiscalYear = DEMO_YEAR;

  beforeAll(async () => {
    ledger = testLedger(get().db);
    for (const phase of seed002Phases()) {
      const summary = await ledger.append(phase, 100);
      expect(summary.rejected).toEqual([]);
    }
  });

  const yearEnd = () => queryView(get().db, { department, asOf: '2021-12-31' });

  it('reproduces the year-end totals: 年初 4,299.00万, 调整预算数 5,069.47万, 执行数 4,576.97万, 90.29%', async () => {
    const view = await yearEnd();
    expect(view.total).toEqual({
      initial: '42990000.00',
      adjustments: '7704650.12',
      transfersIn: '2265600.00',
      transfersOut: '2265600.00',
      adjusted: '50694650.12',
      executed: '45769713.94',
      committed: '0.00',
      broughtForward: '0.00',
      carriedForward: '0.00',
      available: '4924936.18',
      executionRate: '0.9029',
    });
  });

  it('reproduces the quarterly table, with Q1 reported at its close and restated after the correction', async () => {
    const progress = await queryProgress(get().db, { department, fiscalYear });
    expect(
      progress.quarters.map((q) => [q.period, q.executed, q.adjusted, q.progress, q.schedule, q.quarterRate, q.quarterScore, q.closed]),
    ).toEqual([
      ['Q1', '16121600.00', '49158900.00', '0.3279', '0.25', '1.3118', '1.00', true],
      ['Q2', '24066100.00', '49096300.00', '0.4902', '0.50', '0.9804', '0.98', true],
      ['Q3', '32824000.00', '50696300.00', '0.6475', '0.75', '0.8633', '0.86', true],
      ['Q4', '45769713.94', '50694650.12', '0.9029', '1.00', '0.9029', '0.90', true],
    ]);
    expect([progress.averageRate, progress.averageScore, progress.totalScore]).toEqual(['1.0146', '2.00', '5.74']);

    const q1 = progress.quarters[0]!;
    // The late payment (50,000.00) was recorded after the close: reported without it, restated with it.
    expect(q1.reported).toMatchObject({ executed: '16071600.00', adjusted: '49158900.00', progress: '0.3269', quarterRate: '1.3077' });
    expect(q1.restated).toEqual({
      executed: '16121600.00',
      adjusted: '49158900.00',
      committed: '0.00',
      progress: '0.3279',
      quarterRate: '1.3118',
    });
    expect(q1.difference).toEqual({
      executed: LATE_PAYMENT.amount,
      adjusted: '0.00',
      committed: '0.00',
      progress: '0.0010',
      quarterRate: '0.0041',
    });
    expect(progress.quarters[1]!.difference).toEqual({
      executed: '0.00',
      adjusted: '0.00',
      committed: '0.00',
      progress: '0.0000',
      quarterRate: '0.0000',
    });
  });

  it('shows at an instant before the correction what was reported then', async () => {
    const closeQ1 = (
      await get().db.query<{ recorded_at: Date }>("SELECT recorded_at FROM ledger_events WHERE event_id = 'MY2021-CLOSE-Q1'")
    )[0]!;
    const then = await queryView(get().db, { department, asOf: '2021-03-31', knownAt: closeQ1.recorded_at.toISOString() });
    const now = await queryView(get().db, { department, asOf: '2021-03-31' });
    expect([then.total.executed, now.total.executed]).toEqual(['16071600.00', '16121600.00']);
    const progressThen = await queryProgress(get().db, { department, fiscalYear, knownAt: closeQ1.recorded_at.toISOString() });
    expect(progressThen.quarters[0]).toMatchObject({ closed: true, progress: '0.3269' });
    expect(progressThen.quarters[1]).toMatchObject({ closed: false });
  });

  it('reproduces the ratios: 调整 770.47万 = 17.92%, 调剂 190.34万 = 3.75%, and fails the 10% check', async () => {
    const ratios = await queryRatios(get().db, { department, fiscalYear });
    expect(ratios).toMatchObject({
      asOf: '2021-12-31',
      initial: '42990000.00',
      adjusted: '50694650.12',
      adjustmentAmount: '7704650.12',
      adjustmentRatio: '0.1792',
      transferAmount: '1903400.00',
      routineTransferAmount: '362200.00',
      transferRatio: '0.0375',
      checks: [{ rule: 'adjustment-transfer-10pct', value: '0.2235', threshold: '0.10', passed: false, points: '0.00' }],
    });
  });

  it('recorded one alert, when the first Q1 追加 (6,530,790.00 = 15.19% of 年初) crossed the 10% threshold', async () => {
    const alerts = await get().db.query<{ event_id: string; data: Record<string, unknown> }>(
      "SELECT event_id, data FROM ledger_events WHERE type = 'ThresholdCrossed'",
    );
    expect(alerts).toEqual([
      {
        event_id: 'alert:adjustment-transfer-10pct:MY2021-ADJ-1',
        data: {
          department,
          fiscalYear,
          rule: 'adjustment-transfer-10pct',
          value: '0.1519',
          previousValue: '0.0000',
          threshold: '0.10',
          points: '0.48',
          initial: '42990000.00',
          adjustmentAmount: '6530790.00',
          transferAmount: '0.00',
          triggeredBy: 'MY2021-ADJ-1',
        },
      },
    ]);
  });

  it('reproduces the 评分表 items and the project self-evaluation rows', async () => {
    const card = await queryScorecard(get().db, { department, fiscalYear });
    const byItem = Object.fromEntries(card.items.map((i) => [i.item, [i.value, i.points]]));
    expect(byItem).toEqual({
      'procurement-execution-rate': ['0.7317', '0.73'],
      'three-costs-control-rate': ['0.9690', '2.00'],
      'daily-public-control-rate': ['0.9223', '2.00'],
      'budget-execution-rate': ['1.0146', '5.74'],
      'adjustment-transfer-compliance': ['0.2235', '0.00'],
    });
    const projects = Object.fromEntries(card.projects.map((p) => [p.project, [p.adjusted, p.executed, p.executionRate, p.points]]));
    expect(projects['国际经济合作']).toEqual(['6312000.00', '6080544.43', '0.96', '9.60']);
    expect(projects['经贸促进交流']).toEqual(['3300000.00', '2213252.00', '0.67', '6.70']);
    expect(projects['综合业务管理']).toEqual(['5500000.00', '5144275.41', '0.94', '9.40']);
  });

  it('groups by tag (a line under each of its tags) and by economic class', async () => {
    const view = await queryView(get().db, { department, asOf: '2021-12-31', groupBy: 'tag' });
    const byTag = Object.fromEntries(view.rows.map((r) => [r.key.tag ?? '(none)', [r.adjusted, r.executed, r.executionRate]]));
    expect(byTag['procurement']).toEqual(['1434000.00', '1049200.00', '0.7317']);
    expect(byTag['three-costs']).toEqual(['100000.00', '96900.00', '0.9690']);
    expect(byTag['daily-public']).toEqual(['2490700.00', '2297200.00', '0.9223']);
    const econ = await queryView(get().db, { department, asOf: '2021-12-31', groupBy: 'economicCode:3,kind' });
    expect(econ.rows.map((r) => r.key)).toContainEqual({ economicCode: '302', kind: 'basic' });
    const sum = econ.rows.reduce((s, r) => s + BigInt(r.executed.replace('.', '')), 0n);
    expect(sum).toBe(4576971394n);
  });

  it('traces a line: every event in log order with running totals that end at its figures', async () => {
    const trace = await queryTrace(get().db, { lineId: 'MY2021-P-JMCJ', asOf: '2021-12-31' });
    expect(trace.entries[0]).toMatchObject({
      type: 'BudgetLineOpened',
      eventId: 'MY2021-P-JMCJ-OPEN',
      metadata: { documentNo: '深财预〔2021〕1号' },
    });
    const reversal = trace.entries.find((e) => e.type === 'PaymentReversed')!;
    expect(reversal.delta.executed).toBe('-12000.00');
    expect(trace.totals).toEqual({
      initial: '3300000.00',
      adjusted: '3300000.00',
      executed: '2213252.00',
      committed: '0.00',
      broughtForward: '0.00',
      carriedForward: '0.00',
      available: '1086748.00',
    });
    expect(trace.entries.at(-1)!.running).toEqual({
      initial: '3300000.00',
      adjusted: '3300000.00',
      executed: '2213252.00',
      committed: '0.00',
      available: '1086748.00',
    });
  });

  it('appending the same events again stores nothing and changes no figure (idempotency)', async () => {
    const again = await ledger.append(seed002Phases().flat());
    expect(again.appended).toBe(0);
    expect(again.rejected).toEqual([]);
    expect((await yearEnd()).total.executed).toBe('45769713.94');
  });

  it('rebuilds every projection from the log alone to identical figures, twice', async () => {
    const { db } = get();
    const snapshot = async () => ({
      lines: await db.query('SELECT * FROM ledger_lines ORDER BY line_id'),
      movements: await db.query('SELECT * FROM ledger_movements ORDER BY line_id, position'),
      reversals: await db.query('SELECT * FROM ledger_reversals ORDER BY payment_event_id'),
      periods: await db.query('SELECT * FROM ledger_periods ORDER BY department, fiscal_year, quarter'),
      streamDays: await db.query('SELECT * FROM ledger_stream_days ORDER BY department, fiscal_year, day'),
      apart: await db.query('SELECT * FROM ledger_apart_movements ORDER BY department, fiscal_year, position, line_id'),
      // The rebuild drops the movements' indexes and constraints while it fills the table.
      indexes: await db.query(
        `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition, indisprimary, indisunique
           FROM pg_index WHERE indrelid = ANY ('{ledger_lines,ledger_movements,ledger_reversals,ledger_periods}'::regclass[])
          ORDER BY 1`,
      ),
      constraints: await db.query(
        `SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
          WHERE conrelid = 'ledger_movements'::regclass ORDER BY conname`,
      ),
    });
    const before = await snapshot();
    // The routine transfer (增人增资正常调剂) is kept apart.
    expect(before.apart).toEqual([expect.objectContaining({ late: false, routine_transfers_out_fen: 36220000n })]);
    expect(before.indexes.map((i) => (i as { name: string }).name)).toEqual(expect.arrayContaining(['ledger_movements_pkey']));
    const first = await rebuildProjections(db);
    expect(await snapshot()).toEqual(before);
    await rebuildProjections(db);
    expect(await snapshot()).toEqual(before);
    const [{ count }] = (await db.query<{ count: bigint }>('SELECT count(*) AS count FROM ledger_events')) as [{ count: bigint }];
    expect(BigInt(first.events)).toBe(count);
  });

  it('verifies the hash chain', async () => {
    const report = await ledger.store.verify();
    expect(report.ok).toBe(true);
  });
});
