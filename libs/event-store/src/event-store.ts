import type { JsonObject } from '@ledger/domain';
import type { Sql } from './db/database';

/** JSON as stored in `data` and `metadata`: the domain's types, one definition for both. */
export type { JsonObject, JsonValue } from '@ledger/domain';

/** The envelope fields of DESIGN.md §3 that an event's content hash covers. */
export interface EventContent {
  readonly eventId: string;
  readonly type: string;
  /** Business date, 'YYYY-MM-DD'. */
  readonly effectiveDate: string;
  readonly correction: boolean;
  readonly data: JsonObject;
  readonly metadata: JsonObject | null;
}

/** An event to append. The envelope fields of DESIGN.md §3; `data` already normalized by the domain. */
export interface NewEvent extends EventContent {
  /**
   * Who posted it (an API key id, a token's subject, `cli:<user>`, the Kafka consumer's identity).
   * Kept beside the event, outside its hashed content: the same event sent by two identities is
   * still one event. Null when unknown (events stored before it was kept, events the ledger derives).
   */
  readonly recordedBy?: string | null;
}

/** An event as the store keeps it: the envelope plus what the store adds. */
export interface StoredEvent extends NewEvent {
  /** Global order; followers read by it. */
  readonly position: bigint;
  readonly streamId: string;
  /** 0 for the first event of a stream. */
  readonly streamVersion: bigint;
  /** Transaction time, UTC ISO-8601 with milliseconds. */
  readonly recordedAt: string;
  /** Link of the per-stream tamper-evidence chain. */
  readonly hash: string;
}

/**
 * Optimistic concurrency per stream. A bigint is the version the writer last saw (the version of
 * the stream's last event; -1n = empty). 'no_stream' = the stream must not exist yet;
 * 'any' = no check.
 */
export type ExpectedVersion = bigint | 'any' | 'no_stream' | 'stream_exists';

export interface StreamAppend {
  readonly streamId: string;
  readonly expectedVersion?: ExpectedVersion;
  readonly events: readonly NewEvent[];
}

export interface ExistingEvent {
  readonly eventId: string;
  readonly position: bigint;
}

export interface AppendOutcome {
  /** Newly stored events in position order. */
  readonly stored: StoredEvent[];
  /** Same eventId with the same content already stored (or earlier in this append): acknowledged, not stored twice. */
  readonly duplicates: ExistingEvent[];
  /** Same eventId already stored with different content: refused. */
  readonly conflicts: ExistingEvent[];
}

export interface ReadStreamOptions {
  readonly fromVersion?: bigint;
  readonly limit?: number;
}

export interface ReadAllOptions {
  /** Read events with position > after (0n = from the start). */
  readonly after: bigint;
  /** At most this many (capped at READ_ALL_MAX_LIMIT). */
  readonly limit: number;
}

export const READ_ALL_MAX_LIMIT = 10_000;

export interface SubscriptionOptions {
  /** Name under which the checkpoint is stored; a restarted subscription resumes after it. */
  readonly subscriptionId: string;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
}

/**
 * Handles one batch of followed events. With the PostgreSQL store, `tx` is the transaction in
 * which the checkpoint is advanced: writes made through it commit atomically with the checkpoint.
 */
export type SubscriptionHandler = (events: readonly StoredEvent[], tx: Sql) => Promise<void>;

export interface Subscription {
  /** Position of the last event handled and checkpointed. */
  readonly position: () => bigint;
  /** Resolves once every event committed up to now has been handled (for tests and shutdown). */
  caughtUp(): Promise<void>;
  /** Finishes the batch in hand and stops. */
  stop(): Promise<void>;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Events read. */
  readonly events: number;
  /** The first break's position and reason (breaks[0]). */
  readonly firstBrokenPosition?: string;
  readonly reason?: string;
  /** Every break found, in position order (a stream head with no events last), bounded. */
  readonly breaks?: readonly VerifyBreak[];
  /** True when the walk stopped at the bound: there may be more. */
  readonly truncated?: boolean;
}

export interface VerifyBreak {
  /** Undefined for a stream head that has no events. */
  readonly position?: string;
  readonly reason: string;
}

/**
 * The store contract. PostgreSQL (postgres.js or PGlite) implements it in PgEventStore; an
 * EventStoreDB adapter implements the same contract. Appends to several streams are atomic on
 * PostgreSQL; an adapter that cannot do that says so in its documentation.
 */
export interface EventStore {
  append(appends: readonly StreamAppend[]): Promise<AppendOutcome>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  /** The highest position a follower can read now (0n when empty). */
  headPosition(): Promise<bigint>;
  subscribe(options: SubscriptionOptions, handler: SubscriptionHandler): Subscription;
  verify(): Promise<VerifyReport>;
}

export class StreamVersionConflictError extends Error {
  readonly code = 'STREAM_VERSION_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: bigint,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, but it is at ${actual}`);
    this.name = 'StreamVersionConflictError';
  }
}
