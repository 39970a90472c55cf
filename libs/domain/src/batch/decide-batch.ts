import type { ScoringConfig } from '../scoring-config';
import type { LedgerError } from '../errors';
import { LedgerError as Refusal } from '../errors';
import { streamIdOf, type LedgerEvent } from '../events';
import { decide, departmentYearOf, evolve, type DecideOptions, type DepartmentYear, type LedgerState } from '../ledger.decider';
import { judgeEventId, type AcceptedOccurrence } from './event-ids';
import { sameContent } from './same-content';
import { movesCountedAmounts, thresholdAlerts, type AlertEvent, type DepartmentYearTotals } from './threshold-alerts';

/**
 * The whole decision of a batch, in one pure function: which events are stored, which are
 * duplicates, which are refused and why, what goes to which stream, and the alerts. The writer
 * around it only routes, locks, reads the inputs, and stores what this returns.
 */

/** What becomes of one event of the batch (same index as the input). */
export type BatchOutcome =
  /** `derived`: the events the ledger stores right after it (a YearClosed's; empty for others). */
  | {
      readonly status: 'appended';
      readonly streamId: string;
      readonly warnings: readonly LedgerError[];
      readonly derived: readonly LedgerEvent[];
    }
  /**
   * `firstIndex`: the batch's own accepted occurrence it repeats; undefined for a copy stored before.
   * `derivedIndex`: set when it repeats the derived event `derived[derivedIndex]` of the YearClosed at `firstIndex`.
   */
  | { readonly status: 'duplicate'; readonly firstIndex: number | undefined; readonly derivedIndex?: number }
  | { readonly status: 'rejected'; readonly error: LedgerError };

/** The events a stream takes from the batch: input indexes in input order, then the alerts. */
export interface StreamAppendPlan {
  readonly streamId: string;
  readonly department: string;
  readonly fiscalYear: number;
  readonly indexes: number[];
  /** Input index (a YearClosed) → the events the ledger derives from it, stored right after it in this stream. */
  readonly derived: ReadonlyMap<number, readonly LedgerEvent[]>;
  readonly alerts: AlertEvent[];
}

export interface BatchDecision {
  readonly outcomes: BatchOutcome[];
  /** In the order each stream first takes an event. */
  readonly appends: StreamAppendPlan[];
}

export interface DecideBatchOptions extends DecideOptions {
  /**
   * The streams the caller holds. An event accepted for any other stream (its line was opened by
   * another writer after the caller routed the batch) throws StreamNotHeldError: decide again.
   * Undefined: every stream.
   */
  readonly streams?: ReadonlySet<string>;
  /** The rules whose thresholds raise alerts; no alerts without them. */
  readonly scoring?: ScoringConfig;
  /**
   * Totals of each department-year (by stream) before the batch, for the alerts. Needed for every
   * stream that accepts an event moving a counted amount (movesCountedAmounts) when `scoring` is given.
   */
  readonly totalsBefore?: ReadonlyMap<string, DepartmentYearTotals>;
}

/** An accepted event belongs to a stream the caller does not hold: the routing changed under it. */
export class StreamNotHeldError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
  ) {
    super(`event ${eventId} belongs to stream ${streamId}, which is not held`);
    this.name = 'StreamNotHeldError';
  }
}

/** A derived event of a YearClosed accepted earlier in the batch, by its eventId. */
interface DerivedOccurrence {
  readonly yearClosedIndex: number;
  readonly derivedIndex: number;
  readonly event: LedgerEvent;
}

/** The plans under construction, by stream. */
class Plans {
  readonly byStream = new Map<string, StreamAppendPlan & { derived: Map<number, readonly LedgerEvent[]> }>();

  add(place: DepartmentYear, streamId: string, index: number, derived: readonly LedgerEvent[]): void {
    let plan = this.byStream.get(streamId);
    if (plan === undefined) {
      plan = { streamId, department: place.department, fiscalYear: place.fiscalYear, indexes: [], derived: new Map(), alerts: [] };
      this.byStream.set(streamId, plan);
    }
    plan.indexes.push(index);
    if (derived.length > 0) plan.derived.set(index, derived);
  }
}

/**
 * Decides a batch in input order against `state`, which it evolves IN PLACE with every accepted
 * event and every event derived from it (the caller owns the state of one batch; see evolve).
 * `contentHashes[i]` is the content hash of `events[i]`; `stored` maps each of the batch's eventIds
 * that is already stored to the content hash stored under it — and the eventIds a YearClosed of the
 * batch would derive (`<its id cut to 100>:open:<n>` and `:cf:<n>`) too, when they are stored.
 *
 * Each occurrence of an eventId is judged on its own (judgeEventId): against the stored copy, or
 * else against the occurrence accepted (or derived) earlier in the batch; an occurrence that is
 * neither is decided by the budget rules, so a refused first occurrence leaves the id free for a
 * later one.
 */
export function decideBatch(
  state: LedgerState,
  events: readonly LedgerEvent[],
  contentHashes: readonly string[],
  stored: ReadonlyMap<string, string>,
  options: DecideBatchOptions,
): BatchDecision {
  if (contentHashes.length !== events.length) throw new Error('decideBatch: one content hash per event');
  const accepted = new Map<string, AcceptedOccurrence>();
  const derivedIds = new Map<string, DerivedOccurrence>();
  const plans = new Plans();
  const outcomes = events.map((event, index): BatchOutcome => {
    const contentHash = contentHashes[index] as string;
    const storedHash = stored.get(event.eventId);
    const derivedEarlier = storedHash === undefined ? derivedIds.get(event.eventId) : undefined;
    if (derivedEarlier !== undefined) return repeatOfDerived(event, derivedEarlier);
    const judgement = judgeEventId(contentHash, storedHash, accepted.get(event.eventId));
    if (judgement.kind === 'duplicate') return { status: 'duplicate', firstIndex: judgement.firstIndex };
    if (judgement.kind === 'conflict') {
      return { status: 'rejected', error: eventIdConflict(event.eventId, judgement.firstIndex === undefined) };
    }
    const decision = decide(state, event, options);
    if (!decision.ok) return { status: 'rejected', error: decision.error };
    const clash = decision.derived.find((d) => stored.has(d.eventId) || accepted.has(d.eventId) || derivedIds.has(d.eventId));
    if (clash !== undefined) return { status: 'rejected', error: derivedIdTaken(event.eventId, clash.eventId) };
    const place = departmentYearOf(event, state);
    if (place === undefined) throw new Error(`decideBatch: accepted event ${event.eventId} has no department-year`);
    const streamId = streamIdOf(place.department, place.fiscalYear);
    for (const changed of [streamId, ...otherStreamsChanged(event)]) {
      if (options.streams !== undefined && !options.streams.has(changed)) throw new StreamNotHeldError(event.eventId, changed);
    }
    evolve(state, event);
    decision.derived.forEach((derived, derivedIndex) => {
      evolve(state, derived);
      derivedIds.set(derived.eventId, { yearClosedIndex: index, derivedIndex, event: derived });
    });
    accepted.set(event.eventId, { index, contentHash });
    plans.add(place, streamId, index, decision.derived);
    return { status: 'appended', streamId, warnings: decision.warnings, derived: decision.derived };
  });
  const appends = [...plans.byStream.values()];
  if (options.scoring !== undefined) {
    for (const plan of appends) {
      const moving = plan.indexes.map((i) => events[i] as LedgerEvent).filter(movesCountedAmounts);
      if (moving.length === 0) continue;
      const totals = options.totalsBefore?.get(plan.streamId);
      if (totals === undefined) throw new Error(`decideBatch: no totals before the batch given for ${plan.streamId}`);
      plan.alerts.push(...thresholdAlerts(plan.department, plan.fiscalYear, totals, moving, options.scoring));
    }
  }
  return { outcomes, appends };
}

/**
 * The streams an accepted event changes besides its own: a YearClosed opens lines in the next
 * department-year and moves their figures, so the caller must hold that stream too.
 */
function otherStreamsChanged(event: LedgerEvent): string[] {
  return event.type === 'YearClosed' ? [streamIdOf(event.data.department, event.data.fiscalYear + 1)] : [];
}

/** An input that repeats the eventId of an event derived earlier in the batch: a duplicate when it is an exact copy. */
function repeatOfDerived(event: LedgerEvent, derived: DerivedOccurrence): BatchOutcome {
  if (sameContent(event, derived.event)) {
    return { status: 'duplicate', firstIndex: derived.yearClosedIndex, derivedIndex: derived.derivedIndex };
  }
  return {
    status: 'rejected',
    error: new Refusal(
      'EVENT_ID_CONFLICT',
      'eventId',
      'derived earlier in the batch, by a YearClosed, with different content',
      event.eventId,
    ),
  };
}

function derivedIdTaken(eventId: string, derivedId: string): LedgerError {
  return new Refusal(
    'EVENT_ID_CONFLICT',
    'eventId',
    `the event ${derivedId} that closing the year derives would repeat an eventId already stored or given earlier in the batch`,
    eventId,
  );
}

function eventIdConflict(eventId: string, againstStored: boolean): LedgerError {
  return new Refusal(
    'EVENT_ID_CONFLICT',
    'eventId',
    againstStored ? 'already stored with different content' : 'given earlier in the batch with different content',
    eventId,
  );
}
