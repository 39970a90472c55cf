import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAlive, OWNER_LOCK_FILE, OwnerLock, takeOverStale, type OwnerRecord } from './owner-lock';

const ROOT = path.resolve(__dirname, '../../../../..');

/** The PID of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function staleRecord(): OwnerRecord {
  return { pid: deadPid(), command: 'ledger append', startedAt: '2026-01-01T00:00:00.000Z', hostname: os.hostname() };
}

describe('the owner lock of a data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is taken by one process; a second is told who holds it; released, it can be taken again', () => {
    const first = OwnerLock.acquire(dir, 'ledger append');
    expect(first).toBeInstanceOf(OwnerLock);
    const second = OwnerLock.acquire(dir, 'ledger view');
    expect(second).toMatchObject({ pid: process.pid, command: 'ledger append' });
    (first as OwnerLock).release();
    expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(false);
    const third = OwnerLock.acquire(dir, 'ledger view');
    expect(third).toBeInstanceOf(OwnerLock);
    (third as OwnerLock).release();
  });

  it('publishes where the owner serves, in place of the record', () => {
    const lock = OwnerLock.acquire(dir, 'ledger serve') as OwnerLock;
    lock.publish({ socket: '/x/owner.sock' });
    expect(OwnerLock.acquire(dir, 'ledger view')).toMatchObject({ pid: process.pid, address: { socket: '/x/owner.sock' } });
    expect(lock.held()).toBe(true);
    lock.release();
  });

  it('takes over a lock whose process is gone', () => {
    fs.writeFileSync(path.join(dir, OWNER_LOCK_FILE), JSON.stringify(staleRecord()));
    const lock = OwnerLock.acquire(dir, 'ledger view');
    expect(lock).toBeInstanceOf(OwnerLock);
    expect((lock as OwnerLock).held()).toBe(true);
    (lock as OwnerLock).release();
  });

  it('judges a live PID by its start time too, so that a reused PID does not hold a lock', () => {
    const own = { pid: process.pid, command: 'x', startedAt: '', hostname: os.hostname() };
    expect(isAlive(own)).toBe(true);
    expect(isAlive(staleRecord())).toBe(false);
    if (fs.existsSync('/proc/self/stat')) expect(isAlive({ ...own, pidStart: '1' })).toBe(false);
    expect(isAlive({ ...staleRecord(), hostname: 'another-host' })).toBe(true);
  });

  it('removes only the stale lock it judged: a lock made meanwhile by another process is put back', () => {
    const file = path.join(dir, OWNER_LOCK_FILE);
    const stale = JSON.stringify(staleRecord());
    const fresh = JSON.stringify({ pid: process.pid, command: 'ledger append', startedAt: 'now', hostname: os.hostname() });
    fs.writeFileSync(file, fresh);
    takeOverStale(file, stale);
    expect(fs.readFileSync(file, 'utf8')).toBe(fresh);
    fs.writeFileSync(file, stale);
    takeOverStale(file, stale);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('of processes racing for a stale lock, exactly one takes it and the others name it', async () => {
    fs.writeFileSync(path.join(dir, OWNER_LOCK_FILE), JSON.stringify(staleRecord()));
    const racers = 4;
    const startAt = Date.now() + 8000;
    const outputs = await Promise.all(
      Array.from({ length: racers }, () => {
        const child = spawn(
          process.execPath,
          ['-r', './tools/register.js', 'libs/event-store/src/testing/owner-lock-child.ts', dir, String(startAt), '20000'],
          {
            cwd: ROOT,
          },
        );
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        return new Promise<{ pid: number; out: string }>((resolve) =>
          child.once('close', () => resolve({ pid: child.pid as number, out: out.trim() })),
        );
      }),
    );
    const winners = outputs.filter((o) => o.out === 'acquired');
    expect(winners).toHaveLength(1);
    for (const other of outputs.filter((o) => o.out !== 'acquired')) expect(other.out).toBe(`owner ${winners[0]?.pid}`);
  }, 120_000);
});
