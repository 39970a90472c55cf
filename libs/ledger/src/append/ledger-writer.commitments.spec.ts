import {
  createThrowawayDatabase,
  describeEachEngine,
  testEngines,
  type ThrowawayDatabase,
} from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { DEFAULT_RULES } from '@ledger/reporting';
import { projectionTables } from '../testing/projection-tables';
import { testLedger } from '../testing/test-ledger';
import { commit, init, line, payAgainst, release } from '../testing/year-end-events';
import { verifyProjections } from '../verify-projections/verify-projections';

const rejections = (summary: { rejected: { eventId: string | null; code: string }[] }) => summary.rejected.map((r) => [r.eventId, r.code]);

describeEachEngine('commitments through the writer', (get) => {
  const figures = async (lineId: string) => {
    const [row] = await get().db.query<{ executed_fen: bigint; committed_fen: bigint }>(
      'SELECT executed_fen, committed_fen FROM ledger_lines WHERE line_id = $1',
      [lineId],
    );
    return row;
  };
  const commitment = async (eventId: string) => {
    const [row] = await get().db.query('SELECT * FROM ledger_commitments WHERE event_id = $1', [eventId]);
    return row;
  };

  it('reserves budget, lets a payment consume its commitment before it counts against available, and releases what is left', async () => {
    const ledger = testLedger(get().db);
    expect(
      rejections(
        await ledger.append([
          line('C1', 'DC', 2021, 'project'),
          line('C2', 'DC', 2021, 'basic'),
          init('C1', '100.00'),
          init('C2', '100.00'),
        ]),
      ),
    ).toEqual([]);
    const summary = await ledger.append([
      commit('c-a', 'C1', '60.00'),
      payAgainst('p-over', 'C1', '50.00'), // available is 40.00 now
      commit('c-over', 'C1', '50.00'),
      // 60.00 of it from the commitment, 10.00 from available.
      payAgainst('p-a', 'C1', '70.00', 'c-a'),
      commit('c-b', 'C1', '20.00'),
      // Released through a commitment made in the same batch.
      release('r-b', 'c-b', '5.00'),
      release('r-over', 'c-b', '15.01'),
      release('r-none', 'c-none', '1.00'),
      payAgainst('p-other', 'C2', '1.00', 'c-b'),
    ]);
    expect(rejections(summary)).toEqual([
      ['p-over', 'LINE_OVERDRAWN'],
      ['c-over', 'COMMITMENT_EXCEEDS_AVAILABLE'],
      ['r-over', 'RELEASE_EXCEEDS_COMMITMENT'],
      ['r-none', 'COMMITMENT_NOT_FOUND'],
      ['p-other', 'COMMITMENT_OF_OTHER_LINE'],
    ]);
    expect(await figures('C1')).toEqual({ executed_fen: 7000n, committed_fen: 1500n });
    expect(await commitment('c-a')).toEqual({ event_id: 'c-a', line_id: 'C1', amount_fen: 6000n, released_fen: 0n, consumed_fen: 6000n });
    expect(await commitment('c-b')).toEqual({ event_id: 'c-b', line_id: 'C1', amount_fen: 2000n, released_fen: 500n, consumed_fen: 0n });
    const [payment] = await get().db.query(
      `SELECT m.executed_fen, m.committed_fen, m.running_committed_fen FROM ledger_movements m JOIN ledger_events e ON e.position = m.position
        WHERE e.event_id = 'p-a'`,
    );
    expect(payment).toEqual({ executed_fen: 7000n, committed_fen: -6000n, running_committed_fen: 0n });
  });

  it('consumes across batches and writers by what is left, and a reversal returns money to available, not to the commitment', async () => {
    const ledger = testLedger(get().db);
    await ledger.append([line('C3', 'DC', 2021, 'project'), init('C3', '100.00'), commit('c-3', 'C3', '80.00')]);
    expect(rejections(await testLedger(get().db).append([payAgainst('p-3a', 'C3', '50.00', 'c-3')]))).toEqual([]);
    // Another writer's payment: 30.00 left of c-3, so 35.00 consumes 30.00 and takes 5.00 of the 20.00 available.
    expect(rejections(await ledger.append([payAgainst('p-3b', 'C3', '35.00', 'c-3')]))).toEqual([]);
    expect(await commitment('c-3')).toMatchObject({ consumed_fen: 8000n });
    const summary = await ledger.append([
      { eventId: 'rv-3', type: 'PaymentReversed', effectiveDate: '2021-06-01', data: { paymentEventId: 'p-3b', amount: '35.00' } },
      release('r-3', 'c-3', '0.01'), // nothing is left of c-3: the reversal did not give it back
      payAgainst('p-3c', 'C3', '50.00'), // 100 − 50 − 0 committed = 50.00 available again
    ]);
    expect(rejections(summary)).toEqual([['r-3', 'RELEASE_EXCEEDS_COMMITMENT']]);
    expect(await figures('C3')).toEqual({ executed_fen: 10000n, committed_fen: 0n });
  });

  it('keeps every plan set, and the append path and a rebuild agree on every table; verify finds nothing', async () => {
    const ledger = testLedger(get().db);
    const plan = (eventId: string, effectiveDate: string, share: string) => ({
      eventId,
      type: 'SpendingPlanSet',
      effectiveDate,
      data: {
        lineId: 'C1',
        checkpoints: [
          { date: '2021-06-30', share },
          { date: '2021-12-31', share: '1' },
        ],
      },
    });
    expect(rejections(await ledger.append([plan('plan-1', '2021-01-10', '0.25'), plan('plan-2', '2021-03-01', '0.5')]))).toEqual([]);
    const plans = await get().db.query(
      `SELECT line_id, effective_date, checkpoints FROM ledger_spending_plans WHERE line_id = 'C1' ORDER BY position`,
    );
    expect(plans).toEqual([
      {
        line_id: 'C1',
        effective_date: '2021-01-10',
        checkpoints: [
          { date: '2021-06-30', share: '0.2500' },
          { date: '2021-12-31', share: '1.0000' },
        ],
      },
      {
        line_id: 'C1',
        effective_date: '2021-03-01',
        checkpoints: [
          { date: '2021-06-30', share: '0.5000' },
          { date: '2021-12-31', share: '1.0000' },
        ],
      },
    ]);
    const appended = await projectionTables(get().db);
    await rebuildProjections(get().db);
    expect(await projectionTables(get().db)).toEqual(appended);
    expect(await verifyProjections(get().db, DEFAULT_RULES)).toMatchObject({ ok: true, problems: [] });
  });
});

/** Server only (PGlite has one connection): writers on separate pools pay against one commitment at once. */
const describeServer = testEngines().includes('postgres') ? describe : describe.skip;

describeServer('payments against one commitment from concurrent writers [postgres]', () => {
  let server: ThrowawayDatabase;
  beforeAll(async () => {
    server = await createThrowawayDatabase('postgres');
  });
  afterAll(async () => server.drop());

  it('never consume more than the commitment, nor spend beyond it what is not available', async () => {
    const setup = testLedger(server.db);
    // All of the line's budget is committed: nothing may be paid beyond the commitment.
    expect(rejections(await setup.append([line('K', 'DK', 2021, 'project'), init('K', '100.00'), commit('c-k', 'K', '100.00')]))).toEqual(
      [],
    );
    const accepted = await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        const ledger = testLedger(await server.openAnother(2));
        const ids: string[] = [];
        for (let n = 0; n < 5; n += 1) {
          const eventId = `w${w}-p${n}`;
          const summary = await ledger.append([payAgainst(eventId, 'K', n % 2 === 0 ? '30.00' : '10.00', 'c-k')]);
          for (const r of summary.rejected) expect(r.code).toBe('LINE_OVERDRAWN');
          if (summary.appended === 1) ids.push(eventId);
        }
        return ids;
      }),
    );
    const [paid] = await server.db.query<{ executed: bigint; consumed: bigint; n: bigint }>(
      `SELECT sum(((data->>'amount')::numeric * 100)::bigint)::bigint AS executed, count(*) AS n,
              (SELECT consumed_fen FROM ledger_commitments WHERE event_id = 'c-k') AS consumed
         FROM ledger_events WHERE type = 'PaymentRecorded' AND data->>'lineId' = 'K'`,
    );
    expect(paid?.n).toBe(BigInt(accepted.flat().length));
    // Each accepted payment was consumed in full (nothing else was available), and no more than 100.00.
    expect(paid?.consumed).toBe(paid?.executed);
    expect((paid?.executed ?? 0n) <= 10000n).toBe(true);
    expect((paid?.executed ?? 0n) >= 7000n).toBe(true); // at least two 10.00 come after the first three 30.00
    expect(await verifyProjections(server.db, DEFAULT_RULES)).toMatchObject({ ok: true, problems: [] });
  });
});
