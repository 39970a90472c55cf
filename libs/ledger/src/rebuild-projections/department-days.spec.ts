import { loadMigrations, splitStatements } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { rawInit, rawOpen, rawPay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';

/**
 * ledger_department_days (migration 0018) is written three ways — by every append, by the
 * migration's backfill of a ledger that already has movements, and by a rebuild — and all three
 * must give the same rows: each department-year's sums of the movements dated on each day.
 */
describeEachEngine('department days: append, the migration backfill and rebuild agree', (get) => {
  const days = () => get().db.query('SELECT * FROM ledger_department_days ORDER BY department, fiscal_year, day');

  it('in several batches, with back-dated payments, a reversal and a routine transfer', async () => {
    const ledger = testLedger(get().db);
    const batches = [
      [
        rawOpen('L1', 'D1'),
        rawInit('L1', '5000.00'),
        rawOpen('L2', 'D1'),
        rawInit('L2', '800.00'),
        rawOpen('M1', 'D2'),
        rawInit('M1', '90.00'),
      ],
      [
        rawPay('pay-1', 'L1', '30.04'),
        { eventId: 'pay-2', type: 'PaymentRecorded', effectiveDate: '2021-05-20', data: { lineId: 'L2', amount: '20.00' } },
        { eventId: 'pay-m', type: 'PaymentRecorded', effectiveDate: '2021-05-20', data: { lineId: 'M1', amount: '9.00' } },
      ],
      [
        {
          eventId: 'tr-1',
          type: 'BudgetTransferred',
          effectiveDate: '2021-06-02',
          data: { fromLineId: 'L1', toLineId: 'L2', amount: '50.00', routine: true },
        },
        // Back-dated: its day is before the department-year's latest, and gets a row of its own.
        { eventId: 'pay-back', type: 'PaymentRecorded', effectiveDate: '2021-02-01', data: { lineId: 'L1', amount: '7.00' } },
        // The same day as a stored row: added to it.
        { eventId: 'pay-same', type: 'PaymentRecorded', effectiveDate: '2021-05-20', data: { lineId: 'L1', amount: '1.50' } },
        { eventId: 'rev-1', type: 'PaymentReversed', effectiveDate: '2021-06-05', data: { paymentEventId: 'pay-2', amount: '5.00' } },
      ],
    ];
    for (const batch of batches) expect((await ledger.append(batch)).rejected).toEqual([]);
    const appended = await days();
    const d1 = appended.filter((r) => r.department === 'D1');
    expect(d1.map((r) => [r.day, r.executed_fen])).toEqual(
      expect.arrayContaining([
        ['2021-02-01', 700n],
        ['2021-05-20', 2150n],
        ['2021-06-05', -500n],
      ]),
    );
    expect(d1.find((r) => r.routine_transfers_out_fen !== 0n)?.routine_transfers_out_fen).toBe(5000n);

    // The migration's backfill, run again over the movements the appends projected.
    const backfill = splitStatements(loadMigrations().find((m) => m.name.startsWith('0018_'))?.sql ?? '').filter((s) =>
      /^\s*(--[^\n]*\n\s*)*INSERT/i.test(s),
    );
    expect(backfill).toHaveLength(1);
    await get().db.transaction(async (tx) => {
      await tx.query('TRUNCATE ledger_department_days');
      await tx.query(backfill[0] as string);
    });
    expect(await days()).toEqual(appended);

    await rebuildProjections(get().db);
    expect(await days()).toEqual(appended);
  });
});
