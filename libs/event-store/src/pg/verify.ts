import { canonicalJson, chainHash, contentHashOfParts, GENESIS_HASH, type CanonicalEventParts } from '../canonical';
import type { Database } from '../db/database';
import type { VerifyBreak, VerifyReport } from '../event-store';
import { CHAINED_EVENT_COLUMNS, type ChainedEventRow } from './event-rows';
import { RecordedAtFormat } from './recorded-at';

const VERIFY_PAGE_SIZE = 5_000;
/** Breaks verify lists at most; a log broken in more places than that needs no longer list to be distrusted. */
export const MAX_VERIFY_BREAKS = 100;

/**
 * Recomputes every stream's chain in position order inside one REPEATABLE READ snapshot, so that
 * appends running meanwhile neither break the walk nor disagree with the stream heads. Each
 * event's content hash is recomputed from its content, and its link from that.
 */
export function verifyLog(db: Database): Promise<VerifyReport> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const streams = new Map<string, { version: bigint; hash: string; lastPosition: bigint }>();
    const recordedAt = new RecordedAtFormat();
    const breaks = new VerifyBreaks();
    let events = 0;
    let after = 0n;
    walk: for (;;) {
      const rows = await tx.query<ChainedEventRow>(
        `SELECT ${CHAINED_EVENT_COLUMNS} FROM ledger_events
          WHERE position > $1::bigint ORDER BY position LIMIT $2::int`,
        [after.toString(), String(VERIFY_PAGE_SIZE)],
      );
      for (const row of rows) {
        events += 1;
        const reason = brokenLink(row, streams.get(row.streamId), recordedAt);
        if (reason !== undefined && breaks.add(row.position, reason)) break walk;
        // The walk goes on from the event as stored, so that each break is reported once
        // rather than making every later link of its stream look broken too.
        streams.set(row.streamId, { version: row.streamVersion, hash: row.hash, lastPosition: row.position });
      }
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < VERIFY_PAGE_SIZE) break;
      after = last.position;
    }
    if (!breaks.full()) {
      const heads = await tx.query<{ stream_id: string; version: bigint; last_hash: string }>(
        'SELECT stream_id, version, last_hash FROM ledger_streams ORDER BY stream_id',
      );
      const headIds = new Set<string>();
      for (const head of heads) {
        headIds.add(head.stream_id);
        const chain = streams.get(head.stream_id);
        if (chain === undefined) {
          breaks.add(undefined, `stream ${head.stream_id}: its head says version ${head.version}, but it has no events`);
        } else if (chain.version !== head.version || chain.hash !== head.last_hash) {
          breaks.add(
            chain.lastPosition,
            `stream ${head.stream_id}: its head says version ${head.version}, but its events end at version ${chain.version} with another hash`,
          );
        }
      }
      for (const [streamId, chain] of streams) {
        if (!headIds.has(streamId)) breaks.add(chain.lastPosition, `stream ${streamId}: it has events but no head`);
      }
    }
    return breaks.report(events);
  });
}

/** Why an event does not link to the one before it in its stream (`previous`), or undefined. */
function brokenLink(
  row: ChainedEventRow,
  previous: { version: bigint; hash: string } | undefined,
  recordedAt: RecordedAtFormat,
): string | undefined {
  const expectedVersion = previous === undefined ? 0n : previous.version + 1n;
  if (row.streamVersion !== expectedVersion) {
    return `stream ${row.streamId}: version ${row.streamVersion} where ${expectedVersion} was due (an event is missing or moved)`;
  }
  const prevHash = previous?.hash ?? GENESIS_HASH;
  if (row.prevHash !== prevHash)
    return `stream ${row.streamId} version ${row.streamVersion}: prev_hash does not link to the previous event`;
  const computedContentHash = contentHashOfParts(partsOf(row));
  if (computedContentHash !== row.contentHash) return `event ${row.eventId}: content_hash does not match its content`;
  const link = {
    position: row.position,
    streamId: row.streamId,
    streamVersion: row.streamVersion,
    eventId: row.eventId,
    recordedAt: recordedAt.iso(row.recordedAt),
  };
  if (chainHash(prevHash, { ...link, contentHash: computedContentHash }) !== row.hash)
    return `event ${row.eventId}: hash does not match its content`;
  return undefined;
}

function partsOf(row: ChainedEventRow): CanonicalEventParts {
  return {
    type: row.type,
    effectiveDate: row.effectiveDate,
    correction: row.correction,
    dataJson: canonicalJson(row.data),
    metadataJson: canonicalJson(row.metadata),
  };
}

/** The breaks verify found, at most MAX_VERIFY_BREAKS of them: past that the walk stops. */
class VerifyBreaks {
  private readonly found: { position: bigint | undefined; reason: string }[] = [];

  /** Records a break; true once the list is full. */
  add(position: bigint | undefined, reason: string): boolean {
    if (!this.full()) this.found.push({ position, reason });
    return this.full();
  }

  full(): boolean {
    return this.found.length >= MAX_VERIFY_BREAKS;
  }

  /** In position order, a stream with no events at all last; the first one also as firstBrokenPosition and reason. */
  report(events: number): VerifyReport {
    if (this.found.length === 0) return { ok: true, events };
    const sorted = [...this.found].sort((a, b) =>
      a.position === b.position ? 0 : a.position === undefined ? 1 : b.position === undefined ? -1 : a.position < b.position ? -1 : 1,
    );
    const breaks = sorted.map((b) =>
      b.position === undefined ? { reason: b.reason } : { position: b.position.toString(), reason: b.reason },
    );
    const first = breaks[0] as VerifyBreak;
    return {
      ok: false,
      events,
      ...(first.position === undefined ? {} : { firstBrokenPosition: first.position }),
      reason: first.reason,
      breaks,
      truncated: this.full(),
    };
  }
}
