import type { NewEvent } from './event-store';

const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The checks every store makes of an event it is asked to append. Programmer errors: the domain
 * validates events before they reach a store. `checkType` adds a store's own rule for the type,
 * checked right after the type is known to be a non-empty string.
 */
export function assertValidEvent(event: NewEvent, checkType?: (type: string, eventId: string) => void): void {
  if (!EVENT_ID_PATTERN.test(event.eventId)) {
    throw new TypeError(`eventId ${JSON.stringify(event.eventId)}: 1..128 characters of [A-Za-z0-9._:-] required`);
  }
  if (typeof event.type !== 'string' || event.type === '') throw new TypeError(`event ${event.eventId}: type required`);
  checkType?.(event.type, event.eventId);
  // Stored as a date and read back as 'YYYY-MM-DD': any other spelling would not hash the same again.
  if (!DATE_PATTERN.test(event.effectiveDate)) throw new TypeError(`event ${event.eventId}: effectiveDate must be 'YYYY-MM-DD'`);
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new TypeError(`event ${event.eventId}: data must be an object`);
  }
}
