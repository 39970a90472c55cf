import * as path from 'node:path';
import type { Database } from './database';
import { PgliteDatabase } from './pglite-database';
import { PostgresDatabase } from './postgres-database';
import { migrate } from './migrate';
import { DEFAULT_OWNER_WAIT_MS, openEmbedded, type OwnerOptions } from './owner/open-embedded';
import { migrateAsOwner } from './app-role';

export interface DatabaseConfig {
  /** `DATABASE_URL`: a PostgreSQL server. Unset: the embedded PGlite. */
  readonly databaseUrl?: string;
  /** `LEDGER_DATA_DIR`: where PGlite keeps its files (default `./.ledger-data`). `memory://` keeps none. */
  readonly dataDir?: string;
  readonly maxConnections?: number;
  /** How this process stands towards the owner of the embedded data directory (DESIGN.md §10). */
  readonly owner?: OwnerOptions;
  /**
   * `MIGRATION_DATABASE_URL`: the role that owns the tables and migrates them (default: the
   * DATABASE_URL role). When it differs, the ledger's own role gets only the rights of
   * infra/migrations/0014 and never migrates.
   */
  readonly migrationUrl?: string;
}

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return {
    databaseUrl: nonEmpty(env.DATABASE_URL),
    dataDir: nonEmpty(env.LEDGER_DATA_DIR) ?? './.ledger-data',
    maxConnections: env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : undefined,
    owner: { waitMs: ownerWaitMs(env.LEDGER_OWNER_WAIT_MS) },
    migrationUrl: nonEmpty(env.MIGRATION_DATABASE_URL),
  };
}

/** Opens the configured database and applies every pending migration before returning it. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.databaseUrl && config.migrationUrl && config.migrationUrl !== config.databaseUrl) {
    await migrateAsOwner(config.migrationUrl, config.databaseUrl);
    return new PostgresDatabase(config.databaseUrl, { maxConnections: config.maxConnections });
  }
  const db = config.databaseUrl
    ? new PostgresDatabase(config.databaseUrl, { maxConnections: config.maxConnections })
    : config.dataDir === 'memory://'
      ? await PgliteDatabase.open()
      : await openEmbedded(path.resolve(config.dataDir ?? './.ledger-data'), config.owner);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

function ownerWaitMs(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_OWNER_WAIT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 3_600_000) throw new Error('LEDGER_OWNER_WAIT_MS must be an integer from 0 to 3600000');
  return ms;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
