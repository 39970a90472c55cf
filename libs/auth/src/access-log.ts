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

/** One request as it is recorded. */
export interface AccessRecord {
  readonly at: Date;
  readonly identity: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** How long a line waits for others before it is written (see AccessLog). */
export const ACCESS_LOG_DELAY_MS = 20;

/**
 * Every HTTP request, with who made it and how it was answered (`ledger_access_log`). Written
 * after the answer is sent, so that the log costs the caller no time, and grouped: a line waits
 * up to `delayMs` for others, and the lines recorded while one write is under way go together in
 * the next INSERT, so that many requests cost one statement, not one each — one client's requests
 * one after the other as well as many at once (a statement, a socket write and a commit per
 * request were a sixth of a one-event POST's). `flush` writes at once and waits until every line
 * recorded so far is written; `read` flushes first, so that this process's own requests are in
 * what it reads, and the app's shutdown flushes (beforeApplicationShutdown).
 */
export class AccessLog {
  private buffered: AccessRecord[] = [];
  private writing: Promise<void> | undefined;
  private waiting: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Sql,
    private readonly onError: (error: unknown) => void,
    private readonly delayMs: number = ACCESS_LOG_DELAY_MS,
  ) {}

  record(entry: AccessRecord): void {
    this.buffered.push(entry);
    // A write under way takes this line in its next round; otherwise it waits for company.
    if (this.writing !== undefined || this.waiting !== undefined) return;
    this.waiting = setTimeout(() => this.start(), this.delayMs);
    // The app's shutdown flushes; a timer alone must not keep a process alive.
    this.waiting.unref();
  }

  async flush(): Promise<void> {
    if (this.waiting !== undefined) {
      clearTimeout(this.waiting);
      this.start();
    }
    while (this.writing !== undefined) await this.writing;
  }

  /** Nest's hook (the app is closing): every line recorded is written before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private start(): void {
    this.waiting = undefined;
    this.writing ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.buffered.length > 0) {
        const entries = this.buffered;
        this.buffered = [];
        await this.write(entries).catch((error: unknown) => this.onError(error));
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(entries: readonly AccessRecord[]): Promise<void> {
    await this.db.query(
      // Its own transaction commits without waiting for the WAL to reach the disk (synchronous_commit
      // off for this transaction only, set in the statement itself: no round trip more). The lines
      // are written after the answers anyway, so a crash could lose the last of them either way;
      // waiting for the flush would only make the appends' own COMMITs queue behind it.
      `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO ledger_access_log (at, identity, method, path, status)
       SELECT l.* FROM async_commit,
              unnest($1::text::timestamptz[], $2::text::text[], $3::text::text[], $4::text::text[], $5::text::int[]) AS l`,
      [
        arrayLiteral(entries.map((e) => e.at.toISOString())),
        arrayLiteral(entries.map((e) => e.identity)),
        arrayLiteral(entries.map((e) => e.method)),
        arrayLiteral(entries.map((e) => e.path.slice(0, MAX_PATH_CHARS))),
        arrayLiteral(entries.map((e) => String(e.status))),
      ],
      // A fixed text, run after every request: kept prepared (an unprepared statement with
      // parameters costs postgres.js a describe round trip first).
      { prepare: true },
    );
  }

  async read(after: bigint, limit: number): Promise<{ entries: AccessLogEntry[]; lastId: string }> {
    await this.flush();
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

/** A PostgreSQL array literal: texts quoted with `"` and `\` escaped, null as NULL. */
function arrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
}
