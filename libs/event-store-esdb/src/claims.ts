import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import {
  CLAIM_EVENT_TYPE,
  claimStreamOf,
  decodeClaim,
  decodeEnvelope,
  encodeClaim,
  ledgerPositionOf,
  type EsdbExpectedRevision,
  type EventIdClaim,
} from './encoding';
import { readAt, readHead } from './esdb-reads';
import type { EsdbLog } from './esdb-log';
import { describe } from './records';

const PENDING_POLL_FIRST_MS = 20;
const PENDING_POLL_MAX_MS = 500;

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

/** Where an eventId is stored, and its content hash. */
export interface KnownStored {
  readonly position: bigint;
  readonly contentHash: string;
}

/** What the latest claim of an eventId says. */
export type ClaimState =
  | { readonly kind: 'stored'; readonly stored: KnownStored }
  /** Free to claim: the claim stream's expected revision for the next claim. */
  | { readonly kind: 'claimable'; readonly revision: EsdbExpectedRevision }
  | { readonly kind: 'pending'; readonly claim: EventIdClaim; readonly revision: bigint };

export interface ClaimTimes {
  /** How long a claim may stay unresolved before another writer takes it over. */
  readonly claimTimeoutMs: number;
  /** How long to wait for another writer's claim to resolve before EventIdPendingError. */
  readonly pendingWaitMs: number;
  readonly now: () => number;
}

/**
 * The eventId claims of docs/eventstoredb.md: EventStoreDB enforces uniqueness per stream only, so
 * each eventId has a claim stream, and the latest claim in it decides what the eventId is.
 */
export class EventIdClaims {
  constructor(
    private readonly log: EsdbLog,
    private readonly times: ClaimTimes,
  ) {}

  /**
   * Appends a claim to its eventId's claim stream, expecting `expected` (no stream, or the
   * revision of the claim it takes over): a compare-and-set. False when the claim stream was not
   * there: another writer claimed the eventId since.
   */
  async write(claim: EventIdClaim, expected: EsdbExpectedRevision): Promise<boolean> {
    try {
      await this.log.append(
        claimStreamOf(claim.eventId),
        [{ id: randomUUID(), type: CLAIM_EVENT_TYPE, data: encodeClaim(claim), metadata: {} }],
        expected,
      );
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return false;
      throw error;
    }
  }

  /**
   * What the latest claim of an eventId says, waiting up to pendingWaitMs while it is pending.
   * `claimant` is the caller's own name: its own claims are never in flight when it asks, so they
   * are taken over at once.
   */
  async resolve(eventId: string, claimant: string): Promise<ClaimState> {
    const deadline = this.times.now() + this.times.pendingWaitMs;
    let pollMs = PENDING_POLL_FIRST_MS;
    for (;;) {
      const [record] = await this.log.readStream(claimStreamOf(eventId), { fromRevision: 'end', maxCount: 1, direction: 'backwards' });
      if (record === undefined) return { kind: 'claimable', revision: 'no_stream' };
      const claim = decodeClaim(record.data, describe(record));
      if (claim.eventId !== eventId) throw new Error(`${describe(record)}: the claim names event ${claim.eventId}`);
      const state = await this.stateOf(claim, record.revision, claimant);
      if (state.kind !== 'pending') return state;
      if (this.times.now() >= deadline) throw new EventIdPendingError(eventId, claim.streamId);
      await sleep(pollMs);
      pollMs = Math.min(pollMs * 2, PENDING_POLL_MAX_MS);
    }
  }

  private async stateOf(claim: EventIdClaim, revision: bigint, claimant: string): Promise<ClaimState> {
    // The head is read before the claimed version: if the stream had moved past the claimed
    // write's expected revision because that write landed, the second read sees the event.
    // Read the other way round, a write landing between the two reads would look abandoned.
    const head = await readHead(this.log, claim.streamId);
    const atClaimedVersion = await readAt(this.log, claim.streamId, claim.streamVersion);
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
    if (this.times.now() - claim.claimedAtMs > this.times.claimTimeoutMs) return { kind: 'claimable', revision };
    return { kind: 'pending', claim, revision };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
