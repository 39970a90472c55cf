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
    expect(state.payments.get('pay-1')).toEqual({ eventId: 'pay-1', lineId: 'L2', amountFen: 12050n, reversedFen: 2000n, consumedFen: 0n });
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

  describe('decision 0014', () => {
    beforeAll(async () => {
      const db = get().db;
      await db.query(
        `INSERT INTO ledger_lines (line_id, department, fiscal_year, name, unit, project, function_code, economic_code, funding_source, kind,
                                   opened_position, opened_effective_date, opened_recorded_at, initial_fen, executed_fen, committed_fen,
                                   brought_forward_fen, carried_forward_fen)
         VALUES ('P1', '丙', 2021, '项目', '单位', 'PRJ', '2010101', NULL, NULL, 'project', 10, '2021-01-01', '2021-01-01T00:00:00Z',
                 90000, 1000, 30000, 0, 59000),
                ('P2', '丙', 2021, NULL, NULL, NULL, NULL, NULL, NULL, 'basic', 11, '2021-01-01', '2021-01-01T00:00:00Z', 0, 0, 0, 0, 0),
                ('N1', '丙', 2022, NULL, NULL, 'PRJ', NULL, NULL, '上年结转', 'project', 12, '2021-12-31', '2022-01-01T00:00:00Z',
                 0, 0, 0, 59000, 0),
                ('Q1', '丙', 2023, NULL, NULL, NULL, NULL, NULL, NULL, 'basic', 13, '2023-01-01', '2023-01-01T00:00:00Z', 0, 0, 0, 0, 0)`,
      );
      await db.query(
        `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, effective_date, data, recorded_at,
                                    content_hash, prev_hash, hash)
         VALUES (20, 'budget-丙-2021', 1, 'pay-c', 'PaymentRecorded', '2021-02-01', '{"lineId": "P1", "amount": "10.00", "commitmentEventId": "com-1"}',
                 '2021-02-01T00:00:00Z', 'c', 'p', 'h')`,
      );
      await db.query(
        `INSERT INTO ledger_movements (line_id, position, department, fiscal_year, effective_date, recorded_at, executed_fen, committed_fen)
         VALUES ('P1', 20, '丙', 2021, '2021-02-01', '2021-02-01T00:00:00Z', 1000, -600)`,
      );
      await db.query(
        `INSERT INTO ledger_commitments (event_id, line_id, amount_fen, released_fen, consumed_fen) VALUES ('com-1', 'P1', 40000, 3400, 600)`,
      );
      await db.query(
        `INSERT INTO ledger_year_ends (department, fiscal_year, event_id, position, effective_date, recorded_at)
         VALUES ('丙', 2021, 'yc-1', 30, '2021-12-31', '2022-01-02T00:00:00Z')`,
      );
      await db.query(
        `INSERT INTO ledger_periods (department, fiscal_year, quarter, position, effective_date, recorded_at)
         VALUES ('丙', 2021, 1, 21, '2021-03-31', '2021-04-01T00:00:00Z')`,
      );
    });

    it('reads a commitment with its line, a payment with what it consumed, the dimensions and figures of a line, and the closed years', async () => {
      const state = await loadState(get().db, { lineIds: [], paymentIds: ['pay-c'], departments: ['丙'], commitmentIds: ['com-1'] });
      expect(state.commitments.get('com-1')).toEqual({
        eventId: 'com-1',
        lineId: 'P1',
        amountFen: 40000n,
        releasedFen: 3400n,
        consumedFen: 600n,
      });
      expect(state.payments.get('pay-c')).toMatchObject({ commitmentEventId: 'com-1', consumedFen: 600n, amountFen: 1000n });
      expect(state.lines.get('P1')).toEqual({
        lineId: 'P1',
        department: '丙',
        fiscalYear: 2021,
        kind: 'project',
        tags: [],
        name: '项目',
        unit: '单位',
        project: 'PRJ',
        functionCode: '2010101',
        initialFen: 90000n,
        adjustmentsFen: 0n,
        transfersInFen: 0n,
        transfersOutFen: 0n,
        executedFen: 1000n,
        committedFen: 30000n,
        broughtForwardFen: 0n,
        carriedForwardFen: 59000n,
      });
      expect('economicCode' in (state.lines.get('P1') as object)).toBe(false); // absent stays absent
      expect([...state.closedYears]).toEqual(['budget-丙-2021']);
      expect(quartersClosed(state, '丙', 2021)).toBe(1);
      expect(state.completeYears.size).toBe(0);
    });

    it('reads whole department-years, and which department-years have lines, only when asked', async () => {
      const state = await loadState(get().db, {
        lineIds: [],
        paymentIds: [],
        departments: ['丙'],
        completeYears: [
          { department: '丙', fiscalYear: 2021 },
          { department: '丙', fiscalYear: 2022 },
        ],
        departmentYears: [
          { department: '丙', fiscalYear: 2023 },
          { department: '丙', fiscalYear: 2024 },
        ],
      });
      expect([...state.lines.keys()].sort()).toEqual(['N1', 'P1', 'P2']);
      expect([...state.completeYears].sort()).toEqual(['budget-丙-2021', 'budget-丙-2022']);
      expect([...state.departmentYearsWithLines].sort()).toEqual(['budget-丙-2021', 'budget-丙-2022', 'budget-丙-2023']);
      const plain = await loadState(get().db, { lineIds: ['N1'], paymentIds: [], departments: ['丙'] });
      expect([[...plain.lines.keys()], plain.commitments.size, plain.completeYears.size]).toEqual([['N1'], 0, 0]);
      expect(plain.lines.get('N1')).toMatchObject({ fundingSource: '上年结转', broughtForwardFen: 59000n });
    });
  });
});
