import { createHash } from 'node:crypto';
import { judgeEventId } from '@ledger/domain';
import {
  canonicalJson,
  chainHash,
  chainLinkJsonOf,
  contentHash,
  contentHashOfParts,
  GENESIS_HASH,
  hashedParts,
  jsonString,
  sha256Hex,
  type CanonicalEventParts,
  type HashedEventParts,
} from './canonical';
import { assertLimit, CheckpointedSubscription } from './subscription-base';
import { assertValidEvent as assertValidNewEvent } from './validation';
import {
  CopyFailedError,
  copyText,
  textArrayLiteral,
  type Database,
  type QueryOptions,
  type Sql,
  type Statement,
  type Transaction,
} from './db/database';
import {
  READ_ALL_MAX_LIMIT,
  StreamVersionConflictError,
  type AppendOutcome,
  type EventStore,
  type ExistingEvent,
  type ExpectedVersion,
  type JsonObject,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamAppend,
  type Subscription,
  type SubscriptionHandler,
  type SubscriptionOptions,
  type VerifyBreak,
  type VerifyReport,
} from './event-store';

/**
 * A position is `tx_id * 2^20 + index of the event in its transaction`. Numbering by the writing
 * transaction's id is what lets a follower that reads below pg_snapshot_xmin never pass a lower
 * position that is still uncommitted: every transaction still running has a tx_id ≥ that xmin, so
 * all of its positions lie above everything the follower can read. (Positions from a sequence are
 * handed out in a different order than transaction ids, which leaves that hole open.)
 */
const POSITION_TX_SHIFT = 20n;
export const MAX_EVENTS_PER_TRANSACTION = 1 << 20;

/** Attempts of `append` when a concurrent transaction stored the same eventId first. */
const APPEND_MAX_ATTEMPTS = 3;
const VERIFY_PAGE_SIZE = 5_000;
/** Breaks verify lists at most; a log broken in more places than that needs no longer list to be distrusted. */
export const MAX_VERIFY_BREAKS = 100;
const DEFAULT_POLL_INTERVAL_MS = 100;
// Text the server would store other than it was given (UTF-8 has no form for half a surrogate
// pair), so that the stream or the chain would no longer match it.
const LONE_SURROGATE = /\p{Surrogate}/u;
/** The store's statements are fixed texts, run again and again: parsed and planned once per connection. */
const PREPARED: QueryOptions = { prepare: true };

/** The PostgreSQL unit of work of the append path: the streams are locked until it commits. */
export interface AppendSession {
  /** The transaction: projection rows written through it commit with the events. */
  readonly tx: Transaction;
  /** Current version of a locked stream; -1n if the stream has no events. */
  head(streamId: string): bigint;
  /** The content hash of an event, computed once per event object for the whole session (findStored and append use it too). */
  contentHash(event: NewEvent): string;
  /**
   * What is stored under the eventIds of `events`: by eventId, the stored copy's position and
   * content hash. The store does not judge them: @ledger/domain's judgeEventId does.
   */
  findStored(events: readonly NewEvent[]): Promise<Map<string, StoredCopy>>;
  /**
   * Stores the events after checking each append's expectedVersion (StreamVersionConflictError).
   * The streams must be among those locked. May be called more than once per session.
   */
  append(appends: readonly StreamAppend[]): Promise<StoredEvent[]>;
}

/** How PgEventStore.withStreams opens its session; see there. */
export interface WithStreamsOptions<R> {
  readonly load?: 'copy' | 'insert';
  readonly events?: readonly NewEvent[];
  /** The events' hashes computed ahead by PgEventStore.prepare (of these events or of a batch they are part of). */
  readonly hashed?: HashedEvents;
  readonly read?: (tx: Transaction) => Promise<R>;
}

/**
 * Events validated and hashed ahead of the session that stores them (PgEventStore.prepare). The
 * work needs no lock and no database, so a writer can do it for its next batch while the one
 * before is still being stored.
 */
export class HashedEvents {
  /** @internal */
  constructor(readonly cache: PreparedEvents) {}
}

/** True for the unique violation of a concurrent transaction that stored the same eventId first. */
export function isDuplicateEventIdError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as { code?: unknown; constraint?: unknown; constraint_name?: unknown };
  // postgres.js names the field constraint_name, PGlite names it constraint.
  const constraint = fields.constraint_name ?? fields.constraint;
  return fields.code === '23505' && constraint === 'ledger_events_event_id_key';
}

/** The canonical forms of an event, computed once however many times it is hashed. */
type PreparedEvent = HashedEventParts;

/** The copy stored under an eventId. */
export interface StoredCopy {
  readonly position: bigint;
  readonly contentHash: string;
}

interface StreamHead {
  readonly version: bigint;
  readonly lastHash: string;
}

/** A row of EVENT_COLUMNS: the StoredEvent itself once recordedAt (the server's text form here) is rewritten. */
interface EventRow {
  position: bigint;
  streamId: string;
  streamVersion: bigint;
  eventId: string;
  type: string;
  effectiveDate: string;
  correction: boolean;
  data: JsonObject;
  metadata: JsonObject | null;
  recordedAt: string;
  hash: string;
  recordedBy: string | null;
}

// The columns of a StoredEvent, under its names, so that the driver's row objects become the
// events without a copy. recorded_at travels as the server's text form, which costs the server
// less than to_char and the reader no Date per row (see RecordedAtFormat).
const EVENT_COLUMNS = `position, stream_id AS "streamId", stream_version AS "streamVersion", event_id AS "eventId", type,
  effective_date AS "effectiveDate", correction, data, metadata, recorded_at::text AS "recordedAt", hash,
  recorded_by AS "recordedBy"`;

/**
 * The event store on PostgreSQL (a server through postgres.js, or PGlite). Appends to several
 * streams are atomic. See DESIGN.md §3 and §7.
 *
 * Note: every parameter is a string cast in SQL; arrays travel as `$n::text::bigint[]` and JSON
 * as `$n::text::jsonb`, so that the server types the parameter as text and neither driver
 * serializes it a second time.
 */
export class PgEventStore implements EventStore {
  private readonly lockKeys = new LockKeys();

  constructor(private readonly db: Database) {}

  /**
   * Runs `fn` in one transaction holding an advisory lock on each stream, taken in a sorted order
   * so that two sessions can never wait on each other. The heads are read after the locks, so they
   * are current for as long as the session lasts.
   *
   * `load: 'copy'` stores the session's events with COPY, which costs both sides less than an
   * INSERT; but an event the server refuses (an eventId that another transaction stored after
   * findStored) may then fail as a CopyFailedError, which does not say why. A caller that takes
   * it retries with the default, `'insert'`, which reports the server's own error.
   *
   * `events`: the events the session is to store. They are validated and hashed before the
   * transaction begins (or earlier still, by `prepare`, given as `hashed`), while no lock is held,
   * and their stored copies are looked up in the same pipeline as the locks: `session.findStored`
   * of that same array answers from that look-up.
   * `read`: the caller's own reads, sent in that pipeline too (their statements must be issued
   * before `read` first awaits); its result is `fn`'s second argument (give `read`'s parameter its
   * type, Transaction, so that the result's type is inferred from it). In READ COMMITTED each
   * statement sees the commits of every writer the locks waited for, so the whole opening costs
   * one round trip.
   */
  async withStreams<T, R = undefined>(
    streamIds: readonly string[],
    fn: (session: AppendSession, read: NoInfer<R>) => Promise<T>,
    options: WithStreamsOptions<R> = {},
  ): Promise<T> {
    const ids = uniqueStreamIds(streamIds);
    const events = options.events ?? [];
    // Hashed by prepare() already, or now; either way before the transaction begins.
    const prepared = (options.hashed ?? this.prepare([])).cache;
    for (const event of events) prepared.get(event);
    return this.db.transaction(async (tx) => {
      const opening = this.openSession(tx, ids, prepared);
      const existing = events.length === 0 ? undefined : findStoredIn(tx, events);
      const reading = options.read?.(tx);
      // Answers come in the order sent: a failed lock fails the statements behind it, and its
      // error is the one Promise.all reports.
      const [session, found, read] = await Promise.all([opening, existing, reading]);
      if (options.load === 'copy') session.loadWithCopy = true;
      if (found !== undefined) session.lookedUp = { events, found };
      return fn(session, read as R);
    });
  }

  /** Validates and hashes events for a later withStreams (its `hashed` option), outside any transaction. */
  prepare(events: readonly NewEvent[]): HashedEvents {
    const prepared = new PreparedEvents({ keep: true, validated: false });
    for (const event of events) prepared.get(event);
    return new HashedEvents(prepared);
  }

  /**
   * Sends the lock statement and the head statement, without waiting in between: the session
   * opens once both are answered.
   */
  private openSession(tx: Transaction, ids: readonly string[], prepared: PreparedEvents): Promise<PgAppendSession> {
    // Every session takes its locks in ascending key order (the ORDER BY), so that two sessions
    // can never wait on each other.
    const locked =
      ids.length === 0
        ? Promise.resolve([])
        : tx.query(
            `SELECT count(pg_advisory_xact_lock(k)) AS locked FROM (SELECT unnest($1::text::bigint[]) AS k ORDER BY 1) AS keys`,
            [`{${ids.map((id) => this.lockKeys.digits(id)).join(',')}}`],
            PREPARED,
          );
    // A separate statement: in READ COMMITTED its snapshot is taken when it starts, after the
    // locks were granted, so it sees the last commit of every writer we waited for.
    // pg_current_xact_id() assigns the transaction id now, after the locks, which is what makes
    // positions increase with versions. The transaction time is the clock, but always after the
    // last transaction time of every locked stream: within a stream it strictly increases, so
    // "known at" the time of an event never takes in an event committed after it in the same
    // millisecond (or after the clock stepped back).
    const heads = tx.query<{
      tx_id: string;
      recorded_at: string;
      stream_id: string | null;
      version: bigint | null;
      last_hash: string | null;
    }>(
      `WITH heads AS (
         SELECT stream_id, version, last_hash, last_recorded_at FROM ledger_streams WHERE stream_id = ANY($1::text::text[])
       )
       SELECT t.tx_id, t.recorded_at, h.stream_id, h.version, h.last_hash
         FROM (SELECT pg_current_xact_id()::text AS tx_id,
                      to_char(greatest(date_trunc('milliseconds', clock_timestamp()),
                                       (SELECT max(last_recorded_at) FROM heads) + interval '1 millisecond') AT TIME ZONE 'UTC',
                              'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at) AS t
         LEFT JOIN heads AS h ON true`,
      [textArrayLiteral(ids)],
      PREPARED,
    );
    return Promise.all([locked, heads]).then(([, rows]) => {
      const first = rows[0];
      if (first === undefined) throw new Error('the heads query returns at least one row');
      const streamHeads = new Map<string, StreamHead>();
      for (const id of ids) streamHeads.set(id, { version: -1n, lastHash: GENESIS_HASH });
      for (const row of rows) {
        if (row.stream_id !== null && row.version !== null && row.last_hash !== null) {
          streamHeads.set(row.stream_id, { version: row.version, lastHash: row.last_hash });
        }
      }
      return new PgAppendSession(tx, streamHeads, BigInt(first.tx_id), first.recorded_at, prepared);
    });
  }

  /**
   * The contract's append: duplicates (same eventId and content, stored before or earlier in this
   * call) are acknowledged, conflicts (same eventId, other content) refused, the rest stored. An
   * append whose events are all duplicates or conflicts is not checked against its
   * expectedVersion: it is the retry of a write that already happened.
   */
  async append(appends: readonly StreamAppend[]): Promise<AppendOutcome> {
    for (const append of appends) {
      assertStreamId(append.streamId);
      for (const event of append.events) assertValidEvent(event);
    }
    if (appends.every((append) => append.events.length === 0)) return { stored: [], duplicates: [], conflicts: [] };
    const ids = uniqueStreamIds(appends.map((append) => append.streamId));
    // The first attempt assumes that none of the eventIds is stored yet: it skips looking them up,
    // and loads the events with COPY. If one is stored, the load fails and everything rolls back,
    // and so does an expectedVersion that fails (the append may be the retry of one that was
    // stored). The next attempts look the eventIds up first, which sorts duplicates and conflicts
    // out exactly, and insert, which reports any error as the server gave it.
    let careful = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return careful ? await this.appendCarefully(ids, appends) : await this.appendAssumingNew(ids, appends);
      } catch (error) {
        if (
          !careful &&
          (isDuplicateEventIdError(error) || error instanceof StreamVersionConflictError || error instanceof CopyFailedError)
        ) {
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
  private async appendAssumingNew(ids: readonly string[], appends: readonly StreamAppend[]): Promise<AppendOutcome> {
    const { fresh, outcomes } = sortOut(appends, new Map());
    return this.db.transaction(async (tx) => {
      const opening = this.openSession(tx, ids, new PreparedEvents({ keep: false, validated: true }));
      // The COPY fails when the session does not open; the session's error is the one to report.
      const [, stored] = await Promise.all([opening, copyAhead(tx, opening, fresh)]);
      return outcomeOf(stored, outcomes);
    });
  }

  private async appendCarefully(ids: readonly string[], appends: readonly StreamAppend[]): Promise<AppendOutcome> {
    return this.db.transaction(async (tx) => {
      const session = await this.openSession(tx, ids, new PreparedEvents({ keep: true, validated: true }));
      const existing = await session.findStored(appends.flatMap((append) => append.events));
      const { fresh, outcomes } = sortOut(appends, existing);
      const stored = fresh.length === 0 ? [] : await session.append(fresh);
      return outcomeOf(stored, outcomes);
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const fromVersion = options.fromVersion ?? 0n;
    const limit = options.limit === undefined ? null : String(assertLimit(options.limit));
    const rows = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events
        WHERE stream_id = $1 AND stream_version >= $2::bigint
        ORDER BY stream_version LIMIT $3::int`,
      [streamId, fromVersion.toString(), limit],
      PREPARED,
    );
    return toStoredEvents(rows);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return this.readAllIn(this.db, options);
  }

  /**
   * readAll through a given connection or transaction (a projection rebuild reads the log in the
   * transaction that rewrites the projections). Inside a transaction that already has an id, the
   * rows of transactions younger than it are not returned yet.
   */
  async readAllIn(sql: Sql, options: ReadAllOptions): Promise<StoredEvent[]> {
    const limit = Math.min(assertLimit(options.limit), READ_ALL_MAX_LIMIT);
    // Only rows of transactions older than every transaction still running: they are all settled,
    // and everything committed later has a higher position (see POSITION_TX_SHIFT).
    const rows = await sql.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events
        WHERE position > $1::bigint AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
        ORDER BY position LIMIT $2::int`,
      [options.after.toString(), String(limit)],
      PREPARED,
    );
    return toStoredEvents(rows);
  }

  /**
   * readAll bounded by bytes as well as by count, for followers over HTTP: the page stops before
   * the event that would take the JSON of data and metadata past `maxBytes`, but always holds at
   * least one event, so that a page can always be delivered and a follower always moves on. Sizes
   * are measured in the database, so an oversized page is never read into this process.
   */
  async readAllWithin(options: ReadAllOptions & { readonly maxBytes: number }): Promise<StoredEvent[]> {
    const limit = Math.min(assertLimit(options.limit), READ_ALL_MAX_LIMIT);
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
    const rows = await this.db.query<EventRow>(
      `WITH page AS (
         SELECT position, octet_length(data::text) + COALESCE(octet_length(metadata::text), 0) AS bytes FROM ledger_events
          WHERE position > $1::bigint AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
          ORDER BY position LIMIT $2::int
       ), running AS (
         SELECT position, sum(bytes) OVER (ORDER BY position) AS upto, bytes FROM page
       )
       SELECT ${EVENT_COLUMNS} FROM ledger_events
        WHERE position IN (SELECT position FROM running WHERE upto <= $3::bigint OR upto = bytes)
        ORDER BY position`,
      [options.after.toString(), String(limit), String(options.maxBytes)],
    );
    return toStoredEvents(rows);
  }

  async headPosition(): Promise<bigint> {
    // Walks the primary key down from the top: only the few rows of running transactions are skipped.
    const rows = await this.db.query<{ position: bigint }>(
      `SELECT position FROM ledger_events
        WHERE tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
        ORDER BY position DESC LIMIT 1`,
    );
    return rows[0]?.position ?? 0n;
  }

  /**
   * The highest position committed, readable or not yet: a transaction still running anywhere on
   * the server (pg_snapshot_xmin is server-wide) can hold events back from readAll for a moment.
   */
  async lastCommittedPosition(): Promise<bigint> {
    const rows = await this.db.query<{ position: bigint }>('SELECT position FROM ledger_events ORDER BY position DESC LIMIT 1');
    return rows[0]?.position ?? 0n;
  }

  subscribe(options: SubscriptionOptions, handler: SubscriptionHandler): Subscription {
    return new PollingSubscription(this.db, this, options, handler);
  }

  /**
   * Recomputes every stream's chain in position order inside one REPEATABLE READ snapshot, so that
   * appends running meanwhile neither break the walk nor disagree with the stream heads. Each
   * event's content hash is recomputed from its content, and its link from that.
   */
  async verify(): Promise<VerifyReport> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const streams = new Map<string, { version: bigint; hash: string; lastPosition: bigint }>();
      const recordedAt = new RecordedAtFormat();
      const breaks = new VerifyBreaks();
      let events = 0;
      let after = 0n;
      walk: for (;;) {
        const rows = await tx.query<EventRow & { contentHash: string; prevHash: string }>(
          `SELECT ${EVENT_COLUMNS}, content_hash AS "contentHash", prev_hash AS "prevHash" FROM ledger_events
            WHERE position > $1::bigint ORDER BY position LIMIT $2::int`,
          [after.toString(), String(VERIFY_PAGE_SIZE)],
        );
        for (const row of rows) {
          events += 1;
          const reason = brokenLink(row, streams.get(row.streamId), recordedAt);
          if (reason !== undefined && breaks.add(row.position, reason)) break walk;
          // The walk goes on from the event as stored, so that each break is reported once
          // rather than making every later link of its stream look broken too.
          streams.set(row.streamId, { version: row.streamVersion, hash: row.hash, lastPosition: row.position });
        }
        const last = rows[rows.length - 1];
        if (last === undefined || rows.length < VERIFY_PAGE_SIZE) break;
        after = last.position;
      }
      if (!breaks.full()) {
        const heads = await tx.query<{ stream_id: string; version: bigint; last_hash: string }>(
          'SELECT stream_id, version, last_hash FROM ledger_streams ORDER BY stream_id',
        );
        const headIds = new Set<string>();
        for (const head of heads) {
          headIds.add(head.stream_id);
          const chain = streams.get(head.stream_id);
          if (chain === undefined) {
            breaks.add(undefined, `stream ${head.stream_id}: its head says version ${head.version}, but it has no events`);
          } else if (chain.version !== head.version || chain.hash !== head.last_hash) {
            breaks.add(
              chain.lastPosition,
              `stream ${head.stream_id}: its head says version ${head.version}, but its events end at version ${chain.version} with another hash`,
            );
          }
        }
        for (const [streamId, chain] of streams) {
          if (!headIds.has(streamId)) breaks.add(chain.lastPosition, `stream ${streamId}: it has events but no head`);
        }
      }
      return breaks.report(events);
    });
  }
}

/** Why an event does not link to the one before it in its stream (`previous`), or undefined. */
function brokenLink(
  row: EventRow & { contentHash: string; prevHash: string },
  previous: { version: bigint; hash: string } | undefined,
  recordedAt: RecordedAtFormat,
): string | undefined {
  const expectedVersion = previous === undefined ? 0n : previous.version + 1n;
  if (row.streamVersion !== expectedVersion) {
    return `stream ${row.streamId}: version ${row.streamVersion} where ${expectedVersion} was due (an event is missing or moved)`;
  }
  const prevHash = previous?.hash ?? GENESIS_HASH;
  if (row.prevHash !== prevHash)
    return `stream ${row.streamId} version ${row.streamVersion}: prev_hash does not link to the previous event`;
  const computedContentHash = contentHashOfParts(partsOf(row));
  if (computedContentHash !== row.contentHash) return `event ${row.eventId}: content_hash does not match its content`;
  const link = {
    position: row.position,
    streamId: row.streamId,
    streamVersion: row.streamVersion,
    eventId: row.eventId,
    recordedAt: recordedAt.iso(row.recordedAt),
  };
  if (chainHash(prevHash, { ...link, contentHash: computedContentHash }) !== row.hash)
    return `event ${row.eventId}: hash does not match its content`;
  return undefined;
}

/** The breaks verify found, at most MAX_VERIFY_BREAKS of them: past that the walk stops. */
class VerifyBreaks {
  private readonly found: { position: bigint | undefined; reason: string }[] = [];

  /** Records a break; true once the list is full. */
  add(position: bigint | undefined, reason: string): boolean {
    if (!this.full()) this.found.push({ position, reason });
    return this.full();
  }

  full(): boolean {
    return this.found.length >= MAX_VERIFY_BREAKS;
  }

  /** In position order, a stream with no events at all last; the first one also as firstBrokenPosition and reason. */
  report(events: number): VerifyReport {
    if (this.found.length === 0) return { ok: true, events };
    const sorted = [...this.found].sort((a, b) =>
      a.position === b.position ? 0 : a.position === undefined ? 1 : b.position === undefined ? -1 : a.position < b.position ? -1 : 1,
    );
    const breaks = sorted.map((b) =>
      b.position === undefined ? { reason: b.reason } : { position: b.position.toString(), reason: b.reason },
    );
    const first = breaks[0] as VerifyBreak;
    return {
      ok: false,
      events,
      ...(first.position === undefined ? {} : { firstBrokenPosition: first.position }),
      reason: first.reason,
      breaks,
      truncated: this.full(),
    };
  }
}

/**
 * Canonical forms and content hashes of events. Kept by event object when they are needed twice
 * (a look-up before the append); otherwise they are left to the garbage collector as soon as the
 * row is sent, which keeps the collector's work small in a large append.
 */
class PreparedEvents {
  private readonly byEvent: Map<NewEvent, PreparedEvent> | undefined;
  private readonly validated: boolean;

  /** `validated`: the events were checked already (PgEventStore.append checks them all before it starts). */
  constructor(options: { readonly keep: boolean; readonly validated: boolean }) {
    this.byEvent = options.keep ? new Map() : undefined;
    this.validated = options.validated;
  }

  get(event: NewEvent): PreparedEvent {
    const cached = this.byEvent?.get(event);
    if (cached !== undefined) return cached;
    if (!this.validated) assertValidEvent(event);
    const prepared = hashedParts(event);
    this.byEvent?.set(event, prepared);
    return prepared;
  }
}

class PgAppendSession implements AppendSession {
  /** Index of the next event in this transaction: the low bits of its position. */
  private nextIndex = 0;
  /** append() loads with COPY instead of INSERT (see PgEventStore.withStreams). */
  loadWithCopy = false;
  /** The look-up of withStreams' `events`, made as the session opened. */
  lookedUp: { readonly events: readonly NewEvent[]; readonly found: StoredById } | undefined;

  constructor(
    readonly tx: Transaction,
    private readonly heads: Map<string, StreamHead>,
    private readonly txId: bigint,
    readonly recordedAt: string,
    private readonly prepared: PreparedEvents,
  ) {}

  head(streamId: string): bigint {
    return this.lockedHead(streamId).version;
  }

  contentHash(event: NewEvent): string {
    return this.prepared.get(event).contentHash;
  }

  async findStored(events: readonly NewEvent[]): Promise<Map<string, StoredCopy>> {
    if (events === this.lookedUp?.events) return this.lookedUp.found;
    return findStoredIn(this.tx, events);
  }

  async append(appends: readonly StreamAppend[]): Promise<StoredEvent[]> {
    const plan = this.plan(appends);
    if (plan === undefined) return [];
    if (this.loadWithCopy) {
      await this.tx.copyFrom('ledger_events', COPY_COLUMNS, copyChunks(this.rows(plan), this.recordedAt), () => this.headsStatement(plan));
      this.settle(plan);
      return plan.stored;
    }
    // Built as text around the canonical data: serializing row objects again would double the work.
    let rowsJson = '[';
    for (const row of this.rows(plan)) rowsJson += (rowsJson.length > 1 ? ',' : '') + jsonRow(row);
    rowsJson += ']';
    const heads = this.headsStatement(plan);
    // tx_id takes its default, the same pg_current_xact_id() the positions were numbered from. The
    // heads go in the same pipeline; if the events fail, so do they, and the events' error is reported.
    await Promise.all([
      this.tx.query(
        `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, effective_date, correction, data, metadata,
                                    recorded_at, content_hash, prev_hash, hash, recorded_by)
         SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.type, e.effective_date, e.correction, e.data, e.metadata,
                $2::text::timestamptz, e.content_hash, e.prev_hash, e.hash, e.recorded_by
           FROM jsonb_to_recordset($1::text::jsonb) AS e(position bigint, stream_id text, stream_version bigint, event_id text, type text,
                effective_date date, correction boolean, data jsonb, metadata jsonb, content_hash text, prev_hash text, hash text,
                recorded_by text)`,
        [rowsJson, this.recordedAt],
        PREPARED,
      ),
      this.tx.query(heads.text, heads.params, heads.options),
    ]);
    this.settle(plan);
    return plan.stored;
  }

  /**
   * Checks every append's expectedVersion against the heads (as they will be after the appends
   * before it), before anything is written: a version conflict leaves the session as it was.
   * Undefined when there is no event to store.
   */
  plan(appends: readonly StreamAppend[]): AppendPlan | undefined {
    const planned = new Map<string, bigint>();
    let count = 0;
    for (const append of appends) {
      const version = planned.get(append.streamId) ?? this.lockedHead(append.streamId).version;
      checkExpectedVersion(append.streamId, append.expectedVersion ?? 'any', version);
      count += append.events.length;
      // A second append to the same stream is checked against the version after the first.
      planned.set(append.streamId, version + BigInt(append.events.length));
    }
    if (count === 0) return undefined;
    if (this.nextIndex + count > MAX_EVENTS_PER_TRANSACTION) {
      throw new RangeError(`at most ${MAX_EVENTS_PER_TRANSACTION} events per transaction, asked for ${this.nextIndex + count}`);
    }
    return { appends, count, stored: [], heads: new Map() };
  }

  /**
   * The rows of a plan, made one at a time: position, version and chain link of each event. The
   * plan's `stored` and `heads` are filled as they are made, complete once the last one is.
   */
  *rows(plan: AppendPlan): Generator<NewRow> {
    const first = (this.txId << POSITION_TX_SHIFT) + BigInt(this.nextIndex);
    // Positions below 2^53 (transaction ids below 2^33) are stepped and printed as numbers, which costs less.
    const firstNumber = Number(first);
    const small = Number.isSafeInteger(firstNumber + MAX_EVENTS_PER_TRANSACTION);
    const recordedAtJson = jsonString(this.recordedAt);
    let index = 0;
    for (const append of plan.appends) {
      const head = plan.heads.get(append.streamId) ?? this.lockedHead(append.streamId);
      let version = head.version;
      let lastHash = head.lastHash;
      const streamIdJson = jsonString(append.streamId);
      for (const event of append.events) {
        const parts = this.prepared.get(event);
        const position = small ? BigInt(firstNumber + index) : first + BigInt(index);
        const positionDigits = small ? String(firstNumber + index) : position.toString();
        index += 1;
        version += 1n;
        const streamVersionDigits = version.toString();
        const link = chainLinkJsonOf(
          parts.contentHash,
          jsonString(event.eventId),
          positionDigits,
          recordedAtJson,
          streamIdJson,
          streamVersionDigits,
        );
        const hash = sha256Hex(lastHash + '\n' + link);
        const storedEvent: StoredEvent = {
          eventId: event.eventId,
          type: parts.type,
          effectiveDate: parts.effectiveDate,
          correction: parts.correction,
          data: event.data,
          metadata: event.metadata ?? null,
          position,
          streamId: append.streamId,
          streamVersion: version,
          recordedAt: this.recordedAt,
          hash,
          recordedBy: event.recordedBy ?? null,
        };
        plan.stored.push(storedEvent);
        yield { event: storedEvent, parts, prevHash: lastHash, positionDigits, streamVersionDigits };
        lastHash = hash;
      }
      plan.heads.set(append.streamId, { version, lastHash });
    }
  }

  /**
   * Writes the heads of a plan whose rows are all made. A stream with events has its head row
   * already (the lock keeps it as read): updated; the head of a new stream is inserted.
   */
  headsStatement(plan: AppendPlan): Statement {
    const changed = new HeadColumns();
    const added = new HeadColumns();
    for (const [streamId, head] of plan.heads) (this.lockedHead(streamId).version >= 0n ? changed : added).add(streamId, head);
    const update = `UPDATE ledger_streams AS s
                       SET version = h.version, last_hash = h.last_hash, last_recorded_at = $1::text::timestamptz
                      FROM unnest($2::text::text[], $3::text::bigint[], $4::text::text[]) AS h(stream_id, version, last_hash)
                     WHERE s.stream_id = h.stream_id`;
    const insert = (n: number): string => `INSERT INTO ledger_streams (stream_id, version, last_hash, last_recorded_at)
                    SELECT h.stream_id, h.version, h.last_hash, $1::text::timestamptz
                      FROM unnest($${n}::text::text[], $${n + 1}::text::bigint[], $${n + 2}::text::text[]) AS h(stream_id, version, last_hash)`;
    if (added.isEmpty()) return { text: update, params: [this.recordedAt, ...changed.params()], options: PREPARED };
    if (changed.isEmpty()) return { text: insert(2), params: [this.recordedAt, ...added.params()], options: PREPARED };
    return {
      text: `WITH added AS (${insert(5)}) ${update}`,
      params: [this.recordedAt, ...changed.params(), ...added.params()],
      options: PREPARED,
    };
  }

  /** Takes a stored plan into the session: its positions are used, its heads current. */
  settle(plan: AppendPlan): void {
    this.nextIndex += plan.count;
    for (const [streamId, head] of plan.heads) this.heads.set(streamId, head);
  }

  private lockedHead(streamId: string): StreamHead {
    const head = this.heads.get(streamId);
    if (head === undefined) throw new Error(`stream ${streamId} is not locked by this session`);
    return head;
  }
}

/** Stored copies by eventId. */
type StoredById = Map<string, StoredCopy>;

/** The copies stored under the eventIds of `events`. */
async function findStoredIn(tx: Sql, events: readonly NewEvent[]): Promise<StoredById> {
  const found: StoredById = new Map();
  if (events.length === 0) return found;
  const ids = new Set<string>();
  for (const event of events) ids.add(event.eventId);
  const rows = await tx.query<{ event_id: string; position: bigint; content_hash: string }>(
    'SELECT event_id, position, content_hash FROM ledger_events WHERE event_id = ANY($1::text::text[])',
    [textArrayLiteral([...ids])],
    PREPARED,
  );
  for (const row of rows) found.set(row.event_id, { position: row.position, contentHash: row.content_hash });
  return found;
}

/** Appends whose expectedVersions hold, with what storing them makes. */
interface AppendPlan {
  readonly appends: readonly StreamAppend[];
  readonly count: number;
  readonly stored: StoredEvent[];
  readonly heads: Map<string, StreamHead>;
}

/**
 * Stores the events with a COPY sent before the session is open (right behind its lock and head
 * statements, in the same pipeline); the rows are made once it is, as the server takes them. The
 * COPY's failure aborts the transaction, and may not say why (CopyFailedError).
 */
async function copyAhead(tx: Transaction, opening: Promise<PgAppendSession>, appends: readonly StreamAppend[]): Promise<StoredEvent[]> {
  let open: { session: PgAppendSession; plan: AppendPlan | undefined } | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const session = await opening;
    const plan = session.plan(appends);
    open = { session, plan };
    if (plan !== undefined) yield* copyChunks(session.rows(plan), session.recordedAt);
  }
  await tx.copyFrom('ledger_events', COPY_COLUMNS, chunks(), () =>
    open?.plan === undefined ? { text: 'SELECT 1' } : open.session.headsStatement(open.plan),
  );
  if (open?.plan === undefined) return [];
  open.session.settle(open.plan);
  return open.plan.stored;
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

function checkExpectedVersion(streamId: string, expected: ExpectedVersion, actual: bigint): void {
  const ok =
    expected === 'any'
      ? true
      : expected === 'no_stream'
        ? actual === -1n
        : expected === 'stream_exists'
          ? actual >= 0n
          : actual === expected;
  if (!ok) throw new StreamVersionConflictError(streamId, expected, actual);
}

/** Advisory lock key of a stream: the first 8 bytes of sha256(streamId) as a signed int8. A collision only costs some waiting. */
export function streamLockKey(streamId: string): bigint {
  return createHash('sha256').update(streamId, 'utf8').digest().readBigInt64BE(0);
}

/** The lock keys of the streams a store has appended to lately, as decimal digits (a store appends to the same streams again and again). */
class LockKeys {
  private static readonly MAX_ENTRIES = 10_000;
  private readonly byStream = new Map<string, string>();

  digits(streamId: string): string {
    let key = this.byStream.get(streamId);
    if (key === undefined) {
      if (this.byStream.size >= LockKeys.MAX_ENTRIES) this.byStream.clear();
      key = streamLockKey(streamId).toString();
      this.byStream.set(streamId, key);
    }
    return key;
  }
}

/** Stream heads as the array parameters of a statement. */
class HeadColumns {
  private readonly ids: string[] = [];
  private readonly versions: string[] = [];
  private readonly hashes: string[] = [];

  add(streamId: string, head: StreamHead): void {
    this.ids.push(streamId);
    this.versions.push(head.version.toString());
    this.hashes.push(head.lastHash);
  }

  isEmpty(): boolean {
    return this.ids.length === 0;
  }

  params(): string[] {
    return [textArrayLiteral(this.ids), `{${this.versions.join(',')}}`, textArrayLiteral(this.hashes)];
  }
}

/** A row to store: the event as it will be read back, its canonical parts and the link before it. */
interface NewRow {
  readonly event: StoredEvent;
  readonly parts: PreparedEvent;
  readonly prevHash: string;
  readonly positionDigits: string;
  readonly streamVersionDigits: string;
}

const COPY_COLUMNS = [
  'position',
  'stream_id',
  'stream_version',
  'event_id',
  'type',
  'effective_date',
  'correction',
  'data',
  'metadata',
  'recorded_at',
  'content_hash',
  'prev_hash',
  'hash',
  'recorded_by',
] as const;

/**
 * About this many bytes go to the server at a time: it parses one chunk while the next is made, so
 * the smaller the chunks, the less of its work waits for the end of the batch; but every socket
 * write costs this process a system call that, on a local server, also delivers the data. Measured
 * on 2026-11-30: the store's append of 1,000-event batches reached 61,000–69,000 events/s with
 * 256 KiB chunks and 78,000–79,000 with 32 KiB (64 KiB in between); the ledger's append, whose
 * two lanes overlap each other anyway, stayed at 23,000–25,000 with either, spending about 1 µs
 * more of this process's CPU per event with 32 KiB. The first chunk is smaller still, so that the
 * server starts parsing at once.
 */
const COPY_CHUNK_BYTES = 32 * 1024;
const COPY_FIRST_CHUNK_BYTES = 4 * 1024;

/**
 * The rows in COPY's text format (tab-separated, `\N` for null), a chunk of lines at a time,
 * written as UTF-8 straight into the chunk: no string of the whole chunk is built.
 */
function* copyChunks(rows: Iterable<NewRow>, recordedAt: string): Generator<Uint8Array> {
  let chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  let used = 0;
  let size = COPY_FIRST_CHUNK_BYTES;
  let streamId = '';
  let streamIdText = '';
  // A batch is posted by one identity: its COPY text is made once.
  let recordedBy: string | null | undefined = null;
  let recordedByText = '\\N';
  for (const { event, parts, prevHash, positionDigits, streamVersionDigits } of rows) {
    if (event.streamId !== streamId) {
      streamId = event.streamId;
      streamIdText = copyText(streamId);
    }
    if (event.recordedBy !== recordedBy) {
      recordedBy = event.recordedBy;
      recordedByText = recordedBy === null || recordedBy === undefined ? '\\N' : copyText(recordedBy);
    }
    const head = `${positionDigits}\t${streamIdText}\t${streamVersionDigits}\t${event.eventId}\t${copyText(parts.type)}\t${parts.effectiveDate}\t${parts.correction ? 't' : 'f'}\t`;
    const data = copyJson(parts.dataJson);
    const metadata = parts.metadataJson === 'null' ? '\\N' : copyJson(parts.metadataJson);
    const tail = `\t${recordedAt}\t${parts.contentHash}\t${prevHash}\t${event.hash}\t${recordedByText}\n`;
    // UTF-8 takes at most 3 bytes for a UTF-16 code unit.
    const most = 3 * (head.length + data.length + 1 + metadata.length + tail.length);
    if (chunk.length - used < most) {
      if (used > 0) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, most));
      used = 0;
    }
    used += chunk.write(head, used, 'utf8');
    used += chunk.write(data, used, 'utf8');
    chunk[used++] = 0x09;
    used += chunk.write(metadata, used, 'utf8');
    used += chunk.write(tail, used, 'utf8');
    if (used >= size) {
      yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
      used = 0;
      size = COPY_CHUNK_BYTES;
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}

/** JSON text as a COPY field: JSON has no raw tab or line end, only its own backslashes to double. */
function copyJson(json: string): string {
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
}

/** A row for jsonb_to_recordset, as JSON text around the canonical data. */
function jsonRow({ event, parts, prevHash }: NewRow): string {
  return (
    `{"position":"${event.position}","stream_id":${JSON.stringify(event.streamId)},"stream_version":"${event.streamVersion}",` +
    `"event_id":${JSON.stringify(event.eventId)},"type":${JSON.stringify(parts.type)},"effective_date":"${parts.effectiveDate}",` +
    `"correction":${parts.correction},"data":${parts.dataJson},"metadata":${parts.metadataJson},` +
    `"content_hash":"${parts.contentHash}","prev_hash":"${prevHash}","hash":"${event.hash}","recorded_by":${event.recordedBy === null || event.recordedBy === undefined ? 'null' : JSON.stringify(event.recordedBy)}}`
  );
}

/** The contract's checks, and text the server can store as given (see LONE_SURROGATE). */
function assertValidEvent(event: NewEvent): void {
  assertValidNewEvent(event, assertWellFormedType);
}

function assertWellFormedType(type: string, eventId: string): void {
  if (LONE_SURROGATE.test(type)) throw new TypeError(`event ${eventId}: type is not well-formed Unicode`);
}

function uniqueStreamIds(streamIds: readonly string[]): string[] {
  const ids = [...new Set(streamIds)];
  for (const id of ids) assertStreamId(id);
  return ids;
}

function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId === '') throw new TypeError('streamId required');
  if (LONE_SURROGATE.test(streamId)) throw new TypeError(`streamId ${JSON.stringify(streamId)} is not well-formed Unicode`);
}

function partsOf(row: EventRow): CanonicalEventParts {
  return {
    type: row.type,
    effectiveDate: row.effectiveDate,
    correction: row.correction,
    dataJson: canonicalJson(row.data),
    metadataJson: canonicalJson(row.metadata),
  };
}

/**
 * Turns the server's text form of a timestamptz (DateStyle ISO, time zone UTC:
 * `2021-03-15 01:02:03.004+00`, trailing zeros of the fraction dropped) into the ISO form of
 * Date#toISOString. The events of one transaction share one time and are read side by side, so
 * the last conversion is kept. A time with more than milliseconds (which the store never writes)
 * keeps its microseconds, so that verify notices it.
 */
export class RecordedAtFormat {
  private lastText = '';
  private lastIso = '';

  iso(text: string): string {
    if (text === this.lastText) return this.lastIso;
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/.exec(text);
    let iso: string;
    if (match === null) {
      iso = new Date(text).toISOString();
    } else {
      const fraction = (match[3] ?? '').padEnd(3, '0');
      iso = `${match[1]}T${match[2]}.${fraction.length > 3 && /[1-9]/.test(fraction.slice(3)) ? fraction : fraction.slice(0, 3)}Z`;
    }
    this.lastText = text;
    this.lastIso = iso;
    return iso;
  }
}

/** The rows become the events: recordedAt is rewritten in place, which spares a copy of every row. */
function toStoredEvents(rows: readonly EventRow[]): StoredEvent[] {
  const recordedAt = new RecordedAtFormat();
  const events = new Array<StoredEvent>(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as EventRow;
    row.recordedAt = recordedAt.iso(row.recordedAt);
    events[i] = row;
  }
  return events;
}

/**
 * Follows the log by polling readAll. Each batch is handled in one transaction that also advances
 * the checkpoint, so the handler's writes and the checkpoint commit together or not at all. Any
 * error stops the subscription; caughtUp() and stop() then reject with it, and the batch that
 * failed is handled again by the next subscription under the same id.
 */
class PollingSubscription extends CheckpointedSubscription {
  private wake: (() => void) | undefined;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly db: Database,
    private readonly store: PgEventStore,
    options: SubscriptionOptions,
    private readonly handler: SubscriptionHandler,
  ) {
    super(options);
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (!Number.isFinite(this.pollIntervalMs) || this.pollIntervalMs < 0) throw new RangeError('pollIntervalMs must be ≥ 0');
    this.start();
  }

  protected target(): Promise<bigint> {
    // Every event committed by now, not only those readable now (headPosition): otherwise a
    // transaction running elsewhere on the server could make caughtUp() resolve before our own appends.
    return this.store.lastCommittedPosition();
  }

  protected interrupt(): Promise<void> {
    this.wake?.();
    return Promise.resolve();
  }

  protected async loadCheckpoint(): Promise<void> {
    await this.db.query(
      'INSERT INTO ledger_checkpoints (subscription_id, position) VALUES ($1, 0) ON CONFLICT (subscription_id) DO NOTHING',
      [this.options.subscriptionId],
    );
    const rows = await this.db.query<{ position: bigint }>('SELECT position FROM ledger_checkpoints WHERE subscription_id = $1', [
      this.options.subscriptionId,
    ]);
    this.current = rows[0]?.position ?? 0n;
  }

  protected async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const events = await this.store.readAll({ after: this.current, limit: this.batchSize });
        const last = events[events.length - 1];
        if (last === undefined) {
          this.settleWaiters();
          await this.sleep();
          continue;
        }
        await this.db.transaction(async (tx) => {
          await this.handler(events, tx);
          // Guarded by the position we started from, so that two instances under one id cannot both
          // advance it: the second one fails and rolls its batch back.
          const updated = await tx.query(
            'UPDATE ledger_checkpoints SET position = $2::bigint, updated_at = now() WHERE subscription_id = $1 AND position = $3::bigint RETURNING 1',
            [this.options.subscriptionId, last.position.toString(), this.current.toString()],
          );
          if (updated.length !== 1)
            throw new Error(`subscription ${this.options.subscriptionId}: its checkpoint was moved by another instance`);
        });
        this.current = last.position;
        this.settleWaiters();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, this.pollIntervalMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
