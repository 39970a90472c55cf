import type { JsonObject, NewEvent } from '../event-store';

/** A small valid event for storage tests; `data` defaults to a payment of 1.00 on line L1. */
export function newEvent(eventId: string, overrides: Partial<Omit<NewEvent, 'eventId'>> = {}): NewEvent {
  const data: JsonObject = { lineId: 'L1', amount: '1.00' };
  return {
    eventId,
    type: 'PaymentRecorded',
    effectiveDate: '2021-03-15',
    correction: false,
    data,
    metadata: { source: 'test' },
    ...overrides,
  };
}
