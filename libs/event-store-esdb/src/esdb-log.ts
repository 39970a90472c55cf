import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type JSONEventData,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { JsonObject } from '@ledger/event-store';
import type { EsdbExpectedRevision, EsdbPosition } from './encoding';

/**
 * The few EventStoreDB operations the ledger's adapter uses, in the shape it uses them. The store
 * is written against this interface, so that its logic runs in the unit tests against an in-memory
 * log with EventStoreDB's semantics (testing/in-memory-esdb-log.ts) and, with EVENTSTORE_URL set,
 * against a real server through EsdbClientLog.
 */
export interface EsdbLog {
  /**
   * Appends `events` to one stream, atomically. Throws the client's WrongExpectedVersionError when
   * the stream is not at `expectedRevision`. Appending the same event UUIDs again at the same exact
   * expected revision succeeds without writing (EventStoreDB's idempotent append).
   */
  append(streamId: string, events: readonly EsdbProposedEvent[], expectedRevision: EsdbExpectedRevision): Promise<void>;
  /** Events of one stream from `fromRevision` (inclusive) in `direction`; [] when the stream does not exist. */
  readStream(streamId: string, options: EsdbReadStreamOptions): Promise<EsdbRecordedEvent[]>;
  /** Records of $all from `fromPosition` (inclusive), system records included. */
  readAll(options: EsdbReadAllOptions): Promise<EsdbRecordedEvent[]>;
  /** A catch-up subscription to $all after `fromPosition`, without the records of `$` streams. */
  subscribeToAll(fromPosition: EsdbPosition | 'start'): EsdbAllSubscription;
  /** Keeps at most `maxCount` events in a stream (older ones are scavenged). */
  setMaxCount(streamId: string, maxCount: number): Promise<void>;
}

export interface EsdbProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface EsdbRecordedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  /** Parsed JSON for JSON events; anything else for other events (never the ledger's). */
  readonly data: unknown;
  readonly metadata: unknown;
  /** Always set on $all reads; on stream reads only by servers from 22.6 on. */
  readonly position: EsdbPosition | undefined;
}

export interface EsdbReadStreamOptions {
  readonly fromRevision: bigint | 'start' | 'end';
  readonly maxCount: number;
  readonly direction: 'forwards' | 'backwards';
}

export interface EsdbReadAllOptions {
  readonly fromPosition: EsdbPosition | 'start' | 'end';
  readonly maxCount: number;
  readonly direction: 'forwards' | 'backwards';
}

export interface EsdbAllSubscription extends AsyncIterable<EsdbRecordedEvent> {
  /** Records received and not yet taken: 0 means the next one has to come from the server. */
  buffered(): number;
  close(): Promise<void>;
}

export interface EsdbClientLogOptions {
  /** Deadline of one append, in milliseconds; after it the client gives up (the write may still land). */
  readonly appendDeadlineMs?: number;
}

export const DEFAULT_APPEND_DEADLINE_MS = 10_000;

/** EsdbLog on @eventstore/db-client (gRPC). */
export class EsdbClientLog implements EsdbLog {
  readonly appendDeadlineMs: number;

  constructor(
    readonly client: EventStoreDBClient,
    options: EsdbClientLogOptions = {},
  ) {
    this.appendDeadlineMs = options.appendDeadlineMs ?? DEFAULT_APPEND_DEADLINE_MS;
  }

  /** A log on the server of a connection string, e.g. `esdb://localhost:2113?tls=false`. */
  static connect(connectionString: string, options: EsdbClientLogOptions = {}): EsdbClientLog {
    return new EsdbClientLog(EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(streamId: string, events: readonly EsdbProposedEvent[], expectedRevision: EsdbExpectedRevision): Promise<void> {
    const proposed: JSONEventData[] = events.map((event) => ({
      id: event.id,
      contentType: 'application/json',
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    }));
    await this.client.appendToStream(streamId, proposed, { expectedRevision, deadline: this.appendDeadlineMs });
  }

  async readStream(streamId: string, options: EsdbReadStreamOptions): Promise<EsdbRecordedEvent[]> {
    const fromRevision: ReadRevision =
      options.fromRevision === 'start' ? START : options.fromRevision === 'end' ? END : options.fromRevision;
    const out: EsdbRecordedEvent[] = [];
    try {
      const reading = this.client.readStream(streamId, {
        fromRevision,
        maxCount: options.maxCount,
        direction: options.direction === 'forwards' ? FORWARDS : BACKWARDS,
      });
      for await (const resolved of reading) {
        const recorded = fromResolved(resolved);
        if (recorded !== undefined) out.push(recorded);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  async readAll(options: EsdbReadAllOptions): Promise<EsdbRecordedEvent[]> {
    const fromPosition: ReadPosition =
      options.fromPosition === 'start' ? START : options.fromPosition === 'end' ? END : options.fromPosition;
    const out: EsdbRecordedEvent[] = [];
    const reading = this.client.readAll({
      fromPosition,
      maxCount: options.maxCount,
      direction: options.direction === 'forwards' ? FORWARDS : BACKWARDS,
    });
    for await (const resolved of reading) {
      const recorded = fromResolved(resolved);
      if (recorded !== undefined) out.push(recorded);
    }
    return out;
  }

  subscribeToAll(fromPosition: EsdbPosition | 'start'): EsdbAllSubscription {
    // Filtered on the server by stream name, so that EventStoreDB's own records and the adapter's
    // claims and checkpoints never cross the wire.
    const subscription = this.client.subscribeToAll({
      fromPosition: fromPosition === 'start' ? START : fromPosition,
      filter: streamNameFilter({ regex: '^[^$]' }),
    });
    return new ClientAllSubscription(subscription);
  }

  async setMaxCount(streamId: string, maxCount: number): Promise<void> {
    await this.client.setStreamMetadata(streamId, { maxCount });
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

class ClientAllSubscription implements EsdbAllSubscription {
  constructor(private readonly subscription: AllStreamSubscription) {}

  buffered(): number {
    return this.subscription.readableLength;
  }

  async close(): Promise<void> {
    await this.subscription.unsubscribe();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EsdbRecordedEvent> {
    for await (const resolved of this.subscription) {
      const recorded = fromResolved(resolved);
      if (recorded !== undefined) yield recorded;
    }
  }
}

/** The recorded event of a read or subscription answer; link events are read as themselves (links are not resolved). */
function fromResolved(resolved: ResolvedEvent | AllStreamResolvedEvent): EsdbRecordedEvent | undefined {
  const event = resolved.event;
  if (event === undefined) return undefined;
  return {
    streamId: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    position: event.position,
  };
}
