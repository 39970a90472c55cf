import { canonicalJson, chainHash, contentHashOfParts, GENESIS_HASH } from './canonical';
import type { EventContent } from './event-store';

/**
 * The walk of the per-stream hash chain (decision 0003), in one place for every reader of it: the
 * PostgreSQL store's verify, the checkpoint digest (audit/log-digest.ts) and the EventStoreDB
 * adapter's verify. Pure: given the events in log order, it recomputes each one's content hash and
 * link and says what does not hold; reading the events and reporting are the caller's.
 */

/** An event as read back from a store, with the hashes it was stored with. */
export interface ChainedEvent extends EventContent {
  readonly position: bigint;
  readonly streamId: string;
  readonly streamVersion: bigint;
  /** Transaction time, ISO-8601 UTC with milliseconds, as the link covers it. */
  readonly recordedAt: string;
  /** The stored content hash, link to the previous event, and link. */
  readonly contentHash: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** What does not hold of an event, in the order the walk checks it. */
export type ChainFault =
  /** Its version is not the one after its stream's previous event (an event is missing or moved). */
  | { readonly kind: 'version'; readonly expected: bigint }
  /** Its position is not after its stream's previous event. */
  | { readonly kind: 'position' }
  /** Its stored prev hash is not the previous event's link. */
  | { readonly kind: 'prev-hash' }
  /** Its stored content hash is not the hash of its content. */
  | { readonly kind: 'content-hash' }
  /** Its stored link is not the one recomputed from its content and place. */
  | { readonly kind: 'hash' };

export interface ChainStep {
  /** The link the event should follow: its stream's previous link as the walk goes on from it, or 64 zeros. */
  readonly prevHash: string;
  /** The event's link, recomputed from its content and place and from `prevHash`. */
  readonly hash: string;
  /** Empty when the event is sound. */
  readonly faults: readonly ChainFault[];
}

/** A stream's last event as walked. */
export interface ChainEnd {
  readonly version: bigint;
  /** The link the walk goes on from (see ChainWalkOptions.follow). */
  readonly hash: string;
  readonly position: bigint;
}

export interface ChainWalkOptions {
  /**
   * The link the walk goes on from after each event. `'stored'`: the event's stored link, so that
   * each break is reported once rather than making every later link of its stream look broken
   * too (verify). `'recomputed'`: the link as it should be, so that one altered event changes
   * every link after it in its stream whatever the stored hashes say (a checkpoint's leaves).
   */
  readonly follow: 'stored' | 'recomputed';
  /**
   * Whether a link covers the event's position. EventStoreDB assigns a position only when the
   * write commits, after the link must be known, so its links are computed with position 0.
   */
  readonly positionInLink: boolean;
}

const SOUND: readonly ChainFault[] = [];

/** A walk of the log in order: each stream's chain is checked as its events come. */
export class ChainWalk {
  private readonly ends = new Map<string, ChainEnd>();

  constructor(private readonly options: ChainWalkOptions) {}

  /** Checks the next event of the log, and goes on from it. */
  step(event: ChainedEvent): ChainStep {
    const previous = this.ends.get(event.streamId);
    let faults = SOUND;
    const fault = (found: ChainFault): void => {
      faults = faults === SOUND ? [found] : [...faults, found];
    };
    const expected = previous === undefined ? 0n : previous.version + 1n;
    if (event.streamVersion !== expected) fault({ kind: 'version', expected });
    if (previous !== undefined && event.position <= previous.position) fault({ kind: 'position' });
    const prevHash = previous?.hash ?? GENESIS_HASH;
    if (event.prevHash !== prevHash) fault({ kind: 'prev-hash' });
    const contentHash = contentHashOfParts({
      type: event.type,
      effectiveDate: event.effectiveDate,
      correction: event.correction,
      dataJson: canonicalJson(event.data),
      metadataJson: canonicalJson(event.metadata),
    });
    if (contentHash !== event.contentHash) fault({ kind: 'content-hash' });
    const hash = chainHash(prevHash, {
      position: this.options.positionInLink ? event.position : 0n,
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      eventId: event.eventId,
      recordedAt: event.recordedAt,
      contentHash,
    });
    if (hash !== event.hash) fault({ kind: 'hash' });
    const followed = this.options.follow === 'stored' ? event.hash : hash;
    this.ends.set(event.streamId, { version: event.streamVersion, hash: followed, position: event.position });
    return { prevHash, hash, faults };
  }

  /** Each stream's last event so far, by stream. */
  streamEnds(): ReadonlyMap<string, ChainEnd> {
    return this.ends;
  }
}

/** A fault in words, naming the event or its stream and version. */
export function describeChainFault(event: ChainedEvent, fault: ChainFault): string {
  switch (fault.kind) {
    case 'version':
      return `stream ${event.streamId}: version ${event.streamVersion} where ${fault.expected} was due (an event is missing or moved)`;
    case 'position':
      return `stream ${event.streamId} version ${event.streamVersion}: position does not increase with the version`;
    case 'prev-hash':
      return `stream ${event.streamId} version ${event.streamVersion}: prev_hash does not link to the previous event`;
    case 'content-hash':
      return `event ${event.eventId}: content_hash does not match its content`;
    case 'hash':
      return `event ${event.eventId}: hash does not match its content`;
  }
}
