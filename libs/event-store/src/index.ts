export * from './event-store';
export * from './canonical';
export {
  PgEventStore,
  isDuplicateEventIdError,
  streamLockKey,
  MAX_EVENTS_PER_TRANSACTION,
  MAX_VERIFY_BREAKS,
  type StoredCopy,
  type AppendSession,
  type WithStreamsOptions,
  HashedEvents,
  RecordedAtFormat,
} from './pg-event-store';
export * from './db/database';
export { openDatabase, databaseConfigFromEnv, type DatabaseConfig } from './db/open-database';
export { migrate, loadMigrations, MIGRATIONS_DIR, type Migration } from './db/migrate';
export { PgliteDatabase } from './db/pglite-database';
export { PGLITE_TEMPLATE_FILE } from './db/pglite-template';
export { PostgresDatabase, type PostgresOptions } from './db/postgres-database';
export { DataDirInUseError, type OwnerOptions } from './db/owner/open-embedded';
export { OWNER_LOCK_FILE, type OwnerRecord } from './db/owner/owner-lock';
export * from './audit/merkle';
export * from './audit/signing';
export * from './audit/log-digest';
export { grantAppRole, migrateAsOwner, roleOfUrl, setupRoles } from './db/app-role';
