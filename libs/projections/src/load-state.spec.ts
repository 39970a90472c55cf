import { quartersClosed } from '@ledger/domain';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { loadState } from './load-state';

// The projection rows are written directly: what is under test is what loadState reads back.
describeEachEngine('loadState', (get) => {
  beforeAll(async () => {
    const db = get().db;
    await db.query(
      `INSERT INTO ledger_lines (line_id, department, fiscal_year, kind, tags, opened_position, opened_effective_date, opened_recorded_at,
                                 initial_fen, executed_fen)
       VALUES ('L1', '甲', 2021, 'basic', '{procurement}', 1, '2021-01-01', '2021-01-01T00:00:00Z', 100000, 2500),
              ('L2', '乙', 2021, 'project', '{}', 2, '2021-01-01', '2021-01-01T00:00:00Z', 50000, 0)`,
    );
    await db.query(
      `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, effective_date, data, recorded_at,
                                  content_hash, prev_hash, hash)
       VALUES (3, 'budget-乙-2021', 1, 'pay-1', 'PaymentRecorded', '2021-02-01', '{"lineId": "L2", "amount": "120.50"}',
               '2021-02-01T00:00:00Z', 'c', 'p', 'h')`,
    );
    await db.query(`INSERT INTO ledger_reversals (payment_event_id, reversed_fen) VALUES ('pay-1', 2000)`);
    await db.query(
      `INSERT INTO ledger_periods (department, fiscal_year, quarter, position, effective_date, recorded_at)
       VALUES ('甲', 2021, 1, 4, '2021-03-31', '2021-04-01T00:00:00Z'), ('乙', 2021, 1, 5, '2021-03-31', '2021-04-01T00:00:00Z'),
              ('乙', 2021, 2, 6, '2021-06-30', '2021-07-01T00:00:00Z')`,
    );
  });

  it('reads the lines, the payments with their lines, and the closed quarters of the departments given', async () => {
    const state = await loadState(get().db, { lineIds: ['L1', 'missing'], paymentIds: ['pay-1'], departments: ['甲', '乙'] });
    expect([...state.lines.keys()].sort()).toEqual(['L1', 'L2']);
    expect(state.lines.get('L1')).toMatchObject({
      department: '甲',
      kind: 'basic',
      tags: ['procurement'],
      initialFen: 100000n,
      executedFen: 2500n,
    });
    expect(state.payments.get('pay-1')).toEqual({ eventId: 'pay-1', lineId: 'L2', amountFen: 12050n, reversedFen: 2000n });
    expect(state.closedQuarters).toEqual(
      new Map([
        ['甲', new Map([[2021, 1]])],
        ['乙', new Map([[2021, 2]])],
      ]),
    );
  });

  it('reads the closed quarters of a loaded line whose department was not given', async () => {
    const state = await loadState(get().db, { lineIds: [], paymentIds: ['pay-1'], departments: ['甲'] });
    expect([...state.lines.keys()]).toEqual(['L2']);
    expect(quartersClosed(state, '乙', 2021)).toBe(2);
    expect(quartersClosed(state, '甲', 2021)).toBe(1);
  });

  it('reads nothing for no keys', async () => {
    const state = await loadState(get().db, { lineIds: [], paymentIds: [], departments: [] });
    expect([state.lines.size, state.payments.size, state.closedQuarters.size]).toEqual([0, 0, 0]);
  });
});
