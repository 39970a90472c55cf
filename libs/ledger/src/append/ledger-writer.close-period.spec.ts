import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rawOpen as open } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';

let closes = 0;
const close = (department: string, fiscalYear: number, period: string, end: string) => ({
  eventId: `close-${(closes += 1)}`,
  type: 'PeriodClosed',
  effectiveDate: `${fiscalYear}-${end}`,
  data: { department, fiscalYear, period },
});

// Issue 10, defect 5: a typo in close-period (a department or year with no lines, a quarter not
// yet ended) was accepted, after which the real department's payments were refused.
describeEachEngine('closing a quarter through the writer', (get) => {
  it('refuses a department-year with no lines and a quarter not ended by the ledger’s clock; closes an ended one', async () => {
    const ledger = testLedger(get().db, { clock: () => new Date('2021-06-30T15:59:00Z') }); // 23:59 in Shanghai
    await ledger.append([open('C1', '戊')]);
    const summary = await ledger.append([
      close('不存在', 2021, 'Q1', '03-31'),
      close('戊', 2099, 'Q1', '03-31'),
      close('戊', 2021, 'Q1', '03-31'),
      close('戊', 2021, 'Q2', '06-30'),
    ]);
    expect([summary.appended, summary.rejected.map((r) => [r.line, r.code])]).toEqual([
      1,
      [
        [1, 'DEPARTMENT_YEAR_NOT_FOUND'],
        [2, 'DEPARTMENT_YEAR_NOT_FOUND'],
        [4, 'PERIOD_NOT_ENDED'],
      ],
    ]);
    const later = testLedger(get().db, { clock: () => new Date('2021-06-30T16:00:00Z') }); // July 1st in Shanghai
    expect((await later.append([close('戊', 2021, 'Q2', '06-30')])).appended).toBe(1);
  });
});
