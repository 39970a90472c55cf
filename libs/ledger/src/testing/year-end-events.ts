/**
 * Raw events of decision 0014 for the write side's specs: department D9 in 2021 with a plan,
 * commitments (one consumed in full by two payments, one partly released), a project line whose
 * 2022 上年结转 line exists (P2 → N2) and one whose line the close must open (P), a basic line
 * whose balance lapses, its four quarters closed; department D8 with one project line whose next
 * year has no line at all. Nothing is dated later than 2022-01-02.
 */
export const line = (lineId: string, department: string, fiscalYear: number, kind: string, extra: Record<string, unknown> = {}) => ({
  eventId: `${lineId}-open`,
  type: 'BudgetLineOpened',
  effectiveDate: `${fiscalYear}-01-01`,
  data: { lineId, department, fiscalYear, kind, ...extra },
});

export const init = (lineId: string, amount: string, fiscalYear = 2021) => ({
  eventId: `${lineId}-init`,
  type: 'InitialBudgetApproved',
  effectiveDate: `${fiscalYear}-01-01`,
  data: { lineId, amount },
});

export const commit = (eventId: string, lineId: string, amount: string, effectiveDate = '2021-02-01') => ({
  eventId,
  type: 'CommitmentMade',
  effectiveDate,
  data: { lineId, amount, reference: `合同-${eventId}` },
});

export const release = (eventId: string, commitmentEventId: string, amount: string, effectiveDate = '2021-05-01') => ({
  eventId,
  type: 'CommitmentReleased',
  effectiveDate,
  data: { commitmentEventId, amount },
});

export const payAgainst = (eventId: string, lineId: string, amount: string, commitmentEventId?: string, effectiveDate = '2021-03-01') => ({
  eventId,
  type: 'PaymentRecorded',
  effectiveDate,
  data: { lineId, amount, ...(commitmentEventId === undefined ? {} : { commitmentEventId }) },
});

export const closeQuarter = (department: string, fiscalYear: number, quarter: 1 | 2 | 3 | 4) => ({
  eventId: `close-${department}-${fiscalYear}-Q${quarter}`,
  type: 'PeriodClosed',
  effectiveDate: `${fiscalYear}-${['03-31', '06-30', '09-30', '12-31'][quarter - 1] as string}`,
  data: { department, fiscalYear, period: `Q${quarter}` },
});

export const closeYear = (eventId: string, department: string, fiscalYear: number) => ({
  eventId,
  type: 'YearClosed',
  effectiveDate: `${fiscalYear}-12-31`,
  data: { department, fiscalYear },
});

const PROJECT = { unit: 'Unit9', project: 'PRJ-A', functionCode: '2010101', economicCode: '30201' };
const PROJECT_2 = { unit: 'Unit9', project: 'PRJ-B', functionCode: '2010101' };

/** The year 2021 of departments D9 and D8, up to (not including) the YearClosed. */
export function yearBeforeClose(): unknown[] {
  return [
    line('P', 'D9', 2021, 'project', { name: '项目甲', ...PROJECT, tags: ['procurement'] }),
    line('P2', 'D9', 2021, 'project', { name: '项目乙', ...PROJECT_2 }),
    line('B', 'D9', 2021, 'basic', { name: '基本' }),
    line('N2', 'D9', 2022, 'project', { name: '项目乙结转', ...PROJECT_2, fundingSource: '上年结转' }),
    line('E', 'D8', 2021, 'project', { name: '项目D8', project: 'PRJ-E' }),
    init('P', '1000.00'),
    init('P2', '300.00'),
    init('B', '500.00'),
    init('E', '80.00'),
    init('N2', '20.00', 2022),
    {
      eventId: 'plan-P',
      type: 'SpendingPlanSet',
      effectiveDate: '2021-01-15',
      data: {
        lineId: 'P',
        checkpoints: [
          { date: '2021-06-30', share: '0.4' },
          { date: '2021-12-31', share: '1' },
        ],
      },
    },
    commit('com-1', 'P', '400.00'),
    payAgainst('pay-c1', 'P', '100.00', 'com-1'),
    // Consumes the 300.00 left of com-1; its other 50.00 is checked against available.
    payAgainst('pay-c2', 'P', '350.00', 'com-1', '2021-04-01'),
    commit('com-2', 'P', '100.00', '2021-04-02'),
    release('rel-2', 'com-2', '40.00'),
    payAgainst('pay-b', 'B', '200.00'),
    payAgainst('pay-e', 'E', '30.00'),
    ...[1, 2, 3, 4].flatMap((q) => [closeQuarter('D9', 2021, q as 1), closeQuarter('D8', 2021, q as 1)]),
  ];
}

/** P's figures before the close: adjusted 1000.00, executed 450.00, committed 60.00 (com-2's rest), available 490.00. */
export const P_AVAILABLE = '490.00';
