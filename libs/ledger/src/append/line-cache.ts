import type { LineState } from '@ledger/domain';
import { streamIdOf } from '@ledger/domain';

/** Lines whose state the cache holds at most; past it the cache starts over. */
const MAX_CACHED_LINES = 200_000;

interface StreamEntry {
  /** The stream's version at which every line below is exact. */
  version: bigint;
  readonly lines: Map<string, LineState>;
}

/**
 * The state of budget lines as of their stream's version, kept by a writer between batches so
 * that an append need not read back the lines it wrote itself. A line's totals change only by
 * events of its own stream (its department-year), so a cached line is exact as long as the
 * stream's head is still at the version it was cached at. An append checks that against the
 * head it reads under the stream's lock: another writer (another process, another pool) that
 * stored anything in the stream meanwhile has moved the head, and the lines are read again.
 *
 * Invariant: an entry's lines are exactly the committed state at its version.
 */
export class LineCache {
  private readonly streams = new Map<string, StreamEntry>();
  private size = 0;

  /** The streams whose entries hold the line: cached candidates, to be checked under the lock. */
  has(streamId: string, lineId: string): boolean {
    return this.streams.get(streamId)?.lines.has(lineId) === true;
  }

  /**
   * A copy of the line's state if its stream's entry is at `head` (the version read under the
   * lock); undefined if not cached, or stale (the stream's entry is then dropped).
   */
  take(streamId: string, lineId: string, head: bigint): LineState | undefined {
    const entry = this.streams.get(streamId);
    if (entry === undefined) return undefined;
    if (entry.version !== head) {
      this.forget(streamId, entry);
      return undefined;
    }
    const line = entry.lines.get(lineId);
    // A copy: the append evolves its state while deciding, and may still roll back.
    return line === undefined ? undefined : { ...line };
  }

  /**
   * After a commit: the lines of `state` whose streams the transaction held are exact at the
   * streams' versions after it (`versions`: stream → [version when locked, version at commit]).
   * An entry that was exact when the stream was locked keeps its other lines (nobody else wrote
   * the stream meanwhile); any other entry is replaced.
   */
  remember(versions: ReadonlyMap<string, readonly [bigint, bigint]>, lines: Iterable<LineState>): void {
    for (const [streamId, [locked, committed]] of versions) {
      const entry = this.streams.get(streamId);
      if (entry === undefined) continue;
      if (entry.version === locked) entry.version = committed;
      else this.forget(streamId, entry);
    }
    for (const line of lines) {
      const streamId = streamIdOf(line.department, line.fiscalYear);
      const version = versions.get(streamId);
      if (version === undefined) continue; // read without the stream's lock: not known to be exact
      let entry = this.streams.get(streamId);
      if (entry === undefined) {
        entry = { version: version[1], lines: new Map() };
        this.streams.set(streamId, entry);
      }
      if (!entry.lines.has(line.lineId)) this.size += 1;
      entry.lines.set(line.lineId, line);
    }
    if (this.size > MAX_CACHED_LINES) this.clear();
  }

  clear(): void {
    this.streams.clear();
    this.size = 0;
  }

  private forget(streamId: string, entry: StreamEntry): void {
    this.size -= entry.lines.size;
    this.streams.delete(streamId);
  }
}
