import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { queryProgress, queryScorecard, queryTrace, queryView, queryWarnings, queryYearEnd } from '@ledger/reporting';
import { testLedger } from '@ledger/ledger/testing/test-ledger';
import { parseYuan } from '@ledger/domain';
import type { YearEndResult } from './year-end';

/**
 * Decision 0014's figures through the reports, on appended events: commitments, their release and
 * consumption, a spending plan, the year closed and its balances carried to the next year.
 */

const D = '甲局';
const ev = (eventId: string, type: string, effectiveDate: string, data: Record<string, unknown>) => ({
  eventId,
  type,
  effectiveDate,
  data,
});
const open = (lineId: string, kind: 'basic' | 'project', extra: Record<string, unknown> = {}) =>
  ev(`${lineId}-open`, 'BudgetLineOpened', '2021-01-01', {
    lineId,
    department: D,
    fiscalYear: 2021,
    kind,
    name: `${lineId} 名称`,
    unit: '本级',
    functionCode: '2011301',
    economicCode: '30201',
    ...extra,
  });
const init = (lineId: string, amount: string) => ev(`${lineId}-init`, 'InitialBudgetApproved', '2021-01-01', { lineId, amount });
const closeQuarter = (q: number, date: string) =>
  ev(`close-q${q}`, 'PeriodClosed', date, { department: D, fiscalYear: 2021, period: `Q${q}` });

const OPENING = [
  open('B', 'basic'),
  init('B', '100.00'),
  open('P', 'project', { project: '招商' }),
  init('P', '1000.00'),
  open('P2', 'project', { project: '招商', functionCode: '2011308' }),
  init('P2', '200.00'),
  ev('P-plan', 'SpendingPlanSet', '2021-01-01', {
    lineId: 'P',
    checkpoints: [
      { date: '2021-06-30', share: '0.5' },
      { date: '2021-12-31', share: '1' },
    ],
  }),
  ev('C1', 'CommitmentMade', '2021-03-01', { lineId: 'P', amount: '400.00', reference: 'HT-1' }),
];
const LATER = [
  ev('p1', 'PaymentRecorded', '2021-04-01', { lineId: 'P', amount: '150.00', commitmentEventId: 'C1' }),
  ev('r1', 'CommitmentReleased', '2021-05-01', { commitmentEventId: 'C1', amount: '50.00' }),
  ev('b1', 'PaymentRecorded', '2021-05-01', { lineId: 'B', amount: '30.00' }),
  ev('q1', 'PaymentRecorded', '2021-05-02', { lineId: 'P2', amount: '20.00' }),
  closeQuarter(1, '2021-03-31'),
  closeQuarter(2, '2021-06-30'),
  closeQuarter(3, '2021-09-30'),
  closeQuarter(4, '2021-12-31'),
];
const CLOSE = ev('Y2021', 'YearClosed', '2021-12-31', { department: D, fiscalYear: 2021 });

const fen = (yuan: string) => parseYuan(yuan) as bigint;

/** Decision 0014's year-end identities, line by line and in total. */
function reconciles(r: YearEndResult): void {
  for (const l of [...r.lines, r.totals]) {
    expect(fen(l.adjusted)).toBe(fen(l.executed) + fen(l.committed) + fen(l.available));
    expect(fen(l.available)).toBe(fen(l.carriedForward) + fen(l.lapsed));
  }
  for (const l of r.lines) expect(l.kind === 'project' ? l.carriedForward : l.lapsed).toBe(l.available);
  expect(r.nextYear.totals.broughtForward).toBe(r.totals.carriedForward);
}

const clock = () => new Date('2022-01-15T02:00:00Z');
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describeEachEngine('decision 0014 figures in the reports', (get) => {
  let beforeC: string;
  let afterC: string;
  beforeAll(async () => {
    const ledger = testLedger(get().db, { clock });
    expect((await ledger.append(OPENING.slice(0, -1))).rejected).toEqual([]);
    await pause();
    beforeC = new Date().toISOString();
    await pause();
    expect((await ledger.append([OPENING.at(-1), ...LATER])).rejected).toEqual([]);
    await pause();
    afterC = new Date().toISOString();
  });

  it('view: committed beside the other figures, available = adjusted − executed − committed', async () => {
    const view = await queryView(get().db, { department: D, asOf: '2021-12-31', groupBy: 'line' });
    const p = view.rows.find((r) => r.key.line === 'P');
    expect(p).toMatchObject({ adjusted: '1000.00', executed: '150.00', committed: '200.00', available: '650.00', broughtForward: '0.00' });
    expect(view.total).toMatchObject({ adjusted: '1300.00', executed: '200.00', committed: '200.00', available: '900.00' });
    // As of a date before the payment and the release: the whole commitment is committed.
    const march = await queryView(get().db, { department: D, asOf: '2021-03-15', groupBy: 'line' });
    expect(march.rows.find((r) => r.key.line === 'P')).toMatchObject({ committed: '400.00', available: '600.00' });
    // Known at an instant before the commitment was recorded: none.
    const before = await queryView(get().db, { department: D, asOf: '2021-12-31', knownAt: beforeC });
    expect(before.total).toMatchObject({ committed: '0.00', executed: '0.00', available: '1300.00' });
  });

  it('trace: deltas and running committed, the commitments and the plans as of the date and instant', async () => {
    const trace = await queryTrace(get().db, { lineId: 'P', asOf: '2021-12-31' });
    const byId = new Map(trace.entries.map((e) => [e.eventId, e]));
    expect(byId.get('C1')?.delta.committed).toBe('400.00');
    expect(byId.get('p1')).toMatchObject({
      commitmentEventId: 'C1',
      delta: { executed: '150.00', committed: '-150.00' },
      running: { committed: '250.00', executed: '150.00', available: '600.00' },
    });
    expect(byId.get('r1')).toMatchObject({ commitmentEventId: 'C1', delta: { committed: '-50.00' }, running: { available: '650.00' } });
    expect(trace.totals).toMatchObject({ adjusted: '1000.00', executed: '150.00', committed: '200.00', available: '650.00' });
    expect(trace.commitments).toEqual([
      {
        eventId: 'C1',
        reference: 'HT-1',
        effectiveDate: '2021-03-01',
        amount: '400.00',
        released: '50.00',
        consumed: '150.00',
        left: '200.00',
      },
    ]);
    expect(trace.plans.map((p) => [p.eventId, p.effectiveDate, p.checkpoints])).toEqual([
      [
        'P-plan',
        '2021-01-01',
        [
          { date: '2021-06-30', share: '0.5000' },
          { date: '2021-12-31', share: '1.0000' },
        ],
      ],
    ]);
    const april = await queryTrace(get().db, { lineId: 'P', asOf: '2021-04-15' });
    expect(april.commitments[0]).toMatchObject({ released: '0.00', consumed: '150.00', left: '250.00' });
    const known = await queryTrace(get().db, { lineId: 'P', asOf: '2021-12-31', knownAt: beforeC });
    expect([known.commitments, known.totals.committed, known.plans.length]).toEqual([[], '0.00', 1]);
    // Paged: the running totals continue across pages.
    const first = await queryTrace(get().db, { lineId: 'P', asOf: '2021-12-31', limit: 3 });
    const second = await queryTrace(get().db, { lineId: 'P', asOf: '2021-12-31', limit: 3, after: first.nextAfter ?? undefined });
    expect([...first.entries, ...second.entries].map((e) => e.running)).toEqual(trace.entries.slice(0, 6).map((e) => e.running));
  });

  it('progress: each quarter, reported and restated, gains committed', async () => {
    const progress = await queryProgress(get().db, { department: D, fiscalYear: 2021, knownAt: afterC });
    expect(progress.quarters.map((q) => q.committed)).toEqual(['400.00', '200.00', '200.00', '200.00']);
    expect(progress.quarters[0]?.reported?.committed).toBe('400.00');
    expect(progress.quarters[1]?.restated?.committed).toBe('200.00');
    expect(progress.quarters[1]?.difference?.committed).toBe('0.00');
  });

  it('warnings: a line with a plan against its plan, a project against its lines’ adjusted-weighted plans', async () => {
    const lines = await queryWarnings(get().db, { department: D, asOf: '2021-06-30', knownAt: afterC });
    const row = (key: string) => lines.rows.find((r) => r.key === key);
    // P's plan: 0.5 due at 06-30; B and P2 on the common schedule (0.50 too at 06-30).
    expect([row('P')?.plan, row('P')?.expected, row('B')?.plan]).toEqual(['own', '0.5000', 'common']);
    const march = await queryWarnings(get().db, { department: D, asOf: '2021-03-31', knownAt: afterC });
    // P: 0.5 × 89/180 days… linear from 0 at the start of the year to 0.5 at the end of 06-30 (day 181).
    expect(march.rows.find((r) => r.key === 'P')?.expected).toBe('0.2486');
    expect(march.rows.find((r) => r.key === 'B')?.expected).toBe('0.2500');
    const projects = await queryWarnings(get().db, { department: D, asOf: '2021-03-31', knownAt: afterC, by: 'project' });
    // 招商: P (1000, 0.248618…) and P2 (200, 0.25): (1000 × 0.2486188 + 200 × 0.25) ÷ 1200.
    expect(projects.rows).toEqual([expect.objectContaining({ key: '招商', plan: 'own', expected: '0.2488' })]);
  });

  it('scorecard: a project with a plan shows its progress at each checkpoint', async () => {
    const card = await queryScorecard(get().db, { department: D, fiscalYear: 2021, knownAt: afterC });
    expect(card.projects.find((p) => p.project === '招商')?.plan).toEqual([
      { date: '2021-06-30', planned: '0.5000', progress: '0.1417', met: false },
      { date: '2021-12-31', planned: '1.0000', progress: '0.1417', met: false },
    ]);
  });

  it('year-end, open: what closing now would carry and let lapse; closed: what it did, the next year receiving it', async () => {
    const open = await queryYearEnd(get().db, { department: D, fiscalYear: 2021 });
    expect([open.closed, open.closedAt, open.yearClosedEventId]).toEqual([false, null, null]);
    expect(open.lines.map((l) => [l.lineId, l.available, l.carriedForward, l.lapsed, l.toLineId])).toEqual([
      ['B', '70.00', '0.00', '70.00', null],
      ['P', '650.00', '650.00', '0.00', 'P.cf2022'],
      ['P2', '180.00', '180.00', '0.00', 'P2.cf2022'],
    ]);
    expect(open.totals).toEqual({
      adjusted: '1300.00',
      executed: '200.00',
      committed: '200.00',
      available: '900.00',
      carriedForward: '830.00',
      lapsed: '70.00',
    });
    reconciles(open);
    const viewBefore = await queryView(get().db, { department: D, asOf: '2021-12-31', groupBy: 'line' });
    const ledger = testLedger(get().db, { clock });
    expect((await ledger.append([CLOSE])).rejected).toEqual([]);
    // The closed year's other figures do not change.
    const viewAfter = await queryView(get().db, { department: D, asOf: '2021-12-31', groupBy: 'line' });
    expect(viewAfter.rows.map(({ carriedForward: _, ...r }) => r)).toEqual(viewBefore.rows.map(({ carriedForward: _, ...r }) => r));
    const closed = await queryYearEnd(get().db, { department: D, fiscalYear: 2021 });
    expect([closed.closed, closed.yearClosedEventId]).toEqual([true, 'Y2021']);
    reconciles(closed);
    expect(closed.lines).toEqual(open.lines);
    expect(closed.totals).toEqual(open.totals);
    expect(closed.nextYear).toEqual(open.nextYear);
    expect(closed.nextYear).toEqual({
      fiscalYear: 2022,
      lines: [
        {
          lineId: 'P.cf2022',
          name: 'P 名称',
          project: '招商',
          fromLineIds: ['P'],
          initial: '0.00',
          broughtForward: '650.00',
          adjusted: '650.00',
        },
        {
          lineId: 'P2.cf2022',
          name: 'P2 名称',
          project: '招商',
          fromLineIds: ['P2'],
          initial: '0.00',
          broughtForward: '180.00',
          adjusted: '180.00',
        },
      ],
      totals: { initial: '0.00', broughtForward: '830.00', adjusted: '830.00' },
    });
    // Known at an instant before the closing: open again.
    expect(await queryYearEnd(get().db, { department: D, fiscalYear: 2021, knownAt: afterC })).toMatchObject({ closed: false });
    // The next year's view starts with the brought-forward amounts in adjusted.
    const next = await queryView(get().db, { department: D, asOf: '2022-01-01', groupBy: 'line' });
    expect(next.total).toMatchObject({ broughtForward: '830.00', adjusted: '830.00', available: '830.00' });
    const year = await queryView(get().db, { department: D, asOf: '2021-12-31', groupBy: 'line' });
    expect(year.rows.find((r) => r.key.line === 'P')).toMatchObject({ carriedForward: '650.00', available: '650.00' });
  });
});
