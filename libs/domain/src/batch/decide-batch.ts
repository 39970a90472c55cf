import type { ScoringConfig } from '../scoring-config';
import type { LedgerError } from '../errors';
import { LedgerError as Refusal } from '../errors';
import { streamIdOf, type LedgerEvent } from '../events';
import { decide, departmentYearOf, evolve, type DecideOptions, type LedgerState } from '../ledger.decider';
import { judgeEventId, type AcceptedOccurrence } from './event-ids';
import { movesCountedAmounts, thresholdAlerts, type AlertEvent, type DepartmentYearTotals } from './threshold-alerts';

/**
 * The whole decision of a batch, in one pure function: which events are stored, which are
 * duplicates, which are refused and why, what goes to which stream, and the alerts. The writer
 * around it only routes, locks, reads the inputs, and stores what this returns.
 */

/** What becomes of one event of the batch (same index as the input). */
export type BatchOutcome =
  | { readonly status: 'appended'; readonly streamId: string; readonly warnings: readonly LedgerError[] }
  /** `firstIndex`: the batch's own accepted occurrence it repeats; undefined for a copy stored before. */
  | { readonly status: 'duplicate'; readonly firstIndex: number | undefined }
  | { readonly status: 'rejected'; readonly error: LedgerError };

/** The events a stream takes from the batch: input indexes in input order, then the alerts. */
export interface StreamAppendPlan {
  readonly streamId: string;
  readonly department: string;
  readonly fiscalYear: number;
  readonly indexes: number[];
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

/**
 * Decides a batch in input order against `state`, which it evolves IN PLACE with every accepted
 * event (the caller owns the state of one batch; see evolve). `contentHashes[i]` is the content
 * hash of `events[i]`; `stored` maps each of the batch's eventIds that is already stored to the
 * content hash stored under it.
 *
 * Each occurrence of an eventId is judged on its own (judgeEventId): against the stored copy, or
 * else against the occurrence accepted earlier in the batch; an occurrence that is neither is
 * decided by the budget rules, so a refused first occurrence leaves the id free for a later one.
 */
export function decideBatch(
  state: LedgerState,
  events: readonly LedgerEvent[],
  contentHashes: readonly string[],
  stored: ReadonlyMap<string, string>,
  options: DecideBatchOptions,
): BatchDecision {
  if (contentHashes.length !== events.length) throw new Error('decideBatch: one content hash per event');
  const outcomes: BatchOutcome[] = [];
  const accepted = new Map<string, AcceptedOccurrence>();
  const plans = new Map<string, StreamAppendPlan>();
  events.forEach((event, index) => {
    const contentHash = contentHashes[index] as string;
    const judgement = judgeEventId(contentHash, stored.get(event.eventId), accepted.get(event.eventId));
    if (judgement.kind === 'duplicate') {
      outcomes.push({ status: 'duplicate', firstIndex: judgement.firstIndex });
      return;
    }
    if (judgement.kind === 'conflict') {
      outcomes.push({ status: 'rejected', error: eventIdConflict(event.eventId, judgement.firstIndex === undefined) });
      return;
    }
    const decision = decide(state, event, options);
    if (!decision.ok) {
      outcomes.push({ status: 'rejected', error: decision.error });
      return;
    }
    const place = departmentYearOf(event, state);
    if (place === undefined) throw new Error(`decideBatch: accepted event ${event.eventId} has no department-year`);
    const streamId = streamIdOf(place.department, place.fiscalYear);
    if (options.streams !== undefined && !options.streams.has(streamId)) throw new StreamNotHeldError(event.eventId, streamId);
    evolve(state, event);
    accepted.set(event.eventId, { index, contentHash });
    let plan = plans.get(streamId);
    if (plan === undefined) {
      plan = { streamId, department: place.department, fiscalYear: place.fiscalYear, indexes: [], alerts: [] };
      plans.set(streamId, plan);
    }
    plan.indexes.push(index);
    outcomes.push({ status: 'appended', streamId, warnings: decision.warnings });
  });
  if (options.scoring !== undefined) {
    for (const plan of plans.values()) {
      const moving = plan.indexes.map((i) => events[i] as LedgerEvent).filter(movesCountedAmounts);
      if (moving.length === 0) continue;
      const totals = options.totalsBefore?.get(plan.streamId);
      if (totals === undefined) throw new Error(`decideBatch: no totals before the batch given for ${plan.streamId}`);
      plan.alerts.push(...thresholdAlerts(plan.department, plan.fiscalYear, totals, moving, options.scoring));
    }
  }
  return { outcomes, appends: [...plans.values()] };
}

function eventIdConflict(eventId: string, againstStored: boolean): LedgerError {
  return new Refusal(
    'EVENT_ID_CONFLICT',
    'eventId',
    againstStored ? 'already stored with different content' : 'given earlier in the batch with different content',
    eventId,
  );
}
