import * as net from 'node:net';
import postgres from 'postgres';
import type { CopyChunk, Database, QueryOptions, Row, SqlParam, Statement, Transaction } from './database';
import { copyStatement, CopyFailedError } from './database';

export interface PostgresOptions {
  /** Connection pool size; 2 cores serve best with a small pool. */
  readonly maxConnections?: number;
  /** A Unix socket to connect to instead of the URL's host (the owner of an embedded store). */
  readonly path?: string;
  /**
   * `false`: never keep statements prepared, whatever a query asks (default true). For the owner
   * of an embedded store, whose one session every client shares: a named statement would outlive
   * the client that made it.
   */
  readonly prepare?: boolean;
}

/** The PostgreSQL server adapter (postgres.js). */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly sql: postgres.Sql;
  private readonly prepare: boolean;

  constructor(url: string, options: PostgresOptions = {}) {
    this.prepare = options.prepare ?? true;
    const settings = {
      ...(options.path === undefined ? {} : { path: options.path }),
      // Also for the statements postgres.js makes itself (BEGIN, COMMIT).
      ...(this.prepare ? {} : { prepare: false }),
      max: options.maxConnections ?? 10,
      onnotice: () => undefined,
      socket: noDelaySockets(),
      // Session time zone fixed to UTC so that `::date` casts of instants never depend on the server.
      connection: { TimeZone: 'UTC', application_name: 'budget-ledger' },
      types: {
        bigint: postgres.BigInt,
        date: { to: 1082, from: [1082], serialize: (v: string) => v, parse: (v: string) => v },
        numeric: { to: 1700, from: [1700], serialize: (v: string) => v, parse: (v: string) => v },
        // Instants travel as ISO text (or 'infinity'); postgres.js would re-parse them through Date.
        timestamptz: {
          to: 1184,
          from: [1184],
          serialize: (v: unknown) => (v instanceof Date ? v.toISOString() : String(v)),
          parse: (v: string) => new Date(v),
        },
        // Our parameters are JSON text already (see database.ts); postgres.js would JSON.stringify
        // a parameter the server types as json/jsonb a second time, turning an array into a string.
        json: {
          to: 3802,
          from: [114, 3802],
          serialize: (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)),
          parse: (v: string): unknown => JSON.parse(v),
        },
      },
    };
    // `socket` is documented (README, "Custom socket") but missing from postgres.js's typings.
    this.sql = postgres(url, settings as postgres.Options<Record<string, postgres.PostgresType>>);
  }

  async query<T = Row>(text: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
    return runQuery<T>(this.sql, text, params, this.prepare ? options : {});
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const result = await this.sql.begin(async (tx) => {
      // Once fn has settled, postgres.js sends COMMIT or ROLLBACK and gives the connection back to
      // the pool: a statement sent after that would run on its own, committed outside the
      // transaction (PGlite's transactions refuse it themselves). It is refused here instead.
      let over = false;
      const open = (): void => {
        if (over) throw new Error('the transaction is over: a statement sent after its function settled is not run');
      };
      try {
        return await fn({
          query: async (text, params = [], options = {}) => {
            open();
            return runQuery(tx, text, params, this.prepare ? options : {});
          },
          copyFrom: async (table, columns, chunks, then) => {
            open();
            return copyFrom(tx, table, columns, chunks, then, this.prepare);
          },
        });
      } finally {
        over = true;
      }
    });
    return result as T;
  }

  async exec(script: string): Promise<void> {
    await this.sql.unsafe(script);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

async function runQuery<T>(
  sql: postgres.Sql | postgres.TransactionSql,
  text: string,
  params: readonly SqlParam[],
  options: QueryOptions,
): Promise<T[]> {
  const rows = await sql.unsafe(text, params as SqlParam[], options.prepare === true ? { prepare: true } : {});
  return rows as unknown as T[];
}

/**
 * COPY … FROM STDIN through postgres.js, writing each chunk as soon as it is made (waiting for
 * 'drain' when the socket is full).
 *
 * postgres.js loses an error the server reports after the end of the data (porsager/postgres#1173):
 * once end() has handed it the end of the COPY it forgets the stream, so the stream neither
 * finishes nor fails. The statement sent right behind the COPY, in the same pipeline (`then`, or
 * else `SELECT 1`), tells instead: it fails with "current transaction is aborted" exactly when the
 * COPY did. For the statement to be accepted, postgres.js must already have let go of the stream,
 * which it does in end() itself once no write is pending; hence the wait for the last write
 * before end().
 */
async function copyFrom(
  tx: postgres.TransactionSql,
  table: string,
  columns: readonly string[],
  chunks: Iterable<CopyChunk> | AsyncIterable<CopyChunk>,
  then: () => Statement = () => ({ text: 'SELECT 1' }),
  prepare = true,
): Promise<void> {
  const stream = await tx.unsafe(copyStatement(table, columns, 'STDIN')).writable();
  // The error the stream reports, if it does (set from its 'error' event).
  let failure: { error: unknown } | undefined;
  const failureSoFar = (): { error: unknown } | undefined => failure;
  const failed = new Promise<never>((_, reject) =>
    stream.once('error', (error) => {
      failure = { error };
      reject(error);
    }),
  );
  failed.catch(() => undefined);
  const finished = new Promise<void>((resolve) => stream.once('finish', resolve));
  try {
    let last: Promise<void> | undefined;
    for await (const chunk of chunks) {
      let more = true;
      const written = new Promise<void>((resolve, reject) => {
        more = stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
      // A failed write also fails the stream, which `failed` reports; only the last one is awaited.
      written.catch(() => undefined);
      last = written;
      if (!more) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), failed]);
    }
    if (last !== undefined) await Promise.race([last, failed]);
  } catch (error) {
    // A chunk that could not be made, or a write that failed: the COPY is abandoned (postgres.js
    // sends CopyFail), and the transaction with it.
    if (failureSoFar() === undefined) stream.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  stream.end();
  const done = Promise.race([finished, failed]);
  const next = then();
  const behind = (): Promise<unknown> => runQuery(tx, next.text, next.params ?? [], prepare ? (next.options ?? {}) : {});
  let following = behind();
  try {
    try {
      await Promise.all([done, following]);
    } catch (error) {
      // Should end() ever leave the end of the COPY for later, the statement came too early: it
      // waits for the COPY instead (which then only reports an error it is still told of).
      if ((error as { code?: unknown }).code !== 'COPY_IN_PROGRESS') throw error;
      await done;
      following = behind();
      await following;
    }
  } catch (error) {
    const reported = failureSoFar();
    if (reported !== undefined) throw reported.error;
    // 25P02 (in_failed_sql_transaction): the COPY failed, and its own error went missing.
    if ((error as { code?: unknown }).code === '25P02') throw new CopyFailedError(table);
    throw error;
  }
}

/**
 * Sockets with TCP_NODELAY, as libpq sets it. postgres.js leaves Nagle's algorithm on, so the few
 * bytes that end a COPY wait for the server to acknowledge the data before them: up to 40 ms of
 * delayed ACK per COPY. Connects to the hosts of the URL in turn, as postgres.js does; the host
 * and port are kept on the socket, where postgres.js looks for the TLS server name.
 */
function noDelaySockets(): (options: { host: string[]; port: number[]; path: string | false }) => net.Socket {
  let next = 0;
  return ({ host, port, path }) => {
    if (path) return net.connect({ path });
    const index = next % host.length;
    next += 1;
    const target = { host: host[index] ?? 'localhost', port: port[index] ?? 5432 };
    return Object.assign(net.connect({ ...target, noDelay: true }), target);
  };
}
