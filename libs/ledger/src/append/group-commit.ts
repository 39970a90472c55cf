import type { LedgerEvent } from '@ledger/domain';
import { MAX_BATCH_EVENTS, type AppendItemResult, type AppendOptions, type LedgerWriter } from './ledger-writer';

interface Pending {
  readonly events: readonly LedgerEvent[];
  readonly options: AppendOptions;
  resolve(results: AppendItemResult[]): void;
  reject(error: unknown): void;
}

/** What a group commit has done so far (for metrics and tests). */
export interface GroupCommitStats {
  /** Appends asked for. */
  requests: number;
  /** Transactions' worth of appends made for them (writer.append calls). */
  commits: number;
}

/**
 * Group commit: appends that arrive while one is being stored wait for it, then go together as the
 * next batch — one transaction (per lane) for all of them instead of one each. Each request keeps
 * its own results, in its own order, and is judged exactly as if the requests had come one after
 * the other in arrival order (an eventId in two of them: the earlier one stores it, the later one
 * is its duplicate). A request alone finds nothing in flight and goes at once, so a single client
 * waits no longer than without grouping.
 *
 * Requests are grouped only with neighbours of the same `recordedBy` (the writer keeps one per
 * batch); a dry run is never grouped. A group never exceeds the writer's batch limit, and a request
 * is never split. If a group's append fails, each of its requests is tried again alone, so that the
 * failure is answered to the request that caused it and not to its neighbours.
 */
export class GroupCommit {
  private readonly queue: Pending[] = [];
  private draining = false;
  readonly stats: GroupCommitStats = { requests: 0, commits: 0 };

  constructor(
    private readonly writer: Pick<LedgerWriter, 'append'>,
    private readonly maxEvents: number = MAX_BATCH_EVENTS,
  ) {}

  append(events: readonly LedgerEvent[], options: AppendOptions = {}): Promise<AppendItemResult[]> {
    this.stats.requests += 1;
    if (events.length === 0) return Promise.resolve([]);
    if (options.dryRun === true) return this.writer.append(events, undefined, options);
    return new Promise<AppendItemResult[]>((resolve, reject) => {
      this.queue.push({ events, options, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.commit(this.takeGroup());
    } finally {
      this.draining = false;
    }
  }

  /** The requests at the head of the queue that can share a batch. */
  private takeGroup(): Pending[] {
    const head = this.queue[0] as Pending;
    let count = head.events.length;
    let n = 1;
    while (n < this.queue.length) {
      const next = this.queue[n] as Pending;
      if (next.options.recordedBy !== head.options.recordedBy || count + next.events.length > this.maxEvents) break;
      count += next.events.length;
      n += 1;
    }
    return this.queue.splice(0, n);
  }

  private async commit(group: readonly Pending[]): Promise<void> {
    const first = group[0] as Pending;
    this.stats.commits += 1;
    try {
      const events = group.length === 1 ? first.events : group.flatMap((p) => p.events);
      const results = await this.writer.append(events, undefined, first.options);
      let offset = 0;
      for (const pending of group) {
        pending.resolve(results.slice(offset, offset + pending.events.length));
        offset += pending.events.length;
      }
    } catch (error) {
      if (group.length === 1) first.reject(error);
      else for (const pending of group) await this.commit([pending]);
    }
  }
}
