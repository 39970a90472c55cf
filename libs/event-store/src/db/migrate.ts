import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from './database';

/** Forward-only plain SQL migrations, `infra/migrations/NNNN_verb_object.sql`, applied in name order. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../../../infra/migrations');

const MIGRATION_NAME = /^\d{4}_[a-z0-9_]+\.sql$/;
// Any fixed key: it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = '7236510991';

export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((name) => MIGRATION_NAME.test(name))
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

/**
 * Applies the migrations not yet recorded in `ledger_migrations`, each in its own transaction.
 * An advisory lock keeps two processes starting at once from applying the same migration twice.
 * Returns the names applied.
 */
export async function migrate(db: Database, migrations: Migration[] = loadMigrations()): Promise<string[]> {
  // Nothing to do is found without DDL, so that a role that may not create tables (the ledger's
  // own role, docs/decisions/0011) starts on a database its owner has migrated.
  if (await allApplied(db, migrations)) return [];
  // Under the lock too: two first starts on a fresh database would both try to create the table,
  // and IF NOT EXISTS does not stop the second from failing on the catalog's unique index.
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ledger_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      const existing = await tx.query('SELECT 1 FROM ledger_migrations WHERE name = $1', [migration.name]);
      if (existing.length > 0) return false;
      // Each migration file is a script of plain statements; run them statement by statement
      // through the transaction so that a failure rolls the whole file back.
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO ledger_migrations (name) VALUES ($1)', [migration.name]);
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return applied;
}

/**
 * Splits a migration script at semicolons that end a statement. Dollar-quoted bodies ($$ … $$)
 * and comments are respected so that function definitions survive intact.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  let dollarTag: string | null = null;
  while (i < script.length) {
    const rest = script.slice(i);
    if (dollarTag === null && rest.startsWith('--')) {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end + 1;
      continue;
    }
    const tag = /^\$[A-Za-z_]*\$/.exec(rest)?.[0];
    if (tag !== undefined) {
      if (dollarTag === null) dollarTag = tag;
      else if (dollarTag === tag) dollarTag = null;
      current += tag;
      i += tag.length;
      continue;
    }
    const ch = script[i] as string;
    if (ch === "'" && dollarTag === null) {
      const end = script.indexOf("'", i + 1);
      const stop = end === -1 ? script.length : end + 1;
      current += script.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === ';' && dollarTag === null) {
      if (current.trim() !== '') statements.push(current.trim());
      current = '';
      i += 1;
      continue;
    }
    current += ch;
    i += 1;
  }
  if (current.trim() !== '') statements.push(current.trim());
  return statements;
}

async function allApplied(db: Database, migrations: readonly Migration[]): Promise<boolean> {
  const [table] = await db.query<{ exists: boolean }>(`SELECT to_regclass('ledger_migrations') IS NOT NULL AS exists`);
  if (table?.exists !== true) return false;
  const rows = await db.query<{ name: string }>('SELECT name FROM ledger_migrations');
  const applied = new Set(rows.map((r) => r.name));
  return migrations.every((m) => applied.has(m.name));
}
