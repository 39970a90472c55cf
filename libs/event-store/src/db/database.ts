/**
 * One narrow interface over the two PostgreSQL engines we run on: a PostgreSQL server through
 * postgres.js, and the embedded PGlite. Every query in the project is plain SQL with `$n`
 * parameters, so the same text runs on both.
 *
 * Value conventions, identical on both engines (see the type parsers in each adapter):
 * int8 → bigint, numeric → string, date → 'YYYY-MM-DD' string, timestamptz → Date, jsonb → parsed.
 * Parameters are passed as strings (or null) and cast in SQL, e.g. `$1::bigint`, `$2::jsonb`.
 */
export type SqlParam = string | null;
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Keep the statement parsed, and after a few runs planned, on the connection for its next runs
   * (postgres.js; PGlite takes no notice). For fixed statement texts only: every distinct text
   * stays prepared on every connection of the pool.
   */
  readonly prepare?: boolean;
}

export interface Sql {
  query<T = Row>(text: string, params?: readonly SqlParam[], options?: QueryOptions): Promise<T[]>;
}

/** A statement with its parameters. */
export interface Statement {
  readonly text: string;
  readonly params?: readonly SqlParam[];
  readonly options?: QueryOptions;
}

/** Data for COPY: text, or its UTF-8 bytes. */
export type CopyChunk = string | Uint8Array;

/** A transaction: statements, and bulk loading with COPY. */
export interface Transaction extends Sql {
  /**
   * `COPY table (columns) FROM STDIN` in text format, of the lines the chunks hold (as text, or as
   * its UTF-8 bytes), then the statement `then` (if given) right behind it. The chunks are pulled as the connection takes
   * them, so that making the next one overlaps with the server parsing the last; `then` may use
   * whatever making the chunks computed. Rejects when the COPY fails: with its error, or with a
   * CopyFailedError when the driver cannot tell which error it was. Either way the transaction is
   * aborted.
   */
  copyFrom(
    table: string,
    columns: readonly string[],
    chunks: Iterable<CopyChunk> | AsyncIterable<CopyChunk>,
    then?: () => Statement,
  ): Promise<void>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends Sql {
  readonly kind: DatabaseKind;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

/** A COPY failed, and the driver lost the server's error (postgres.js, porsager/postgres#1173). */
export class CopyFailedError extends Error {
  readonly code = 'COPY_FAILED';
  constructor(table: string) {
    super(`COPY into ${table} failed; the driver did not report the server's error`);
    this.name = 'CopyFailedError';
  }
}

export const PG_TYPE = { INT8: 20, DATE: 1082, NUMERIC: 1700 } as const;

/** The text-format COPY statement both adapters run (PGlite reads the data from a blob instead of STDIN). */
export function copyStatement(table: string, columns: readonly string[], source: 'STDIN' | "'/dev/blob'"): string {
  return `COPY ${table} (${columns.join(', ')}) FROM ${source}`;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text field of COPY's text format: backslash, tab and line ends escaped. */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] as string) : value;
}

/** A PostgreSQL array literal of texts: every element quoted, `"` and `\` escaped. */
export function textArrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) out += ',';
    out += '"' + (values[i] as string).replace(/["\\]/g, '\\$&') + '"';
  }
  return out + '}';
}
