import { assertValidEvent as assertValidNewEvent, type NewEvent } from '@ledger/event-store';
import { isLedgerStream } from './encoding';

/** The contract's checks, and no type of EventStoreDB's own. */
export function assertValidEvent(event: NewEvent): void {
  assertValidNewEvent(event, assertNotSystemType);
}

/** EventStoreDB reserves types starting with `$` for its own records. */
function assertNotSystemType(type: string, eventId: string): void {
  if (type.startsWith('$')) throw new TypeError(`event ${eventId}: type must not start with '$'`);
}

export function assertLedgerStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId === '') throw new TypeError('streamId required');
  if (!isLedgerStream(streamId)) {
    throw new TypeError(`streamId ${JSON.stringify(streamId)}: names starting with '$' are EventStoreDB's and the adapter's own`);
  }
}
