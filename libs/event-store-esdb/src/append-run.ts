import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import { judgeEventId } from '@ledger/domain';
import {
  canonicalParts,
  contentHashOfParts,
  type AppendOutcome,
  type CanonicalEventParts,
  type ExistingEvent,
  type ExpectedVersion,
  type NewEvent,
  type StoredEvent,
  type StreamAppend,
} from '@ledger/event-store';
import type { EventIdClaims, KnownStored } from './claims';
import {
  encodeEnvelope,
  eventUuid,
  satisfiesExpectedVersion,
  streamVersionConflict,
  toEsdbExpectedRevision,
  type EsdbExpectedRevision,
  type EventIdClaim,
} from './encoding';
import { readHead, type StreamHead } from './esdb-reads';
import type { EsdbLog, EsdbProposedEvent } from './esdb-log';
import { linkHash, mapLimit, toStoredEvent } from './records';

/** Attempts of one StreamAppend when concurrent writers move its stream or claim its eventIds. */
const APPEND_MAX_ATTEMPTS = 5;
/** Claims written or read at once: enough to hide round trips, few enough not to flood the server. */
const CLAIM_CONCURRENCY = 16;

/** What an append run works with. */
export interface AppendContext {
  readonly log: EsdbLog;
  readonly claims: EventIdClaims;
  readonly now: () => number;
}

interface PreparedEvent extends CanonicalEventParts {
  readonly event: NewEvent;
  readonly contentHash: string;
}

/** An append's records as they are to be written, with the claims of their eventIds. */
interface Proposal {
  readonly records: EsdbProposedEvent[];
  readonly claims: EventIdClaim[];
  readonly recordedAtMs: number;
}

/**
 * One call of append (docs/eventstoredb.md, "How an append runs"). Appends are executed one after
 * the other; first every stream head is read and every expected version checked against the
 * versions the call will produce, so that a call refused for a version conflict normally leaves
 * nothing stored. The first attempt takes every eventId to be new (its claim expects no claim
 * stream); a claim that exists is resolved then.
 */
export class AppendRun {
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
    private readonly context: AppendContext,
    private readonly appends: readonly StreamAppend[],
  ) {
    this.startedAtMs = context.now();
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
    const heads = await mapLimit(streamIds, CLAIM_CONCURRENCY, (streamId) => readHead(this.context.log, streamId));
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
    const state = await this.context.claims.resolve(eventId, this.claimant);
    if (state.kind === 'stored') {
      this.existing.set(eventId, state.stored);
      this.claimRevisions.delete(eventId);
    } else if (state.kind === 'claimable') {
      this.claimRevisions.set(eventId, state.revision);
    }
  }

  /** Claims the fresh events of an append, writes them expecting the exact head they chain from, and reads them back. */
  private async execute(append: StreamAppend): Promise<StoredEvent[]> {
    const expected: ExpectedVersion = append.expectedVersion ?? 'any';
    for (let attempt = 1; attempt <= APPEND_MAX_ATTEMPTS; attempt += 1) {
      const fresh = this.fresh(append);
      if (fresh.length === 0) return [];
      const head = this.heads.get(append.streamId) as StreamHead;
      if (!satisfiesExpectedVersion(expected, head.version)) throw conflictAt(append.streamId, expected, head.version);

      const proposal = this.propose(append.streamId, head, fresh);
      const lost = await this.claim(proposal.claims);
      if (lost.length > 0) {
        // Another writer claimed some of them since: settle what they are, and plan again.
        await mapLimit(lost, CLAIM_CONCURRENCY, (eventId) => this.resolve(eventId));
        continue;
      }

      try {
        await this.context.log.append(append.streamId, proposal.records, toEsdbExpectedRevision(head.version));
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // The stream moved since its head was read: chain from the new head (if the caller's
        // expectation still holds) and claim again, taking over our own claims.
        this.heads.set(append.streamId, await readHead(this.context.log, append.streamId));
        continue;
      }
      return this.readBack(append.streamId, head, fresh, proposal.recordedAtMs);
    }
    throw new Error(`stream ${append.streamId}: no append after ${APPEND_MAX_ATTEMPTS} attempts, concurrent writers kept moving it`);
  }

  /** The records of the fresh events chained from `head`, and their claims. */
  private propose(streamId: string, head: StreamHead, fresh: readonly PreparedEvent[]): Proposal {
    // recordedAt: the call's start, but after the stream's last event, so that it increases within a stream.
    const recordedAtMs = Math.max(this.startedAtMs, head.lastRecordedAtMs + 1);
    const recordedAt = new Date(recordedAtMs).toISOString();
    const records: EsdbProposedEvent[] = [];
    const claims: EventIdClaim[] = [];
    let prevHash = head.lastHash;
    fresh.forEach((event, i) => {
      const streamVersion = head.version + 1n + BigInt(i);
      const hash = linkHash(prevHash, streamId, streamVersion, event.event.eventId, recordedAt, event.contentHash);
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
        streamId,
        afterVersion: head.version,
        streamVersion,
        contentHash: event.contentHash,
        claimant: this.claimant,
        claimedAtMs: this.context.now(),
      });
      prevHash = hash;
    });
    return { records, claims, recordedAtMs };
  }

  /** Reads a landed append back: the events as stored, with their positions; the stream's head moves past them. */
  private async readBack(
    streamId: string,
    head: StreamHead,
    fresh: readonly PreparedEvent[],
    recordedAtMs: number,
  ): Promise<StoredEvent[]> {
    const written = await this.context.log.readStream(streamId, {
      fromRevision: head.version + 1n,
      maxCount: fresh.length,
      direction: 'forwards',
    });
    const stored = written.map((record) => toStoredEvent(record));
    stored.forEach((event, i) => {
      if (event.eventId !== fresh[i]?.event.eventId || event.streamVersion !== head.version + 1n + BigInt(i)) {
        throw new Error(`stream ${streamId}: reading the append back found ${event.eventId} at version ${event.streamVersion}`);
      }
      this.storedByUs.set(event.eventId, { position: event.position, contentHash: fresh[i].contentHash });
    });
    if (stored.length !== fresh.length) {
      throw new Error(`stream ${streamId}: reading the append back found ${stored.length} of ${fresh.length} events`);
    }
    const last = stored[stored.length - 1] as StoredEvent;
    this.heads.set(streamId, { version: last.streamVersion, lastHash: last.hash, lastRecordedAtMs: recordedAtMs });
    return stored;
  }

  /** Writes the claims; returns the eventIds whose claim stream was not where this run expected it. */
  private async claim(claims: readonly EventIdClaim[]): Promise<string[]> {
    const results = await mapLimit(claims, CLAIM_CONCURRENCY, async (claim) => {
      const expected = this.claimRevisions.get(claim.eventId) ?? 'no_stream';
      if (!(await this.context.claims.write(claim, expected))) return claim.eventId;
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

function conflictAt(streamId: string, expected: ExpectedVersion, version: bigint): Error {
  return streamVersionConflict(streamId, expected, version < 0n ? 'no_stream' : version);
}
