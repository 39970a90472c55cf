import { chainHash, contentHash, GENESIS_HASH, RecordedAtFormat, type JsonObject, type Sql } from '@ledger/event-store';

/**
 * The forger's tool, for the tests that show what catches a forgery: every link of a stream
 * recomputed with the project's own canonical form after its events were changed or removed, and
 * its head reset, so that `verify` of the chain alone finds nothing. Needs the append-only trigger
 * out of the way (session_replication_role = replica, as a superuser could).
 */
export async function rechainStream(tx: Sql, streamId: string): Promise<void> {
  const rows = await tx.query<{
    position: bigint;
    event_id: string;
    stream_version: bigint;
    type: string;
    effective_date: string;
    correction: boolean;
    data: JsonObject;
    metadata: JsonObject | null;
    recorded_at: string;
  }>(
    `SELECT position, event_id, stream_version, type, effective_date, correction, data, metadata, recorded_at::text AS recorded_at
       FROM ledger_events WHERE stream_id = $1 ORDER BY stream_version`,
    [streamId],
  );
  let prev = GENESIS_HASH;
  const iso = new RecordedAtFormat();
  for (const row of rows) {
    const content = contentHash({
      eventId: row.event_id,
      type: row.type,
      effectiveDate: row.effective_date,
      correction: row.correction,
      data: row.data,
      metadata: row.metadata,
    });
    const hash = chainHash(prev, {
      position: row.position,
      streamId,
      streamVersion: row.stream_version,
      eventId: row.event_id,
      recordedAt: iso.iso(row.recorded_at),
      contentHash: content,
    });
    await tx.query('UPDATE ledger_events SET content_hash = $2, prev_hash = $3, hash = $4 WHERE position = $1::bigint', [
      row.position.toString(),
      content,
      prev,
      hash,
    ]);
    prev = hash;
  }
  const last = rows[rows.length - 1];
  await tx.query('UPDATE ledger_streams SET version = $2::bigint, last_hash = $3 WHERE stream_id = $1', [
    streamId,
    (last?.stream_version ?? -1n).toString(),
    prev,
  ]);
}
