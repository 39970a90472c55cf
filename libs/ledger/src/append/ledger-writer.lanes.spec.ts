import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { parseEvent } from '@ledger/domain';
import { queryView } from '@ledger/reporting';
import { rawInit as init, rawOpen as open, rawPay as pay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';

describeEachEngine('a batch split into lanes by department', (get) => {
  it('answers every event in input order, keeps each department’s order, and stores what each lane accepted', async () => {
    const ledger = testLedger(get().db, { lanes: 3 });
    const summary = await ledger.append([
      open('A', '甲'),
      open('B', '乙'),
      open('C', '丙'),
      init('A', '100.00'),
      init('B', '100.00'),
      init('C', '100.00'),
      pay('a1', 'A', '60.00'),
      pay('b1', 'B', '60.00'),
      pay('a2', 'A', '60.00'), // refused: A has 40.00 left after a1, in this batch
      pay('c1', 'C', '100.00'),
      pay('b2', 'B', '40.00'),
      pay('x1', 'NOPE', '1.00'), // refused: no such line
      pay('a3', 'A', '40.00'),
    ]);
    expect(summary.appended).toBe(11);
    expect(summary.rejected.map((r) => [r.line, r.eventId, r.code])).toEqual([
      [9, 'a2', 'LINE_OVERDRAWN'],
      [12, 'x1', 'LINE_NOT_FOUND'],
    ]);
    for (const [department, executed] of [
      ['甲', '100.00'],
      ['乙', '100.00'],
      ['丙', '100.00'],
    ] as const) {
      expect((await queryView(get().db, { department, asOf: '2021-12-31' })).total.executed).toBe(executed);
    }
    expect((await ledger.store.verify()).ok).toBe(true);
  });
});

describeEachEngine('a batch prepared ahead', (get) => {
  it('is stored as it would be without, and only with its own preparation', async () => {
    const { writer, store } = testLedger(get().db, { lanes: 2 });
    const events = [
      open('P', '己'),
      open('Q', '庚'),
      init('P', '10.00'),
      init('Q', '10.00'),
      pay('p1', 'P', '4.00'),
      pay('q1', 'Q', '11.00'),
    ].map((raw) => {
      const parsed = parseEvent(raw);
      if (!parsed.ok) throw new Error(parsed.error.message);
      return parsed.event;
    });
    const prepared = writer.prepare(events);
    await expect(writer.append(events.slice(1), prepared)).rejects.toThrow(/prepared batch is of other events/);
    const results = await writer.append(events, prepared);
    expect(results.map((r) => [r.eventId, r.status])).toEqual([
      ['P-open', 'appended'],
      ['Q-open', 'appended'],
      ['P-init', 'appended'],
      ['Q-init', 'appended'],
      ['p1', 'appended'],
      ['q1', 'rejected'],
    ]);
    // Stored with the same content hashes as an unprepared append computes: the retry is a duplicate.
    expect((await writer.append(events)).map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'rejected',
    ]);
    expect((await store.verify()).ok).toBe(true);
  });
});
