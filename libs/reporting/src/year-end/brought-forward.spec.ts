import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { linesAsOf, queryView, queryYearEnd } from '@ledger/reporting';
import { testLedger } from '@ledger/ledger/testing/test-ledger';

/**
 * 上年结转 on a next-year line that already had a history of its own when the year was closed: the
 * carried balance, dated on the closed year's last day and recorded after the next year's later
 * days, counts in the next year's figures on every date, and not known before the closing.
 */

const D = '丁局';
const ev = (eventId: string, type: string, effectiveDate: string, data: Record<string, unknown>) => ({
  eventId,
  type,
  effectiveDate,
  data,
});
const open = (lineId: string, fiscalYear: number, kind: string, extra: Record<string, unknown> = {}) =>
  ev(`${lineId}-open`, 'BudgetLineOpened', `${fiscalYear}-01-01`, { lineId, department: D, fiscalYear, kind, unit: '本级', ...extra });
const close = (q: number, date: string) => ev(`close-${q}`, 'PeriodClosed', date, { department: D, fiscalYear: 2021, period: `Q${q}` });

const YEAR_2021 = [
  open('P', 2021, 'project', { project: '会展' }),
  ev('P-init', 'InitialBudgetApproved', '2021-01-01', { lineId: 'P', amount: '500.00' }),
  ev('P-pay', 'PaymentRecorded', '2021-11-01', { lineId: 'P', amount: '120.00' }),
  close(1, '2021-03-31'),
  close(2, '2021-06-30'),
  close(3, '2021-09-30'),
  close(4, '2021-12-31'),
];
const YEAR_2022 = [
  open('T', 2022, 'project', { project: '会展', fundingSource: '上年结转' }),
  open('N', 2022, 'basic'),
  ev('N-init', 'InitialBudgetApproved', '2022-01-01', { lineId: 'N', amount: '100.00' }),
  ev('N-pay', 'PaymentRecorded', '2022-01-20', { lineId: 'N', amount: '10.00' }),
];
const CLOSE = ev('Y-2021', 'YearClosed', '2021-12-31', { department: D, fiscalYear: 2021 });
const AFTER = [ev('T-pay', 'PaymentRecorded', '2022-02-01', { lineId: 'T', amount: '80.00' })];
const clock = () => new Date('2022-02-15T00:00:00Z');
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describeEachEngine('上年结转 in the next year’s figures', (get) => {
  let beforeClosing: string;
  beforeAll(async () => {
    const ledger = testLedger(get().db, { clock });
    expect((await ledger.append([...YEAR_2021, ...YEAR_2022])).rejected).toEqual([]);
    await pause();
    beforeClosing = new Date().toISOString();
    await pause();
    expect((await ledger.append([CLOSE])).rejected).toEqual([]);
    expect((await ledger.append(AFTER)).rejected).toEqual([]);
  });

  it('counts the carried balance on every date of the next year, known from the closing on', async () => {
    const t = async (asOf: string, knownAt?: string) =>
      (await queryView(get().db, { department: D, asOf, knownAt, groupBy: 'line' })).rows.find((r) => r.key.line === 'T');
    for (const asOf of ['2022-01-01', '2022-01-10', '2022-01-20', '2022-01-31']) {
      expect([asOf, await t(asOf)]).toEqual([
        asOf,
        expect.objectContaining({ broughtForward: '380.00', adjusted: '380.00', available: '380.00' }),
      ]);
    }
    expect(await t('2022-02-01')).toMatchObject({ broughtForward: '380.00', executed: '80.00', available: '300.00' });
    expect(await t('2022-01-31', beforeClosing)).toMatchObject({ broughtForward: '0.00', adjusted: '0.00' });
  });

  it('agrees with the plain sum of the movements by date and instant', async () => {
    for (const asOf of ['2021-12-31', '2022-01-01', '2022-01-19', '2022-01-20', '2022-02-01']) {
      for (const knownAt of [beforeClosing, 'infinity']) {
        const [line] = await linesAsOf(get().db, { department: D, fiscalYear: 2022, asOf, knownAtSql: knownAt }, { lineId: 'T' });
        const [plain] = await get().db.query<{ brought: bigint; executed: bigint }>(
          `SELECT COALESCE(sum(brought_forward_fen), 0)::bigint AS brought, COALESCE(sum(executed_fen), 0)::bigint AS executed
           FROM ledger_movements WHERE line_id = 'T' AND effective_date <= $1::date AND recorded_at <= $2::timestamptz`,
          [asOf, knownAt],
        );
        expect([asOf, knownAt, BigInt(line!.broughtForwardFen), BigInt(line!.executedFen)]).toEqual([
          asOf,
          knownAt,
          BigInt(plain!.brought),
          BigInt(plain!.executed),
        ]);
      }
    }
  });

  it('the year-end names the existing line that received it, and its figures there', async () => {
    const report = await queryYearEnd(get().db, { department: D, fiscalYear: 2021 });
    expect(report.lines).toEqual([expect.objectContaining({ lineId: 'P', available: '380.00', carriedForward: '380.00', toLineId: 'T' })]);
    expect(report.nextYear.lines).toEqual([
      { lineId: 'T', name: null, project: '会展', fromLineIds: ['P'], initial: '0.00', broughtForward: '380.00', adjusted: '380.00' },
    ]);
    const open = await queryYearEnd(get().db, { department: D, fiscalYear: 2021, knownAt: beforeClosing });
    expect([open.closed, open.lines[0]?.toLineId, open.nextYear]).toEqual([false, 'T', report.nextYear]);
  });
});
