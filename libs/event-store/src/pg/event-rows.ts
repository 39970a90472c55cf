import type { JsonObject, StoredEvent } from '../event-store';
import { RecordedAtFormat } from './recorded-at';

/** A row of EVENT_COLUMNS: the StoredEvent itself once recordedAt (the server's text form here) is rewritten. */
export interface EventRow {
  position: bigint;
  streamId: string;
  streamVersion: bigint;
  eventId: string;
  type: string;
  effectiveDate: string;
  correction: boolean;
  data: JsonObject;
  metadata: JsonObject | null;
  recordedAt: string;
  hash: string;
  recordedBy: string | null;
}

// The columns of a StoredEvent, under its names, so that the driver's row objects become the
// events without a copy. recorded_at travels as the server's text form, which costs the server
// less than to_char and the reader no Date per row (see RecordedAtFormat).
export const EVENT_COLUMNS = `position, stream_id AS "streamId", stream_version AS "streamVersion", event_id AS "eventId", type,
  effective_date AS "effectiveDate", correction, data, metadata, recorded_at::text AS "recordedAt", hash,
  recorded_by AS "recordedBy"`;

/** A row of CHAINED_EVENT_COLUMNS: an event with the stored links its chain is checked by. */
export interface ChainedEventRow extends EventRow {
  contentHash: string;
  prevHash: string;
}

/** EVENT_COLUMNS and the stored content hash and previous link: what a walk of the chain reads. */
export const CHAINED_EVENT_COLUMNS = `${EVENT_COLUMNS}, content_hash AS "contentHash", prev_hash AS "prevHash"`;

/** The rows become the events: recordedAt is rewritten in place, which spares a copy of every row. */
export function toStoredEvents(rows: readonly EventRow[]): StoredEvent[] {
  const recordedAt = new RecordedAtFormat();
  const events = new Array<StoredEvent>(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as EventRow;
    row.recordedAt = recordedAt.iso(row.recordedAt);
    events[i] = row;
  }
  return events;
}
