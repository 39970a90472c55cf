import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OwnerAddress } from './pglite-wire-server';

/** The lock file in a PGlite data directory (PostgreSQL ignores files it does not know there). */
export const OWNER_LOCK_FILE = 'owner.lock';

/** Who owns a data directory: what the lock file holds. */
export interface OwnerRecord {
  readonly pid: number;
  /** What the owner runs, e.g. `ledger append` (for the messages of the others). */
  readonly command: string;
  readonly startedAt: string;
  readonly hostname: string;
  /** The process's start time in clock ticks after boot (Linux), so that a reused PID is not taken for the owner. */
  readonly pidStart?: string;
  /** Set once the owner serves the store to other processes. */
  readonly address?: OwnerAddress;
}

/**
 * One owner per data directory (DESIGN.md §10): a lock file made atomically with everything in
 * it (written aside, then hard-linked into place, which fails if a lock exists), naming the
 * owner's PID. A lock whose process is gone (killed, crashed) is stale and is taken over; see
 * `takeOverStale` for the race between two processes that find the same stale lock.
 */
export class OwnerLock {
  private released = false;

  private constructor(
    readonly file: string,
    private text: string,
    private record: OwnerRecord,
  ) {}

  /** Takes the directory, or answers the live owner that holds it. Creates the directory if need be. */
  static acquire(dataDir: string, command: string): OwnerLock | OwnerRecord {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, OWNER_LOCK_FILE);
    const record: OwnerRecord = {
      pid: process.pid,
      command,
      startedAt: new Date().toISOString(),
      hostname: os.hostname(),
      pidStart: processStart(process.pid),
    };
    // Bounded: each round either takes the lock, finds a live owner, or removes a stale lock.
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const text = JSON.stringify(record);
      if (createExclusive(file, text)) return new OwnerLock(file, text, record);
      const found = readLock(file);
      if (found === undefined) continue; // removed meanwhile: try again
      if (found.record !== undefined && isAlive(found.record)) return found.record;
      if (found.record === undefined && Date.now() - found.mtimeMs < 10_000) {
        // Unreadable and new: not ours to judge yet (locks are never written in place, so this is
        // a foreign file); treat it as held.
        return { pid: 0, command: 'unknown (unreadable lock file)', startedAt: new Date(found.mtimeMs).toISOString(), hostname: '' };
      }
      takeOverStale(file, found.text);
    }
    throw new Error(`could not take the lock ${file}: it kept changing`);
  }

  /** Says where the owner serves the store; rewritten by rename, so readers see the old or the new record. */
  publish(address: OwnerAddress): void {
    const record = { ...this.record, address };
    const text = JSON.stringify(record);
    const aside = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(aside, text, { mode: 0o600 });
    fs.renameSync(aside, this.file);
    this.record = record;
    this.text = text;
  }

  /** Whether the lock file still holds this process's record. */
  held(): boolean {
    return !this.released && readLock(this.file)?.text === this.text;
  }

  /** Removes the lock, if it is still this process's. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readLock(this.file)?.text === this.text) fs.rmSync(this.file, { force: true });
  }
}

/** Writes `text` aside and links it into place: the lock appears whole or not at all. */
function createExclusive(file: string, text: string): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(aside, text, { mode: 0o600 });
  try {
    fs.linkSync(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function readLock(file: string): { text: string; record: OwnerRecord | undefined; mtimeMs: number } | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const mtimeMs = fs.statSync(file).mtimeMs;
    let record: OwnerRecord | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<OwnerRecord>;
      if (typeof parsed.pid === 'number' && typeof parsed.command === 'string') record = parsed as OwnerRecord;
    } catch {
      record = undefined;
    }
    return { text, record, mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Removes a stale lock, and only that one. Two processes may find the same stale lock; had both
 * simply deleted it and made their own, the second could delete the first's new lock. Instead
 * the stale lock is renamed aside (atomic: of two renames of one file, one fails) and compared
 * with what was judged stale. If it is not that lock (another process has already replaced it
 * with its own), it is linked back into place, which fails rather than overwrite a lock made
 * meanwhile.
 */
export function takeOverStale(file: string, staleText: string): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (fs.readFileSync(aside, 'utf8') === staleText) return;
    try {
      fs.linkSync(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Whether the owner named in a lock still runs (a process on another host is assumed to). */
export function isAlive(record: OwnerRecord): boolean {
  if (record.hostname !== os.hostname()) return true;
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    // EPERM: a process of another user has the PID; it runs.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (record.pidStart !== undefined) {
    const start = processStart(record.pid);
    if (start !== undefined && start !== record.pidStart) return false; // the PID was reused
  }
  return true;
}

/** A process's start time in clock ticks after boot, from /proc (undefined where there is none). */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
