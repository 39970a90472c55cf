import * as fs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { parseSignedCheckpoint, publicKeyFromPem, type SignedCheckpoint } from '@ledger/event-store';
import { Checkpoints, RequestError } from '@ledger/ledger';
import type { CliArgs } from '../args';
import { print } from '../output';
import { withLedger } from '../with-ledger';

/** `ledger checkpoint`, `ledger prove` and `ledger verify --checkpoint`: signed checkpoints of the log. */

/** A usage mistake: the CLI reports it with its message (code INVALID_QUERY). */
class AuditUsageError extends RequestError {
  constructor(message: string) {
    super('INVALID_QUERY', message);
  }
}

/** A checkpoint from a file, or from standard input for `-`. */
export function readCheckpoint(source: string): SignedCheckpoint {
  let text: string;
  try {
    text = fs.readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    throw new AuditUsageError(`--checkpoint ${source}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AuditUsageError(`--checkpoint ${source}: not JSON (${(error as Error).message})`);
  }
  return parseSignedCheckpoint(value, `--checkpoint ${source}`);
}

/**
 * The key that checks a checkpoint: --public-key, else LEDGER_CHECKPOINT_PUBLIC_KEY_FILE, else the
 * public half of the configured signing key. An auditor passes the key published by the ledger's
 * operator, never one taken from the checkpoint or the database.
 */
function verifyingKey(args: CliArgs, checkpoints: Checkpoints): KeyObject {
  const file = args.publicKey ?? process.env.LEDGER_CHECKPOINT_PUBLIC_KEY_FILE;
  if (file !== undefined && file !== '') {
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new AuditUsageError(`--public-key ${file}: ${(error as Error).message}`);
    }
    return publicKeyFromPem(pem, `--public-key ${file}`);
  }
  const own = checkpoints.publicKey();
  if (own === undefined) throw new AuditUsageError('no key to check the signature with: give --public-key <file> (PEM)');
  return own;
}

export async function checkpointCommand(args: CliArgs): Promise<void> {
  const checkpoint = await withLedger(args, (app) => app.get(Checkpoints).create());
  print(args, checkpoint, () => JSON.stringify(checkpoint, null, 2));
}

export async function proveCommand(args: CliArgs): Promise<void> {
  if (args.event === undefined || args.checkpoint === undefined) {
    throw new AuditUsageError('prove needs --event <eventId> and --checkpoint <file|->');
  }
  const checkpoint = readCheckpoint(args.checkpoint);
  const eventId = args.event;
  const proof = await withLedger(args, (app) => app.get(Checkpoints).prove(eventId, checkpoint));
  // The proof is a document to hand over: JSON whatever --json says.
  process.stdout.write(`${JSON.stringify(proof, null, 2)}\n`);
}

export async function verifyCheckpointCommand(args: CliArgs): Promise<void> {
  const checkpoint = readCheckpoint(args.checkpoint as string);
  const result = await withLedger(args, (app) => {
    const checkpoints = app.get(Checkpoints);
    return checkpoints.verify(checkpoint, verifyingKey(args, checkpoints));
  });
  print(args, result, () => {
    if (result.ok) {
      return `ok: the ${checkpoint.events} events up to position ${checkpoint.position} are those signed by ${checkpoint.keyId} at ${checkpoint.createdAt}`;
    }
    const lines = [`BROKEN: the log up to position ${checkpoint.position} is not the one signed at ${checkpoint.createdAt}`];
    for (const p of result.problems) lines.push(`  ${p.kind}${p.position === undefined ? '' : ` at position ${p.position}`}: ${p.message}`);
    if (result.problemsNotListed > 0) lines.push(`  … ${result.problemsNotListed} more`);
    return lines.join('\n');
  });
  if (!result.ok) process.exitCode = 1;
}
