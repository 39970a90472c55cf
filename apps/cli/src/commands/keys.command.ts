import type { INestApplicationContext } from '@nestjs/common';
import { ApiKeyStore, AuthError, type ApiKeyInfo } from '@ledger/auth';
import type { Database } from '@ledger/event-store';
import { DATABASE } from '@ledger/ledger';
import type { CliArgs } from '../args';
import { CliFailure } from '../cli-failure';
import { renderTable } from '../table';
import { withLedger } from '../with-ledger';

const fail = (code: string, message: string) => new CliFailure({ code, message });

/**
 * `ledger keys create --role R [--department D]… [--name text]`, `keys list`, `keys revoke <keyId>`:
 * API keys for `ledger serve` (DESIGN.md §8). The CLI is the operator's own tool and needs no key.
 */
export async function keysCommand(args: CliArgs): Promise<void> {
  const [action, keyId] = args.positionals;
  const out = (json: unknown, text: string) => process.stdout.write(args.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
  switch (action) {
    case 'create': {
      if (args.role === undefined) throw fail('USAGE', 'keys create needs --role writer|analyst|auditor|admin');
      const role = args.role;
      const created = await withLedger(args, async (app) => {
        try {
          return await store(app).create({ role, departments: args.departments, name: args.name });
        } catch (error) {
          throw error instanceof AuthError ? fail('USAGE', error.message) : error;
        }
      });
      out(
        created,
        [
          `made ${created.keyId} (${created.role}${created.departments === null ? '' : `, departments ${created.departments.join(', ')}`})`,
          `key (shown this once; only its hash is kept): ${created.key}`,
        ].join('\n'),
      );
      return;
    }
    case 'list': {
      const keys = await withLedger(args, (app) => store(app).list());
      out(
        { keys },
        keys.length === 0 ? 'no API keys' : renderTable(['keyId', 'role', 'departments', 'name', 'created', 'revoked'], keys.map(row)),
      );
      return;
    }
    case 'revoke': {
      if (keyId === undefined) throw fail('USAGE', 'keys revoke needs a keyId (see keys list)');
      const result = await withLedger(args, async (app) => {
        const keys = store(app);
        if (!(await keys.exists(keyId))) throw fail('NOT_FOUND', `no API key '${keyId}'`);
        return { keyId, revoked: await keys.revoke(keyId) };
      });
      out(result, result.revoked ? `revoked ${keyId}` : `${keyId} was already revoked`);
      return;
    }
    default:
      throw fail('USAGE', `keys needs create, list or revoke, not '${action ?? ''}'`);
  }
}

function store(app: INestApplicationContext): ApiKeyStore {
  return new ApiKeyStore(app.get<Database>(DATABASE));
}

function row(k: ApiKeyInfo): string[] {
  return [k.keyId, k.role, k.departments?.join(', ') ?? '(all)', k.name ?? '', k.createdAt, k.revokedAt ?? ''];
}
