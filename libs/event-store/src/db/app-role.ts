import type { Database } from './database';
import { migrate } from './migrate';
import { PostgresDatabase } from './postgres-database';

/**
 * Two roles on a PostgreSQL server (docs/decisions/0011-signed-checkpoints.md): the owner of the
 * tables migrates (MIGRATION_DATABASE_URL), the ledger connects as a role that may only read and
 * append to the log and write its projections (DATABASE_URL). PGlite has one role, so the split
 * applies to servers only.
 */

/** The role a connection URL logs in as. */
export function roleOfUrl(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  if (user === '') throw new Error('DATABASE_URL names no user: with MIGRATION_DATABASE_URL, both URLs must name their role');
  return user;
}

/** Grants `appRole` its rights on every table of the owner's schema (infra/migrations/0014). Run as the owner. */
export async function grantAppRole(owner: Database, appRole: string): Promise<void> {
  await owner.query('SELECT ledger_grant_app_role($1)', [appRole]);
}

/** Migrates as the owner, then grants the ledger's role its rights on whatever the migrations made. */
export async function migrateAsOwner(migrationUrl: string, databaseUrl: string): Promise<string[]> {
  const owner = new PostgresDatabase(migrationUrl, { maxConnections: 1 });
  try {
    const applied = await migrate(owner);
    const appRole = roleOfUrl(databaseUrl);
    if (appRole !== roleOfUrl(migrationUrl)) await grantAppRole(owner, appRole);
    return applied;
  } finally {
    await owner.close();
  }
}

/**
 * `ledger db setup-roles`: creates the ledger's role when it does not exist yet (LOGIN, with the
 * password of its URL if it has one), then migrates and grants. Needs a migrating role allowed to
 * create roles.
 */
export async function setupRoles(
  migrationUrl: string,
  databaseUrl: string,
): Promise<{ appRole: string; created: boolean; applied: string[] }> {
  const appRole = roleOfUrl(databaseUrl);
  if (appRole === roleOfUrl(migrationUrl)) {
    throw new Error(`DATABASE_URL and MIGRATION_DATABASE_URL both log in as ${appRole}: the ledger needs a role of its own`);
  }
  const owner = new PostgresDatabase(migrationUrl, { maxConnections: 1 });
  let created = false;
  try {
    const exists = await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole]);
    if (exists.length === 0) {
      const password = decodeURIComponent(new URL(databaseUrl).password);
      const [quoted] = await owner.query<{ role: string; password: string | null }>(
        "SELECT quote_ident($1) AS role, CASE WHEN $2 = '' THEN NULL ELSE quote_literal($2) END AS password",
        [appRole, password],
      );
      if (quoted === undefined) throw new Error('quote_ident returned nothing');
      // NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS: the defaults, written out because they are the point.
      await owner.query(
        `CREATE ROLE ${quoted.role} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS${quoted.password === null ? '' : ` PASSWORD ${quoted.password}`}`,
      );
      created = true;
    }
  } finally {
    await owner.close();
  }
  const applied = await migrateAsOwner(migrationUrl, databaseUrl);
  return { appRole, created, applied };
}
