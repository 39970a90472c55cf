import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import { judgeEventId } from '@ledger/domain';
import { canonicalParts, chainHash, contentHashOfParts, GENESIS_HASH, type CanonicalEventParts } from '@ledger/event-store/canonical';
import type { Sql } from '@ledger/event-store/db/database';
import { assertLimit, CheckpointedSubscription } from '@ledger/event-store/subscription-base';
import { assertValidEvent as assertValidNewEvent } from '@ledger/event-store/validation';
import {
  READ_ALL_MAX_LIMIT,
  type AppendOutcome,
  type EventStore,
  type ExistingEvent,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamAppend,
  type Subscription,
  type SubscriptionHandler,
  type SubscriptionOptions,
  type VerifyReport,
} from '@ledger/event-store/event-store';
import {
  CHECKPOINT_EVENT_TYPE,
  CLAIM_EVENT_TYPE,
  checkpointStreamOf,
  claimStreamOf,
  comparePositions,
  decodeCheckpoint,
  decodeClaim,
  decodeEnvelope,
  encodeCheckpoint,
  encodeClaim,
  encodeEnvelope,
  eventUuid,
  isEventData,
  isLedgerStream,
  ledgerPositionOf,
  readPositionAfter,
  satisfiesExpectedVersion,
  streamVersionConflict,
  toEsdbExpectedRevision,
  type EsdbExpectedRevision,
  type EsdbPosition,
  type EventIdClaim,
} from './encoding';
import type { EsdbAllSubscription, EsdbLog, EsdbProposedEvent, EsdbRecordedEvent } from './esdb-log';

/** Attempts of one StreamAppend when concurrent writers move its stream or claim its eventIds. */
const APPEND_MAX_ATTEMPTS = 5;
/** Claims written or read at once: enough to hide round trips, few enough not to flood the server. */
const CLAIM_CONCURRENCY = 16;
/** Records of $all read per request by readAll, headPosition and verify. */
const SCAN_PAGE_SIZE = 1_000;
const DEFAULT_CLAIM_TIMEOUT_MS = 60_000;
const DEFAULT_PENDING_WAIT_MS = 5_000;
const PENDING_POLL_FIRST_MS = 20;
const PENDING_POLL_MAX_MS = 500;
/** Checkpoints kept per subscription: only the last is read; a few more help when looking into a problem. */
const CHECKPOINTS_KEPT = 16;

export interface EsdbEventStoreOptions {
  /**
   * How long an eventId claim may stay unresolved before another writer takes it over: its writer
   * has crashed or its append has failed for good. Must be well above the append deadline
   * (EsdbClientLog.appendDeadlineMs), since a write still in flight after it could land as a
   * second copy of the event. Default 60 s.
   */
  readonly claimTimeoutMs?: number;
  /** How long an append waits for another writer's claim on one of its eventIds to resolve before failing with EventIdPendingError. Default 5 s. */
  readonly pendingWaitMs?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/**
 * Another writer has claimed the eventId and its append has neither landed nor failed yet, or that
 * writer died less than claimTimeoutMs ago. Retrying later settles it as a duplicate, a conflict,
 * or a new event.
 */
export class EventIdPendingError extends Error {
  readonly code = 'EVENT_ID_PENDING';
  constructor(
    readonly eventId: string,
    readonly streamId: string,
  ) {
    super(`event ${eventId}: another writer is appending it to stream ${streamId}; retry later`);
    this.name = 'EventIdPendingError';
  }
}

/** The handler's `tx` on EventStoreDB: there is no transaction to join, so any use of it is a programmer error. */
export const NO_TRANSACTION: Sql = {
  query: () =>
    Promise.reject(
      new Error(
        'EsdbEventStore subscriptions have no transaction: a handler writes to its own store and must be idempotent (at-least-once delivery)',
      ),
    ),
};

interface StreamHead {
  /** Version of the last event; -1n when the stream has none. */
  readonly version: bigint;
  readonly lastHash: string;
  /** recordedAt of the last event in epoch milliseconds; -Infinity when none. */
  readonly lastRecordedAtMs: number;
}

const EMPTY_HEAD: StreamHead = { version: -1n, lastHash: GENESIS_HASH, lastRecordedAtMs: Number.NEGATIVE_INFINITY };

interface PreparedEvent extends CanonicalEventParts {
  readonly event: NewEvent;
  readonly contentHash: string;
}

interface KnownStored {
  readonly position: bigint;
  readonly contentHash: string;
}

/** What the latest claim of an eventId says. */
type ClaimState =
  | { readonly kind: 'stored'; readonly stored: KnownStored }
  /** Free to claim: the claim stream's expected revision for the next claim. */
  | { readonly kind: 'claimable'; readonly revision: EsdbExpectedRevision }
  | { readonly kind: 'pending'; readonly claim: EventIdClaim; readonly revision: bigint };

/**
 * The event store contract (libs/event-store/src/event-store.ts) on EventStoreDB, through
 * @eventstore/db-client. The ledger's write path stays on PostgreSQL (docs/eventstoredb.md); this
 * adapter serves archival, replication and the contract.
 *
 * Differences from PgEventStore, all allowed by the contract:
 * - Appends to several streams are NOT atomic. Each StreamAppend is one EventStoreDB append (atomic
 *   for its stream); the expected versions of all of them are checked before anything is written,
 *   but a concurrent writer can still make a later one fail after earlier ones were stored.
 * - A position is the event's $all commit position: increasing, unique, not dense.
 * - recordedAt is the writer's clock when it appends (never earlier than the stream's previous
 *   event), kept in the metadata; within a stream it increases, across streams it follows the
 *   writers' clocks, not positions.
 * - Subscription handlers get no transaction (NO_TRANSACTION): a handler's writes and the
 *   checkpoint are not atomic, so delivery is at least once and handlers must be idempotent.
 *
 * Records: `data` is the event's data, `type` its type, the EventStoreDB event UUID is a UUIDv5 of
 * the eventId, and `metadata` holds the envelope (encodeEnvelope: eventId, effectiveDate,
 * correction, recordedAt, content hash, prev and link hash of the chain, the event's own metadata).
 * Each stream carries the same sha256 chain as on PostgreSQL, except that a link cannot cover the
 * event's position, which EventStoreDB assigns only when the write commits: links are computed with
 * position 0 (so a chain also survives replication to another cluster), and verify checks the order
 * of positions separately. Every append expects the exact revision whose hash it chained from, so
 * two writers can never link to the same predecessor.
 *
 * eventId idempotency across the whole ledger: EventStoreDB only enforces uniqueness per stream, so
 * each eventId has a claim stream (`$ledger-eventid-<eventId>`). A writer first claims every new
 * eventId (an append to its claim stream expecting no stream, or expecting the revision of a claim
 * it takes over: a compare-and-set), naming the target stream, the version the event will get and
 * its content hash; then appends the events. The latest claim decides what an eventId is:
 * - the claimed stream holds the eventId at the claimed version: stored (duplicate or conflict by
 *   content hash, with that event's position);
 * - the claimed stream has moved past the revision the claimed write expected, without it: that
 *   write can never land, and the claim is taken over;
 * - otherwise the write may be in flight: wait (pendingWaitMs), then EventIdPendingError, unless
 *   the claim is older than claimTimeoutMs, when it is taken over. Only a write that lands after
 *   claimTimeoutMs could store an eventId twice; verify reports an eventId stored twice.
 * A crash between the claim and the append leaves a claim that resolves by these rules. The claim
 * and checkpoint streams start with `$`, like EventStoreDB's own streams: reads skip them, and on
 * a secure cluster the adapter's user needs write access to system streams ($admins by default).
 */
export class EsdbEventStore implements EventStore {
  readonly claimTimeoutMs: number;
  readonly pendingWaitMs: number;
  readonly now: () => number;

  constructor(
    readonly log: EsdbLog,
    options: EsdbEventStoreOptions = {},
  ) {
    this.claimTimeoutMs = options.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
    this.pendingWaitMs = options.pendingWaitMs ?? DEFAULT_PENDING_WAIT_MS;
    this.now = options.now ?? Date.now;
    if (!(this.claimTimeoutMs > 0)) throw new RangeError('claimTimeoutMs must be > 0');
    if (!(this.pendingWaitMs >= 0)) throw new RangeError('pendingWaitMs must be ≥ 0');
  }

  async append(appends: readonly StreamAppend[]): Promise<AppendOutcome> {
    for (const append of appends) {
      assertLedgerStreamId(append.streamId);
      if (append.expectedVersion !== undefined) toEsdbExpectedRevision(append.expectedVersion);
      for (const event of append.events) assertValidEvent(event);
    }
    if (appends.every((append) => append.events.length === 0)) return { stored: [], duplicates: [], conflicts: [] };
    return new AppendRun(this, appends).run();
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    assertLedgerStreamId(streamId);
    const fromVersion = options.fromVersion ?? 0n;
    if (fromVersion < 0n) throw new RangeError(`fromVersion must be ≥ 0, got ${fromVersion}`);
    const limit = options.limit === undefined ? Number.MAX_SAFE_INTEGER : assertLimit(options.limit);
    const records = await this.log.readStream(streamId, { fromRevision: fromVersion, maxCount: limit, direction: 'forwards' });
    return records.map((record) => toStoredEvent(record));
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const limit = Math.min(assertLimit(options.limit), READ_ALL_MAX_LIMIT);
    const out: StoredEvent[] = [];
    for await (const record of this.scanAll(options.after, limit)) {
      out.push(toStoredEvent(record));
      if (out.length >= limit) break;
    }
    return out;
  }

  async headPosition(): Promise<bigint> {
    // Backwards from the end of $all, past EventStoreDB's own records and the claims. Whether a
    // backwards read includes the record at its start position differs between server versions,
    // so records at or after the last one seen are skipped.
    let from: EsdbPosition | 'end' = 'end';
    let cursor: EsdbPosition | undefined;
    for (;;) {
      const page = await this.log.readAll({ fromPosition: from, maxCount: SCAN_PAGE_SIZE, direction: 'backwards' });
      let advanced = false;
      for (const record of page) {
        const position = record.position;
        if (position === undefined) throw new Error(`${describe(record)}: a $all record without a position`);
        if (cursor !== undefined && comparePositions(position, cursor) >= 0) continue;
        cursor = position;
        advanced = true;
        if (isLedgerStream(record.streamId)) return ledgerPositionOf(position, 'headPosition');
      }
      if (!advanced || page.length < SCAN_PAGE_SIZE || cursor === undefined) return 0n;
      from = cursor;
    }
  }

  subscribe(options: SubscriptionOptions, handler: SubscriptionHandler): Subscription {
    return new EsdbSubscription(this, options, handler);
  }

  /**
   * Walks every ledger event in $all order and recomputes each stream's chain: versions without a
   * gap, prev hash = the previous event's hash, content hash from the content, link hash from both;
   * positions increase with versions; the EventStoreDB UUID is the one of the eventId; and no
   * eventId is stored twice (see the claims in the class comment).
   */
  async verify(): Promise<VerifyReport> {
    const streams = new Map<string, { version: bigint; hash: string; position: bigint }>();
    const eventIds = new Map<string, bigint>();
    let events = 0;
    for await (const record of this.scanAll(0n, Number.MAX_SAFE_INTEGER)) {
      events += 1;
      const position = record.position === undefined ? undefined : record.position.commit;
      const broken = (reason: string): VerifyReport =>
        position === undefined ? { ok: false, events, reason } : { ok: false, events, firstBrokenPosition: position.toString(), reason };
      let stored: StoredEvent;
      let prevHash: string;
      let storedContentHash: string;
      try {
        stored = toStoredEvent(record);
        const envelope = decodeEnvelope(record.metadata, describe(record));
        prevHash = envelope.prevHash;
        storedContentHash = envelope.contentHash;
      } catch (error) {
        return broken(`stream ${record.streamId} revision ${record.revision}: not a ledger event (${errorMessage(error)})`);
      }
      const previous = streams.get(stored.streamId);
      const expectedVersion = previous === undefined ? 0n : previous.version + 1n;
      if (stored.streamVersion !== expectedVersion) {
        return broken(`stream ${stored.streamId}: version ${stored.streamVersion} where ${expectedVersion} was due (an event is missing)`);
      }
      if (previous !== undefined && stored.position <= previous.position) {
        return broken(`stream ${stored.streamId} version ${stored.streamVersion}: position does not increase with the version`);
      }
      if (prevHash !== (previous?.hash ?? GENESIS_HASH)) {
        return broken(`stream ${stored.streamId} version ${stored.streamVersion}: prev hash does not link to the previous event`);
      }
      const parts = canonicalParts(stored);
      const computedContentHash = contentHashOfParts(parts);
      if (computedContentHash !== storedContentHash) return broken(`event ${stored.eventId}: content hash does not match its content`);
      if (
        linkHash(prevHash, stored.streamId, stored.streamVersion, stored.eventId, stored.recordedAt, computedContentHash) !== stored.hash
      ) {
        return broken(`event ${stored.eventId}: hash does not match its content`);
      }
      if (record.id !== eventUuid(stored.eventId))
        return broken(`event ${stored.eventId}: its EventStoreDB id is not the UUID of its eventId`);
      const earlier = eventIds.get(stored.eventId);
      if (earlier !== undefined) return broken(`event ${stored.eventId}: stored twice (first at position ${earlier})`);
      eventIds.set(stored.eventId, stored.position);
      streams.set(stored.streamId, { version: stored.streamVersion, hash: stored.hash, position: stored.position });
    }
    return { ok: true, events };
  }

  /**
   * The ledger records of $all after `after` (exclusive), in order, read a page at a time; stops
   * after `limit` ledger records. Internally pages by the full (commit, prepare) position, so that
   * records sharing a commit position (old explicit transactions of other writers) cannot stall it.
   */
  async *scanAll(after: bigint, limit: number): AsyncGenerator<EsdbRecordedEvent> {
    let from = readPositionAfter(after);
    let cursor: EsdbPosition | undefined = from === 'start' ? undefined : from;
    let yielded = 0;
    const pageSize = Math.min(SCAN_PAGE_SIZE, Math.max(2 * limit, 64));
    for (;;) {
      const page = await this.log.readAll({ fromPosition: from, maxCount: pageSize, direction: 'forwards' });
      for (const record of page) {
        const position = record.position;
        if (position === undefined) throw new Error(`${describe(record)}: a $all record without a position`);
        if (cursor !== undefined && comparePositions(position, cursor) <= 0) continue;
        cursor = position;
        if (!isLedgerStream(record.streamId)) continue;
        if (position.commit <= after) continue;
        yield record;
        yielded += 1;
        if (yielded >= limit) return;
      }
      if (page.length < pageSize || cursor === undefined) return;
      from = cursor;
    }
  }

  /** The last event of a stream: its version, hash and recordedAt. */
  async readHead(streamId: string): Promise<StreamHead> {
    const [last] = await this.log.readStream(streamId, { fromRevision: 'end', maxCount: 1, direction: 'backwards' });
    if (last === undefined) return EMPTY_HEAD;
    const stored = toStoredEvent(last);
    return { version: stored.streamVersion, lastHash: stored.hash, lastRecordedAtMs: Date.parse(stored.recordedAt) };
  }

  /** The event at `version` of a stream, if there is one. */
  async readAt(streamId: string, version: bigint): Promise<EsdbRecordedEvent | undefined> {
    const [record] = await this.log.readStream(streamId, { fromRevision: version, maxCount: 1, direction: 'forwards' });
    return record !== undefined && record.revision === version ? record : undefined;
  }

  /**
   * What the latest claim of an eventId says (see the class comment). `claimant` is the caller's
   * own name: its own claims are never in flight when it asks, so they are taken over at once.
   */
  async resolveClaim(eventId: string, claimant: string): Promise<ClaimState> {
    const deadline = this.now() + this.pendingWaitMs;
    let pollMs = PENDING_POLL_FIRST_MS;
    for (;;) {
      const [record] = await this.log.readStream(claimStreamOf(eventId), { fromRevision: 'end', maxCount: 1, direction: 'backwards' });
      if (record === undefined) return { kind: 'claimable', revision: 'no_stream' };
      const claim = decodeClaim(record.data, describe(record));
      if (claim.eventId !== eventId) throw new Error(`${describe(record)}: the claim names event ${claim.eventId}`);
      const state = await this.claimState(claim, record.revision, claimant);
      if (state.kind !== 'pending') return state;
      if (this.now() >= deadline) throw new EventIdPendingError(eventId, claim.streamId);
      await sleep(pollMs);
      pollMs = Math.min(pollMs * 2, PENDING_POLL_MAX_MS);
    }
  }

  private async claimState(claim: EventIdClaim, revision: bigint, claimant: string): Promise<ClaimState> {
    // The head is read before the claimed version: if the stream had moved past the claimed
    // write's expected revision because that write landed, the second read sees the event.
    // Read the other way round, a write landing between the two reads would look abandoned.
    const head = await this.readHead(claim.streamId);
    const atClaimedVersion = await this.readAt(claim.streamId, claim.streamVersion);
    if (atClaimedVersion !== undefined) {
      const envelope = decodeEnvelope(atClaimedVersion.metadata, describe(atClaimedVersion));
      if (envelope.eventId === claim.eventId) {
        return {
          kind: 'stored',
          stored: { position: ledgerPositionOf(atClaimedVersion.position, describe(atClaimedVersion)), contentHash: envelope.contentHash },
        };
      }
    }
    // The claimed write expected the stream at afterVersion; once the stream is past it without
    // the event, that write can never land. Our own claims are never in flight when we ask.
    if (head.version > claim.afterVersion || claim.claimant === claimant) return { kind: 'claimable', revision };
    if (this.now() - claim.claimedAtMs > this.claimTimeoutMs) return { kind: 'claimable', revision };
    return { kind: 'pending', claim, revision };
  }
}

/**
 * One call of append. Appends are executed one after the other; first every stream head is read
 * and every expected version checked against the versions the call will produce, so that a call
 * refused for a version conflict normally leaves nothing stored. The first attempt takes every
 * eventId to be new (its claim expects no claim stream); a claim that exists is resolved then.
 */
class AppendRun {
  private readonly claimant = randomUUID();
  private readonly startedAtMs: number;
  private readonly heads = new Map<string, StreamHead>();
  private readonly prepared = new Map<NewEvent, PreparedEvent>();
  /** The first occurrence of each eventId in the call: the only one that can be stored. */
  private readonly firstOccurrence = new Map<string, NewEvent>();
  /** eventIds found stored before this call stored them. */
  private readonly existing = new Map<string, KnownStored>();
  /** The expected revision of the next claim of an eventId, when it is not 'no_stream'. */
  private readonly claimRevisions = new Map<string, EsdbExpectedRevision>();
  private readonly storedByUs = new Map<string, KnownStored>();

  constructor(
    private readonly store: EsdbEventStore,
    private readonly appends: readonly StreamAppend[],
  ) {
    this.startedAtMs = store.now();
    for (const append of appends) {
      for (const event of append.events) {
        if (!this.firstOccurrence.has(event.eventId)) this.firstOccurrence.set(event.eventId, event);
        const parts = canonicalParts(event);
        this.prepared.set(event, { ...parts, event, contentHash: contentHashOfParts(parts) });
      }
    }
  }

  async run(): Promise<AppendOutcome> {
    const streamIds = [...new Set(this.appends.map((append) => append.streamId))];
    const heads = await mapLimit(streamIds, CLAIM_CONCURRENCY, (streamId) => this.store.readHead(streamId));
    streamIds.forEach((streamId, i) => this.heads.set(streamId, heads[i] as StreamHead));

    const refusal = this.checkExpectedVersions();
    if (refusal !== undefined) {
      // Perhaps the retry of a call that was stored: an append whose events are all stored is not
      // checked. Look every eventId up and check again.
      await mapLimit([...this.firstOccurrence.keys()], CLAIM_CONCURRENCY, (eventId) => this.resolve(eventId));
      const stillRefused = this.checkExpectedVersions();
      if (stillRefused !== undefined) throw stillRefused;
    }

    const stored: StoredEvent[] = [];
    for (const append of this.appends) stored.push(...(await this.execute(append)));
    return { stored, ...this.outcomes() };
  }

  /** The events of an append that are to be written now: first occurrences not known to be stored. */
  private fresh(append: StreamAppend): PreparedEvent[] {
    return append.events
      .filter(
        (event) =>
          this.firstOccurrence.get(event.eventId) === event && !this.existing.has(event.eventId) && !this.storedByUs.has(event.eventId),
      )
      .map((event) => this.prepared.get(event) as PreparedEvent);
  }

  /** The first expected version that the call would violate, simulated on the heads read. */
  private checkExpectedVersions(): Error | undefined {
    const planned = new Map<string, bigint>();
    for (const append of this.appends) {
      const count = this.fresh(append).length;
      if (count === 0) continue;
      const version = planned.get(append.streamId) ?? (this.heads.get(append.streamId) as StreamHead).version;
      const expected = append.expectedVersion ?? 'any';
      if (!satisfiesExpectedVersion(expected, version)) return conflictAt(append.streamId, expected, version);
      planned.set(append.streamId, version + BigInt(count));
    }
    return undefined;
  }

  private async resolve(eventId: string): Promise<void> {
    const state = await this.store.resolveClaim(eventId, this.claimant);
    if (state.kind === 'stored') {
      this.existing.set(eventId, state.stored);
      this.claimRevisions.delete(eventId);
    } else if (state.kind === 'claimable') {
      this.claimRevisions.set(eventId, state.revision);
    }
  }

  private async execute(append: StreamAppend): Promise<StoredEvent[]> {
    const expected: ExpectedVersion = append.expectedVersion ?? 'any';
    for (let attempt = 1; attempt <= APPEND_MAX_ATTEMPTS; attempt += 1) {
      const fresh = this.fresh(append);
      if (fresh.length === 0) return [];
      const head = this.heads.get(append.streamId) as StreamHead;
      if (!satisfiesExpectedVersion(expected, head.version)) throw conflictAt(append.streamId, expected, head.version);

      // recordedAt: the call's start, but after the stream's last event, so that it increases within a stream.
      const recordedAtMs = Math.max(this.startedAtMs, head.lastRecordedAtMs + 1);
      const recordedAt = new Date(recordedAtMs).toISOString();
      const records: EsdbProposedEvent[] = [];
      const claims: EventIdClaim[] = [];
      let prevHash = head.lastHash;
      fresh.forEach((event, i) => {
        const streamVersion = head.version + 1n + BigInt(i);
        const hash = linkHash(prevHash, append.streamId, streamVersion, event.event.eventId, recordedAt, event.contentHash);
        records.push({
          id: eventUuid(event.event.eventId),
          type: event.type,
          data: event.event.data,
          metadata: encodeEnvelope({
            eventId: event.event.eventId,
            effectiveDate: event.effectiveDate,
            correction: event.correction,
            recordedAt,
            contentHash: event.contentHash,
            prevHash,
            hash,
            metadata: event.event.metadata ?? null,
            recordedBy: event.event.recordedBy ?? null,
          }),
        });
        claims.push({
          eventId: event.event.eventId,
          streamId: append.streamId,
          afterVersion: head.version,
          streamVersion,
          contentHash: event.contentHash,
          claimant: this.claimant,
          claimedAtMs: this.store.now(),
        });
        prevHash = hash;
      });

      const lost = await this.claim(claims);
      if (lost.length > 0) {
        // Another writer claimed some of them since: settle what they are, and plan again.
        await mapLimit(lost, CLAIM_CONCURRENCY, (eventId) => this.resolve(eventId));
        continue;
      }

      try {
        await this.store.log.append(append.streamId, records, toEsdbExpectedRevision(head.version));
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // The stream moved since its head was read: chain from the new head (if the caller's
        // expectation still holds) and claim again, taking over our own claims.
        this.heads.set(append.streamId, await this.store.readHead(append.streamId));
        continue;
      }

      const written = await this.store.log.readStream(append.streamId, {
        fromRevision: head.version + 1n,
        maxCount: records.length,
        direction: 'forwards',
      });
      const stored = written.map((record) => toStoredEvent(record));
      stored.forEach((event, i) => {
        if (event.eventId !== fresh[i]?.event.eventId || event.streamVersion !== head.version + 1n + BigInt(i)) {
          throw new Error(`stream ${append.streamId}: reading the append back found ${event.eventId} at version ${event.streamVersion}`);
        }
        this.storedByUs.set(event.eventId, { position: event.position, contentHash: fresh[i].contentHash });
      });
      if (stored.length !== records.length)
        throw new Error(`stream ${append.streamId}: reading the append back found ${stored.length} of ${records.length} events`);
      const last = stored[stored.length - 1] as StoredEvent;
      this.heads.set(append.streamId, { version: last.streamVersion, lastHash: last.hash, lastRecordedAtMs: recordedAtMs });
      return stored;
    }
    throw new Error(`stream ${append.streamId}: no append after ${APPEND_MAX_ATTEMPTS} attempts, concurrent writers kept moving it`);
  }

  /** Writes the claims; returns the eventIds whose claim stream was not where this run expected it. */
  private async claim(claims: readonly EventIdClaim[]): Promise<string[]> {
    const results = await mapLimit(claims, CLAIM_CONCURRENCY, async (claim) => {
      const stream = claimStreamOf(claim.eventId);
      const expected = this.claimRevisions.get(claim.eventId) ?? 'no_stream';
      try {
        await this.store.log.append(
          stream,
          [{ id: randomUUID(), type: CLAIM_EVENT_TYPE, data: encodeClaim(claim), metadata: {} }],
          expected,
        );
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) return claim.eventId;
        throw error;
      }
      // The next claim of this eventId in this run (after a re-plan) takes over this one.
      this.claimRevisions.set(claim.eventId, expected === 'no_stream' ? 0n : (expected as bigint) + 1n);
      return undefined;
    });
    return results.filter((eventId): eventId is string => eventId !== undefined);
  }

  /** Duplicates and conflicts in the order the call gave them. */
  private outcomes(): { duplicates: ExistingEvent[]; conflicts: ExistingEvent[] } {
    const duplicates: ExistingEvent[] = [];
    const conflicts: ExistingEvent[] = [];
    for (const append of this.appends) {
      for (const event of append.events) {
        const ours = this.storedByUs.get(event.eventId);
        if (ours !== undefined && this.firstOccurrence.get(event.eventId) === event) continue;
        const found = this.existing.get(event.eventId);
        const reference = found ?? ours;
        if (reference === undefined) throw new Error(`event ${event.eventId}: neither stored nor found stored`);
        // The rule is the domain's (judgeEventId); this adapter only says what is stored.
        const judgement = judgeEventId(
          (this.prepared.get(event) as PreparedEvent).contentHash,
          found?.contentHash,
          ours === undefined ? undefined : { index: -1, contentHash: ours.contentHash },
        );
        if (judgement.kind === 'new') throw new Error(`event ${event.eventId}: judged new though stored`);
        (judgement.kind === 'duplicate' ? duplicates : conflicts).push({ eventId: event.eventId, position: reference.position });
      }
    }
    return { duplicates, conflicts };
  }
}

/**
 * Follows $all with a catch-up subscription from the stored checkpoint. A batch is handed to the
 * handler when it is full or when no more events are buffered; after the handler resolves, the
 * checkpoint is appended to `$ledger-checkpoint-<subscriptionId>`, expecting the revision of the
 * last checkpoint this instance wrote, so that two instances under one id cannot both advance it.
 * The handler's writes and the checkpoint are not atomic: after a crash between them the batch is
 * handled again. Any error stops the subscription; caughtUp() and stop() then reject with it.
 */
class EsdbSubscription extends CheckpointedSubscription {
  private checkpointRevision: EsdbExpectedRevision = 'no_stream';
  private live: EsdbAllSubscription | undefined;
  private readonly stream: string;

  constructor(
    private readonly store: EsdbEventStore,
    options: SubscriptionOptions,
    private readonly handler: SubscriptionHandler,
  ) {
    super(options);
    this.stream = checkpointStreamOf(options.subscriptionId);
    this.start();
  }

  protected target(): Promise<bigint> {
    return this.store.headPosition();
  }

  protected async interrupt(): Promise<void> {
    await this.live?.close();
  }

  protected async loadCheckpoint(): Promise<void> {
    const [last] = await this.store.log.readStream(this.stream, { fromRevision: 'end', maxCount: 1, direction: 'backwards' });
    if (last === undefined) return;
    this.current = decodeCheckpoint(last.data, describe(last));
    this.checkpointRevision = last.revision;
  }

  protected async run(): Promise<void> {
    if (this.stopping) return;
    const live = this.store.log.subscribeToAll(readPositionAfter(this.current));
    this.live = live;
    let batch: StoredEvent[] = [];
    let handlerFailed = false;
    try {
      for await (const record of live) {
        if (this.stopping) break;
        if (isLedgerStream(record.streamId)) {
          const event = toStoredEvent(record);
          // The subscription starts at the checkpoint, which it may deliver again.
          if (event.position > (batch[batch.length - 1]?.position ?? this.current)) batch.push(event);
        }
        if (batch.length > 0 && (batch.length >= this.batchSize || live.buffered() === 0)) {
          try {
            await this.handle(batch);
          } catch (error) {
            handlerFailed = true;
            throw error;
          }
          batch = [];
        }
      }
    } catch (error) {
      // Closing the subscription in stop() may end the read with a cancellation error: not a failure.
      if (handlerFailed || !this.stopping) this.fail(error);
    } finally {
      // Ends the server-side subscription whichever way the loop ended.
      await live.close().catch(() => undefined);
    }
    this.stopping = true;
    this.settleWaiters();
  }

  private async handle(batch: readonly StoredEvent[]): Promise<void> {
    const last = batch[batch.length - 1] as StoredEvent;
    await this.handler(batch, NO_TRANSACTION);
    const expected = this.checkpointRevision;
    try {
      await this.store.log.append(
        this.stream,
        [{ id: randomUUID(), type: CHECKPOINT_EVENT_TYPE, data: encodeCheckpoint(last.position), metadata: {} }],
        expected,
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new Error(`subscription ${this.options.subscriptionId}: its checkpoint was moved by another instance`);
      }
      throw error;
    }
    // Old checkpoints are of no use: let the server drop them.
    if (expected === 'no_stream') await this.store.log.setMaxCount(this.stream, CHECKPOINTS_KEPT);
    this.checkpointRevision = expected === 'no_stream' ? 0n : (expected as bigint) + 1n;
    this.current = last.position;
    this.settleWaiters();
  }
}

/** The chain link of an EventStoreDB event: position 0, since the position is not known before the write commits. */
export function linkHash(
  prevHash: string,
  streamId: string,
  streamVersion: bigint,
  eventId: string,
  recordedAt: string,
  contentHash: string,
): string {
  return chainHash(prevHash, { position: 0n, streamId, streamVersion, eventId, recordedAt, contentHash });
}

/** A ledger event read from EventStoreDB as the contract's StoredEvent; throws when the record is not one. */
export function toStoredEvent(record: EsdbRecordedEvent): StoredEvent {
  const what = describe(record);
  const envelope = decodeEnvelope(record.metadata, what);
  if (!isEventData(record.data)) throw new TypeError(`${what}: data is not a JSON object`);
  return {
    eventId: envelope.eventId,
    type: record.type,
    effectiveDate: envelope.effectiveDate,
    correction: envelope.correction,
    data: record.data,
    metadata: envelope.metadata,
    position: ledgerPositionOf(record.position, what),
    streamId: record.streamId,
    streamVersion: record.revision,
    recordedAt: envelope.recordedAt,
    hash: envelope.hash,
    recordedBy: envelope.recordedBy ?? null,
  };
}

function describe(record: EsdbRecordedEvent): string {
  return `stream ${record.streamId} revision ${record.revision}`;
}

function conflictAt(streamId: string, expected: ExpectedVersion, version: bigint): Error {
  return streamVersionConflict(streamId, expected, version < 0n ? 'no_stream' : version);
}

/** The contract's checks, and no type of EventStoreDB's own. */
function assertValidEvent(event: NewEvent): void {
  assertValidNewEvent(event, assertNotSystemType);
}

/** EventStoreDB reserves types starting with `$` for its own records. */
function assertNotSystemType(type: string, eventId: string): void {
  if (type.startsWith('$')) throw new TypeError(`event ${eventId}: type must not start with '$'`);
}

function assertLedgerStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId === '') throw new TypeError('streamId required');
  if (!isLedgerStream(streamId))
    throw new TypeError(`streamId ${JSON.stringify(streamId)}: names starting with '$' are EventStoreDB's and the adapter's own`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Maps with at most `limit` calls of `fn` in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
