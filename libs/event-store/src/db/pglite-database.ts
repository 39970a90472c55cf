import { PGlite, types, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import type { CopyChunk, Database, Row, SqlParam, Statement, Transaction } from './database';
import { copyStatement, PG_TYPE } from './database';
import { PgliteWireServer, type OwnerAddress } from './owner/pglite-wire-server';
import { SessionGate } from './owner/session-gate';
import { pgliteTemplateFor } from './pglite-template';

const parsers = {
  [PG_TYPE.INT8]: (value: string) => BigInt(value),
  [PG_TYPE.DATE]: (value: string) => value,
  [PG_TYPE.NUMERIC]: (value: string) => value,
  [types.TIMESTAMPTZ]: (value: string) => new Date(value),
};

// PostgreSQL's default of 128 MB of shared buffers is most of a CLI query's memory once touched;
// PGlite's files go through the operating system's page cache anyway, which keeps what is read often.
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * The embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly). One session, taken in
 * turns through a gate: by this process one query or one whole transaction at a time, and, once
 * `serve` is called, by other processes' connections too (see owner/session-gate.ts).
 * `dataDir` undefined keeps the data in memory.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  private readonly gate = new SessionGate();
  private wire: PgliteWireServer | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: PGlite,
    private readonly onClose: () => void,
  ) {}

  /**
   * `onClose`: called once the files are closed (the owner's lock is released there).
   * `templateFile`: the prepared data directory a new store starts from (pglite-template.ts).
   */
  static async open(dataDir?: string, options: { onClose?: () => void; templateFile?: string } = {}): Promise<PgliteDatabase> {
    const db = await PGlite.create(dataDir, {
      parsers,
      startParams: START_PARAMS,
      loadDataDir: pgliteTemplateFor(dataDir, options.templateFile),
    });
    await db.exec("SET TIME ZONE 'UTC'");
    return new PgliteDatabase(db, options.onClose ?? (() => undefined));
  }

  async query<T = Row>(text: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.gate.hold(async () => (await this.db.query<T>(text, params as SqlParam[])).rows);
  }

  /** As on the server (postgres-database.ts): a statement that failed unwaited still rolls the transaction back, with its error. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.gate.hold(() =>
      this.db.transaction(async (pgliteTx) => {
        const tx = new PgliteTx(pgliteTx);
        let result: T;
        try {
          result = await fn(tx);
        } catch (error) {
          throw tx.failed !== undefined && (error as { code?: unknown }).code === '25P02' ? tx.failed.error : error;
        }
        if (tx.failed !== undefined) throw tx.failed.error;
        return result;
      }),
    );
  }

  async exec(script: string): Promise<void> {
    await this.gate.hold(() => this.db.exec(script));
  }

  /** Serves this database to other local processes (see owner/pglite-wire-server.ts) until closed. */
  async serve(dataDir: string): Promise<OwnerAddress> {
    if (this.wire !== undefined) return this.wire.address;
    this.wire = await PgliteWireServer.start(this.db, this.gate, dataDir);
    return this.wire.address;
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        // The clients first (their open transactions rolled back), then the files, after the work in hand.
        await this.wire?.stop();
        await this.gate.hold(() => this.db.close());
      } finally {
        this.onClose();
      }
    })();
    return this.closing;
  }

  /** The whole data directory as a gzip tarball, which `open` can start a new store from (pglite-template.ts). */
  async dumpDataDir(): Promise<Blob> {
    return this.db.dumpDataDir('gzip');
  }
}

class PgliteTx implements Transaction {
  /** The first statement that failed, awaited or not. */
  failed: { error: unknown } | undefined;

  constructor(private readonly tx: PgliteTransaction) {}

  async query<R>(text: string, params: readonly SqlParam[] = []): Promise<R[]> {
    return (await this.noted(this.tx.query<R>(text, params as SqlParam[]))).rows;
  }

  /** PGlite has no STDIN to copy from: the data goes in one blob, and errors come back as they are. */
  async copyFrom(
    table: string,
    columns: readonly string[],
    chunks: Iterable<CopyChunk> | AsyncIterable<CopyChunk>,
    then?: () => Statement,
  ): Promise<void> {
    const data: CopyChunk[] = [];
    for await (const chunk of chunks) data.push(chunk);
    await this.noted(this.tx.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob(data) }));
    if (then !== undefined) {
      const { text, params = [] } = then();
      await this.query(text, params);
    }
  }

  /** A statement's outcome, its failure noted as `failed` (the first one). */
  private async noted<R>(statement: Promise<R>): Promise<R> {
    try {
      return await statement;
    } catch (error) {
      this.failed ??= { error };
      throw error;
    }
  }
}
