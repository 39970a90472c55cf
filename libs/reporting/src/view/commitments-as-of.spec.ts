import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { departmentAsOf, linesAsOf, queryTrace, queryView } from '@ledger/reporting';
import { testLedger } from '@ledger/ledger/testing/test-ledger';

/**
 * Commitments recorded late (dated before the stream's high-water day) are counted as of a date
 * through the movements kept apart, as payments are (decision 0010); known at an instant before
 * they were recorded, they are not.
 */

const D = '乙局';
const ev = (eventId: string, type: string, effectiveDate: string, data: Record<string, unknown>) => ({
  eventId,
  type,
  effectiveDate,
  data,
});
const SETUP = [
  ev('K-open', 'BudgetLineOpened', '2021-01-01', { lineId: 'K', department: D, fiscalYear: 2021, kind: 'project', project: '甲' }),
  ev('K-init', 'InitialBudgetApproved', '2021-01-01', { lineId: 'K', amount: '1000.00' }),
  ev('K-c0', 'CommitmentMade', '2021-01-10', { lineId: 'K', amount: '100.00' }),
  ev('K-pay', 'PaymentRecorded', '2021-06-01', { lineId: 'K', amount: '10.00' }),
];
// Dated before 06-01, recorded after it: late.
const LATE = [
  ev('K-c1', 'CommitmentMade', '2021-02-01', { lineId: 'K', amount: '300.00', reference: '合同 7' }),
  ev('K-p1', 'PaymentRecorded', '2021-03-01', { lineId: 'K', amount: '120.00', commitmentEventId: 'K-c1' }),
  ev('K-r1', 'CommitmentReleased', '2021-04-01', { commitmentEventId: 'K-c1', amount: '30.00' }),
  // More than what is left of K-c0 (100): 100 consumed, 50 checked against available.
  ev('K-p0', 'PaymentRecorded', '2021-05-01', { lineId: 'K', amount: '150.00', commitmentEventId: 'K-c0' }),
];
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describeEachEngine('committed as of a date, known at an instant, late movements included', (get) => {
  let before: string;
  beforeAll(async () => {
    const ledger = testLedger(get().db);
    expect((await ledger.append(SETUP)).rejected).toEqual([]);
    await pause();
    before = new Date().toISOString();
    await pause();
    for (const e of LATE) expect((await ledger.append([e])).rejected).toEqual([]);
  });

  const committedAt = async (asOf: string, knownAt?: string) => {
    const view = await queryView(get().db, { department: D, asOf, knownAt });
    return [view.total.committed, view.total.executed, view.total.available];
  };

  it('counts each late commitment, consumption and release from its own date on', async () => {
    expect(await committedAt('2021-01-31')).toEqual(['100.00', '0.00', '900.00']);
    expect(await committedAt('2021-02-01')).toEqual(['400.00', '0.00', '600.00']);
    expect(await committedAt('2021-03-01')).toEqual(['280.00', '120.00', '600.00']);
    expect(await committedAt('2021-04-01')).toEqual(['250.00', '120.00', '630.00']);
    expect(await committedAt('2021-05-01')).toEqual(['150.00', '270.00', '580.00']);
    expect(await committedAt('2021-12-31')).toEqual(['150.00', '280.00', '570.00']);
  });

  it('known at an instant before the late events: only what was recorded by then', async () => {
    expect(await committedAt('2021-12-31', before)).toEqual(['100.00', '10.00', '890.00']);
    expect(await committedAt('2021-03-01', before)).toEqual(['100.00', '0.00', '900.00']);
  });

  it('agrees with the sum of every movement filtered by date and instant (linesAsOf, departmentAsOf)', async () => {
    const plain = async (asOf: string, knownAt: string) =>
      (
        await get().db.query<{ committed: bigint; brought: bigint; carried: bigint }>(
          `SELECT COALESCE(sum(committed_fen), 0)::bigint AS committed, COALESCE(sum(brought_forward_fen), 0)::bigint AS brought,
                  COALESCE(sum(carried_forward_fen), 0)::bigint AS carried
           FROM ledger_movements WHERE line_id = 'K' AND effective_date <= $1::date AND recorded_at <= $2::timestamptz`,
          [asOf, knownAt],
        )
      )[0];
    for (const asOf of ['2021-01-09', '2021-02-01', '2021-03-15', '2021-04-30', '2021-05-01', '2021-12-31']) {
      for (const knownAt of [before, 'infinity']) {
        const cut = { department: D, fiscalYear: 2021, asOf, knownAtSql: knownAt };
        const [line] = await linesAsOf(get().db, cut, { lineId: 'K' });
        const department = await departmentAsOf(get().db, cut);
        const expected = await plain(asOf, knownAt);
        expect([asOf, knownAt, BigInt(line!.committedFen), department.committedFen]).toEqual([
          asOf,
          knownAt,
          BigInt(expected!.committed),
          BigInt(expected!.committed),
        ]);
      }
    }
  });

  it('trace: the commitments as of the date, with what was released and consumed of each', async () => {
    const trace = await queryTrace(get().db, { lineId: 'K', asOf: '2021-03-31' });
    expect(trace.commitments.map((c) => [c.eventId, c.reference, c.amount, c.released, c.consumed, c.left])).toEqual([
      ['K-c0', null, '100.00', '0.00', '0.00', '100.00'],
      ['K-c1', '合同 7', '300.00', '0.00', '120.00', '180.00'],
    ]);
    const all = await queryTrace(get().db, { lineId: 'K', asOf: '2021-12-31' });
    expect(all.commitments.map((c) => c.left)).toEqual(['0.00', '150.00']);
    expect(all.entries.find((e) => e.eventId === 'K-p0')).toMatchObject({
      commitmentEventId: 'K-c0',
      delta: { executed: '150.00', committed: '-100.00' },
    });
    expect(all.totals).toMatchObject({ committed: '150.00', executed: '280.00', available: '570.00' });
  });
});
