import { WrongExpectedVersionError } from '@eventstore/db-client';
import type { JsonObject } from '@ledger/event-store';
import { comparePositions, type EsdbExpectedRevision, type EsdbPosition } from '../encoding';
import type {
  EsdbAllSubscription,
  EsdbLog,
  EsdbProposedEvent,
  EsdbReadAllOptions,
  EsdbReadStreamOptions,
  EsdbRecordedEvent,
} from '../esdb-log';

/** A record as the in-memory log keeps it; tests may change `data` and `metadata` to play a tamperer. */
export interface InMemoryRecord {
  streamId: string;
  revision: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  position: EsdbPosition;
}

export type AppendHook = (streamId: string, events: readonly EsdbProposedEvent[]) => Promise<void> | void;

/**
 * EventStoreDB's semantics as far as the adapter relies on them, in memory: streams with expected
 * revisions and idempotent appends of the same event ids, one $all log with increasing sparse
 * positions (commit = prepare, as for gRPC appends) that also holds system records, inclusive
 * forward reads, exclusive backward reads from a position, $maxCount, and a catch-up subscription
 * without `$` streams. Data and metadata go through JSON on the way in, as on the wire.
 */
export class InMemoryEsdbLog implements EsdbLog {
  readonly records: InMemoryRecord[] = [];
  private readonly streams = new Map<string, InMemoryRecord[]>();
  private readonly maxCounts = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private nextPosition = 1_024n;
  /** Runs before an append is checked and applied: a test interleaves another writer here, or throws to play a crash. */
  beforeAppend: AppendHook | undefined;
  /** Runs after an append was applied: a test throws here to play a writer that dies before hearing back. */
  afterAppend: AppendHook | undefined;

  constructor(options: { systemRecords?: boolean } = {}) {
    // A real server's log starts with records of its own.
    if (options.systemRecords ?? true) {
      this.write('$settings', [{ id: '00000000-0000-4000-8000-000000000001', type: '$settings', data: {}, metadata: {} }]);
      this.write('$stats-127.0.0.1:2113', [
        { id: '00000000-0000-4000-8000-000000000002', type: '$statsCollected', data: {}, metadata: {} },
      ]);
    }
  }

  async append(streamId: string, events: readonly EsdbProposedEvent[], expectedRevision: EsdbExpectedRevision): Promise<void> {
    await this.beforeAppend?.(streamId, events);
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length === 0 ? -1n : (stream[stream.length - 1] as InMemoryRecord).revision;
    if (expectedRevision === 'no_stream' || typeof expectedRevision === 'bigint') {
      // EventStoreDB's idempotent append: the same ids already written right after the expected revision.
      const base = expectedRevision === 'no_stream' ? -1n : expectedRevision;
      const already =
        events.length > 0 && events.every((event, i) => stream.find((r) => r.revision === base + 1n + BigInt(i))?.id === event.id);
      if (already) return;
    }
    const ok =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && current === -1n) ||
      (expectedRevision === 'stream_exists' && current >= 0n) ||
      expectedRevision === current;
    if (!ok) {
      throw new WrongExpectedVersionError(undefined, {
        streamName: streamId,
        expected: expectedRevision,
        current: current < 0n ? 'no_stream' : current,
      });
    }
    this.write(streamId, events);
    await this.afterAppend?.(streamId, events);
  }

  async readStream(streamId: string, options: EsdbReadStreamOptions): Promise<EsdbRecordedEvent[]> {
    let stream = this.streams.get(streamId) ?? [];
    const maxCount = this.maxCounts.get(streamId);
    if (maxCount !== undefined) stream = stream.slice(-maxCount);
    let picked: InMemoryRecord[];
    if (options.direction === 'forwards') {
      const from =
        options.fromRevision === 'start' ? 0n : options.fromRevision === 'end' ? BigInt(Number.MAX_SAFE_INTEGER) : options.fromRevision;
      picked = stream.filter((r) => r.revision >= from);
    } else {
      const from =
        options.fromRevision === 'end' ? BigInt(Number.MAX_SAFE_INTEGER) : options.fromRevision === 'start' ? -1n : options.fromRevision;
      picked = stream.filter((r) => r.revision <= from).reverse();
    }
    return picked.slice(0, options.maxCount).map(copy);
  }

  async readAll(options: EsdbReadAllOptions): Promise<EsdbRecordedEvent[]> {
    const from = options.fromPosition;
    let picked: InMemoryRecord[];
    if (options.direction === 'forwards') {
      picked = from === 'start' ? this.records : from === 'end' ? [] : this.records.filter((r) => comparePositions(r.position, from) >= 0);
    } else {
      picked = (from === 'end' ? this.records : from === 'start' ? [] : this.records.filter((r) => comparePositions(r.position, from) < 0))
        .slice()
        .reverse();
    }
    return picked.slice(0, options.maxCount).map(copy);
  }

  subscribeToAll(fromPosition: EsdbPosition | 'start'): EsdbAllSubscription {
    return new InMemorySubscription(this, fromPosition);
  }

  async setMaxCount(streamId: string, maxCount: number): Promise<void> {
    this.maxCounts.set(streamId, maxCount);
  }

  /** Calls `listener` after every write until the returned function is called. */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The stored record of a stream at a revision, for tests that tamper with it. */
  record(streamId: string, revision: bigint): InMemoryRecord {
    const record = this.streams.get(streamId)?.find((r) => r.revision === revision);
    if (record === undefined) throw new Error(`no record ${streamId}@${revision}`);
    return record;
  }

  private write(streamId: string, events: readonly EsdbProposedEvent[]): void {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    for (const event of events) {
      const data = throughJson(event.data);
      const metadata = throughJson(event.metadata);
      const position = this.nextPosition;
      // Positions are byte offsets in the real log: increasing, far from dense.
      this.nextPosition += BigInt(128 + JSON.stringify(data).length + JSON.stringify(metadata).length);
      const record: InMemoryRecord = {
        streamId,
        revision: stream.length === 0 ? 0n : (stream[stream.length - 1] as InMemoryRecord).revision + 1n,
        id: event.id,
        type: event.type,
        data,
        metadata,
        position: { commit: position, prepare: position },
      };
      stream.push(record);
      this.records.push(record);
    }
    for (const listener of this.listeners) listener();
  }
}

class InMemorySubscription implements EsdbAllSubscription {
  private index = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly unlisten: () => void;

  constructor(
    private readonly log: InMemoryEsdbLog,
    from: EsdbPosition | 'start',
  ) {
    // A subscription delivers what comes after its start position.
    if (from !== 'start') {
      while (this.index < log.records.length && comparePositions((log.records[this.index] as InMemoryRecord).position, from) <= 0) {
        this.index += 1;
      }
    }
    this.unlisten = log.onWrite(() => this.wake?.());
  }

  buffered(): number {
    return this.log.records.slice(this.index).filter((r) => !r.streamId.startsWith('$')).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unlisten();
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EsdbRecordedEvent> {
    while (!this.closed) {
      const record = this.log.records[this.index];
      if (record === undefined) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      this.index += 1;
      if (record.streamId.startsWith('$')) continue;
      yield copy(record);
    }
  }
}

function throughJson(value: JsonObject): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function copy(record: InMemoryRecord): EsdbRecordedEvent {
  return { ...record, data: structuredClone(record.data), metadata: structuredClone(record.metadata), position: { ...record.position } };
}
