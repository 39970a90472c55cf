import { hashedParts, type HashedEventParts } from '../canonical';
import type { NewEvent } from '../event-store';
import { assertValidEvent } from './event-checks';

/**
 * Canonical forms and content hashes of events. Kept by event object when they are needed twice
 * (a look-up before the append); otherwise they are left to the garbage collector as soon as the
 * row is sent, which keeps the collector's work small in a large append.
 */
export class PreparedEvents {
  private readonly byEvent: Map<NewEvent, HashedEventParts> | undefined;
  private readonly validated: boolean;

  /** `validated`: the events were checked already (PgEventStore.append checks them all before it starts). */
  constructor(options: { readonly keep: boolean; readonly validated: boolean }) {
    this.byEvent = options.keep ? new Map() : undefined;
    this.validated = options.validated;
  }

  get(event: NewEvent): HashedEventParts {
    const cached = this.byEvent?.get(event);
    if (cached !== undefined) return cached;
    if (!this.validated) assertValidEvent(event);
    const prepared = hashedParts(event);
    this.byEvent?.set(event, prepared);
    return prepared;
  }
}

/**
 * Events validated and hashed ahead of the session that stores them (PgEventStore.prepare). The
 * work needs no lock and no database, so a writer can do it for its next batch while the one
 * before is still being stored.
 */
export class HashedEvents {
  /** @internal */
  constructor(readonly cache: PreparedEvents) {}
}

/** Validates and hashes events outside any transaction, keeping the results for the session that stores them. */
export function hashEvents(events: readonly NewEvent[]): HashedEvents {
  const prepared = new PreparedEvents({ keep: true, validated: false });
  for (const event of events) prepared.get(event);
  return new HashedEvents(prepared);
}
