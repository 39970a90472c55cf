import type { Database } from '../database';
import { PgliteDatabase } from '../pglite-database';
import { PostgresDatabase } from '../postgres-database';
import { OwnerLock, type OwnerRecord } from './owner-lock';
import type { OwnerAddress } from './pglite-wire-server';

/** How this process stands towards the owner of an embedded data directory. */
export interface OwnerOptions {
  /** What this process runs, for the lock and for the messages of others (e.g. `ledger append`). */
  readonly command?: string;
  /**
   * A long-running process (`serve`, `consume`) that serves the store to the other commands while
   * it owns it. It never works through another owner: it waits for a short-lived one, and stops
   * if the directory is served by another.
   */
  readonly share?: boolean;
  /** `LEDGER_OWNER_WAIT_MS`: how long to wait for an owner that does not serve (default 30 s). */
  readonly waitMs?: number;
  /** Told once when this process starts waiting for the owner. */
  readonly onWait?: (owner: OwnerRecord) => void;
}

export const DEFAULT_OWNER_WAIT_MS = 30_000;
/** Up to this long a client also retries a serving owner that refuses connections (starting, or stopping). */
const POLL_MS = 200;

/** The data directory is another process's, and this one cannot work through it. */
export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';

  constructor(
    readonly dataDir: string,
    readonly owner: OwnerRecord,
    why: 'busy' | 'served',
  ) {
    const who = `PID ${owner.pid} (${owner.command}, since ${owner.startedAt})`;
    super(
      why === 'busy'
        ? `LEDGER_DATA_DIR ${dataDir} is in use by ${who}. Wait for it to finish and run this again; ` +
            'or keep `ledger serve` running on that directory, through which the other commands can work at the same time'
        : `LEDGER_DATA_DIR ${dataDir} is served by ${who}. Commands like append and view work through it, but a second ` +
            `long-running owner cannot: stop PID ${owner.pid} first, or give this process its own LEDGER_DATA_DIR or a DATABASE_URL`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Opens the embedded store of `dataDir` as DESIGN.md §10 says: as its owner (the lock taken, the
 * files opened, and for `share` the store served on a local socket), or else through the owner's
 * socket. An owner that does not serve (another short-lived command) is waited for, up to
 * `waitMs`; then DataDirInUseError.
 */
export async function openEmbedded(dataDir: string, options: OwnerOptions = {}): Promise<Database> {
  const waitMs = options.waitMs ?? DEFAULT_OWNER_WAIT_MS;
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const taken = OwnerLock.acquire(dataDir, options.command ?? `node ${process.argv.slice(1, 3).join(' ')}`);
    if (taken instanceof OwnerLock) return openAsOwner(dataDir, taken, options.share === true);
    const owner = taken;
    if (owner.address !== undefined) {
      if (options.share === true) throw new DataDirInUseError(dataDir, owner, 'served');
      const client = await connectToOwner(owner.address);
      if (client !== undefined) return client;
    }
    if (Date.now() >= deadline) throw new DataDirInUseError(dataDir, owner, 'busy');
    if (!told) {
      told = true;
      options.onWait?.(owner);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function openAsOwner(dataDir: string, lock: OwnerLock, share: boolean): Promise<Database> {
  // An owner that dies without closing leaves a lock with a dead PID (taken over by the next
  // command); one that exits, even without closing, removes it.
  const release = (): void => lock.release();
  process.once('exit', release);
  const closed = (): void => {
    process.off('exit', release);
    lock.release();
  };
  let db: PgliteDatabase | undefined;
  try {
    db = await PgliteDatabase.open(dataDir, { onClose: closed });
    if (share) lock.publish(await db.serve(dataDir));
    // A killed owner's lock removed by two processes at once is handled in takeOverStale; this
    // check catches what is left (a third process in the same instant) before anything is written.
    if (!lock.held()) throw new Error(`lost the lock of ${dataDir} while opening it`);
    return db;
  } catch (error) {
    if (db !== undefined) await db.close();
    closed();
    throw error;
  }
}

/** A connection through the owner's socket, or undefined when the owner does not answer (yet, or any more). */
async function connectToOwner(address: OwnerAddress): Promise<Database | undefined> {
  const db = new PostgresDatabase(
    'socket' in address ? 'postgres://postgres@localhost/postgres' : `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    {
      // One connection, as PGlite has one session: a transaction and a query outside it cannot wait on each other.
      maxConnections: 1,
      path: 'socket' in address ? address.socket : undefined,
      // Named statements would outlive this client in the owner's one session.
      prepare: false,
    },
  );
  try {
    await db.query('SELECT 1');
    return db;
  } catch (error) {
    await db.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET' || code === 'CONNECTION_CLOSED') return undefined;
    throw error;
  }
}
