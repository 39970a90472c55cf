import type { LedgerEvent } from '../events';
import type { JsonValue } from '../json';
import { toStoredData } from '../parse-event';

/** JSON with the keys of every object sorted: two documents that differ only in key order are the same text. */
function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Whether two events have the same content as the store compares it (type, effectiveDate,
 * correction, stored data and metadata; not the eventId): for an input that repeats an event the
 * ledger derives in the same batch, where no content hash of the derived event exists yet.
 */
export function sameContent(a: LedgerEvent, b: LedgerEvent): boolean {
  return (
    a.type === b.type &&
    a.effectiveDate === b.effectiveDate &&
    a.correction === b.correction &&
    canonical(toStoredData(a)) === canonical(toStoredData(b)) &&
    canonical(a.metadata) === canonical(b.metadata)
  );
}
