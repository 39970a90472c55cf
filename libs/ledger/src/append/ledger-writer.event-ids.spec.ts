import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { queryView } from '@ledger/reporting';
import { rawInit as init, rawOpen as open, rawPay as pay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';

// Issue 10, defects 1 and 2: every occurrence of an eventId is judged on its own, against the
// stored copy or the first occurrence accepted in the batch, whatever the batch size and lanes.
describeEachEngine('an eventId given more than once', (get) => {
  it('given S1 stored at 7.00, then [S1 at 7.00, S1 at 9999.00] is a duplicate and a conflict, in any batch size', async () => {
    for (const batchSize of [1, 2]) {
      const ledger = testLedger(get().db);
      const line = `L${batchSize}`;
      const s1 = `S1-${batchSize}`;
      await ledger.append([open(line, `甲${batchSize}`), init(line, '100000.00'), pay(s1, line, '7.00')]);
      const summary = await ledger.append([pay(s1, line, '7.00'), pay(s1, line, '9999.00')], batchSize);
      expect([summary.appended, summary.duplicates, summary.rejected.map((r) => [r.line, r.code])]).toEqual([
        0,
        1,
        [[2, 'EVENT_ID_CONFLICT']],
      ]);
      const reversed = await ledger.append([pay(s1, line, '9999.00'), pay(s1, line, '7.00')], batchSize);
      expect([reversed.appended, reversed.duplicates, reversed.rejected.map((r) => [r.line, r.code])]).toEqual([
        0,
        1,
        [[1, 'EVENT_ID_CONFLICT']],
      ]);
      expect((await queryView(get().db, { department: `甲${batchSize}`, asOf: '2021-12-31' })).total.executed).toBe('7.00');
    }
  });

  it('given nothing stored, then the first occurrence in a batch is stored and a changed one after it is a conflict, in either order', async () => {
    const ledger = testLedger(get().db);
    await ledger.append([open('M', '乙'), init('M', '100000.00')]);
    const summary = await ledger.append([pay('T1', 'M', '9999.00'), pay('T1', 'M', '7.00'), pay('T1', 'M', '9999.00')]);
    expect([summary.appended, summary.duplicates, summary.rejected.map((r) => [r.line, r.code])]).toEqual([
      1,
      1,
      [[2, 'EVENT_ID_CONFLICT']],
    ]);
    expect((await queryView(get().db, { department: '乙', asOf: '2021-12-31' })).total.executed).toBe('9999.00');
  });

  it('given one eventId in two departments of one batch split into lanes, then the first in input order wins, every time', async () => {
    const ledger = testLedger(get().db, { lanes: 2 });
    await ledger.append([open('DA', '丙'), init('DA', '100.00'), open('DB', '丁'), init('DB', '100.00')]);
    for (let trial = 0; trial < 5; trial += 1) {
      const [first, second] = trial % 2 === 0 ? ['DA', 'DB'] : ['DB', 'DA'];
      const id = `X-${trial}`;
      // The other department comes first in the batch, so its lane is opened (and, on one
      // connection, committed) first: the first occurrence of the id must still win.
      const summary = await ledger.append([pay(`y-${trial}`, second, '1.00'), pay(id, first, '1.00'), pay(id, second, '1.00')]);
      expect([summary.appended, summary.rejected.map((r) => [r.line, r.code])]).toEqual([2, [[3, 'EVENT_ID_CONFLICT']]]);
    }
    // DA took and y-1, y-3; DB the others.
    expect((await queryView(get().db, { department: '丙', asOf: '2021-12-31' })).total.executed).toBe('5.00');
    expect((await queryView(get().db, { department: '丁', asOf: '2021-12-31' })).total.executed).toBe('5.00');
    expect((await ledger.store.verify()).ok).toBe(true);
  });

  // Found by the model-based suite (seed 1638661382, two lanes on the server): the answer must not
  // depend on the lanes, so such a batch is not split.
  it('given a transfer into a line the same batch opens in another department, then it is refused as outside the department-year, with any lanes', async () => {
    for (const lanes of [1, 2]) {
      const ledger = testLedger(get().db, { lanes });
      const [from, to] = [`TF${lanes}`, `TT${lanes}`];
      await ledger.append([open(from, `戊${lanes}`), init(from, '100.00')]);
      const transfer = {
        eventId: `tr-${lanes}`,
        type: 'BudgetTransferred',
        effectiveDate: '2021-03-01',
        data: { fromLineId: from, toLineId: to, amount: '1.00' },
      };
      const summary = await ledger.append([open(to, `己${lanes}`), transfer]);
      expect([summary.appended, summary.rejected.map((r) => [r.line, r.code])]).toEqual([1, [[2, 'TRANSFER_OUTSIDE_DEPARTMENT_YEAR']]]);
    }
  });
});
