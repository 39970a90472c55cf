import type { Database, Sql, Transaction } from '../db/database';
import type {
  AppendOutcome,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamAppend,
  Subscription,
  SubscriptionHandler,
  SubscriptionOptions,
  VerifyReport,
} from '../event-store';
import { PlannerStatistics } from '../db/planner-statistics';
import { findStoredIn, PgAppendSession, type AppendSession, type EventLoad } from './append-session';
import { appendToStreams } from './append-strategies';
import { assertStreamId, assertValidEvent, uniqueStreamIds } from './event-checks';
import { hashEvents, type HashedEvents } from './hashed-events';
import { LockKeys } from './lock-keys';
import { openStreams } from './open-streams';
import { PollingSubscription } from './polling-subscription';
import { headPosition, lastCommittedPosition, readAll, readAllWithin, readStream } from './reads';
import { verifyLog } from './verify';

/** How PgEventStore.withStreams opens its session. */
export interface WithStreamsOptions<R> {
  /**
   * How the session stores its events (default `'insert'`). `'copy'` costs both sides less than an
   * INSERT; but an event the server refuses (an eventId that another transaction stored after
   * findStored) may then fail as a CopyFailedError, which does not say why. A caller that takes it
   * retries with `'insert'`, which reports the server's own error.
   */
  readonly load?: EventLoad;
  /**
   * The events the session is to store. They are validated and hashed before the transaction
   * begins, while no lock is held, and their stored copies are looked up in the same pipeline as
   * the locks: `session.findStored` of that same array answers from that look-up.
   */
  readonly events?: readonly NewEvent[];
  /** The events' hashes computed ahead by PgEventStore.prepare (of these events or of a batch they are part of). */
  readonly hashed?: HashedEvents;
  /**
   * The caller's own reads, sent in the pipeline of the locks too (their statements must be issued
   * before `read` first awaits); its result is `fn`'s second argument. Give `read`'s parameter its
   * type, Transaction, so that the result's type is inferred from it. In READ COMMITTED each
   * statement sees the commits of every writer the locks waited for.
   */
  readonly read?: (tx: Transaction) => Promise<R>;
}

/**
 * The event store on PostgreSQL (a server through postgres.js, or PGlite). Appends to several
 * streams are atomic. See DESIGN.md §3 and §7, and decisions 0002, 0003 and 0007. Each operation
 * lives in a file of its own beside this one; this class holds the database and the lock keys.
 *
 * Note: every parameter is a string cast in SQL; arrays travel as `$n::text::bigint[]` and JSON
 * as `$n::text::jsonb`, so that the server types the parameter as text and neither driver
 * serializes it a second time.
 */
export class PgEventStore implements EventStore {
  private readonly lockKeys = new LockKeys();
  /** On a server, the tables' statistics kept in step with the log (PGlite prepares nothing). */
  private readonly statistics: PlannerStatistics | undefined;

  constructor(private readonly db: Database) {
    this.statistics = db.kind === 'postgres' ? new PlannerStatistics(db) : undefined;
  }

  /**
   * Runs `fn` in one transaction holding an advisory lock on each stream, taken in a sorted order
   * so that two sessions can never wait on each other. The heads are read after the locks, so they
   * are current for as long as the session lasts. The locks, the heads, the look-up of `events` and
   * the caller's `read` are sent together: the whole opening costs one round trip (decision 0007).
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
    let appended = 0;
    const outcome = await this.db.transaction(async (tx) => {
      const opening = openStreams(tx, ids, this.lockKeys);
      const lookingUp = events.length === 0 ? undefined : findStoredIn(tx, events);
      const reading = options.read?.(tx);
      // Answers come in the order sent: a failed lock fails the statements behind it, and its
      // error is the one Promise.all reports.
      const [opened, found, read] = await Promise.all([opening, lookingUp, reading]);
      const session = new PgAppendSession(tx, opened, prepared, {
        load: options.load ?? 'insert',
        ...(found === undefined ? {} : { lookedUp: { events, found } }),
      });
      const result = await fn(session, read as R);
      // A load staged and not awaited by fn is awaited here, before the COMMIT (see stage).
      await session.written();
      appended = session.appended;
      return result;
    });
    this.statistics?.committed(appended);
    return outcome;
  }

  /** Validates and hashes events for a later withStreams (its `hashed` option), outside any transaction. */
  prepare(events: readonly NewEvent[]): HashedEvents {
    return hashEvents(events);
  }

  /** The contract's append: see appendToStreams. */
  async append(appends: readonly StreamAppend[]): Promise<AppendOutcome> {
    for (const append of appends) {
      assertStreamId(append.streamId);
      for (const event of append.events) assertValidEvent(event);
    }
    if (appends.every((append) => append.events.length === 0)) return { stored: [], duplicates: [], conflicts: [] };
    const ids = uniqueStreamIds(appends.map((append) => append.streamId));
    const outcome = await appendToStreams(this.db, this.lockKeys, ids, appends);
    this.statistics?.committed(outcome.stored.length);
    return outcome;
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return readStream(this.db, streamId, options);
  }

  readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return readAll(this.db, options);
  }

  /**
   * readAll through a given connection or transaction (a projection rebuild reads the log in the
   * transaction that rewrites the projections).
   */
  readAllIn(sql: Sql, options: ReadAllOptions): Promise<StoredEvent[]> {
    return readAll(sql, options);
  }

  /** readAll bounded by bytes as well as by count, for followers over HTTP: see readAllWithin. */
  readAllWithin(options: ReadAllOptions & { readonly maxBytes: number }): Promise<StoredEvent[]> {
    return readAllWithin(this.db, options);
  }

  headPosition(): Promise<bigint> {
    return headPosition(this.db);
  }

  /** The highest position committed, readable or not yet. */
  lastCommittedPosition(): Promise<bigint> {
    return lastCommittedPosition(this.db);
  }

  subscribe(options: SubscriptionOptions, handler: SubscriptionHandler): Subscription {
    return new PollingSubscription(this.db, this, options, handler);
  }

  verify(): Promise<VerifyReport> {
    return verifyLog(this.db);
  }
}
