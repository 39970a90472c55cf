import { setupRoles } from '@ledger/event-store';
import { RequestError } from '@ledger/ledger';
import type { CliArgs } from '../args';

/** `ledger db setup-roles`: the two PostgreSQL roles of docs/decisions/0011 (README, "Two roles"). */
export async function dbCommand(args: CliArgs): Promise<void> {
  const [sub] = args.positionals;
  if (sub !== 'setup-roles') throw new RequestError('INVALID_QUERY', `db: the only subcommand is setup-roles, not '${sub ?? ''}'`);
  const databaseUrl = process.env.DATABASE_URL;
  const migrationUrl = process.env.MIGRATION_DATABASE_URL;
  if (!databaseUrl || !migrationUrl) {
    throw new RequestError(
      'INVALID_QUERY',
      "db setup-roles needs MIGRATION_DATABASE_URL (the owner, which migrates) and DATABASE_URL (the ledger's own role, created if missing)",
    );
  }
  const result = await setupRoles(migrationUrl, databaseUrl);
  process.stdout.write(
    args.json
      ? `${JSON.stringify(result)}\n`
      : `role ${result.appRole} ${result.created ? 'created' : 'already there'}; ${result.applied.length} migration(s) applied; its rights granted\n`,
  );
}
