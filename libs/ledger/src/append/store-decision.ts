import type { BatchDecision, LedgerEvent } from '@ledger/domain';
import { toStoredData } from '@ledger/domain';
import {
  textArrayLiteral,
  type AppendSession,
  type NewEvent,
  type Sql,
  type StoredCopy,
  type StoredEvent,
  type StreamAppend,
} from '@ledger/event-store';

/** An event the ledger derived from an input event (a YearClosed's lines and balances), as stored. */
export interface DerivedStored {
  readonly event: LedgerEvent;
  readonly stored: StoredEvent;
}

export interface StoredDecision {
  /** The stored copy of each input event stored, by input index. */
  readonly placeOf: readonly (StoredEvent | undefined)[];
  /** By input index: the events derived from it, in log order, right after it. */
  readonly derived: ReadonlyMap<number, readonly DerivedStored[]>;
  /** Settles once the server has the events (session.stage): the projection rows go in the same pipeline, before them. */
  readonly written: Promise<void>;
}

/**
 * Stores what decideBatch accepted, in one session.stage: in each stream, every accepted input
 * event followed by the events the ledger derived from it (decision 0014: a YearClosed's
 * BudgetLineOpened and BalanceCarriedForward, right after it), then the stream's alerts. The
 * derived events are posted by whoever posted their input event, and hashed by the session like
 * any event it stores, into the same chain. The events are staged, not awaited: the caller sends
 * the projection rows in the same turn and awaits `written` with them.
 */
export async function storeDecision(
  session: AppendSession,
  decision: BatchDecision,
  newEvents: readonly NewEvent[],
): Promise<StoredDecision> {
  const appends: StreamAppend[] = decision.appends.map((plan) => {
    const events: NewEvent[] = [];
    for (const index of plan.indexes) {
      const input = newEvents[index] as NewEvent;
      events.push(input);
      for (const event of plan.derived.get(index) ?? []) events.push(toNewEvent(event, input.recordedBy ?? undefined));
    }
    events.push(...plan.alerts);
    return { streamId: plan.streamId, expectedVersion: 'any' as const, events };
  });
  const { stored, written } = await session.stage(appends);
  // session.stage makes the events in the order given.
  const placeOf = new Array<StoredEvent | undefined>(newEvents.length);
  const derived = new Map<number, DerivedStored[]>();
  let k = 0;
  for (const plan of decision.appends) {
    for (const index of plan.indexes) {
      placeOf[index] = stored[k++];
      const fromIt = plan.derived.get(index) ?? [];
      if (fromIt.length > 0) {
        derived.set(
          index,
          fromIt.map((event) => ({ event, stored: stored[k++] as StoredEvent })),
        );
      }
    }
    k += plan.alerts.length;
  }
  if (k !== stored.length) throw new Error(`append: ${stored.length} events stored, ${k} planned`);
  return { placeOf, derived, written };
}

export function toNewEvent(event: LedgerEvent, recordedBy?: string): NewEvent {
  return {
    recordedBy: recordedBy ?? null,
    eventId: event.eventId,
    type: event.type,
    effectiveDate: event.effectiveDate,
    correction: event.correction,
    data: toStoredData(event),
    metadata: event.metadata,
  };
}

/** Characters of a YearClosed's eventId that its derived events' ids start with (decision 0014; eventIds are ASCII). */
const DERIVED_ID_BASE_CHARS = 100;

/**
 * What is stored under the eventIds the batch's YearClosed events may derive (`<id cut to
 * 100>:open:<n>`, `:cf:<n>`), which decideBatch judges with the batch's own: every stored eventId
 * that starts with `<id cut to 100>:`, a range of the eventId index ("C" order: ';' follows ':').
 * Nothing is read for a batch without a YearClosed.
 */
export async function readDerivedStored(tx: Sql, events: readonly LedgerEvent[]): Promise<Map<string, StoredCopy>> {
  const found = new Map<string, StoredCopy>();
  const bases = [...new Set(events.flatMap((e) => (e.type === 'YearClosed' ? [e.eventId.slice(0, DERIVED_ID_BASE_CHARS)] : [])))];
  if (bases.length === 0) return found;
  const rows = await tx.query<{ event_id: string; position: bigint; content_hash: string }>(
    `SELECT e.event_id, e.position, e.content_hash FROM unnest($1::text::text[]) AS b(base)
       JOIN ledger_events e ON e.event_id >= b.base || ':' AND e.event_id < b.base || ';'`,
    [textArrayLiteral(bases)],
  );
  for (const row of rows) found.set(row.event_id, { position: row.position, contentHash: row.content_hash });
  return found;
}
