import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { queryTrace, queryWarnings } from '@ledger/reporting';
import { testLedger } from '@ledger/ledger/testing/test-ledger';

/**
 * The plan of a line as of a date, known at an instant (decision 0014): the SpendingPlanSet with
 * the greatest (effectiveDate, position) among those dated by the date and recorded by the instant.
 */

const D = '丙局';
const ev = (eventId: string, type: string, effectiveDate: string, data: Record<string, unknown>) => ({
  eventId,
  type,
  effectiveDate,
  data,
});
const plan = (eventId: string, effectiveDate: string, checkpoints: { date: string; share: string }[]) =>
  ev(eventId, 'SpendingPlanSet', effectiveDate, { lineId: 'L', checkpoints });
const FIRST = [
  ev('L-open', 'BudgetLineOpened', '2021-01-01', { lineId: 'L', department: D, fiscalYear: 2021, kind: 'project', project: '乙' }),
  ev('L-init', 'InitialBudgetApproved', '2021-01-01', { lineId: 'L', amount: '1000.00' }),
  ev('M-open', 'BudgetLineOpened', '2021-01-01', { lineId: 'M', department: D, fiscalYear: 2021, kind: 'project', project: '乙' }),
  ev('M-init', 'InitialBudgetApproved', '2021-01-01', { lineId: 'M', amount: '3000.00' }),
  plan('plan-A', '2021-01-01', [
    { date: '2021-06-30', share: '0.5' },
    { date: '2021-12-31', share: '1' },
  ]),
  ev('L-pay', 'PaymentRecorded', '2021-03-01', { lineId: 'L', amount: '100.00' }),
];
// Recorded later, in force from 04-01 on.
const SECOND = [
  plan('plan-B', '2021-04-01', [
    { date: '2021-03-31', share: '0.1' },
    { date: '2021-12-31', share: '1' },
  ]),
];
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describeEachEngine('spending plans as of a date, known at an instant', (get) => {
  let between: string;
  beforeAll(async () => {
    const ledger = testLedger(get().db);
    expect((await ledger.append(FIRST)).rejected).toEqual([]);
    await pause();
    between = new Date().toISOString();
    await pause();
    expect((await ledger.append(SECOND)).rejected).toEqual([]);
  });

  const expected = async (asOf: string, knownAt?: string, by?: string) =>
    (await queryWarnings(get().db, { department: D, asOf, knownAt, by })).rows.map((r) => [r.key, r.plan, r.expected]);

  it('a line: the plan in force on the date, as known at the instant', async () => {
    // 03-31: plan B is not yet in force (dated 04-01): A, 0.5 × 90/181.
    expect(await expected('2021-03-31')).toEqual([
      ['L', 'own', '0.2486'],
      ['M', 'common', '0.2500'],
    ]);
    // 05-01: B, 0.1 + 0.9 × (121 − 90)/(365 − 90) = 0.20145…
    expect((await expected('2021-05-01'))[0]).toEqual(['L', 'own', '0.2015']);
    // Known before B was recorded: A, 0.5 × 121/181 = 0.33425…
    expect((await expected('2021-05-01', between))[0]).toEqual(['L', 'own', '0.3343']);
  });

  it('a project: its lines’ schedules weighted by their adjusted budgets', async () => {
    // 05-01: L (1000) on B 0.201454…, M (3000) on the common schedule 0.25 + 0.25 × 31/91 = 0.335164…
    expect(await expected('2021-05-01', undefined, 'project')).toEqual([['乙', 'own', '0.3017']]);
  });

  it('trace lists the plans dated by the date and recorded by the instant', async () => {
    const plans = async (asOf: string, knownAt?: string) =>
      (await queryTrace(get().db, { lineId: 'L', asOf, knownAt })).plans.map((p) => p.eventId);
    expect(await plans('2021-05-01')).toEqual(['plan-A', 'plan-B']);
    expect(await plans('2021-03-31')).toEqual(['plan-A']);
    expect(await plans('2021-05-01', between)).toEqual(['plan-A']);
  });
});
