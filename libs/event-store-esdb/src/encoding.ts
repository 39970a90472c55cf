import { createHash } from 'node:crypto';
import { StreamVersionConflictError, type ExpectedVersion, type JsonObject, type JsonValue } from '@ledger/event-store';

/**
 * The pure half of the EventStoreDB adapter: how the ledger's envelope, its eventId claims, its
 * checkpoints and its positions are written into EventStoreDB records and read back. Nothing here
 * talks to a server, so all of it is unit-tested.
 */

/** What EventStoreDB takes as an append's expected revision (the client's AppendExpectedRevision). */
export type EsdbExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** A place in the $all log: EventStoreDB's commit and prepare positions. */
export interface EsdbPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

// ---------------------------------------------------------------------------------------------
// Deterministic event UUIDs

/**
 * The namespace of the ledger's event UUIDs. Fixed forever: changing it would give every event a
 * new UUID, and EventStoreDB's idempotent-append check would no longer recognise a retried write.
 */
export const LEDGER_EVENT_UUID_NAMESPACE = '4f1c6a52-7b0e-4d39-9a3e-6c2d8e51b7a4';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * RFC 4122 version-5 UUID (SHA-1 of namespace bytes followed by the UTF-8 name). Written here on
 * node:crypto rather than taken from the `uuid` package, which is only a transitive dependency.
 */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID_PATTERN.test(namespace)) throw new TypeError(`uuidV5: namespace ${JSON.stringify(namespace)} is not a UUID`);
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const digest = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The EventStoreDB event UUID of a ledger event: the same eventId always gets the same UUID. */
export function eventUuid(eventId: string): string {
  return uuidV5(eventId, LEDGER_EVENT_UUID_NAMESPACE);
}

// ---------------------------------------------------------------------------------------------
// Expected versions

/**
 * The contract's ExpectedVersion as EventStoreDB's expected revision. The contract counts versions
 * like EventStoreDB counts revisions (0 = first event), and -1n means "no events", which is
 * EventStoreDB's NO_STREAM.
 */
export function toEsdbExpectedRevision(expected: ExpectedVersion): EsdbExpectedRevision {
  if (typeof expected !== 'bigint') return expected;
  if (expected === -1n) return 'no_stream';
  if (expected < -1n) throw new RangeError(`expected version ${expected}: -1n (empty stream) or a version ≥ 0 required`);
  return expected;
}

/** Whether a stream whose last event has version `actual` (-1n: none) satisfies `expected`. */
export function satisfiesExpectedVersion(expected: ExpectedVersion, actual: bigint): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === -1n;
    case 'stream_exists':
      return actual >= 0n;
    default:
      return actual === expected;
  }
}

/** EventStoreDB's "current revision" of a WrongExpectedVersionError as a contract version. */
export function versionOfCurrentRevision(current: 'no_stream' | bigint): bigint {
  return current === 'no_stream' ? -1n : current;
}

/** The contract's error for a stream that is not where the caller expected it. */
export function streamVersionConflict(
  streamId: string,
  expected: ExpectedVersion,
  current: 'no_stream' | bigint,
): StreamVersionConflictError {
  return new StreamVersionConflictError(streamId, expected, versionOfCurrentRevision(current));
}

// ---------------------------------------------------------------------------------------------
// Stream names

/**
 * Streams whose names start with `$` are EventStoreDB's own (system, metadata, projection streams)
 * and the adapter's bookkeeping below; ledger streams never do, so that one test on the name tells
 * a ledger event from everything else in $all.
 */
export function isLedgerStream(streamId: string): boolean {
  return streamId.length > 0 && !streamId.startsWith('$');
}

/** The claim stream of an eventId: its events say which stream and version hold that eventId. */
export function claimStreamOf(eventId: string): string {
  return `$ledger-eventid-${eventId}`;
}

/** The stream that keeps a subscription's checkpoints. */
export function checkpointStreamOf(subscriptionId: string): string {
  return `$ledger-checkpoint-${subscriptionId}`;
}

// ---------------------------------------------------------------------------------------------
// Positions

/**
 * The contract's position of a ledger event: its $all commit position. Events appended through
 * gRPC are committed one log record each, so commit = prepare = the record's own log position, and
 * the commit position alone is unique and increasing. (Only the old TCP explicit transactions
 * gave several events one commit position; the ledger never writes those.)
 */
export function ledgerPositionOf(position: EsdbPosition | undefined, what: string): bigint {
  if (position === undefined) {
    throw new Error(`${what}: EventStoreDB returned no log position (a server older than 22.6 does not, for stream reads)`);
  }
  if (position.commit < 0n) throw new Error(`${what}: negative commit position ${position.commit}`);
  return position.commit;
}

/** Where a read of $all starts for events after `after` (exclusive): `after` itself, skipped by the reader. */
export function readPositionAfter(after: bigint): EsdbPosition | 'start' {
  if (after < 0n) throw new RangeError(`after must be ≥ 0, got ${after}`);
  return after === 0n ? 'start' : { commit: after, prepare: after };
}

/** Orders $all positions: by commit, then prepare. */
export function comparePositions(a: EsdbPosition, b: EsdbPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The ledger envelope, kept in the EventStoreDB event's metadata

/** Version of the metadata layout below; a reader refuses a layout it does not know. */
export const ENVELOPE_FORMAT = 1;

/** The envelope fields of a stored event that EventStoreDB has no place for of its own. */
export interface EventEnvelope {
  readonly eventId: string;
  readonly effectiveDate: string;
  readonly correction: boolean;
  /** Transaction time as the ledger defines it (UTC ISO-8601, milliseconds); see EsdbEventStore. */
  readonly recordedAt: string;
  readonly contentHash: string;
  readonly prevHash: string;
  readonly hash: string;
  /** The event's own metadata, verbatim. */
  readonly metadata: JsonObject | null;
  /** Who posted it (outside the hashed content, as in PostgreSQL's recorded_by); absent in envelopes written before it was kept. */
  readonly recordedBy?: string | null;
}

export function encodeEnvelope(envelope: EventEnvelope): JsonObject {
  return {
    ledgerEnvelope: ENVELOPE_FORMAT,
    eventId: envelope.eventId,
    effectiveDate: envelope.effectiveDate,
    correction: envelope.correction,
    recordedAt: envelope.recordedAt,
    contentHash: envelope.contentHash,
    prevHash: envelope.prevHash,
    hash: envelope.hash,
    metadata: envelope.metadata,
    recordedBy: envelope.recordedBy ?? null,
  };
}

/** Reads an envelope back; throws a TypeError naming the field when the metadata is not one. */
export function decodeEnvelope(value: unknown, what: string): EventEnvelope {
  const fields = asObject(value, `${what}: metadata`);
  if (fields.ledgerEnvelope !== ENVELOPE_FORMAT) {
    throw new TypeError(`${what}: metadata.ledgerEnvelope is ${JSON.stringify(fields.ledgerEnvelope)}, expected ${ENVELOPE_FORMAT}`);
  }
  const metadata = fields.metadata;
  if (metadata !== null && !isJsonObject(metadata)) throw new TypeError(`${what}: metadata.metadata must be an object or null`);
  if (typeof fields.correction !== 'boolean') throw new TypeError(`${what}: metadata.correction must be a boolean`);
  const recordedBy = fields.recordedBy ?? null;
  if (recordedBy !== null && typeof recordedBy !== 'string') throw new TypeError(`${what}: metadata.recordedBy must be a string or null`);
  return {
    eventId: stringField(fields, 'eventId', what),
    effectiveDate: stringField(fields, 'effectiveDate', what),
    correction: fields.correction,
    recordedAt: stringField(fields, 'recordedAt', what),
    contentHash: stringField(fields, 'contentHash', what),
    prevHash: stringField(fields, 'prevHash', what),
    hash: stringField(fields, 'hash', what),
    metadata: metadata === null ? null : metadata,
    recordedBy,
  };
}

// ---------------------------------------------------------------------------------------------
// eventId claims

export const CLAIM_EVENT_TYPE = 'LedgerEventIdClaimed';

/**
 * One claim of an eventId: the writer named `claimant` is about to append it to `streamId` at
 * version `streamVersion`, in a write that expects the stream at `afterVersion`. The latest claim
 * of the claim stream is the one in force.
 */
export interface EventIdClaim {
  readonly eventId: string;
  readonly streamId: string;
  readonly afterVersion: bigint;
  readonly streamVersion: bigint;
  readonly contentHash: string;
  readonly claimant: string;
  /** When the claim was written, epoch milliseconds of the claimant's clock. */
  readonly claimedAtMs: number;
}

export function encodeClaim(claim: EventIdClaim): JsonObject {
  return {
    eventId: claim.eventId,
    streamId: claim.streamId,
    // bigints travel as decimal strings: a JSON number would lose precision past 2^53.
    afterVersion: claim.afterVersion.toString(),
    streamVersion: claim.streamVersion.toString(),
    contentHash: claim.contentHash,
    claimant: claim.claimant,
    claimedAt: new Date(claim.claimedAtMs).toISOString(),
  };
}

export function decodeClaim(value: unknown, what: string): EventIdClaim {
  const fields = asObject(value, `${what}: claim`);
  const claimedAt = stringField(fields, 'claimedAt', what);
  const claimedAtMs = Date.parse(claimedAt);
  if (Number.isNaN(claimedAtMs)) throw new TypeError(`${what}: claimedAt ${JSON.stringify(claimedAt)} is not a time`);
  return {
    eventId: stringField(fields, 'eventId', what),
    streamId: stringField(fields, 'streamId', what),
    afterVersion: bigintField(fields, 'afterVersion', what),
    streamVersion: bigintField(fields, 'streamVersion', what),
    contentHash: stringField(fields, 'contentHash', what),
    claimant: stringField(fields, 'claimant', what),
    claimedAtMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Subscription checkpoints

export const CHECKPOINT_EVENT_TYPE = 'LedgerCheckpoint';

export function encodeCheckpoint(position: bigint): JsonObject {
  return { position: position.toString() };
}

export function decodeCheckpoint(value: unknown, what: string): bigint {
  const position = bigintField(asObject(value, `${what}: checkpoint`), 'position', what);
  if (position < 0n) throw new TypeError(`${what}: negative checkpoint ${position}`);
  return position;
}

// ---------------------------------------------------------------------------------------------

function isJsonObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!isJsonObject(value)) throw new TypeError(`${what} is not a JSON object`);
  return value;
}

function stringField(fields: Record<string, unknown>, name: string, what: string): string {
  const value = fields[name];
  if (typeof value !== 'string') throw new TypeError(`${what}: ${name} must be a string`);
  return value;
}

function bigintField(fields: Record<string, unknown>, name: string, what: string): bigint {
  const value = fields[name];
  if (typeof value !== 'string' || !/^-?\d{1,20}$/.test(value)) throw new TypeError(`${what}: ${name} must be a decimal integer string`);
  return BigInt(value);
}

/** True when `value` is a JSON object (the shape `data` must have). */
export function isEventData(value: unknown): value is JsonObject {
  return isJsonObject(value);
}
