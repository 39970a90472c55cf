import type { Sql } from '@ledger/event-store';

export interface AccessLogEntry {
  /** Its place in the log, as a string (64-bit): the `after` of the next page. */
  readonly id: string;
  readonly at: string;
  /** Null for a request that carried no identity the ledger accepted. */
  readonly identity: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export const ACCESS_LOG_MAX_LIMIT = 10_000;
/** Paths are kept up to this length: the log records requests, it does not store what they sent. */
const MAX_PATH_CHARS = 2_000;

/**
 * Every HTTP request, with who made it and how it was answered (`ledger_access_log`). Written
 * after the answer is sent, so that the log costs the caller no time; `flush` waits for the
 * writes still under way (shutdown, tests).
 */
export class AccessLog {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Sql,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(entry: { at: Date; identity: string | null; method: string; path: string; status: number }): void {
    const write = this.db
      .query('INSERT INTO ledger_access_log (at, identity, method, path, status) VALUES ($1::timestamptz, $2, $3, $4, $5::int)', [
        entry.at.toISOString(),
        entry.identity,
        entry.method,
        entry.path.slice(0, MAX_PATH_CHARS),
        String(entry.status),
      ])
      .then(
        () => undefined,
        (error: unknown) => this.onError(error),
      );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async read(after: bigint, limit: number): Promise<{ entries: AccessLogEntry[]; lastId: string }> {
    const rows = await this.db.query<{ id: bigint; at: Date; identity: string | null; method: string; path: string; status: number }>(
      'SELECT id, at, identity, method, path, status FROM ledger_access_log WHERE id > $1::bigint ORDER BY id LIMIT $2::int',
      [after.toString(), String(Math.min(limit, ACCESS_LOG_MAX_LIMIT))],
    );
    const entries = rows.map((r) => ({
      id: r.id.toString(),
      at: r.at.toISOString(),
      identity: r.identity,
      method: r.method,
      path: r.path,
      status: r.status,
    }));
    return { entries, lastId: entries[entries.length - 1]?.id ?? after.toString() };
  }
}
