import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { OWNER_LOCK_FILE, openDatabase, type OwnerRecord } from '@ledger/event-store';
import { testEngines } from './support/engine-config';

const ROOT = path.resolve(__dirname, '..');
/** Fresh PGlite stores take long to create on a loaded machine (initdb in WebAssembly). */
const SLOW = 600_000;

interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** A `ledger` process on the data directory, as `npm run --silent ledger -- …` runs it. */
function ledger(dataDir: string, args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', ...args], {
    cwd: ROOT,
    // Ownership is the subject here, not access: serve runs without identity checks (127.0.0.1 only).
    env: { ...process.env, DATABASE_URL: '', LEDGER_DATA_DIR: dataDir, LEDGER_OWNER_WAIT_MS: '600000', LEDGER_AUTH: 'off', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

function eventsFile(dir: string, name: string, payments: number): string {
  const lines = [
    `{"eventId":"${name}-open","type":"BudgetLineOpened","effectiveDate":"2021-01-01","data":{"lineId":"L-${name}","department":"D-${name}","fiscalYear":2021,"kind":"basic"}}`,
    `{"eventId":"${name}-init","type":"InitialBudgetApproved","effectiveDate":"2021-01-01","data":{"lineId":"L-${name}","amount":"100000000.00"}}`,
  ];
  for (let i = 0; i < payments; i += 1) {
    lines.push(
      `{"eventId":"${name}-p${i}","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L-${name}","amount":"1.25"}}`,
    );
  }
  const file = path.join(dir, `${name}.ndjson`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function readLock(dataDir: string): OwnerRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_LOCK_FILE), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

async function until(what: string, test: () => boolean, timeoutMs = SLOW): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What was acknowledged: the events appended, from `append --json`'s summary (0 when it was refused). */
function acknowledged(result: { code: number | null; stdout: string }): number {
  if (result.code !== 0) return 0;
  return (JSON.parse(result.stdout) as { appended: number }).appended;
}

/** Counts the stored events by opening the directory as its owner (every other process has exited). */
async function storedEvents(dataDir: string): Promise<bigint> {
  const db = await openDatabase({ dataDir, owner: { command: 'test', waitMs: 0 } });
  try {
    const [row] = await db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events');
    return row?.n ?? 0n;
  } finally {
    await db.close();
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * DESIGN.md §10: one process owns an embedded data directory; the others work through it or stop
 * with a message naming it. Real processes throughout: the CLI as users run it.
 */
const describePglite = testEngines().includes('pglite') ? describe : describe.skip;

describePglite('one owner per embedded data directory', () => {
  let dir: string;
  let dataDir: string;
  /** The events stored so far, as `verify` counted them. */
  let stored = 0;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-owner-'));
    dataDir = path.join(dir, 'data');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(
    'two appends at once on a fresh directory store everything both acknowledged',
    async () => {
      const a = ledger(dataDir, ['append', eventsFile(dir, 'a', 4998), '--json']);
      const b = ledger(dataDir, ['append', eventsFile(dir, 'b', 4998), '--json']);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      // Each either succeeded or was refused with the owner named, before storing anything.
      for (const r of [ra, rb]) {
        if (r.code !== 0) expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'DATA_DIR_IN_USE' } });
      }
      // With a long LEDGER_OWNER_WAIT_MS the second waits for the first, and both are stored.
      expect(acknowledged(ra) + acknowledged(rb)).toBe(10_000);
      const verify = ledger(dataDir, ['verify', '--json']);
      const rv = await verify.done;
      expect(rv.code).toBe(0);
      expect(JSON.parse(rv.stdout)).toMatchObject({ ok: true, events: acknowledged(ra) + acknowledged(rb) });
      expect(await storedEvents(dataDir)).toBe(BigInt(acknowledged(ra) + acknowledged(rb)));
      stored = 10_000;
      expect(readLock(dataDir)).toBeUndefined();
    },
    SLOW,
  );

  it(
    'a command that cannot wait for a busy owner stops with its PID, exit 2 and one JSON error',
    async () => {
      // `append -` owns the directory until its standard input ends.
      const owner = ledger(dataDir, ['append', '-', '--json']);
      await until('the owner lock', () => readLock(dataDir)?.pid === owner.child.pid);
      const refused = await ledger(dataDir, ['view', '--department', 'D-a', '--json'], { LEDGER_OWNER_WAIT_MS: '0' }).done;
      expect(refused.code).toBe(2);
      const error = (JSON.parse(refused.stdout) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('DATA_DIR_IN_USE');
      expect(error.message).toContain(`PID ${owner.child.pid} (ledger append`);
      expect(refused.stderr).toContain(`PID ${owner.child.pid}`);
      owner.child.stdin.end(
        '{"eventId":"s-1","type":"PaymentRecorded","effectiveDate":"2021-06-01","data":{"lineId":"L-a","amount":"2.00"}}\n',
      );
      expect(acknowledged(await owner.done)).toBe(1);
      stored += 1;
    },
    SLOW,
  );

  it(
    'append while serve runs: what the CLI and HTTP acknowledged is stored and survives the server stopping',
    async () => {
      const port = await freePort();
      const server = ledger(dataDir, ['serve', '--port', String(port)]);
      await until(
        'the server to serve the store',
        () => readLock(dataDir)?.address !== undefined && readLock(dataDir)?.pid === server.child.pid,
      );
      const cli = ledger(dataDir, ['append', eventsFile(dir, 'c', 4998), '--json']);
      // The server's own writer at the same time: events POSTed over HTTP.
      const posted = (async () => {
        for (let i = 0; ; i += 1) {
          try {
            const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-ndjson' },
              body: fs.readFileSync(eventsFile(dir, 'h', 998)),
            });
            return (await response.json()) as { appended: number };
          } catch (error) {
            if (i > 600) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100)); // the HTTP side may start after the socket
          }
        }
      })();
      const [rc, http] = await Promise.all([cli.done, posted]);
      expect(rc.code).toBe(0);
      expect(rc.stderr).not.toContain('waiting');
      expect(acknowledged(rc) + http.appended).toBe(6_000);
      // Nest's shutdown hooks close the app, then end the process by the same signal: a clean stop
      // shows as the lock and the socket removed.
      server.child.kill('SIGTERM');
      await server.done;
      expect(readLock(dataDir)).toBeUndefined();
      expect(fs.existsSync(path.join(dataDir, 'owner.sock'))).toBe(false);
      const rv = await ledger(dataDir, ['verify', '--json']).done;
      expect(rv.code).toBe(0);
      expect(JSON.parse(rv.stdout)).toMatchObject({ ok: true, events: stored + 6_000 });
      expect(await storedEvents(dataDir)).toBe(BigInt(stored + 6_000));
    },
    SLOW,
  );

  it(
    'a SIGKILLed owner leaves a stale lock, which the next command takes over',
    async () => {
      const port = await freePort();
      const server = ledger(dataDir, ['serve', '--port', String(port)]);
      await until(
        'the server to serve the store',
        () => readLock(dataDir)?.address !== undefined && readLock(dataDir)?.pid === server.child.pid,
      );
      server.child.kill('SIGKILL');
      await server.done;
      // Left behind: the lock naming a dead process, and its socket file.
      expect(readLock(dataDir)?.pid).toBe(server.child.pid);
      expect(fs.existsSync(path.join(dataDir, 'owner.sock'))).toBe(true);
      const view = await ledger(dataDir, ['view', '--department', 'D-c', '--as-of', '2021-12-31', '--json'], { LEDGER_OWNER_WAIT_MS: '0' })
        .done;
      expect(view.code).toBe(0);
      expect(JSON.parse(view.stdout)).toMatchObject({ total: { executed: '6247.50' } });
      expect(readLock(dataDir)).toBeUndefined();

      // A killed short-lived owner too; and the next long-running one serves again.
      const owner = ledger(dataDir, ['append', '-']);
      await until('the owner lock', () => readLock(dataDir)?.pid === owner.child.pid);
      owner.child.kill('SIGKILL');
      await owner.done;
      const next = ledger(dataDir, ['serve', '--port', String(port)], { LEDGER_OWNER_WAIT_MS: '0' });
      await until(
        'the next server to serve the store',
        () => readLock(dataDir)?.pid === next.child.pid && readLock(dataDir)?.address !== undefined,
      );
      const verify = await ledger(dataDir, ['verify', '--json']).done;
      expect(verify.code).toBe(0);
      expect(verify.stderr).not.toContain('waiting');
      next.child.kill('SIGTERM');
      await next.done;
      expect(readLock(dataDir)).toBeUndefined();
    },
    SLOW,
  );
});
