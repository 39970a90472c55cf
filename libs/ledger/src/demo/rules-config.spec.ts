import type { ScoringConfig } from '@ledger/domain';
import { DEFAULT_SCORING_CONFIG } from '@ledger/domain';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { queryProgress, queryRatios, queryWarnings, type LedgerRules } from '@ledger/reporting';
import { testLedger } from '../testing/test-ledger';
import { SEED_004_CHECKPOINTS } from '@ledger/domain/testing/seed-004';

/**
 * Rules are configuration versioned by fiscal year: a jurisdiction that checks spending at
 * 3月底/6月底/10月底/12月底 (seed 004) with its own 序时进度, and a looser adjustment threshold
 * from 2022 on, through the real append path and queries.
 */
const scoring2022: ScoringConfig = [
  ...DEFAULT_SCORING_CONFIG,
  {
    ...(DEFAULT_SCORING_CONFIG[0] as ScoringConfig[number]),
    fromYear: 2022,
    adjustmentTransfer: {
      ...(DEFAULT_SCORING_CONFIG[0] as ScoringConfig[number]).adjustmentTransfer,
      threshold: '0.20',
      stepPoints: '0.05',
    },
  },
];
const rules: LedgerRules = {
  schedule: [
    {
      fromYear: 2022,
      checkpoints: SEED_004_CHECKPOINTS,
    },
    {
      fromYear: 1900,
      checkpoints: [
        { period: 'Q1', monthDay: '03-31', schedule: '0.25' },
        { period: 'Q2', monthDay: '06-30', schedule: '0.50' },
        { period: 'Q3', monthDay: '09-30', schedule: '0.75' },
        { period: 'Q4', monthDay: '12-31', schedule: '1.00' },
      ],
    },
  ],
  scoring: scoring2022,
};

const open = (lineId: string, year: number, project?: string) => ({
  eventId: `${lineId}-open`,
  type: 'BudgetLineOpened',
  effectiveDate: `${year}-01-01`,
  data: { lineId, department: 'D', fiscalYear: year, kind: project ? 'project' : 'basic', ...(project ? { project } : {}) },
});
const init = (lineId: string, year: number, amount: string) => ({
  eventId: `${lineId}-init`,
  type: 'InitialBudgetApproved',
  effectiveDate: `${year}-01-01`,
  data: { lineId, amount },
});
const adjust = (eventId: string, lineId: string, date: string, amount: string) => ({
  eventId,
  type: 'BudgetAdjusted',
  effectiveDate: date,
  data: { lineId, amount },
});
const pay = (eventId: string, lineId: string, date: string, amount: string) => ({
  eventId,
  type: 'PaymentRecorded',
  effectiveDate: date,
  data: { lineId, amount },
});

describeEachEngine('rules configured by fiscal year', (get) => {
  beforeAll(async () => {
    const ledger = testLedger(get().db, { rules });
    const summary = await ledger.append([
      open('A21', 2021),
      init('A21', 2021, '1000.00'),
      open('A22', 2022, '展会'),
      init('A22', 2022, '1000.00'),
      open('B22', 2022, '调研'),
      init('B22', 2022, '1000.00'),
      pay('p1', 'A22', '2022-03-20', '200.00'),
      pay('p2', 'A22', '2022-06-20', '250.00'),
      pay('p3', 'A22', '2022-10-20', '350.00'),
      pay('p4', 'A22', '2022-12-20', '200.00'),
      // 15% in 2021 crosses the default 10% threshold; 15% of the department in 2022 does not cross 20%.
      adjust('a21', 'A21', '2021-05-01', '150.00'),
      adjust('a22', 'A22', '2022-05-01', '300.00'),
    ]);
    expect(summary.rejected).toEqual([]);
  });

  it('uses the 2022 checkpoints (3月底/6月底/10月底/12月底) and their 序时进度', async () => {
    const progress = await queryProgress(get().db, { department: 'D', fiscalYear: 2022 }, rules);
    expect(progress.quarters.map((q) => [q.period, q.date, q.executed, q.schedule, q.quarterRate])).toEqual([
      ['3月底', '2022-03-31', '200.00', '0.20', '0.5000'],
      // From 05-01 the department's adjusted is 2,300.00: 450 ÷ (2,300 × 0.45).
      ['6月底', '2022-06-30', '450.00', '0.45', '0.4348'],
      ['10月底', '2022-10-31', '800.00', '0.80', '0.4348'],
      ['12月底', '2022-12-31', '1000.00', '1.00', '0.4348'],
    ]);
    const before = await queryProgress(get().db, { department: 'D', fiscalYear: 2021 }, rules);
    expect(before.quarters.map((q) => q.period)).toEqual(['Q1', 'Q2', 'Q3', 'Q4']);
  });

  it('checks 2022 against its own threshold and step, and 2021 against the default', async () => {
    const r2022 = await queryRatios(get().db, { department: 'D', fiscalYear: 2022 }, rules);
    expect(r2022.checks).toEqual([{ rule: 'adjustment-transfer-10pct', value: '0.1500', threshold: '0.20', passed: true, points: '1.00' }]);
    const r2021 = await queryRatios(get().db, { department: 'D', fiscalYear: 2021 }, rules);
    expect(r2021.checks).toEqual([
      { rule: 'adjustment-transfer-10pct', value: '0.1500', threshold: '0.10', passed: false, points: '0.50' },
    ]);
  });

  it('raises an alert only where the year’s own threshold is crossed', async () => {
    const alerts = await get().db.query<{ event_id: string }>(
      "SELECT event_id FROM ledger_events WHERE type = 'ThresholdCrossed' ORDER BY event_id",
    );
    expect(alerts.map((a) => a.event_id)).toEqual(['alert:adjustment-transfer-10pct:a21']);
  });

  it('warns of projects lagging the interpolated 序时进度 by more than the margin', async () => {
    const report = await queryWarnings(get().db, { department: 'D', asOf: '2022-06-30', by: 'project', margin: '0.05' }, rules);
    expect(report.rows.map((r) => [r.key, r.progress, r.expected, r.flagged])).toEqual([
      ['展会', '0.3462', '0.4500', true],
      ['调研', '0.0000', '0.4500', true],
    ]);
    expect(report.flagged).toEqual(['展会', '调研']);
    const loose = await queryWarnings(get().db, { department: 'D', asOf: '2022-06-30', by: 'project', margin: '0.50' }, rules);
    expect(loose.flagged).toEqual([]);
  });
});
