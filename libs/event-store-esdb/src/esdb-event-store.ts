import {
  assertLimit,
  READ_ALL_MAX_LIMIT,
  type AppendOutcome,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamAppend,
  type Subscription,
  type SubscriptionHandler,
  type SubscriptionOptions,
  type VerifyReport,
} from '@ledger/event-store';
import { AppendRun } from './append-run';
import { EventIdClaims } from './claims';
import { toEsdbExpectedRevision } from './encoding';
import { assertLedgerStreamId, assertValidEvent } from './esdb-checks';
import { headPosition, scanAll } from './esdb-reads';
import type { EsdbLog } from './esdb-log';
import { EsdbSubscription } from './esdb-subscription';
import { verifyEsdbLog } from './esdb-verify';
import { toStoredEvent } from './records';

const DEFAULT_CLAIM_TIMEOUT_MS = 60_000;
const DEFAULT_PENDING_WAIT_MS = 5_000;

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
 * The event store contract (libs/event-store/src/event-store.ts) on EventStoreDB, through
 * @eventstore/db-client. The ledger's write path stays on PostgreSQL; this adapter serves
 * archival, replication and the contract. How the ledger is laid out in EventStoreDB, the eventId
 * claims that make eventIds unique across streams, how an append runs and what differs from
 * PostgreSQL (no atomicity across streams, positions, recordedAt, subscriptions without a
 * transaction) are in docs/eventstoredb.md. Each operation lives in a file of its own beside this
 * one: append-run, claims, esdb-reads, esdb-subscription, esdb-verify.
 */
export class EsdbEventStore implements EventStore {
  readonly claimTimeoutMs: number;
  readonly pendingWaitMs: number;
  readonly now: () => number;
  private readonly claims: EventIdClaims;

  constructor(
    readonly log: EsdbLog,
    options: EsdbEventStoreOptions = {},
  ) {
    this.claimTimeoutMs = options.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
    this.pendingWaitMs = options.pendingWaitMs ?? DEFAULT_PENDING_WAIT_MS;
    this.now = options.now ?? Date.now;
    if (!(this.claimTimeoutMs > 0)) throw new RangeError('claimTimeoutMs must be > 0');
    if (!(this.pendingWaitMs >= 0)) throw new RangeError('pendingWaitMs must be ≥ 0');
    this.claims = new EventIdClaims(log, { claimTimeoutMs: this.claimTimeoutMs, pendingWaitMs: this.pendingWaitMs, now: this.now });
  }

  async append(appends: readonly StreamAppend[]): Promise<AppendOutcome> {
    for (const append of appends) {
      assertLedgerStreamId(append.streamId);
      if (append.expectedVersion !== undefined) toEsdbExpectedRevision(append.expectedVersion);
      for (const event of append.events) assertValidEvent(event);
    }
    if (appends.every((append) => append.events.length === 0)) return { stored: [], duplicates: [], conflicts: [] };
    return new AppendRun({ log: this.log, claims: this.claims, now: this.now }, appends).run();
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
    for await (const record of scanAll(this.log, options.after, limit)) {
      out.push(toStoredEvent(record));
      if (out.length >= limit) break;
    }
    return out;
  }

  headPosition(): Promise<bigint> {
    return headPosition(this.log);
  }

  subscribe(options: SubscriptionOptions, handler: SubscriptionHandler): Subscription {
    return new EsdbSubscription(this.log, options, handler);
  }

  verify(): Promise<VerifyReport> {
    return verifyEsdbLog(this.log);
  }
}
