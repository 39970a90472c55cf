import { createThrowawayDatabase, testEngines, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { queryView } from '@ledger/reporting';
import { testLedger } from '../testing/test-ledger';

/**
 * Budget rules under real concurrency (server only: PGlite has one connection). Writers on
 * separate connection pools race to pay from the same lines; the available-balance check must
 * hold across them, and every payment acknowledged as appended must be stored exactly once.
 */
const describeServer = testEngines().includes('postgres') ? describe : describe.skip;

describeServer('LedgerWriter under concurrent writers [postgres]', () => {
  let server: ThrowawayDatabase;
  const WRITERS = 6;
  const LINES = 4;

  beforeAll(async () => {
    server = await createThrowawayDatabase('postgres');
    const setup = testLedger(server.db);
    const events: unknown[] = [];
    for (const d of ['DA', 'DB']) {
      for (let l = 0; l < LINES; l += 1) {
        const lineId = `${d}-${l}`;
        events.push({
          eventId: `${lineId}-open`,
          type: 'BudgetLineOpened',
          effectiveDate: '2021-01-01',
          data: { lineId, department: d, fiscalYear: 2021, kind: 'basic' },
        });
        events.push({
          eventId: `${lineId}-init`,
          type: 'InitialBudgetApproved',
          effectiveDate: '2021-01-01',
          data: { lineId, amount: '1000.00' },
        });
      }
    }
    expect((await setup.append(events)).rejected).toEqual([]);
  });
  afterAll(async () => server.drop());

  it('never lets concurrent payments overdraw a line, and stores every acknowledged payment once', async () => {
    // Each writer tries to pay 60 × 30.00 into random lines of both departments: 6 × 1,800.00 per
    // department against 4,000.00 of budget, so most late payments must be refused.
    const results = await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const db = await server.openAnother(2);
        const ledger = testLedger(db);
        const appended: string[] = [];
        for (let batch = 0; batch < 6; batch += 1) {
          const events = Array.from({ length: 10 }, (_, i) => {
            const n = batch * 10 + i;
            const lineId = `${n % 2 === 0 ? 'DA' : 'DB'}-${(w + n) % LINES}`;
            return { eventId: `w${w}-p${n}`, type: 'PaymentRecorded', effectiveDate: '2021-06-01', data: { lineId, amount: '30.00' } };
          });
          const summary = await ledger.append(events, 10);
          const refused = new Set(summary.rejected.map((r) => r.eventId));
          for (const r of summary.rejected) expect(r.code).toBe('LINE_OVERDRAWN');
          appended.push(...events.map((e) => e.eventId).filter((id) => !refused.has(id)));
        }
        return appended;
      }),
    );
    const acknowledged = results.flat();
    const stored = await server.db.query<{ event_id: string }>("SELECT event_id FROM ledger_events WHERE type = 'PaymentRecorded'");
    expect(stored.map((r) => r.event_id).sort()).toEqual([...acknowledged].sort());

    const lines = await server.db.query<{ line_id: string; executed_fen: bigint; initial_fen: bigint }>(
      'SELECT line_id, executed_fen, initial_fen FROM ledger_lines',
    );
    for (const line of lines) expect(line.executed_fen).toBeLessThanOrEqual(line.initial_fen);
    // Both departments were drawn down to the last 30.00 that fit: exactly 33 payments per line.
    expect(lines.map((l) => l.executed_fen)).toEqual(lines.map(() => 99_000n));
    const view = await queryView(server.db, { department: 'DA', asOf: '2021-12-31' });
    expect(view.total).toMatchObject({ executed: '3960.00', available: '40.00' });
  });

  it('gives an eventId raced into two departments at once to one of them, and refuses it in the other', async () => {
    // Same eventIds, other content (another department's line): the two transactions lock
    // different streams, so only the unique eventId stands between them. The writers load with
    // COPY, which fails without the server's reason when it loses the race; they must retry and
    // report the loser as a conflict, never fail the batch or store an eventId twice.
    const [dbA, dbB] = await Promise.all([server.openAnother(2), server.openAnother(2)]);
    const writers = [testLedger(dbA), testLedger(dbB)];
    const outcomes = new Map<string, string[]>();
    for (let round = 0; round < 12; round += 1) {
      const summaries = await Promise.all(
        writers.map((ledger, w) =>
          ledger.append(
            Array.from({ length: 40 }, (_, i) => ({
              eventId: `race-${round}-${i}`,
              type: 'PaymentRecorded',
              effectiveDate: '2021-06-01',
              data: { lineId: `${w === 0 ? 'DA' : 'DB'}-${i % LINES}`, amount: '0.01' },
            })),
            40,
          ),
        ),
      );
      summaries.forEach((summary, w) => {
        for (let i = 0; i < 40; i += 1) {
          const eventId = `race-${round}-${i}`;
          const refusal = summary.rejected.find((r) => r.eventId === eventId);
          outcomes.set(eventId, [...(outcomes.get(eventId) ?? []), refusal === undefined ? `appended by ${w}` : refusal.code]);
        }
      });
    }
    for (const [eventId, both] of outcomes) {
      expect({ eventId, outcomes: [...both].sort() }).toEqual({
        eventId,
        outcomes: expect.arrayContaining(['EVENT_ID_CONFLICT']) as unknown,
      });
      expect(both.filter((o) => o.startsWith('appended'))).toHaveLength(1);
    }
    const [{ stored } = { stored: 0n }] = await server.db.query<{ stored: bigint }>(
      "SELECT count(*) AS stored FROM ledger_events WHERE event_id LIKE 'race-%'",
    );
    expect(stored).toBe(BigInt(outcomes.size));
  });
});
