import { chainHash, type StoredEvent } from '@ledger/event-store';
import { decodeEnvelope, isEventData, ledgerPositionOf } from './encoding';
import type { EsdbRecordedEvent } from './esdb-log';

/** The chain link of an EventStoreDB event: position 0, since the position is not known before the write commits. */
export function linkHash(
  prevHash: string,
  streamId: string,
  streamVersion: bigint,
  eventId: string,
  recordedAt: string,
  contentHash: string,
): string {
  return chainHash(prevHash, { position: 0n, streamId, streamVersion, eventId, recordedAt, contentHash });
}

/** A ledger event read from EventStoreDB as the contract's StoredEvent; throws when the record is not one. */
export function toStoredEvent(record: EsdbRecordedEvent): StoredEvent {
  const what = describe(record);
  const envelope = decodeEnvelope(record.metadata, what);
  if (!isEventData(record.data)) throw new TypeError(`${what}: data is not a JSON object`);
  return {
    eventId: envelope.eventId,
    type: record.type,
    effectiveDate: envelope.effectiveDate,
    correction: envelope.correction,
    data: record.data,
    metadata: envelope.metadata,
    position: ledgerPositionOf(record.position, what),
    streamId: record.streamId,
    streamVersion: record.revision,
    recordedAt: envelope.recordedAt,
    hash: envelope.hash,
    recordedBy: envelope.recordedBy ?? null,
  };
}

/** A record named for an error message. */
export function describe(record: EsdbRecordedEvent): string {
  return `stream ${record.streamId} revision ${record.revision}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps with at most `limit` calls of `fn` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
