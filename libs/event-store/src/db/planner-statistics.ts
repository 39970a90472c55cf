import type { Database } from './database';

/** The events a process appends before its first refresh. */
export const FIRST_REFRESH_AFTER = 1_000;

/**
 * Keeps the planner's statistics of the ledger's tables in step with the log, on a server
 * (infra/migrations/0020). The server keeps a generic plan of each prepared statement, made with the
 * statistics of its time, until an ANALYZE invalidates it; where nothing analyzes the tables
 * (autovacuum off), plans made while the log was small stay in use as it grows (a sequential scan of
 * ledger_events per append, its cost growing with the log). PGlite prepares nothing: each statement
 * is planned with the tables' current size, and needs no refresh.
 *
 * A process refreshes after its first 1,000 events, then whenever it has appended as many events as
 * the log held at its last refresh: the log doubles, at most, between two refreshes, so that they
 * cost a fraction of the appends however large the log (about ten up to a million events). The
 * refresh runs beside the appends, never in their way: one at a time, on a connection of the pool
 * that no append holds, awaited by no one. A failed refresh is reported, and tried again after as
 * many events more.
 */
export class PlannerStatistics {
  private appended = 0;
  private next: number;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Pick<Database, 'query'>,
    private readonly report: (error: unknown) => void = reportRefreshFailure,
    firstAfter: number = FIRST_REFRESH_AFTER,
  ) {
    this.next = firstAfter;
  }

  /** Counts events committed by this process; starts a refresh when they are enough. */
  committed(events: number): void {
    this.appended += events;
    if (this.running !== undefined || this.appended < this.next) return;
    this.appended = 0;
    this.running = this.refresh().finally(() => (this.running = undefined));
  }

  /** Settles when no refresh is running (for tests). */
  async settled(): Promise<void> {
    await this.running;
  }

  private async refresh(): Promise<void> {
    const minimum = this.next;
    try {
      const [row] = await this.db.query<{ events: bigint }>('SELECT ledger_refresh_statistics() AS events');
      this.next = Math.max(minimum, Number(row?.events ?? 0n));
    } catch (error) {
      this.report(error);
    }
  }
}

function reportRefreshFailure(error: unknown): void {
  process.emitWarning(`the planner's statistics were not refreshed: ${error instanceof Error ? error.message : String(error)}`, {
    code: 'LEDGER_STATISTICS',
  });
}
