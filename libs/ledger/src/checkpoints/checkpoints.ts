import type { KeyObject } from 'node:crypto';
import {
  checkpointSignatureValid,
  digestLog,
  keyIdOf,
  MAX_LISTED_BREAKS,
  settledHead,
  signCheckpoint,
  type ChainBreak,
  type Database,
  type PgEventStore,
  type ProvenEvent,
  type SignedCheckpoint,
  type SigningKey,
} from '@ledger/event-store';

/**
 * Signed checkpoints (docs/decisions/0011-signed-checkpoints.md): a signed RFC 6962 root over the
 * log up to a position, kept as an event of the ledger's own stream so that it is published like
 * every other event and copies of it live outside the database.
 */

/** The ledger's own stream of checkpoints; not a department-year, so no budget rule sees it. */
export const CHECKPOINT_STREAM_ID = 'ledger-checkpoints';
/** Recorded by the ledger itself, never accepted from outside (parseEvent does not know it). */
export const CHECKPOINT_SIGNED = 'CheckpointSigned';
export const INCLUSION_PROOF_FORMAT = 'budget-ledger-inclusion/v1';

export class CheckpointError extends Error {
  constructor(
    readonly code: 'SIGNING_KEY_MISSING' | 'LOG_BROKEN' | 'EVENT_NOT_COVERED' | 'CHECKPOINT_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface CheckpointProblem {
  readonly kind: 'signature' | 'tree' | 'chain';
  readonly position?: string;
  readonly message: string;
}

export interface CheckpointVerification {
  readonly ok: boolean;
  readonly checkpoint: SignedCheckpoint;
  /** What the log holds now up to the checkpoint's position. */
  readonly recomputed: { readonly events: number; readonly digest: string };
  readonly problems: CheckpointProblem[];
  readonly problemsNotListed: number;
}

export interface InclusionProof {
  readonly format: typeof INCLUSION_PROOF_FORMAT;
  readonly checkpoint: SignedCheckpoint;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Hex sibling hashes, from the leaf up (RFC 6962 §2.1.1). */
  readonly path: string[];
  readonly event: ProvenEvent;
}

export class Checkpoints {
  constructor(
    private readonly db: Database,
    private readonly store: PgEventStore,
    private readonly key: SigningKey | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  hasKey(): boolean {
    return this.key !== undefined;
  }

  /** The key that checks signatures: the configured one's public half. */
  publicKey(): KeyObject | undefined {
    return this.key?.publicKey;
  }

  /**
   * Signs the log up to its head and stores the checkpoint as an event. A log whose chain is
   * broken is not signed: a signature would vouch for the break.
   */
  async create(): Promise<SignedCheckpoint> {
    const key = this.key;
    if (key === undefined) {
      throw new CheckpointError(
        'SIGNING_KEY_MISSING',
        'no signing key: set LEDGER_SIGNING_KEY_FILE (or LEDGER_SIGNING_KEY) to an Ed25519 PEM private key',
      );
    }
    const digest = await digestLog(this.db, { upTo: await settledHead(this.db) });
    if (digest.breaks.length > 0) {
      const first = digest.breaks[0] as ChainBreak;
      throw new CheckpointError(
        'LOG_BROKEN',
        `the log is broken (${digest.breaks.length + digest.breaksNotListed} breaks, first at position ${first.position}: ${first.reason}); not signed`,
      );
    }
    const checkpoint = signCheckpoint(
      {
        position: digest.position.toString(),
        events: digest.events,
        digest: digest.digest,
        keyId: key.keyId,
        createdAt: this.now().toISOString(),
      },
      key,
    );
    // One checkpoint per position and key: signing an unchanged log again gives back the first.
    const eventId = `checkpoint:${checkpoint.position}:${key.keyId.slice('sha256:'.length, 'sha256:'.length + 16)}`;
    const outcome = await this.store.append([
      {
        streamId: CHECKPOINT_STREAM_ID,
        events: [
          {
            eventId,
            type: CHECKPOINT_SIGNED,
            effectiveDate: checkpoint.createdAt.slice(0, 10),
            correction: false,
            data: { ...checkpoint },
            metadata: { source: 'ledger' },
          },
        ],
      },
    ]);
    if (outcome.stored.length === 1) return checkpoint;
    const existing = await this.db.query<{ data: SignedCheckpoint }>('SELECT data FROM ledger_events WHERE event_id = $1', [eventId]);
    const stored = existing[0]?.data;
    if (stored === undefined) throw new Error(`checkpoint ${eventId} was neither stored nor found`);
    return stored;
  }

  /**
   * Signs the log when anything but checkpoints was appended after the last checkpoint's position
   * (or there is none yet and the log is not empty); undefined otherwise. Cheap when nothing moved:
   * two index look-ups, no walk of the log.
   */
  async createIfLogMoved(): Promise<SignedCheckpoint | undefined> {
    const [moved] = await this.db.query<{ moved: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM ledger_events
          WHERE position > COALESCE((SELECT (data->>'position')::bigint FROM ledger_events WHERE stream_id = $1
                                       ORDER BY stream_version DESC LIMIT 1), 0)
            AND stream_id <> $1) AS moved`,
      [CHECKPOINT_STREAM_ID],
    );
    return moved?.moved === true ? this.create() : undefined;
  }

  /** Stored checkpoints, oldest first. */
  async list(options: { afterVersion?: bigint; limit?: number } = {}): Promise<{ checkpoints: SignedCheckpoint[]; lastVersion: string }> {
    const events = await this.store.readStream(CHECKPOINT_STREAM_ID, {
      fromVersion: (options.afterVersion ?? -1n) + 1n,
      limit: options.limit ?? 100,
    });
    const last = events[events.length - 1];
    return {
      checkpoints: events.map((e) => e.data as unknown as SignedCheckpoint),
      lastVersion: (last === undefined ? (options.afterVersion ?? -1n) : last.streamVersion).toString(),
    };
  }

  /**
   * Whether the log up to the checkpoint's position is the one that was signed: the signature
   * (under `publicKey`), then the root of the events recomputed from their content.
   */
  async verify(checkpoint: SignedCheckpoint, publicKey: KeyObject): Promise<CheckpointVerification> {
    const problems: CheckpointProblem[] = [];
    if (keyIdOf(publicKey) !== checkpoint.keyId) {
      problems.push({ kind: 'signature', message: `the checkpoint names key ${checkpoint.keyId}, the key given is ${keyIdOf(publicKey)}` });
    } else if (!checkpointSignatureValid(checkpoint, publicKey)) {
      problems.push({ kind: 'signature', message: 'the signature does not match the checkpoint' });
    }
    const digest = await digestLog(this.db, { upTo: BigInt(checkpoint.position) });
    if (digest.events !== checkpoint.events) {
      problems.push({
        kind: 'tree',
        message: `the log holds ${digest.events} events up to position ${checkpoint.position}; the checkpoint covers ${checkpoint.events} (events were ${digest.events < checkpoint.events ? 'removed' : 'added'})`,
      });
    }
    if (digest.digest !== checkpoint.digest) {
      problems.push({
        kind: 'tree',
        message: `the log up to position ${checkpoint.position} does not hash to the signed digest: its history was changed`,
      });
    }
    for (const b of digest.breaks) problems.push({ kind: 'chain', position: b.position, message: b.reason });
    const listed = problems.slice(0, MAX_LISTED_BREAKS);
    return {
      ok: problems.length === 0,
      checkpoint,
      recomputed: { events: digest.events, digest: digest.digest },
      problems: listed,
      problemsNotListed: problems.length - listed.length + digest.breaksNotListed,
    };
  }

  /** The inclusion proof of one event in the tree a checkpoint signed. */
  async prove(eventId: string, checkpoint: SignedCheckpoint): Promise<InclusionProof> {
    const digest = await digestLog(this.db, { upTo: BigInt(checkpoint.position), keepLeaves: true, find: eventId });
    if (digest.digest !== checkpoint.digest || digest.events !== checkpoint.events) {
      throw new CheckpointError(
        'CHECKPOINT_MISMATCH',
        `the log up to position ${checkpoint.position} no longer matches the checkpoint (run verify --checkpoint); no proof can be made from it`,
      );
    }
    const found = digest.found;
    const leaves = digest.leaves;
    if (found === undefined || leaves === undefined) {
      throw new CheckpointError(
        'EVENT_NOT_COVERED',
        `event ${eventId} is not among the ${checkpoint.events} events up to position ${checkpoint.position}`,
      );
    }
    return {
      format: INCLUSION_PROOF_FORMAT,
      checkpoint,
      leafIndex: found.index,
      treeSize: digest.events,
      path: leaves.inclusionPath(found.index, digest.events).map((h) => h.toString('hex')),
      event: found.event,
    };
  }
}
