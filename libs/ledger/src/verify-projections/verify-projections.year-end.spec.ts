import type { Sql } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { DEFAULT_RULES } from '@ledger/reporting';
import { testLedger } from '../testing/test-ledger';
import { closeYear, yearBeforeClose } from '../testing/year-end-events';
import { verifyProjections } from './verify-projections';

describeEachEngine('verify checks the figures and tables of decision 0014 against the log', (get) => {
  const verify = () => verifyProjections(get().db, DEFAULT_RULES);
  async function tamper(fn: (tx: Sql) => Promise<unknown>): Promise<void> {
    await get().db.transaction(async (tx) => {
      await fn(tx);
    });
  }
  const problems = async () => (await verify()).problems.map((p) => `${p.table} ${p.subject}: ${p.message}`);

  beforeAll(async () => {
    const ledger = testLedger(get().db);
    const summary = await ledger.append([...yearBeforeClose(), closeYear('yc-D9-2021', 'D9', 2021)]);
    expect(summary.rejected).toEqual([]);
  });
  afterEach(async () => {
    // Every test leaves the projections as the log says.
    await rebuildProjections(get().db);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('finds nothing in what the ledger wrote', async () => {
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('names a line whose committed or brought-forward total was changed', async () => {
    await tamper(async (tx) => {
      await tx.query(`UPDATE ledger_lines SET committed_fen = committed_fen + 100 WHERE line_id = 'P'`);
      await tx.query(`UPDATE ledger_lines SET brought_forward_fen = 0 WHERE line_id = 'N2'`);
    });
    expect(await problems()).toEqual([
      'ledger_lines line N2: line N2: brought_forward 0.00 where the log gives 300.00',
      'ledger_lines line P: line P: committed 61.00 where the log gives 60.00',
    ]);
  });

  it('names the line whose movement lost its brought-forward figure, with its running total', async () => {
    await tamper((tx) =>
      tx.query(
        `UPDATE ledger_movements SET brought_forward_fen = 0, running_brought_forward_fen = 0 WHERE line_id = 'N2' AND brought_forward_fen <> 0`,
      ),
    );
    const found = await verify();
    expect(found.problems.map((p) => `${p.table} ${p.subject}`)).toEqual(['ledger_movements line N2']);
    expect(found.problems[0]?.message).toMatch(/adjusted -300\.00 against the log\)$/);
  });

  it('names a payment’s movement whose consumption of its commitment was changed', async () => {
    await tamper((tx) =>
      tx.query(
        `UPDATE ledger_movements m SET committed_fen = 0 FROM ledger_events e WHERE e.position = m.position AND e.event_id = 'pay-c2'`,
      ),
    );
    const found = await verify();
    expect(found.problems.map((p) => `${p.table} ${p.subject}`)).toEqual(['ledger_movements line P']);
    expect(found.problems[0]?.message).toContain('committed +300.00');
  });

  it('names a commitment missing from the projection, one whose consumption was changed, and one the log never made', async () => {
    await tamper(async (tx) => {
      await tx.query(`DELETE FROM ledger_commitments WHERE event_id = 'com-2'`);
      await tx.query(`UPDATE ledger_commitments SET consumed_fen = 0 WHERE event_id = 'com-1'`);
      await tx.query(`INSERT INTO ledger_commitments (event_id, line_id, amount_fen) VALUES ('com-ghost', 'P', 100)`);
    });
    expect(await problems()).toEqual([
      'ledger_commitments commitment com-1: commitment com-1: consumed 0.00 where the log gives 400.00',
      'ledger_commitments commitment com-2: commitment com-2 is made in the log but missing from the projection',
      'ledger_commitments commitment com-ghost: commitment com-ghost is in the projection but no event makes it',
    ]);
  });

  it('names a plan whose checkpoints were changed and a year reopened in the projection', async () => {
    await tamper(async (tx) => {
      await tx.query(`UPDATE ledger_spending_plans SET checkpoints = '[{"date": "2021-12-31", "share": "1.0000"}]'`);
      await tx.query(`DELETE FROM ledger_year_ends`);
    });
    const found = await verify();
    expect(found.problems.map((p) => `${p.table} ${p.subject}`)).toEqual([
      expect.stringMatching(/^ledger_spending_plans plan of line P at position \d+$/),
      'ledger_year_ends D9 2021',
    ]);
    expect(found.problems[1]?.message).toBe('D9 2021: closed in the log, open in the projection');
  });
});
