import { WrongExpectedVersionError } from '@eventstore/db-client';
import { StreamVersionConflictError } from '@ledger/event-store';
import {
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
  isLedgerStream,
  LEDGER_EVENT_UUID_NAMESPACE,
  ledgerPositionOf,
  readPositionAfter,
  satisfiesExpectedVersion,
  streamVersionConflict,
  toEsdbExpectedRevision,
  uuidV5,
  type EventEnvelope,
  type EventIdClaim,
} from './encoding';

/** What the value looks like after JSON on the wire: the way EventStoreDB hands metadata back. */
function overTheWire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

describe('uuidV5', () => {
  it('gives the RFC 4122 / Python test vectors', () => {
    const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const url = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') in the Python documentation.
    expect(uuidV5('python.org', dns)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('http://example.com/', url)).toBe('0a300ee9-f9e4-5697-a51a-efc7fafaba67');
  });

  it('hashes the UTF-8 bytes of the name, and refuses a namespace that is not a UUID', () => {
    expect(uuidV5('预算', LEDGER_EVENT_UUID_NAMESPACE)).not.toBe(uuidV5('??', LEDGER_EVENT_UUID_NAMESPACE));
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(TypeError);
  });

  it('derives one stable version-5 UUID per eventId', () => {
    const id = eventUuid('pay-2021-000123');
    expect(id).toBe(eventUuid('pay-2021-000123'));
    expect(id).not.toBe(eventUuid('pay-2021-000124'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Pinned: a change of namespace or algorithm would break EventStoreDB's idempotency for stored events.
    expect(id).toBe(uuidV5('pay-2021-000123', '4f1c6a52-7b0e-4d39-9a3e-6c2d8e51b7a4'));
  });
});

describe('expected versions', () => {
  it('map onto EventStoreDB expected revisions', () => {
    expect(toEsdbExpectedRevision('any')).toBe('any');
    expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(toEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toEsdbExpectedRevision(-1n)).toBe('no_stream');
    expect(toEsdbExpectedRevision(0n)).toBe(0n);
    expect(toEsdbExpectedRevision(41n)).toBe(41n);
    expect(() => toEsdbExpectedRevision(-2n)).toThrow(RangeError);
  });

  it('are checked against the version of the last event (-1n: none)', () => {
    const cases: [Parameters<typeof satisfiesExpectedVersion>[0], bigint, boolean][] = [
      ['any', -1n, true],
      ['any', 5n, true],
      ['no_stream', -1n, true],
      ['no_stream', 0n, false],
      ['stream_exists', -1n, false],
      ['stream_exists', 0n, true],
      [-1n, -1n, true],
      [2n, 2n, true],
      [2n, 1n, false],
      [2n, 3n, false],
    ];
    for (const [expected, actual, ok] of cases) {
      expect([expected, actual, satisfiesExpectedVersion(expected, actual)]).toEqual([expected, actual, ok]);
    }
  });

  it('turn a WrongExpectedVersionError into the contract’s conflict error', () => {
    const wrong = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'no_stream', current: 3n });
    const conflict = streamVersionConflict('s', 'no_stream', wrong.actualVersion);
    expect(conflict).toBeInstanceOf(StreamVersionConflictError);
    expect(conflict).toMatchObject({ code: 'STREAM_VERSION_CONFLICT', streamId: 's', expected: 'no_stream', actual: 3n });
    expect(streamVersionConflict('s', 'stream_exists', 'no_stream').actual).toBe(-1n);
  });
});

describe('envelope in the metadata', () => {
  const envelope: EventEnvelope = {
    eventId: 'pay-2021-000123',
    effectiveDate: '2021-03-15',
    correction: true,
    recordedAt: '2021-03-15T01:02:03.004Z',
    contentHash: 'a'.repeat(64),
    prevHash: '0'.repeat(64),
    hash: 'b'.repeat(64),
    metadata: { source: 'treasury', documentNo: '深财预〔2021〕12号', nested: { n: 1.5, list: [1, null, 'x'] } },
    recordedBy: 'key:k_0123456789ab',
  };

  it('survives a round trip through JSON', () => {
    expect(decodeEnvelope(overTheWire(encodeEnvelope(envelope)), 'e')).toEqual(envelope);
    const bare = { ...envelope, metadata: null, correction: false, recordedBy: null };
    expect(decodeEnvelope(overTheWire(encodeEnvelope(bare)), 'e')).toEqual(bare);
    // Envelopes written before recordedBy was kept have none: read as unknown.
    const { recordedBy: _, ...older } = encodeEnvelope(envelope);
    expect(decodeEnvelope(overTheWire(older), 'e').recordedBy).toBeNull();
    expect(() => decodeEnvelope({ ...encodeEnvelope(envelope), recordedBy: 7 }, 'e')).toThrow(/recordedBy/);
  });

  it('refuses metadata that is not a ledger envelope, naming the field', () => {
    const encoded = encodeEnvelope(envelope);
    expect(() => decodeEnvelope(undefined, 'stream s revision 0')).toThrow('stream s revision 0: metadata is not a JSON object');
    expect(() => decodeEnvelope(new Uint8Array([1]), 'e')).toThrow(TypeError);
    expect(() => decodeEnvelope({ ...encoded, ledgerEnvelope: 2 }, 'e')).toThrow(/ledgerEnvelope/);
    expect(() => decodeEnvelope({ ...encoded, hash: 7 }, 'e')).toThrow('e: hash must be a string');
    expect(() => decodeEnvelope({ ...encoded, correction: 'yes' }, 'e')).toThrow(/correction/);
    expect(() => decodeEnvelope({ ...encoded, metadata: [1] }, 'e')).toThrow(/metadata.metadata/);
  });
});

describe('claims and checkpoints', () => {
  it('round-trip, bigints as decimal strings', () => {
    const claim: EventIdClaim = {
      eventId: 'e-1',
      streamId: 'budget-D01-2021',
      afterVersion: -1n,
      streamVersion: 9_007_199_254_740_993n, // past 2^53: would be rounded as a JSON number
      contentHash: 'c'.repeat(64),
      claimant: 'writer-1',
      claimedAtMs: Date.parse('2021-03-15T01:02:03.004Z'),
    };
    const wire = overTheWire(encodeClaim(claim));
    expect(wire).toMatchObject({ streamVersion: '9007199254740993', afterVersion: '-1', claimedAt: '2021-03-15T01:02:03.004Z' });
    expect(decodeClaim(wire, 'c')).toEqual(claim);
    expect(() => decodeClaim({ ...(wire as object), streamVersion: 3 }, 'c')).toThrow(/streamVersion/);
    expect(() => decodeClaim({ ...(wire as object), claimedAt: 'never' }, 'c')).toThrow(/claimedAt/);

    expect(decodeCheckpoint(overTheWire(encodeCheckpoint(123_456_789_012_345_678n)), 'k')).toBe(123_456_789_012_345_678n);
    expect(() => decodeCheckpoint({ position: '-5' }, 'k')).toThrow(/negative/);
    expect(() => decodeCheckpoint({ position: 5 }, 'k')).toThrow(/position/);
  });

  it('live in `$` streams, which are never ledger streams', () => {
    expect(claimStreamOf('pay-1')).toBe('$ledger-eventid-pay-1');
    expect(checkpointStreamOf('projections')).toBe('$ledger-checkpoint-projections');
    expect(isLedgerStream(claimStreamOf('pay-1'))).toBe(false);
    expect(isLedgerStream(checkpointStreamOf('x'))).toBe(false);
    expect(isLedgerStream('$stats-127.0.0.1:2113')).toBe(false);
    expect(isLedgerStream('$$budget-D01-2021')).toBe(false);
    expect(isLedgerStream('budget-D01-2021')).toBe(true);
    expect(isLedgerStream('')).toBe(false);
  });
});

describe('positions', () => {
  it('are the $all commit position', () => {
    expect(ledgerPositionOf({ commit: 4_096n, prepare: 4_096n }, 'e')).toBe(4_096n);
    expect(() => ledgerPositionOf(undefined, 'stream s revision 1')).toThrow(/22\.6/);
    expect(() => ledgerPositionOf({ commit: -1n, prepare: -1n }, 'e')).toThrow(/negative/);
  });

  it('start a read of $all at `after` itself (skipped by the reader), or at the start for 0', () => {
    expect(readPositionAfter(0n)).toBe('start');
    expect(readPositionAfter(18_446_744_073_709_551_000n)).toEqual({
      commit: 18_446_744_073_709_551_000n,
      prepare: 18_446_744_073_709_551_000n,
    });
    expect(() => readPositionAfter(-1n)).toThrow(RangeError);
  });

  it('order by commit, then prepare', () => {
    const at = (commit: bigint, prepare: bigint) => ({ commit, prepare });
    expect(comparePositions(at(1n, 1n), at(2n, 2n))).toBe(-1);
    expect(comparePositions(at(2n, 2n), at(1n, 1n))).toBe(1);
    expect(comparePositions(at(5n, 3n), at(5n, 4n))).toBe(-1);
    expect(comparePositions(at(5n, 4n), at(5n, 4n))).toBe(0);
  });
});
