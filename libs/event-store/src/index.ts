export * from './event-store';
export * from './canonical';
export {
  PgEventStore,
  isDuplicateEventIdError,
  streamLockKey,
  MAX_EVENTS_PER_TRANSACTION,
  type AppendSession,
  type WithStreamsOptions,
  HashedEvents,
  RecordedAtFormat,
} from './pg-event-store';
export * from './db/database';
export { openDatabase, databaseConfigFromEnv, type DatabaseConfig } from './db/open-database';
export { migrate, loadMigrations, MIGRATIONS_DIR, type Migration } from './db/migrate';
export { PgliteDatabase } from './db/pglite-database';
export { PostgresDatabase, type PostgresOptions } from './db/postgres-database';
export * from './audit/merkle';
export * from './audit/signing';
export * from './audit/log-digest';
export { grantAppRole, migrateAsOwner, roleOfUrl, setupRoles } from './db/app-role';
