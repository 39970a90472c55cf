import type { Sql } from '../db/database';
import { READ_ALL_MAX_LIMIT, type ReadAllOptions, type ReadStreamOptions, type StoredEvent } from '../event-store';
import { assertLimit } from '../subscription-base';
import { EVENT_COLUMNS, toStoredEvents, type EventRow } from './event-rows';
import { PREPARED } from './prepared-statement';

/** The events of a stream from a version on, in version order. */
export async function readStream(sql: Sql, streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
  const fromVersion = options.fromVersion ?? 0n;
  const limit = options.limit === undefined ? null : String(assertLimit(options.limit));
  const rows = await sql.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM ledger_events
      WHERE stream_id = $1 AND stream_version >= $2::bigint
      ORDER BY stream_version LIMIT $3::int`,
    [streamId, fromVersion.toString(), limit],
    PREPARED,
  );
  return toStoredEvents(rows);
}

/**
 * The log after a position, through a given connection or transaction. Inside a transaction that
 * already has an id, the rows of transactions younger than it are not returned yet.
 */
export async function readAll(sql: Sql, options: ReadAllOptions): Promise<StoredEvent[]> {
  const limit = Math.min(assertLimit(options.limit), READ_ALL_MAX_LIMIT);
  // Only rows of transactions older than every transaction still running: they are all settled,
  // and everything committed later has a higher position (see POSITION_TX_SHIFT).
  const rows = await sql.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM ledger_events
      WHERE position > $1::bigint AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
      ORDER BY position LIMIT $2::int`,
    [options.after.toString(), String(limit)],
    PREPARED,
  );
  return toStoredEvents(rows);
}

/**
 * readAll bounded by bytes as well as by count, for followers over HTTP: the page stops before
 * the event that would take the JSON of data and metadata past `maxBytes`, but always holds at
 * least one event, so that a page can always be delivered and a follower always moves on. Sizes
 * are measured in the database, so an oversized page is never read into this process.
 */
export async function readAllWithin(sql: Sql, options: ReadAllOptions & { readonly maxBytes: number }): Promise<StoredEvent[]> {
  const limit = Math.min(assertLimit(options.limit), READ_ALL_MAX_LIMIT);
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
  const rows = await sql.query<EventRow>(
    `WITH page AS (
       SELECT position, octet_length(data::text) + COALESCE(octet_length(metadata::text), 0) AS bytes FROM ledger_events
        WHERE position > $1::bigint AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
        ORDER BY position LIMIT $2::int
     ), running AS (
       SELECT position, sum(bytes) OVER (ORDER BY position) AS upto, bytes FROM page
     )
     SELECT ${EVENT_COLUMNS} FROM ledger_events
      WHERE position IN (SELECT position FROM running WHERE upto <= $3::bigint OR upto = bytes)
      ORDER BY position`,
    [options.after.toString(), String(limit), String(options.maxBytes)],
  );
  return toStoredEvents(rows);
}

/** The highest position a follower can read now (0n when empty). */
export async function headPosition(sql: Sql): Promise<bigint> {
  // Walks the primary key down from the top: only the few rows of running transactions are skipped.
  const rows = await sql.query<{ position: bigint }>(
    `SELECT position FROM ledger_events
      WHERE tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
      ORDER BY position DESC LIMIT 1`,
  );
  return rows[0]?.position ?? 0n;
}

/**
 * The highest position committed, readable or not yet: a transaction still running anywhere on
 * the server (pg_snapshot_xmin is server-wide) can hold events back from readAll for a moment.
 */
export async function lastCommittedPosition(sql: Sql): Promise<bigint> {
  const rows = await sql.query<{ position: bigint }>('SELECT position FROM ledger_events ORDER BY position DESC LIMIT 1');
  return rows[0]?.position ?? 0n;
}
