import type { Sql } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { DEFAULT_RULES } from '@ledger/reporting';
import { rawInit, rawOpen, rawPay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';
import { verifyProjections } from './verify-projections';

describeEachEngine('verify checks the projections against the log', (get) => {
  async function tamper(fn: (tx: Sql) => Promise<void>): Promise<void> {
    await get().db.transaction(async (tx) => fn(tx));
  }
  const verify = () => verifyProjections(get().db, DEFAULT_RULES);

  beforeEach(async () => {
    await get().db.transaction(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      await tx.query(
        'TRUNCATE ledger_events, ledger_streams, ledger_lines, ledger_movements, ledger_stream_days, ledger_apart_movements, ledger_department_days, ledger_reversals, ledger_periods',
      );
    });
    const summary = await testLedger(get().db).append([
      rawOpen('L1', 'D1'),
      rawInit('L1', '5000000.00'),
      rawOpen('L2', 'D1'),
      rawInit('L2', '800.00'),
      { eventId: 'adj-1', type: 'BudgetAdjusted', effectiveDate: '2021-02-01', data: { lineId: 'L2', amount: '-100.00' } },
      {
        eventId: 'tr-1',
        type: 'BudgetTransferred',
        effectiveDate: '2021-02-02',
        data: { fromLineId: 'L1', toLineId: 'L2', amount: '50.00', routine: true },
      },
      rawPay('pay-1', 'L1', '30.04'),
      rawPay('pay-2', 'L2', '20.00'),
      { eventId: 'rev-1', type: 'PaymentReversed', effectiveDate: '2021-03-05', data: { paymentEventId: 'pay-2', amount: '5.00' } },
      {
        eventId: 'close-q1',
        type: 'PeriodClosed',
        effectiveDate: '2021-03-31',
        data: { department: 'D1', fiscalYear: 2021, period: 'Q1' },
      },
      { eventId: 'pay-3', type: 'PaymentRecorded', effectiveDate: '2021-03-10', correction: true, data: { lineId: 'L1', amount: '7.00' } },
    ]);
    expect(summary.rejected).toEqual([]);
  });

  it('finds nothing in projections the ledger wrote, nor after a rebuild', async () => {
    expect(await verify()).toEqual({ ok: true, lines: 2, problems: [], problemsNotListed: 0 });
    await rebuildProjections(get().db);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('names a line whose totals were changed by an UPDATE of the projection, and rebuild puts it right', async () => {
    await tamper((tx) =>
      tx.query(`UPDATE ledger_lines SET executed_fen = executed_fen + 100000000 WHERE line_id = 'L1'`).then(() => undefined),
    );
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        table: 'ledger_lines',
        subject: 'line L1',
        message: 'line L1: executed 1000037.04 where the log gives 37.04',
      },
    ]);
    await rebuildProjections(get().db);
    expect((await verify()).ok).toBe(true);
  });

  it('names the line whose movements were changed (what view and the reported figures read), and the closed quarter it changes', async () => {
    await tamper((tx) =>
      // The movement and every running total after it, as a forger would, so that view and the
      // reported figures (which read the running totals, decision 0010) show the forged amount.
      tx
        .query(
          `UPDATE ledger_movements m SET executed_fen = CASE WHEN m.position = t.position THEN 100000000 ELSE m.executed_fen END,
                  running_executed_fen = m.running_executed_fen + 99996996
             FROM (SELECT position FROM ledger_movements WHERE line_id = 'L1' AND executed_fen = 3004) t
            WHERE m.line_id = 'L1' AND m.position >= t.position`,
        )
        .then(() => undefined),
    );
    const report = await verify();
    expect(report.problems.map((p) => [p.table, p.subject])).toEqual([
      ['ledger_movements', 'line L1'],
      ['reported', 'D1 2021-Q1'],
    ]);
    expect(report.problems[0]?.message).toMatch(
      /^line L1: 2 movement\(s\) differ from the log, the first at position \d+ \(executed \+999969\.96, adjusted 0\.00 against the log\)$/,
    );
    expect(report.problems[1]?.message).toContain('reported 执行数 1000022.00');
  });

  it('finds a removed line, an added line, a changed reversal and a reopened quarter, all of them', async () => {
    await tamper(async (tx) => {
      await tx.query(`DELETE FROM ledger_movements WHERE line_id = 'L2'`);
      await tx.query(`DELETE FROM ledger_lines WHERE line_id = 'L2'`);
      await tx.query(
        `INSERT INTO ledger_lines (line_id, department, fiscal_year, kind, opened_position, opened_effective_date, opened_recorded_at)
         VALUES ('GHOST', 'D1', 2021, 'basic', 1, '2021-01-01', now())`,
      );
      await tx.query(`UPDATE ledger_reversals SET reversed_fen = 0`);
      await tx.query(`DELETE FROM ledger_periods`);
    });
    const report = await verify();
    expect(report.problems.map((p) => `${p.table} ${p.subject}`)).toEqual([
      'ledger_lines line GHOST',
      'ledger_lines line L2',
      'ledger_movements line L2',
      'ledger_reversals payment pay-2',
      'ledger_periods D1 2021-Q1',
    ]);
    expect(report.problems[0]?.message).toBe('line GHOST is in the projection but no event opens it');
    expect(report.problems[1]?.message).toBe('line L2 is opened in the log but missing from the projection');
  });

  it('names the department-year whose high-water days and the line whose late movements were changed (what as-of figures read)', async () => {
    // Back-dated after later movements: kept apart as late (decision 0010).
    const late = await testLedger(get().db).append([
      {
        eventId: 'pay-late',
        type: 'PaymentRecorded',
        effectiveDate: '2021-02-10',
        correction: true,
        data: { lineId: 'L2', amount: '3.00' },
      },
    ]);
    expect(late.rejected).toEqual([]);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
    const [apart] = await get().db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ledger_apart_movements WHERE late`);
    expect(apart?.n).toBe(1n);

    await tamper(async (tx) => {
      await tx.query(`UPDATE ledger_stream_days SET first_position = first_position + 1 WHERE day = '2021-03-10'`);
      await tx.query(`DELETE FROM ledger_apart_movements WHERE late`);
    });
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems.filter((p) => p.table !== 'reported').map((p) => `${p.table} ${p.subject}`)).toEqual([
      'ledger_stream_days D1 2021',
      'ledger_apart_movements line L2',
    ]);
    expect(report.problems[0]?.message).toBe(
      'D1 2021: 1 high-water day(s) differ from the log, the first on 2021-03-10 (figures as of a date read these)',
    );
    expect(report.problems[1]?.message).toMatch(
      /^line L2: 1 movement\(s\) kept apart \(late or routine\) differ from the log, the first at position \d+$/,
    );
    await rebuildProjections(get().db);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('notices a routine transfer dropped from the movements kept apart (its routine part is read from there)', async () => {
    await tamper((tx) => tx.query(`DELETE FROM ledger_apart_movements WHERE routine_transfers_out_fen <> 0`).then(() => undefined));
    const report = await verify();
    expect(report.problems.map((p) => `${p.table} ${p.subject}`)).toEqual(['ledger_apart_movements line L1']);
  });

  it('names a department-year whose sums by day were changed or lost (figures known now read them), and rebuild puts them right', async () => {
    const [before] = await get().db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ledger_department_days WHERE department = 'D1'`);
    expect(before?.n).toBeGreaterThan(1n);
    await tamper(async (tx) => {
      await tx.query(
        `UPDATE ledger_department_days SET executed_fen = executed_fen + 100 WHERE department = 'D1' AND day = (SELECT max(day) FROM ledger_department_days WHERE department = 'D1')`,
      );
    });
    const changed = await verify();
    expect(changed.problems.map((p) => `${p.table} ${p.subject}`)).toEqual(['ledger_department_days D1 2021']);
    expect(changed.problems[0]?.message).toMatch(
      /^D1 2021: the sums of 1 day\(s\) differ from the log, the first on \d{4}-\d\d-\d\d \(executed \+1\.00 against the log\)/,
    );
    await rebuildProjections(get().db);
    await tamper((tx) => tx.query(`DELETE FROM ledger_department_days WHERE department = 'D1'`).then(() => undefined));
    const lost = await verify();
    expect(lost.problems.map((p) => `${p.table} ${p.subject}`)).toEqual(['ledger_department_days D1 2021']);
    await rebuildProjections(get().db);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('lists at most 100 problems and counts the rest', async () => {
    await testLedger(get().db).append(Array.from({ length: 120 }, (_, i) => rawOpen(`M${String(i).padStart(3, '0')}`, 'D2')));
    await tamper((tx) => tx.query(`UPDATE ledger_lines SET initial_fen = 1 WHERE department = 'D2'`).then(() => undefined));
    const report = await verify();
    expect(report.problems).toHaveLength(100);
    expect(report.problemsNotListed).toBeGreaterThan(0);
  });
});
