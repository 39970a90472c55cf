import { chainLinkJsonOf, jsonString, sha256Hex } from '../canonical';
import { textArrayLiteral, type Sql, type Statement, type Transaction } from '../db/database';
import { StreamVersionConflictError, type ExpectedVersion, type NewEvent, type StoredEvent, type StreamAppend } from '../event-store';
import { copyChunks, EVENT_COPY_COLUMNS, INSERT_EVENTS, jsonRows, type NewRow } from './row-encoding';
import type { PreparedEvents } from './hashed-events';
import type { OpenedStreams, StreamHead } from './open-streams';
import { MAX_EVENTS_PER_TRANSACTION, POSITION_TX_SHIFT } from './positions';
import { PREPARED } from './prepared-statement';

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
  /**
   * Like append, but answers as soon as the stored events are made, which with the insert load is
   * before the server has them: `written` settles when it does. Statements the caller sends before
   * awaiting `written` go in the same pipeline as the events' rows (a one-event append's events and
   * projection rows in one round trip), the event rows last. `written` rejects with the load's own
   * error if it fails, and with "current transaction is aborted" if a statement before it did (whose
   * own promise has the cause). withStreams awaits `written` before it commits, so that a failure is
   * never lost under the COMMIT of an aborted transaction.
   */
  stage(appends: readonly StreamAppend[]): Promise<StagedEvents>;
}

/** The events a session.stage made, and the settling of their load. */
export interface StagedEvents {
  readonly stored: StoredEvent[];
  readonly written: Promise<void>;
}

/** The copy stored under an eventId. */
export interface StoredCopy {
  readonly position: bigint;
  readonly contentHash: string;
}

/** Stored copies by eventId. */
export type StoredById = Map<string, StoredCopy>;

/** How a session loads its events: COPY costs both sides less; INSERT reports the server's own error. */
export type EventLoad = 'copy' | 'insert';

export interface SessionOptions {
  readonly load: EventLoad;
  /** The stored copies of `events`, looked up as the session opened: findStored of that same array answers from it. */
  readonly lookedUp?: { readonly events: readonly NewEvent[]; readonly found: StoredById };
}

/** Appends whose expectedVersions hold, and where their events go in the transaction. */
export interface AppendPlan {
  readonly appends: readonly StreamAppend[];
  readonly count: number;
  /** Index in the transaction of the plan's first event: the low bits of its position. */
  readonly firstIndex: number;
}

/** What the rows of a plan made, known once the last row is made. */
export interface MadeRows {
  /** The events as stored, in position order. */
  readonly stored: StoredEvent[];
  /** The heads of the plan's streams after it. */
  readonly heads: Map<string, StreamHead>;
}

export class PgAppendSession implements AppendSession {
  /** Index of the next event in this transaction: the low bits of its position. */
  private nextIndex = 0;
  private readonly heads: Map<string, StreamHead>;
  private readonly txId: bigint;
  readonly recordedAt: string;

  constructor(
    readonly tx: Transaction,
    opened: OpenedStreams,
    private readonly prepared: PreparedEvents,
    private readonly options: SessionOptions,
  ) {
    this.heads = opened.heads;
    this.txId = opened.txId;
    this.recordedAt = opened.recordedAt;
  }

  head(streamId: string): bigint {
    return this.lockedHead(streamId).version;
  }

  /** The events this session has stored or staged so far. */
  get appended(): number {
    return this.nextIndex;
  }

  contentHash(event: NewEvent): string {
    return this.prepared.get(event).contentHash;
  }

  async findStored(events: readonly NewEvent[]): Promise<Map<string, StoredCopy>> {
    const lookedUp = this.options.lookedUp;
    if (events === lookedUp?.events) return lookedUp.found;
    return findStoredIn(this.tx, events);
  }

  /** Loads not yet awaited by withStreams (see stage). */
  private readonly loads: Promise<void>[] = [];

  async append(appends: readonly StreamAppend[]): Promise<StoredEvent[]> {
    const { stored, written } = await this.stage(appends);
    await written;
    return stored;
  }

  async stage(appends: readonly StreamAppend[]): Promise<StagedEvents> {
    const plan = this.plan(appends);
    if (plan === undefined) return { stored: [], written: Promise.resolve() };
    if (this.options.load === 'copy') {
      const made = await this.copy(plan);
      this.settle(plan, made);
      return { stored: made.stored, written: Promise.resolve() };
    }
    const { made, written } = this.insert(plan);
    this.settle(plan, made);
    // Handled here as well: if fn throws before it awaits `written`, the transaction rolls back
    // anyway (and a load not sent by then is refused: Database.transaction), and the load's
    // failure must not surface as an unhandled rejection.
    written.catch(() => undefined);
    this.loads.push(written);
    return { stored: made.stored, written };
  }

  /** Settles when every load staged so far has: withStreams awaits it before its COMMIT. */
  async written(): Promise<void> {
    await Promise.all(this.loads);
  }

  /** Loads a plan's rows with COPY, the heads statement right behind it in the pipeline. */
  private async copy(plan: AppendPlan): Promise<MadeRows> {
    // The driver pulls the chunks as it sends them; the rows made by the last pull are known
    // before it asks for the statement behind the COPY.
    let made: MadeRows | undefined;
    const rows = this.rows(plan);
    const recordedAt = this.recordedAt;
    function* chunks(): Generator<Uint8Array, void> {
      made = yield* copyChunks(rows, recordedAt);
    }
    await this.tx.copyFrom('ledger_events', EVENT_COPY_COLUMNS, chunks(), () => this.headsStatement(madeOnce(made)));
    return madeOnce(made);
  }

  /**
   * Sends a plan's rows with INSERT, the heads statement in the same pipeline; `written` settles
   * with both. They are sent on the next turn of the event loop, behind the statements the caller
   * issues in this one (a stage's projection rows): postgres.js sends a message of 1 KiB or more at
   * once, and keeps smaller ones until the next turn, so that the event rows of a one-event append
   * (about 1 KiB) leave with the projection rows in one socket write instead of two. Nothing the
   * projection rows write reads the events.
   */
  private insert(plan: AppendPlan): { made: MadeRows; written: Promise<void> } {
    const { json, made } = jsonRows(this.rows(plan));
    const heads = this.headsStatement(made);
    const written = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      // The heads (a short message) first, so that the event rows, last, take every message
      // before them with them. Nothing else fails here but the events (a unique violation: another
      // transaction stored an eventId since the look-up), and it is their error that is reported.
      await Promise.all([
        this.tx.query(heads.text, heads.params, heads.options),
        this.tx.query(INSERT_EVENTS, [json, this.recordedAt], PREPARED),
      ]);
    });
    return { made, written };
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
    return { appends, count, firstIndex: this.nextIndex };
  }

  /**
   * The rows of a plan, made one at a time as the load takes them: position, version and chain
   * link of each event. Returns, once the last is made, the stored events and the new heads.
   */
  *rows(plan: AppendPlan): Generator<NewRow, MadeRows> {
    const first = (this.txId << POSITION_TX_SHIFT) + BigInt(plan.firstIndex);
    // Positions below 2^53 (transaction ids below 2^33) are stepped and printed as numbers, which costs less.
    const firstNumber = Number(first);
    const small = Number.isSafeInteger(firstNumber + MAX_EVENTS_PER_TRANSACTION);
    const recordedAtJson = jsonString(this.recordedAt);
    const stored: StoredEvent[] = [];
    const heads = new Map<string, StreamHead>();
    let index = 0;
    for (const append of plan.appends) {
      const head = heads.get(append.streamId) ?? this.lockedHead(append.streamId);
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
        stored.push(storedEvent);
        yield { event: storedEvent, parts, prevHash: lastHash, positionDigits, streamVersionDigits };
        lastHash = hash;
      }
      heads.set(append.streamId, { version, lastHash });
    }
    return { stored, heads };
  }

  /**
   * Writes the heads the rows made. A stream with events has its head row already (the lock
   * keeps it as read): updated; the head of a new stream is inserted.
   */
  headsStatement(made: MadeRows): Statement {
    const changed = new HeadColumns();
    const added = new HeadColumns();
    for (const [streamId, head] of made.heads) (this.lockedHead(streamId).version >= 0n ? changed : added).add(streamId, head);
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
  settle(plan: AppendPlan, made: MadeRows): void {
    this.nextIndex += plan.count;
    for (const [streamId, head] of made.heads) this.heads.set(streamId, head);
  }

  private lockedHead(streamId: string): StreamHead {
    const head = this.heads.get(streamId);
    if (head === undefined) throw new Error(`stream ${streamId} is not locked by this session`);
    return head;
  }
}

/** What the rows made, once the load has taken the last of them. */
export function madeOnce(made: MadeRows | undefined): MadeRows {
  if (made === undefined) throw new Error('the rows of the plan were not all made');
  return made;
}

/** The copies stored under the eventIds of `events`. */
export async function findStoredIn(tx: Sql, events: readonly NewEvent[]): Promise<StoredById> {
  const found: StoredById = new Map();
  if (events.length === 0) return found;
  const ids = new Set<string>();
  for (const event of events) ids.add(event.eventId);
  const rows = await tx.query<{ event_id: string; position: bigint; content_hash: string }>(
    // IN (a set), not = ANY (an array): prepared, the statement runs a generic plan after five runs,
    // made with the statistics of that moment. Made while the log was small (a new ledger, before
    // autovacuum's first ANALYZE), that plan is a sequential scan; with = ANY each row is then
    // compared with every id of the batch (a second per batch of 1,000, seen in the HTTP bench),
    // with IN it is one hash probe per row. With statistics of a large log, both use the index; the
    // ledger refreshes them as the log grows, where nothing else does (PlannerStatistics).
    'SELECT event_id, position, content_hash FROM ledger_events WHERE event_id IN (SELECT unnest($1::text::text[]))',
    [textArrayLiteral([...ids])],
    PREPARED,
  );
  for (const row of rows) found.set(row.event_id, { position: row.position, contentHash: row.content_hash });
  return found;
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
