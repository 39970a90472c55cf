import { GENESIS_HASH } from '../canonical';
import { textArrayLiteral, type Transaction } from '../db/database';
import type { LockKeys } from './lock-keys';
import { PREPARED } from './prepared-statement';

/** A stream's last version (-1n when it has no events) and the hash of its last event. */
export interface StreamHead {
  readonly version: bigint;
  readonly lastHash: string;
}

/** What a transaction learns as it locks its streams. */
export interface OpenedStreams {
  /** Every locked stream's head, as of after the locks. */
  readonly heads: Map<string, StreamHead>;
  /** The transaction's id: the high bits of its positions. */
  readonly txId: bigint;
  /** The transaction time of its events, ISO-8601 UTC with milliseconds. */
  readonly recordedAt: string;
}

/**
 * Locks the streams and reads their heads, the statements sent one behind the other without
 * waiting in between: the streams are open once both are answered.
 */
export function openStreams(tx: Transaction, ids: readonly string[], lockKeys: LockKeys): Promise<OpenedStreams> {
  // Every session takes its locks in ascending key order (the ORDER BY), so that two sessions
  // can never wait on each other.
  const locked =
    ids.length === 0
      ? Promise.resolve([])
      : tx.query(
          `SELECT count(pg_advisory_xact_lock(k)) AS locked FROM (SELECT unnest($1::text::bigint[]) AS k ORDER BY 1) AS keys`,
          [`{${ids.map((id) => lockKeys.digits(id)).join(',')}}`],
          PREPARED,
        );
  // A separate statement: in READ COMMITTED its snapshot is taken when it starts, after the
  // locks were granted, so it sees the last commit of every writer we waited for.
  // pg_current_xact_id() assigns the transaction id now, after the locks, which is what makes
  // positions increase with versions. The transaction time is the clock, but always after the
  // last transaction time of every locked stream: within a stream it strictly increases, so
  // "known at" the time of an event never takes in an event committed after it in the same
  // millisecond (or after the clock stepped back).
  const heads = tx.query<{
    tx_id: string;
    recorded_at: string;
    stream_id: string | null;
    version: bigint | null;
    last_hash: string | null;
  }>(
    `WITH heads AS (
       SELECT stream_id, version, last_hash, last_recorded_at FROM ledger_streams WHERE stream_id IN (SELECT unnest($1::text::text[]))
     )
     SELECT t.tx_id, t.recorded_at, h.stream_id, h.version, h.last_hash
       FROM (SELECT pg_current_xact_id()::text AS tx_id,
                    to_char(greatest(date_trunc('milliseconds', clock_timestamp()),
                                     (SELECT max(last_recorded_at) FROM heads) + interval '1 millisecond') AT TIME ZONE 'UTC',
                            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at) AS t
       LEFT JOIN heads AS h ON true`,
    [textArrayLiteral(ids)],
    PREPARED,
  );
  return Promise.all([locked, heads]).then(([, rows]) => {
    const first = rows[0];
    if (first === undefined) throw new Error('the heads query returns at least one row');
    const streamHeads = new Map<string, StreamHead>();
    for (const id of ids) streamHeads.set(id, { version: -1n, lastHash: GENESIS_HASH });
    for (const row of rows) {
      if (row.stream_id !== null && row.version !== null && row.last_hash !== null) {
        streamHeads.set(row.stream_id, { version: row.version, lastHash: row.last_hash });
      }
    }
    return { heads: streamHeads, txId: BigInt(first.tx_id), recordedAt: first.recorded_at };
  });
}
