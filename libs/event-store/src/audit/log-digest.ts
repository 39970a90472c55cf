import { ChainWalk, describeChainFault, type ChainFault } from '../chain-walk';
import type { Database, Transaction } from '../db/database';
import type { EventContent } from '../event-store';
import { CHAINED_EVENT_COLUMNS, type ChainedEventRow } from '../pg/event-rows';
import { headPosition, lastCommittedPosition } from '../pg/reads';
import { RecordedAtFormat } from '../pg/recorded-at';
import { LeafHashes, MerkleAccumulator } from './merkle';

/**
 * One walk of the log in position order, inside one REPEATABLE READ snapshot, that recomputes
 * every event's content hash and chain link from its stored columns (as verify does) and feeds
 * the recomputed chain hashes, as leaves, to an RFC 6962 Merkle tree. A checkpoint signs its root;
 * verifying a checkpoint walks again and compares. The leaf is the recomputed hash, not the
 * stored one, so rewriting content and recomputing every stored hash after it still changes the
 * root, and so does removing or reordering an event.
 */

const PAGE_SIZE = 5_000;
/** Breaks listed in a walk's result; more are counted, not listed. */
export const MAX_LISTED_BREAKS = 100;

/** An event as an inclusion proof carries it: enough to recompute its chain hash, the leaf. */
export interface ProvenEvent extends EventContent {
  readonly position: string;
  readonly streamId: string;
  readonly streamVersion: string;
  readonly recordedAt: string;
  /** The previous link of its stream (64 zeros for a stream's first event). */
  readonly prevHash: string;
}

export interface ChainBreak {
  readonly position: string;
  readonly reason: string;
}

export interface LogDigest {
  /** The last position covered: the checkpoint's position, or the log's head when none was asked for. */
  readonly position: bigint;
  readonly events: number;
  /** Hex root. */
  readonly digest: string;
  readonly breaks: ChainBreak[];
  readonly breaksNotListed: number;
  /** With `keepLeaves`: every leaf hash, for inclusion proofs. */
  readonly leaves?: LeafHashes;
  /** With `find`: the event and its leaf index. */
  readonly found?: { readonly index: number; readonly event: ProvenEvent };
}

export interface DigestOptions {
  /** Cover events with position ≤ upTo; default the log's head (what a follower can read now). */
  readonly upTo?: bigint;
  readonly keepLeaves?: boolean;
  /** An eventId to locate among the leaves. */
  readonly find?: string;
}

export async function digestLog(db: Database, options: DigestOptions = {}): Promise<LogDigest> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const upTo = options.upTo ?? (await headPosition(tx));
    return walk(tx, upTo, options);
  });
}

/**
 * The last position committed now, once every event up to it can be read: a transaction still
 * running when we start (anywhere on the server: pg_snapshot_xmin is server-wide) may hold the
 * readable head back for a moment, and a checkpoint must not cover positions that a transaction
 * still running could yet fill. Waits at most `timeoutMs`.
 */
export async function settledHead(db: Database, timeoutMs = 30_000, pollMs = 50): Promise<bigint> {
  const target = await lastCommittedPosition(db);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // The highest position below every transaction still running: a transaction that commits
    // later numbers its events above it (see PgEventStore), so no event can appear later below it.
    const head = await headPosition(db);
    if (head >= target) return target;
    if (Date.now() >= deadline) {
      throw new Error(`the log's head stayed below position ${target} for ${timeoutMs} ms: a transaction on the server is still running`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function walk(tx: Transaction, upTo: bigint, options: DigestOptions): Promise<LogDigest> {
  const tree = new MerkleAccumulator();
  const leaves = options.keepLeaves ? new LeafHashes() : undefined;
  // The link is recomputed from what the previous link should be, so one altered event breaks
  // every leaf after it in its stream, whatever the stored hashes say.
  const chain = new ChainWalk({ follow: 'recomputed', positionInLink: true });
  const recordedAt = new RecordedAtFormat();
  const breaks = new ListedBreaks();
  let found: LogDigest['found'];
  let after = -1n;
  for (;;) {
    const rows = await tx.query<ChainedEventRow>(
      `SELECT ${CHAINED_EVENT_COLUMNS}
         FROM ledger_events WHERE position > $1::bigint AND position <= $2::bigint ORDER BY position LIMIT $3::int`,
      [after.toString(), upTo.toString(), String(PAGE_SIZE)],
    );
    for (const row of rows) {
      row.recordedAt = recordedAt.iso(row.recordedAt);
      const step = chain.step(row);
      for (const fault of step.faults) breaks.add(row.position, reasonOf(row, fault));
      const leaf = Buffer.from(step.hash, 'hex');
      if (options.find !== undefined && row.eventId === options.find) {
        found = { index: tree.size(), event: provenEvent(row, step.prevHash) };
      }
      tree.add(leaf);
      leaves?.add(leaf);
    }
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < PAGE_SIZE) break;
    after = last.position;
  }
  return {
    position: upTo,
    events: tree.size(),
    digest: tree.root().toString('hex'),
    breaks: breaks.listed,
    breaksNotListed: breaks.notListed,
    ...(leaves === undefined ? {} : { leaves }),
    ...(found === undefined ? {} : { found }),
  };
}

/** The breaks of a walk: the first MAX_LISTED_BREAKS listed, the rest counted. */
class ListedBreaks {
  readonly listed: ChainBreak[] = [];
  notListed = 0;

  add(position: bigint, reason: string): void {
    if (this.listed.length < MAX_LISTED_BREAKS) this.listed.push({ position: position.toString(), reason });
    else this.notListed += 1;
  }
}

/** A fault in the words checkpoints have always used. */
function reasonOf(row: ChainedEventRow, fault: ChainFault): string {
  switch (fault.kind) {
    case 'prev-hash':
      return `event ${row.eventId}: prev_hash does not link to the previous event of its stream`;
    case 'hash':
      return `event ${row.eventId}: hash does not match its content and place`;
    default:
      return describeChainFault(row, fault);
  }
}

/** The event as an inclusion proof carries it. */
function provenEvent(row: ChainedEventRow, prevHash: string): ProvenEvent {
  return {
    position: row.position.toString(),
    streamId: row.streamId,
    streamVersion: row.streamVersion.toString(),
    eventId: row.eventId,
    type: row.type,
    effectiveDate: row.effectiveDate,
    correction: row.correction,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recordedAt,
    prevHash,
  };
}
