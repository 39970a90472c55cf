import type { LineState } from '@ledger/domain';

/** Lines whose state the cache holds at most; past it the cache starts over. */
const MAX_CACHED_LINES = 200_000;

interface StreamEntry {
  /** The stream's version at which every line below is exact. */
  version: bigint;
  /** Whether the department-year before was closed then (see `current`). */
  yearBeforeClosed: boolean;
  readonly lines: Map<string, LineState>;
}

/**
 * The state of budget lines as of their stream's version, kept by a writer between batches so
 * that an append need not read back the lines it wrote itself. A line's totals change only by
 * events of its own stream (its department-year), so a kept line is exact as long as the
 * stream's head is still at the version it was kept at. An append checks that against the
 * head it reads under the stream's lock: another writer (another process, another pool) that
 * stored anything in the stream meanwhile has moved the head, and the lines are read again.
 *
 * The one exception is the close of the year before (decision 0014): its YearClosed opens lines
 * of this department-year and brings balances to them with events stored in its own stream,
 * under the lock of this one too. It happens once, and nothing of the closed year's stream moves
 * these lines before or after it; so an entry also remembers whether the year before was closed,
 * and is stale once it is (the append knows, reading the closed years under the lock).
 *
 * The states are handed out as they are, not copied: the batch evolves them in place, and they
 * are the committed state once it commits. A batch that does not commit must `forget` its
 * streams, whose kept states it may have changed.
 *
 * Invariant: an entry's lines are exactly the committed state at its version.
 */
export class LineCache {
  private readonly streams = new Map<string, StreamEntry>();
  private size = 0;

  /** The lines kept for a stream (not yet checked against its head): which lines need no read. */
  kept(streamId: string): ReadonlyMap<string, LineState> | undefined {
    return this.streams.get(streamId)?.lines;
  }

  /**
   * The kept lines of a stream if its head (read under the lock) is still at their version and
   * the year before is closed or open as it was then; otherwise undefined, and the stream's lines
   * are dropped.
   */
  current(streamId: string, head: bigint, yearBeforeClosed: boolean): ReadonlyMap<string, LineState> | undefined {
    const entry = this.streams.get(streamId);
    if (entry === undefined) return undefined;
    if (entry.version === head && entry.yearBeforeClosed === yearBeforeClosed) return entry.lines;
    this.drop(streamId, entry);
    return undefined;
  }

  /**
   * After a commit: the lines of the batch's state whose streams the transaction held are exact
   * at the streams' versions after it (`versions`: stream → [version when locked, version at
   * commit]; `streamOf`: a line's stream). An entry that was exact when the stream was locked
   * keeps its other lines (nobody else wrote the stream meanwhile); any other entry is replaced.
   * `yearBeforeClosed`: whether the department-year before a stream's is closed, at the commit.
   */
  remember(
    versions: ReadonlyMap<string, readonly [bigint, bigint]>,
    lines: Iterable<LineState>,
    streamOf: (line: LineState) => string,
    yearBeforeClosed: (streamId: string) => boolean,
  ): void {
    for (const [streamId, [locked, committed]] of versions) {
      const entry = this.streams.get(streamId);
      if (entry === undefined) continue;
      // An entry kept while the year before was open is stale once it is closed, whoever closed it.
      if (entry.version === locked && entry.yearBeforeClosed === yearBeforeClosed(streamId)) entry.version = committed;
      else this.drop(streamId, entry);
    }
    for (const line of lines) {
      const streamId = streamOf(line);
      const version = versions.get(streamId);
      if (version === undefined) continue; // read without the stream's lock: not known to be exact
      let entry = this.streams.get(streamId);
      if (entry === undefined) {
        entry = { version: version[1], yearBeforeClosed: yearBeforeClosed(streamId), lines: new Map() };
        this.streams.set(streamId, entry);
      }
      const before = entry.lines.get(line.lineId);
      if (before === line) continue;
      if (before === undefined) this.size += 1;
      entry.lines.set(line.lineId, line);
    }
    if (this.size > MAX_CACHED_LINES) this.clear();
  }

  /** Drops the lines of the streams a batch held that did not commit. */
  forget(streamIds: Iterable<string>): void {
    for (const streamId of streamIds) {
      const entry = this.streams.get(streamId);
      if (entry !== undefined) this.drop(streamId, entry);
    }
  }

  clear(): void {
    this.streams.clear();
    this.size = 0;
  }

  private drop(streamId: string, entry: StreamEntry): void {
    this.size -= entry.lines.size;
    this.streams.delete(streamId);
  }
}
