import type { NewEvent } from '../event-store';
import { assertValidEvent as assertValidNewEvent } from '../validation';

// Text the server would store other than it was given (UTF-8 has no form for half a surrogate
// pair), so that the stream or the chain would no longer match it.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** The contract's checks, and text the server can store as given (see LONE_SURROGATE). */
export function assertValidEvent(event: NewEvent): void {
  assertValidNewEvent(event, assertWellFormedType);
}

function assertWellFormedType(type: string, eventId: string): void {
  if (LONE_SURROGATE.test(type)) throw new TypeError(`event ${eventId}: type is not well-formed Unicode`);
}

/** The streams once each, every id checked. */
export function uniqueStreamIds(streamIds: readonly string[]): string[] {
  const ids = [...new Set(streamIds)];
  for (const id of ids) assertStreamId(id);
  return ids;
}

export function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId === '') throw new TypeError('streamId required');
  if (LONE_SURROGATE.test(streamId)) throw new TypeError(`streamId ${JSON.stringify(streamId)} is not well-formed Unicode`);
}
