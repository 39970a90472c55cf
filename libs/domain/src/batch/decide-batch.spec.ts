import { DEFAULT_SCORING_CONFIG } from '../scoring-config';
import type { LedgerEvent } from '../events';
import { emptyState, evolve, type LedgerState } from '../ledger.decider';
import { parseEvent } from '../parse-event';
import { decideBatch, StreamNotHeldError, type BatchOutcome } from './decide-batch';
import { judgeEventIds } from './event-ids';
import { zeroTotals } from './threshold-alerts';

function ev(raw: Record<string, unknown>): LedgerEvent {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(result.error.message);
  return result.event;
}
const open = (lineId: string, department = 'D'): LedgerEvent =>
  ev({
    eventId: `open-${lineId}`,
    type: 'BudgetLineOpened',
    effectiveDate: '2021-01-01',
    data: { lineId, department, fiscalYear: 2021, kind: 'basic' },
  });
const initial = (eventId: string, lineId: string, amount: string): LedgerEvent =>
  ev({ eventId, type: 'InitialBudgetApproved', effectiveDate: '2021-01-01', data: { lineId, amount } });
const pay = (eventId: string, lineId: string, amount: string): LedgerEvent =>
  ev({ eventId, type: 'PaymentRecorded', effectiveDate: '2021-03-01', data: { lineId, amount } });

/** A stand-in for the store's content hash: the event's JSON (amounts as text). */
const hashOf = (event: LedgerEvent): string => JSON.stringify(event, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

function given(...events: LedgerEvent[]): LedgerState {
  const state = emptyState();
  for (const event of events) evolve(state, event);
  return state;
}

function statuses(outcomes: readonly BatchOutcome[]): string[] {
  return outcomes.map((o) => (o.status === 'rejected' ? `rejected ${o.error.code}` : o.status));
}

describe('decideBatch: an eventId given more than once', () => {
  const s1 = pay('S1', 'A', '7.00');
  const s1Changed = pay('S1', 'A', '9999.00');

  it('given S1 stored at 7.00, when [S1 at 7.00, S1 at 9999.00], then a duplicate and a conflict (not two duplicates)', () => {
    const state = given(open('A'), initial('i', 'A', '100000'));
    const batch = [s1, s1Changed];
    const decision = decideBatch(state, batch, batch.map(hashOf), new Map([['S1', hashOf(s1)]]), { paymentPolicy: 'reject' });
    expect(statuses(decision.outcomes)).toEqual(['duplicate', 'rejected EVENT_ID_CONFLICT']);
    expect(decision.appends).toEqual([]);
  });

  it('given S1 stored at 7.00, when [S1 at 9999.00, S1 at 7.00], then a conflict and a duplicate (not two conflicts)', () => {
    const state = given(open('A'), initial('i', 'A', '100000'));
    const batch = [s1Changed, s1];
    const decision = decideBatch(state, batch, batch.map(hashOf), new Map([['S1', hashOf(s1)]]), { paymentPolicy: 'reject' });
    expect(statuses(decision.outcomes)).toEqual(['rejected EVENT_ID_CONFLICT', 'duplicate']);
  });

  it('given nothing stored, when S1 twice in either order, then the first is appended and the second judged against it', () => {
    for (const batch of [
      [s1, s1Changed],
      [s1Changed, s1],
    ]) {
      const state = given(open('A'), initial('i', 'A', '100000'));
      const decision = decideBatch(state, batch, batch.map(hashOf), new Map(), { paymentPolicy: 'reject' });
      expect(statuses(decision.outcomes)).toEqual(['appended', 'rejected EVENT_ID_CONFLICT']);
      const same = decideBatch(
        given(open('A'), initial('i', 'A', '100000')),
        [batch[0] as LedgerEvent, batch[0] as LedgerEvent],
        [hashOf(batch[0] as LedgerEvent), hashOf(batch[0] as LedgerEvent)],
        new Map(),
        { paymentPolicy: 'reject' },
      );
      expect(same.outcomes[1]).toEqual({ status: 'duplicate', firstIndex: 0 });
    }
  });

  it('given a first occurrence refused by a rule, then a later occurrence of the id is decided on its own', () => {
    const state = given(open('A'), initial('i', 'A', '10'));
    const batch = [pay('P', 'A', '11'), pay('P', 'A', '5')];
    const decision = decideBatch(state, batch, batch.map(hashOf), new Map(), { paymentPolicy: 'reject' });
    expect(statuses(decision.outcomes)).toEqual(['rejected LINE_OVERDRAWN', 'appended']);
  });

  it('given one eventId in two departments of one batch, then the first in input order wins, whichever department it is', () => {
    const inD = pay('X', 'A', '1');
    const inE = pay('X', 'Z', '1');
    for (const [first, second, stream] of [
      [inD, inE, 'budget-D-2021'],
      [inE, inD, 'budget-E-2021'],
    ] as const) {
      const state = given(open('A'), initial('i', 'A', '100'), open('Z', 'E'), initial('j', 'Z', '100'));
      const batch = [first, second];
      const decision = decideBatch(state, batch, batch.map(hashOf), new Map(), { paymentPolicy: 'reject' });
      expect(statuses(decision.outcomes)).toEqual(['appended', 'rejected EVENT_ID_CONFLICT']);
      expect(decision.appends.map((a) => [a.streamId, a.indexes])).toEqual([[stream, [0]]]);
    }
  });
});

describe('decideBatch: streams and alerts', () => {
  it('groups accepted events by stream in input order, and throws StreamNotHeldError for an event of a stream not held', () => {
    const state = given(open('A'), initial('i', 'A', '100'), open('Z', 'E'), initial('j', 'Z', '100'));
    const batch = [pay('p1', 'A', '1'), pay('p2', 'Z', '1'), pay('p3', 'A', '1')];
    const decision = decideBatch(state, batch, batch.map(hashOf), new Map(), { paymentPolicy: 'reject' });
    expect(decision.appends.map((a) => [a.streamId, a.indexes])).toEqual([
      ['budget-D-2021', [0, 2]],
      ['budget-E-2021', [1]],
    ]);
    const other = given(open('A'), initial('i', 'A', '100'));
    expect(() =>
      decideBatch(other, [pay('p4', 'A', '1')], ['h'], new Map(), { paymentPolicy: 'reject', streams: new Set(['budget-E-2021']) }),
    ).toThrow(StreamNotHeldError);
  });

  it('records a ThresholdCrossed alert after the event that makes the adjustment-transfer check fail', () => {
    const state = given(open('A'));
    const batch = [
      initial('i1', 'A', '100'),
      ev({ eventId: 'adj', type: 'BudgetAdjusted', effectiveDate: '2021-05-01', data: { lineId: 'A', amount: '50' } }),
    ];
    const decision = decideBatch(state, batch, batch.map(hashOf), new Map(), {
      paymentPolicy: 'reject',
      scoring: DEFAULT_SCORING_CONFIG,
      totalsBefore: new Map([['budget-D-2021', zeroTotals()]]),
    });
    expect(decision.appends[0]?.alerts.map((a) => [a.eventId, a.data.triggeredBy])).toEqual([
      ['alert:adjustment-transfer-10pct:adj', 'adj'],
    ]);
  });
});

describe('judgeEventIds (a plain store append: every new id is accepted)', () => {
  it('judges each occurrence against the stored copy or the first occurrence', () => {
    const judged = judgeEventIds(
      [
        { eventId: 'a', contentHash: '1' },
        { eventId: 'a', contentHash: '2' },
        { eventId: 'a', contentHash: '1' },
        { eventId: 'b', contentHash: '9' },
        { eventId: 'b', contentHash: '8' },
      ],
      new Map([['b', '8']]),
    );
    expect(judged.map((j) => j.kind)).toEqual(['new', 'conflict', 'duplicate', 'conflict', 'duplicate']);
  });
});
