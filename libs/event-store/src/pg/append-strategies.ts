import { judgeEventId } from '@ledger/domain';
import { contentHash } from '../canonical';
import { CopyFailedError, type Database, type Transaction } from '../db/database';
import {
  StreamVersionConflictError,
  type AppendOutcome,
  type ExistingEvent,
  type NewEvent,
  type StoredEvent,
  type StreamAppend,
} from '../event-store';
import { madeOnce, PgAppendSession, type AppendPlan, type MadeRows, type StoredCopy } from './append-session';
import { copyChunks, EVENT_COPY_COLUMNS } from './row-encoding';
import { PreparedEvents } from './hashed-events';
import type { LockKeys } from './lock-keys';
import { openStreams } from './open-streams';

/** Attempts of `append` when a concurrent transaction stored the same eventId first. */
const APPEND_MAX_ATTEMPTS = 3;

/** True for the unique violation of a concurrent transaction that stored the same eventId first. */
export function isDuplicateEventIdError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as { code?: unknown; constraint?: unknown; constraint_name?: unknown };
  // postgres.js names the field constraint_name, PGlite names it constraint.
  const constraint = fields.constraint_name ?? fields.constraint;
  return fields.code === '23505' && constraint === 'ledger_events_event_id_key';
}

/**
 * The contract's append (events validated, streams unique and checked): duplicates (same eventId
 * and content, stored before or earlier in this call) are acknowledged, conflicts (same eventId,
 * other content) refused, the rest stored. An append whose events are all duplicates or conflicts
 * is not checked against its expectedVersion: it is the retry of a write that already happened.
 *
 * The first attempt assumes that none of the eventIds is stored yet: it skips looking them up,
 * and loads the events with COPY. If one is stored, the load fails and everything rolls back, and
 * so does an expectedVersion that fails (the append may be the retry of one that was stored). The
 * next attempts look the eventIds up first, which sorts duplicates and conflicts out exactly, and
 * insert, which reports any error as the server gave it.
 */
export async function appendToStreams(
  db: Database,
  lockKeys: LockKeys,
  ids: readonly string[],
  appends: readonly StreamAppend[],
): Promise<AppendOutcome> {
  let careful = false;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return careful ? await appendCarefully(db, lockKeys, ids, appends) : await appendAssumingNew(db, lockKeys, ids, appends);
    } catch (error) {
      if (!careful && (isDuplicateEventIdError(error) || error instanceof StreamVersionConflictError || error instanceof CopyFailedError)) {
        careful = true;
        continue;
      }
      // Another transaction stored one of our eventIds (in a stream we did not lock) between our
      // look-up and our insert. Once it has committed, a retry finds it and reports a duplicate or
      // a conflict.
      if (attempt <= APPEND_MAX_ATTEMPTS && isDuplicateEventIdError(error)) continue;
      throw error;
    }
  }
}

/**
 * One transaction in which the COPY of the events is sent right behind the lock and head
 * statements; its rows are made once the heads are in, and sent as they are made, so that the
 * server parses some while the next are made. The canonical forms are not kept past their row.
 */
function appendAssumingNew(
  db: Database,
  lockKeys: LockKeys,
  ids: readonly string[],
  appends: readonly StreamAppend[],
): Promise<AppendOutcome> {
  const { fresh, outcomes } = sortOut(appends, new Map());
  return db.transaction(async (tx) => {
    const prepared = new PreparedEvents({ keep: false, validated: true });
    const opening = openStreams(tx, ids, lockKeys).then((opened) => new PgAppendSession(tx, opened, prepared, { load: 'copy' }));
    // The COPY fails when the session does not open; the session's error is the one to report.
    const [, stored] = await Promise.all([opening, copyAhead(tx, opening, fresh)]);
    return outcomeOf(stored, outcomes);
  });
}

function appendCarefully(
  db: Database,
  lockKeys: LockKeys,
  ids: readonly string[],
  appends: readonly StreamAppend[],
): Promise<AppendOutcome> {
  return db.transaction(async (tx) => {
    const opened = await openStreams(tx, ids, lockKeys);
    const session = new PgAppendSession(tx, opened, new PreparedEvents({ keep: true, validated: true }), { load: 'insert' });
    const existing = await session.findStored(appends.flatMap((append) => append.events));
    const { fresh, outcomes } = sortOut(appends, existing);
    const stored = fresh.length === 0 ? [] : await session.append(fresh);
    return outcomeOf(stored, outcomes);
  });
}

/**
 * Stores the events with a COPY sent before the session is open (right behind its lock and head
 * statements, in the same pipeline); the rows are made once it is, as the server takes them. The
 * COPY's failure aborts the transaction, and may not say why (CopyFailedError).
 */
async function copyAhead(tx: Transaction, opening: Promise<PgAppendSession>, appends: readonly StreamAppend[]): Promise<StoredEvent[]> {
  // Set once the session is open, and left undefined when the plan has no event.
  let open: { readonly session: PgAppendSession; readonly plan: AppendPlan } | undefined;
  let made: MadeRows | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array, void> {
    const session = await opening;
    const plan = session.plan(appends);
    if (plan === undefined) return;
    open = { session, plan };
    made = yield* copyChunks(session.rows(plan), session.recordedAt);
  }
  await tx.copyFrom('ledger_events', EVENT_COPY_COLUMNS, chunks(), () =>
    open === undefined ? { text: 'SELECT 1' } : open.session.headsStatement(madeOnce(made)),
  );
  if (open === undefined) return [];
  open.session.settle(open.plan, madeOnce(made));
  return madeOnce(made).stored;
}

/**
 * The events to store (each occurrence that @ledger/domain's judgeEventId calls new), and what
 * becomes of the others: a duplicate or a conflict, judged there. An append left with no event is
 * dropped.
 */
function sortOut(
  appends: readonly StreamAppend[],
  existing: ReadonlyMap<string, StoredCopy>,
): { fresh: StreamAppend[]; outcomes: InCallOutcome[] } {
  const accepted = new Map<string, { index: number; contentHash: string; event: NewEvent }>();
  const outcomes: InCallOutcome[] = [];
  const fresh: StreamAppend[] = [];
  let index = 0;
  for (const append of appends) {
    const events: NewEvent[] = [];
    for (const event of append.events) {
      const stored = existing.get(event.eventId);
      const earlier = accepted.get(event.eventId);
      if (stored === undefined && earlier === undefined) {
        // Not hashed here: a new eventId needs no comparison, and the append hashes it anyway.
        accepted.set(event.eventId, { index, contentHash: '', event });
        events.push(event);
      } else {
        // Rare (a retry, or an eventId twice in one call), so hashed again here rather than cached.
        if (earlier !== undefined && earlier.contentHash === '') earlier.contentHash = contentHash(earlier.event);
        const judgement = judgeEventId(contentHash(event), stored?.contentHash, earlier);
        if (judgement.kind === 'new') throw new Error(`event ${event.eventId}: judged new though seen before`);
        outcomes.push({
          eventId: event.eventId,
          kind: judgement.kind === 'duplicate' ? 'duplicate' : 'conflict',
          position: stored?.position,
        });
      }
      index += 1;
    }
    if (events.length > 0) fresh.push(events.length === append.events.length ? append : { ...append, events });
  }
  return { fresh, outcomes };
}

interface InCallOutcome {
  readonly eventId: string;
  readonly kind: 'duplicate' | 'conflict';
  /** Undefined for an eventId first met earlier in the call: the position its first occurrence is stored at. */
  readonly position: bigint | undefined;
}

function outcomeOf(stored: StoredEvent[], outcomes: readonly InCallOutcome[]): AppendOutcome {
  if (outcomes.length === 0) return { stored, duplicates: [], conflicts: [] };
  const positions = new Map(stored.map((event) => [event.eventId, event.position]));
  const duplicates: ExistingEvent[] = [];
  const conflicts: ExistingEvent[] = [];
  for (const outcome of outcomes) {
    const position = outcome.position ?? positions.get(outcome.eventId);
    if (position === undefined) throw new Error(`event ${outcome.eventId}: its first occurrence was not stored`);
    (outcome.kind === 'duplicate' ? duplicates : conflicts).push({ eventId: outcome.eventId, position });
  }
  return { stored, duplicates, conflicts };
}
