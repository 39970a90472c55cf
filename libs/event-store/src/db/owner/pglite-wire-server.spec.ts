import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import postgres from 'postgres';
import { PgliteDatabase } from '../pglite-database';
import { PostgresDatabase } from '../postgres-database';
import type { Database } from '../database';

/**
 * The owner's PGlite served to other processes' connections (here: connections from this one,
 * through the same Unix socket). One session shared in turns: no client's statement may run
 * inside another's transaction, nor inside the owner's.
 */
describe('PGlite served over its owner socket', () => {
  let dir: string;
  let owner: PgliteDatabase;
  let socket: string;
  const clients: Database[] = [];

  const client = (): PostgresDatabase => {
    const db = new PostgresDatabase('postgres://postgres@localhost/postgres', { path: socket, maxConnections: 1, prepare: false });
    clients.push(db);
    return db;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-wire-'));
    owner = await PgliteDatabase.open();
    const address = await owner.serve(dir);
    if (!('socket' in address)) throw new Error('expected a Unix socket');
    socket = address.socket;
    await owner.exec('CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0); CREATE TABLE t (x int PRIMARY KEY, y text)');
  }, 300_000); // creating a PGlite takes long on a loaded machine
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await owner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the transactions of the owner and of two clients one after another (no lost update)', async () => {
    // Read, wait, write: interleaved in one session, two of these would lose an increment.
    const increment = (db: Database) =>
      db.transaction(async (tx) => {
        const [row] = await tx.query<{ n: number }>('SELECT n FROM counter');
        await new Promise((resolve) => setTimeout(resolve, 5));
        await tx.query('UPDATE counter SET n = $1::int', [String((row?.n ?? 0) + 1)]);
      });
    const a = client();
    const b = client();
    const work: Promise<void>[] = [];
    for (let i = 0; i < 10; i += 1) work.push(increment(owner), increment(a), increment(b));
    await Promise.all(work);
    expect(await owner.query('SELECT n FROM counter')).toEqual([{ n: 30 }]);
  });

  it('loads COPY FROM STDIN through the socket, and a failed COPY aborts its transaction only', async () => {
    const a = client();
    await a.transaction((tx) => tx.copyFrom('t', ['x', 'y'], ['1\tone\n', Buffer.from('2\ttwo\n')], () => ({ text: 'SELECT 1' })));
    // postgres.js may lose the server's error of a COPY (see postgres-database.ts): then COPY_FAILED.
    const failed = await a.transaction((tx) => tx.copyFrom('t', ['x', 'y'], ['3\tthree\n', 'not a number\tx\n'])).catch((e: unknown) => e);
    expect(['22P02', 'COPY_FAILED']).toContain((failed as { code?: unknown }).code);
    expect(await a.query('SELECT x, y FROM t ORDER BY x')).toEqual([
      { x: 1, y: 'one' },
      { x: 2, y: 'two' },
    ]);
    expect(await owner.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 2n }]);
  });

  it('rolls back the open transaction of a client that goes away, and hands the session on', async () => {
    const sql = postgres({ path: socket, max: 1, prepare: false, onnotice: () => undefined });
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    // Never settles: the transaction waits for ever, until its connection is cut.
    void sql
      .begin(async (tx) => {
        await tx.unsafe("INSERT INTO t VALUES (9, 'never committed')");
        inserted();
        await new Promise(() => undefined);
      })
      .catch(() => undefined);
    await insertedYet;
    await sql.end({ timeout: 0 });
    // The owner gets the session back, without the client's row.
    expect(await owner.query('SELECT count(*) AS n FROM t WHERE x = 9')).toEqual([{ n: 0n }]);
    expect(await client().query('SELECT count(*) AS n FROM t WHERE x = 9')).toEqual([{ n: 0n }]);
  });

  it('keeps a failed statement inside a client transaction from committing anything', async () => {
    const a = client();
    await expect(
      a.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (5, 'five')");
        await tx.query('SELECT 1/0');
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect(await owner.query('SELECT count(*) AS n FROM t WHERE x = 5')).toEqual([{ n: 0n }]);
  });
});
