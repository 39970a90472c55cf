import { GENESIS_HASH } from '@ledger/event-store';
import { comparePositions, isLedgerStream, ledgerPositionOf, readPositionAfter, type EsdbPosition } from './encoding';
import type { EsdbLog, EsdbRecordedEvent } from './esdb-log';
import { describe, toStoredEvent } from './records';

/** Records of $all read per request by readAll, headPosition and verify. */
const SCAN_PAGE_SIZE = 1_000;

export interface StreamHead {
  /** Version of the last event; -1n when the stream has none. */
  readonly version: bigint;
  readonly lastHash: string;
  /** recordedAt of the last event in epoch milliseconds; -Infinity when none. */
  readonly lastRecordedAtMs: number;
}

const EMPTY_HEAD: StreamHead = { version: -1n, lastHash: GENESIS_HASH, lastRecordedAtMs: Number.NEGATIVE_INFINITY };

/**
 * The ledger records of $all after `after` (exclusive), in order, read a page at a time; stops
 * after `limit` ledger records. Internally pages by the full (commit, prepare) position, so that
 * records sharing a commit position (old explicit transactions of other writers) cannot stall it.
 */
export async function* scanAll(log: EsdbLog, after: bigint, limit: number): AsyncGenerator<EsdbRecordedEvent> {
  let from = readPositionAfter(after);
  let cursor: EsdbPosition | undefined = from === 'start' ? undefined : from;
  let yielded = 0;
  const pageSize = Math.min(SCAN_PAGE_SIZE, Math.max(2 * limit, 64));
  for (;;) {
    const page = await log.readAll({ fromPosition: from, maxCount: pageSize, direction: 'forwards' });
    for (const record of page) {
      const position = record.position;
      if (position === undefined) throw new Error(`${describe(record)}: a $all record without a position`);
      if (cursor !== undefined && comparePositions(position, cursor) <= 0) continue;
      cursor = position;
      if (!isLedgerStream(record.streamId)) continue;
      if (position.commit <= after) continue;
      yield record;
      yielded += 1;
      if (yielded >= limit) return;
    }
    if (page.length < pageSize || cursor === undefined) return;
    from = cursor;
  }
}

/** The position of the last ledger event in $all (0n when there is none). */
export async function headPosition(log: EsdbLog): Promise<bigint> {
  // Backwards from the end of $all, past EventStoreDB's own records and the claims. Whether a
  // backwards read includes the record at its start position differs between server versions,
  // so records at or after the last one seen are skipped.
  let from: EsdbPosition | 'end' = 'end';
  let cursor: EsdbPosition | undefined;
  for (;;) {
    const page = await log.readAll({ fromPosition: from, maxCount: SCAN_PAGE_SIZE, direction: 'backwards' });
    let advanced = false;
    for (const record of page) {
      const position = record.position;
      if (position === undefined) throw new Error(`${describe(record)}: a $all record without a position`);
      if (cursor !== undefined && comparePositions(position, cursor) >= 0) continue;
      cursor = position;
      advanced = true;
      if (isLedgerStream(record.streamId)) return ledgerPositionOf(position, 'headPosition');
    }
    if (!advanced || page.length < SCAN_PAGE_SIZE || cursor === undefined) return 0n;
    from = cursor;
  }
}

/** The last event of a stream: its version, hash and recordedAt. */
export async function readHead(log: EsdbLog, streamId: string): Promise<StreamHead> {
  const [last] = await log.readStream(streamId, { fromRevision: 'end', maxCount: 1, direction: 'backwards' });
  if (last === undefined) return EMPTY_HEAD;
  const stored = toStoredEvent(last);
  return { version: stored.streamVersion, lastHash: stored.hash, lastRecordedAtMs: Date.parse(stored.recordedAt) };
}

/** The event at `version` of a stream, if there is one. */
export async function readAt(log: EsdbLog, streamId: string, version: bigint): Promise<EsdbRecordedEvent | undefined> {
  const [record] = await log.readStream(streamId, { fromRevision: version, maxCount: 1, direction: 'forwards' });
  return record !== undefined && record.revision === version ? record : undefined;
}
