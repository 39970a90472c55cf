import { ChainWalk, describeChainFault, type ChainedEvent, type ChainFault, type VerifyReport } from '@ledger/event-store';
import { decodeEnvelope, eventUuid } from './encoding';
import { scanAll } from './esdb-reads';
import type { EsdbLog, EsdbRecordedEvent } from './esdb-log';
import { describe, errorMessage, toStoredEvent } from './records';

/**
 * Walks every ledger event in $all order and recomputes each stream's chain (chain-walk.ts, links
 * without the position): versions without a gap, positions increasing with versions, prev hash =
 * the previous event's hash, content hash from the content, link hash from both. Also that the
 * EventStoreDB UUID is the one of the eventId, and that no eventId is stored twice (the claims of
 * docs/eventstoredb.md make that all but impossible). Stops at the first break.
 */
export async function verifyEsdbLog(log: EsdbLog): Promise<VerifyReport> {
  const chain = new ChainWalk({ follow: 'stored', positionInLink: false });
  const eventIds = new Map<string, bigint>();
  let events = 0;
  for await (const record of scanAll(log, 0n, Number.MAX_SAFE_INTEGER)) {
    events += 1;
    const position = record.position === undefined ? undefined : record.position.commit;
    const broken = (reason: string): VerifyReport =>
      position === undefined ? { ok: false, events, reason } : { ok: false, events, firstBrokenPosition: position.toString(), reason };
    let event: ChainedEvent;
    try {
      event = chainedEventOf(record);
    } catch (error) {
      return broken(`stream ${record.streamId} revision ${record.revision}: not a ledger event (${errorMessage(error)})`);
    }
    const [fault] = chain.step(event).faults;
    if (fault !== undefined) return broken(reasonOf(event, fault));
    if (record.id !== eventUuid(event.eventId)) return broken(`event ${event.eventId}: its EventStoreDB id is not the UUID of its eventId`);
    const earlier = eventIds.get(event.eventId);
    if (earlier !== undefined) return broken(`event ${event.eventId}: stored twice (first at position ${earlier})`);
    eventIds.set(event.eventId, event.position);
  }
  return { ok: true, events };
}

/** A record as the chain walk reads it; throws when it is not a ledger event. */
function chainedEventOf(record: EsdbRecordedEvent): ChainedEvent {
  const stored = toStoredEvent(record);
  const envelope = decodeEnvelope(record.metadata, describe(record));
  return { ...stored, metadata: stored.metadata ?? null, contentHash: envelope.contentHash, prevHash: envelope.prevHash };
}

/** A fault in the words this adapter's verify has always used. */
function reasonOf(event: ChainedEvent, fault: ChainFault): string {
  switch (fault.kind) {
    case 'version':
      return `stream ${event.streamId}: version ${event.streamVersion} where ${fault.expected} was due (an event is missing)`;
    case 'prev-hash':
      return `stream ${event.streamId} version ${event.streamVersion}: prev hash does not link to the previous event`;
    case 'content-hash':
      return `event ${event.eventId}: content hash does not match its content`;
    default:
      return describeChainFault(event, fault);
  }
}
