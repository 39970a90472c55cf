import type { HashedEventParts } from '../canonical';
import { copyText } from '../db/database';
import type { StoredEvent } from '../event-store';

/** A row to store: the event as it will be read back, its canonical parts and the link before it. */
export interface NewRow {
  readonly event: StoredEvent;
  readonly parts: HashedEventParts;
  readonly prevHash: string;
  readonly positionDigits: string;
  readonly streamVersionDigits: string;
}

/** The columns of ledger_events that an append writes, in the order of a COPY line (tx_id takes its default). */
export const EVENT_COPY_COLUMNS = [
  'position',
  'stream_id',
  'stream_version',
  'event_id',
  'type',
  'effective_date',
  'correction',
  'data',
  'metadata',
  'recorded_at',
  'content_hash',
  'prev_hash',
  'hash',
  'recorded_by',
] as const;

/** The size of the chunks of COPY data (decision 0007 gives the measurements). */
const COPY_CHUNK_BYTES = 32 * 1024;
/** The first chunk is smaller still, so that the server starts parsing at once. */
const COPY_FIRST_CHUNK_BYTES = 4 * 1024;

/**
 * The rows in COPY's text format (tab-separated, `\N` for null), a chunk of lines at a time,
 * written as UTF-8 straight into the chunk: no string of the whole chunk is built. Returns what
 * `rows` returns once the last row is made.
 */
export function* copyChunks<R>(rows: Iterator<NewRow, R>, recordedAt: string): Generator<Uint8Array, R> {
  let chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  let used = 0;
  let size = COPY_FIRST_CHUNK_BYTES;
  let streamId = '';
  let streamIdText = '';
  // A batch is posted by one identity: its COPY text is made once.
  let recordedBy: string | null | undefined = null;
  let recordedByText = '\\N';
  for (;;) {
    const next = rows.next();
    if (next.done === true) {
      if (used > 0) yield chunk.subarray(0, used);
      return next.value;
    }
    const { event, parts, prevHash, positionDigits, streamVersionDigits } = next.value;
    if (event.streamId !== streamId) {
      streamId = event.streamId;
      streamIdText = copyText(streamId);
    }
    if (event.recordedBy !== recordedBy) {
      recordedBy = event.recordedBy;
      recordedByText = recordedBy === null || recordedBy === undefined ? '\\N' : copyText(recordedBy);
    }
    const head = `${positionDigits}\t${streamIdText}\t${streamVersionDigits}\t${event.eventId}\t${copyText(parts.type)}\t${parts.effectiveDate}\t${parts.correction ? 't' : 'f'}\t`;
    const data = copyJson(parts.dataJson);
    const metadata = parts.metadataJson === 'null' ? '\\N' : copyJson(parts.metadataJson);
    const tail = `\t${recordedAt}\t${parts.contentHash}\t${prevHash}\t${event.hash}\t${recordedByText}\n`;
    // UTF-8 takes at most 3 bytes for a UTF-16 code unit.
    const most = 3 * (head.length + data.length + 1 + metadata.length + tail.length);
    if (chunk.length - used < most) {
      if (used > 0) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, most));
      used = 0;
    }
    used += chunk.write(head, used, 'utf8');
    used += chunk.write(data, used, 'utf8');
    chunk[used++] = 0x09;
    used += chunk.write(metadata, used, 'utf8');
    used += chunk.write(tail, used, 'utf8');
    if (used >= size) {
      yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
      used = 0;
      size = COPY_CHUNK_BYTES;
    }
  }
}

/** JSON text as a COPY field: JSON has no raw tab or line end, only its own backslashes to double. */
function copyJson(json: string): string {
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
}

/**
 * The rows as one JSON array for jsonb_to_recordset (INSERT_EVENTS), built as text around the
 * canonical data: serializing row objects again would double the work. Returns what `rows`
 * returns once the last row is made.
 */
export function jsonRows<R>(rows: Iterator<NewRow, R>): { readonly json: string; readonly made: R } {
  let json = '[';
  for (;;) {
    const next = rows.next();
    if (next.done === true) return { json: json + ']', made: next.value };
    json += (json.length > 1 ? ',' : '') + jsonRow(next.value);
  }
}

/** A row for jsonb_to_recordset, as JSON text around the canonical data. */
function jsonRow({ event, parts, prevHash }: NewRow): string {
  return (
    `{"position":"${event.position}","stream_id":${JSON.stringify(event.streamId)},"stream_version":"${event.streamVersion}",` +
    `"event_id":${JSON.stringify(event.eventId)},"type":${JSON.stringify(parts.type)},"effective_date":"${parts.effectiveDate}",` +
    `"correction":${parts.correction},"data":${parts.dataJson},"metadata":${parts.metadataJson},` +
    `"content_hash":"${parts.contentHash}","prev_hash":"${prevHash}","hash":"${event.hash}","recorded_by":${event.recordedBy === null || event.recordedBy === undefined ? 'null' : JSON.stringify(event.recordedBy)}}`
  );
}

/**
 * Stores the rows of jsonRows ($1) at the transaction time ($2). tx_id takes its default, the same
 * pg_current_xact_id() the positions were numbered from.
 */
export const INSERT_EVENTS = `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, effective_date, correction, data, metadata,
                            recorded_at, content_hash, prev_hash, hash, recorded_by)
 SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.type, e.effective_date, e.correction, e.data, e.metadata,
        $2::text::timestamptz, e.content_hash, e.prev_hash, e.hash, e.recorded_by
   FROM jsonb_to_recordset($1::text::jsonb) AS e(position bigint, stream_id text, stream_version bigint, event_id text, type text,
        effective_date date, correction boolean, data jsonb, metadata jsonb, content_hash text, prev_hash text, hash text,
        recorded_by text)`;
