import type { LedgerEvent } from '../events';
import { availableFen, type LedgerState } from '../ledger.decider';
import { carried, closeQuarters, closeYear, complete, ev, given, initial, line, open, pay, project } from '../testing/decider-steps';
import { decideBatch, StreamNotHeldError, type BatchOutcome, type DecideBatchOptions } from './decide-batch';

// decideBatch with a YearClosed: its derived events (decision 0014).

/** A stand-in for the store's content hash: the event's JSON (amounts as text). */
const hashOf = (event: LedgerEvent): string => JSON.stringify(event, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** D 2021 closed to Q4: project P (40.00 available), project Q (5.00), both without a next-year line. */
function closing(): LedgerState {
  return given(project('P', { unit: 'U' }), project('Q'), initial('P', '100'), initial('Q', '5'), pay('P', '60'), ...closeQuarters());
}

function run(state: LedgerState, batch: LedgerEvent[], stored = new Map<string, string>(), options: Partial<DecideBatchOptions> = {}) {
  for (const event of batch) complete(state, event);
  return decideBatch(state, batch, batch.map(hashOf), stored, { paymentPolicy: 'reject', ...options });
}

function statuses(outcomes: readonly BatchOutcome[]): string[] {
  return outcomes.map((o) => (o.status === 'rejected' ? `rejected ${o.error.code}` : o.status));
}

describe('decideBatch: a YearClosed and its derived events', () => {
  it('given a YearClosed, then its derived events are planned right after it in its stream and evolved, so later events see them', () => {
    const state = closing();
    const batch = [closeYear('yc'), pay('P.cf2022', '40', {}, '2022-02-01'), pay('P.cf2022', '0.01', {}, '2022-02-01')];
    const decision = run(state, batch);
    expect(statuses(decision.outcomes)).toEqual(['appended', 'appended', 'rejected LINE_OVERDRAWN']);
    const derivedIds = ['yc:open:1', 'yc:cf:1', 'yc:open:2', 'yc:cf:2'];
    const first = decision.outcomes[0];
    expect(first?.status === 'appended' && first.derived.map((e) => e.eventId)).toEqual(derivedIds);
    const second = decision.outcomes[1];
    expect(second?.status === 'appended' && second.derived).toEqual([]);
    expect(decision.appends.map((a) => [a.streamId, a.indexes, [...a.derived.keys()]])).toEqual([
      ['budget-D-2021', [0], [0]],
      ['budget-D-2022', [1], []],
    ]);
    expect(decision.appends[0]?.derived.get(0)?.map((e) => e.eventId)).toEqual(derivedIds);
    expect(state.closedYears.has('budget-D-2021')).toBe(true);
    expect(availableFen(line(state, 'Q.cf2022'))).toBe(500n);
  });

  it('given the next year’s stream not held, then StreamNotHeldError names it: the YearClosed changes its lines', () => {
    expect(() => run(closing(), [closeYear('yc')], new Map(), { streams: new Set(['budget-D-2021']) })).toThrow(
      new StreamNotHeldError('yc', 'budget-D-2022'),
    );
    const held = run(closing(), [closeYear('yc')], new Map(), { streams: new Set(['budget-D-2021', 'budget-D-2022']) });
    expect(statuses(held.outcomes)).toEqual(['appended']);
  });

  it('given exact copies of the derived events later in the batch, then they are duplicates of them; other content is a conflict', () => {
    const state = closing();
    const copies = run(closing(), [closeYear('yc')]).outcomes[0];
    if (copies?.status !== 'appended') throw new Error('expected the YearClosed appended');
    const [opening, balance] = copies.derived as [LedgerEvent, LedgerEvent];
    const changed = ev({
      eventId: 'yc:cf:2',
      type: 'BalanceCarriedForward',
      effectiveDate: '2021-12-31',
      data: { fromLineId: 'Q', toLineId: 'Q.cf2022', amount: '4' },
      metadata: { yearClosedEventId: 'yc', source: 'ledger' },
    });
    // Metadata in another key order is the same content.
    const reordered = { ...balance, metadata: { yearClosedEventId: 'yc', source: 'ledger' } };
    const decision = run(state, [closeYear('yc'), opening, reordered, changed]);
    expect(statuses(decision.outcomes)).toEqual(['appended', 'duplicate', 'duplicate', 'rejected EVENT_ID_CONFLICT']);
    expect(decision.outcomes.slice(1, 3)).toEqual([
      { status: 'duplicate', firstIndex: 0, derivedIndex: 0 },
      { status: 'duplicate', firstIndex: 0, derivedIndex: 1 },
    ]);
    expect(decision.appends.map((a) => a.indexes)).toEqual([[0]]);
  });

  it('given an eventId the YearClosed would derive already stored or given earlier in the batch, then the YearClosed is refused (EVENT_ID_CONFLICT)', () => {
    const stored = run(closing(), [closeYear('yc')], new Map([['yc:cf:2', 'other']]));
    expect(statuses(stored.outcomes)).toEqual(['rejected EVENT_ID_CONFLICT']);
    const state = closing();
    const early = run(state, [open('yc:open:1', { fiscalYear: 2022 }, { eventId: 'yc:open:1' }), closeYear('yc')]);
    expect(statuses(early.outcomes)).toEqual(['appended', 'rejected EVENT_ID_CONFLICT']);
    if (early.outcomes[1]?.status !== 'rejected') throw new Error('expected a refusal');
    expect(early.outcomes[1].error.message).toContain('the event yc:open:1 that closing the year derives would repeat an eventId');
    expect(state.closedYears.size).toBe(0);
  });

  it('given a BalanceCarriedForward stored with the same content, then it is a duplicate; not stored, DERIVED_EVENT_ONLY', () => {
    const copy = carried('P', 'P.cf2022', '40', 'yc:cf:1');
    const again = run(closing(), [copy], new Map([['yc:cf:1', hashOf(copy)]]));
    expect(again.outcomes).toEqual([{ status: 'duplicate', firstIndex: undefined }]);
    expect(statuses(run(closing(), [copy]).outcomes)).toEqual(['rejected DERIVED_EVENT_ONLY']);
  });

  it('given a refused YearClosed, then nothing is derived, planned or evolved', () => {
    const state = given(project('P'), initial('P', '1'));
    const decision = run(state, [closeYear('yc')]);
    expect(statuses(decision.outcomes)).toEqual(['rejected QUARTER_NOT_CLOSED']);
    expect([decision.appends, state.lines.size, state.closedYears.size]).toEqual([[], 1, 0]);
  });
});
