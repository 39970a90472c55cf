import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '@ledger/event-store';
import { textArrayLiteral } from '@ledger/event-store';
import { AuthError } from './auth-error';
import { isRole, type Identity, type Role } from './roles';

/** A key as listed: never the key itself, which is shown once when made. */
export interface ApiKeyInfo {
  readonly keyId: string;
  readonly role: Role;
  /** Null: every department. */
  readonly departments: string[] | null;
  readonly name: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** What `ledger keys create` prints: the key, this once. */
export interface CreatedApiKey {
  readonly keyId: string;
  readonly key: string;
  readonly role: Role;
  readonly departments: string[] | null;
  readonly name: string | null;
}

export interface NewApiKey {
  readonly role: string;
  readonly departments?: readonly string[];
  readonly name?: string;
}

// `ledger_<keyId>_<secret>`: the key id names the row to compare with, the secret is 256 random
// bits (so a plain SHA-256 of the key is as strong as a slow hash would be).
const KEY_FORMAT = /^ledger_(k_[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const MAX_NAME_CHARS = 200;
const MAX_DEPARTMENTS = 1_000;
const MAX_DEPARTMENT_CHARS = 200;

export function looksLikeApiKey(text: string): boolean {
  return KEY_FORMAT.test(text);
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Equal hex hashes, compared in a time that does not depend on where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

interface KeyRow {
  key_id: string;
  key_hash: string;
  role: string;
  departments: string[] | null;
  name: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

/**
 * API keys in PostgreSQL (`ledger_api_keys`). Every request looks its key up again, so a revoked
 * key is refused from the next request on, in every process using the database.
 */
export class ApiKeyStore {
  private readonly activeRows: ActiveKeyRows;

  constructor(private readonly db: Sql) {
    this.activeRows = new ActiveKeyRows(db);
  }

  async create(request: NewApiKey): Promise<CreatedApiKey> {
    const { role, departments, name } = checkNewKey(request);
    const keyId = `k_${randomBytes(6).toString('hex')}`;
    const key = `ledger_${keyId}_${randomBytes(32).toString('base64url')}`;
    await this.db.query(
      `INSERT INTO ledger_api_keys (key_id, key_hash, role, departments, name) VALUES ($1, $2, $3, $4::text::text[], $5)`,
      [keyId, hashKey(key), role, departments === null ? null : textArrayLiteral(departments), name],
    );
    return { keyId, key, role, departments, name };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.query<KeyRow>('SELECT * FROM ledger_api_keys ORDER BY created_at, key_id');
    return rows.map(toInfo);
  }

  /** True when the key existed and was active; revoking twice is harmless. */
  async revoke(keyId: string): Promise<boolean> {
    const rows = await this.db.query<{ key_id: string }>(
      'UPDATE ledger_api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL RETURNING key_id',
      [keyId],
    );
    return rows.length > 0;
  }

  async exists(keyId: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM ledger_api_keys WHERE key_id = $1', [keyId]);
    return rows.length > 0;
  }

  async activeCount(): Promise<number> {
    const [row] = await this.db.query<{ n: bigint }>('SELECT count(*)::int8 AS n FROM ledger_api_keys WHERE revoked_at IS NULL');
    return Number(row?.n ?? 0n);
  }

  /** The identity of an active key, or undefined for a key that is malformed, unknown, revoked or wrong. */
  async authenticate(key: string): Promise<Identity | undefined> {
    const match = KEY_FORMAT.exec(key);
    if (match === null) return undefined;
    const row = await this.activeRows.get(match[1] as string);
    if (row === undefined || !sameHash(row.key_hash, hashKey(key))) return undefined;
    return keyIdentity(row, 'key');
  }

  /** Opens a console session for a key: the cookie's token (shown once) and when it expires. */
  async openSession(keyId: string, lifetimeMs: number, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + lifetimeMs);
    // Sessions long expired are dropped as new ones open: the table holds only live ones and a few.
    await this.db.query(`DELETE FROM ledger_sessions WHERE expires_at < $1::timestamptz - interval '1 day'`, [now.toISOString()]);
    await this.db.query('INSERT INTO ledger_sessions (token_hash, key_id, expires_at) VALUES ($1, $2, $3::timestamptz)', [
      hashKey(token),
      keyId,
      expiresAt.toISOString(),
    ]);
    return { token, expiresAt };
  }

  /** The identity behind a live session of an active key. */
  async authenticateSession(token: string, now = new Date()): Promise<Identity | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const [row] = await this.db.query<KeyRow>(
      `SELECT k.* FROM ledger_sessions s JOIN ledger_api_keys k ON k.key_id = s.key_id
        WHERE s.token_hash = $1 AND s.expires_at > $2::timestamptz AND k.revoked_at IS NULL`,
      [hashKey(token), now.toISOString()],
      { prepare: true },
    );
    return row === undefined ? undefined : keyIdentity(row, 'session');
  }

  async closeSession(token: string): Promise<void> {
    await this.db.query('DELETE FROM ledger_sessions WHERE token_hash = $1', [hashKey(token)]);
  }
}

interface Waiting {
  resolve(row: KeyRow | undefined): void;
  reject(error: unknown): void;
}

/**
 * The active rows of keys, looked up in groups: a look-up asked while another is under way waits
 * for it, then goes with every other asked meanwhile in one statement (each key id once). Every
 * look-up is still sent after it was asked, never answered from one sent before: a key revoked
 * before a request came is refused to that request. Many clients at once (a treasury system's
 * workers on one key) then cost one statement per round trip instead of one each.
 */
class ActiveKeyRows {
  private asked = new Map<string, Waiting[]>();
  private reading = false;

  constructor(private readonly db: Sql) {}

  get(keyId: string): Promise<KeyRow | undefined> {
    return new Promise<KeyRow | undefined>((resolve, reject) => {
      const waiting = this.asked.get(keyId);
      if (waiting === undefined) this.asked.set(keyId, [{ resolve, reject }]);
      else waiting.push({ resolve, reject });
      if (!this.reading) void this.read();
    });
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      while (this.asked.size > 0) {
        const asked = this.asked;
        this.asked = new Map();
        try {
          // Run on every request: kept prepared (unprepared, postgres.js describes it first, a round trip more).
          const rows = await this.db.query<KeyRow>(
            'SELECT * FROM ledger_api_keys WHERE key_id IN (SELECT unnest($1::text::text[])) AND revoked_at IS NULL',
            [textArrayLiteral([...asked.keys()])],
            { prepare: true },
          );
          const byId = new Map(rows.map((row) => [row.key_id, row]));
          for (const [keyId, waiting] of asked) for (const w of waiting) w.resolve(byId.get(keyId));
        } catch (error) {
          for (const waiting of asked.values()) for (const w of waiting) w.reject(error);
        }
      }
    } finally {
      this.reading = false;
    }
  }
}

function keyIdentity(row: KeyRow, source: 'key' | 'session'): Identity {
  if (!isRole(row.role)) throw new Error(`api key ${row.key_id} has an unknown role '${row.role}'`);
  return { subject: `key:${row.key_id}`, source, roles: [row.role], departments: row.departments, keyId: row.key_id };
}

function toInfo(row: KeyRow): ApiKeyInfo {
  if (!isRole(row.role)) throw new Error(`api key ${row.key_id} has an unknown role '${row.role}'`);
  return {
    keyId: row.key_id,
    role: row.role,
    departments: row.departments,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

function checkNewKey(request: NewApiKey): { role: Role; departments: string[] | null; name: string | null } {
  const invalid = (message: string) => new AuthError('INVALID_KEY_REQUEST', 400, message);
  if (!isRole(request.role)) throw invalid(`role: must be writer, analyst, auditor or admin, not '${String(request.role)}'`);
  const departments = request.departments === undefined || request.departments.length === 0 ? null : [...new Set(request.departments)];
  if (departments !== null) {
    if (departments.length > MAX_DEPARTMENTS) throw invalid(`departments: at most ${MAX_DEPARTMENTS}`);
    for (const d of departments) {
      if (typeof d !== 'string' || d.trim() === '' || d.length > MAX_DEPARTMENT_CHARS) {
        throw invalid(`departments: each a non-empty name of at most ${MAX_DEPARTMENT_CHARS} characters`);
      }
    }
  }
  const name = request.name === undefined || request.name === '' ? null : request.name;
  if (name !== null && (typeof name !== 'string' || name.length > MAX_NAME_CHARS)) {
    throw invalid(`name: at most ${MAX_NAME_CHARS} characters`);
  }
  return { role: request.role, departments, name };
}
