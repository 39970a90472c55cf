import { canonicalParts, contentHashOfParts, StreamVersionConflictError } from '@ledger/event-store';
import { describeEventStoreContract } from '@ledger/event-store/testing/contract-suite';
import { newEvent } from '@ledger/event-store/testing/events';
import { claimStreamOf, decodeClaim, decodeEnvelope, encodeEnvelope, eventUuid, isLedgerStream } from './encoding';
import { EventIdPendingError } from './claims';
import { EsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';
import { linkHash } from './records';
import { esdbCases, esdbHarness } from './testing/esdb-harness';
import { InMemoryEsdbLog } from './testing/in-memory-esdb-log';

// The contract suite, always, on an in-memory log with EventStoreDB's semantics.
describeEventStoreContract(
  'EsdbEventStore (in-memory EventStoreDB log)',
  async () => {
    const log = new InMemoryEsdbLog();
    return esdbHarness(
      () => new EsdbEventStore(log),
      async () => undefined,
    );
  },
  esdbCases,
);

/** A clock the test moves by hand. */
function manualClock(startMs = Date.parse('2021-03-15T00:00:00.000Z')): { now: () => number; advance: (ms: number) => void } {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => (nowMs += ms) };
}

class Crash extends Error {}

describe('EsdbEventStore on EventStoreDB’s semantics', () => {
  let log: InMemoryEsdbLog;
  const open = (options: EsdbEventStoreOptions = {}): EsdbEventStore => new EsdbEventStore(log, { pendingWaitMs: 0, ...options });

  beforeEach(() => {
    log = new InMemoryEsdbLog();
  });

  /** Makes the next append to `streamId` die before it reaches the log, as a writer that crashes after its claims. */
  function crashBeforeAppendTo(streamId: string): void {
    log.beforeAppend = (target) => {
      if (target !== streamId) return;
      log.beforeAppend = undefined;
      throw new Crash('writer died after claiming');
    };
  }

  describe('records', () => {
    it('keep data as data, the type as type, the envelope in the metadata and a UUIDv5 of the eventId', async () => {
      const event = newEvent('pay-1', { correction: true, metadata: { documentNo: '深财预〔2021〕12号' } });
      const { stored } = await open().append([{ streamId: 'budget-A', events: [event] }]);
      const record = log.record('budget-A', 0n);
      expect(record).toMatchObject({ type: 'PaymentRecorded', id: eventUuid('pay-1'), data: event.data });
      expect(decodeEnvelope(record.metadata, 'r')).toMatchObject({
        eventId: 'pay-1',
        effectiveDate: '2021-03-15',
        correction: true,
        recordedAt: stored[0]!.recordedAt,
        hash: stored[0]!.hash,
        metadata: event.metadata,
      });
      // One claim per eventId, naming where the event went.
      expect(decodeClaim(log.record(claimStreamOf('pay-1'), 0n).data, 'c')).toMatchObject({
        eventId: 'pay-1',
        streamId: 'budget-A',
        afterVersion: -1n,
        streamVersion: 0n,
      });
    });

    it('give recordedAt increasing within a stream, even when the clock steps back', async () => {
      const clock = manualClock();
      const s = open({ now: clock.now });
      const first = await s.append([{ streamId: 'budget-A', events: [newEvent('a-1')] }]);
      clock.advance(-5_000);
      const second = await s.append([{ streamId: 'budget-A', events: [newEvent('a-2')] }]);
      expect(Date.parse(second.stored[0]!.recordedAt)).toBe(Date.parse(first.stored[0]!.recordedAt) + 1);
    });

    it('are skipped by readAll and headPosition when they are EventStoreDB’s own or the adapter’s', async () => {
      const s = open();
      expect(await s.headPosition()).toBe(0n);
      expect(await s.readAll({ after: 0n, limit: 10 })).toEqual([]);
      const { stored } = await s.append([{ streamId: 'budget-A', events: [newEvent('a-1'), newEvent('a-2')] }]);
      // Claims and checkpoints after the last ledger event.
      const sub = s.subscribe({ subscriptionId: 'x' }, async () => undefined);
      await sub.caughtUp();
      await sub.stop();
      await log.append(
        '$stats-127.0.0.1:2113',
        [{ id: '00000000-0000-4000-8000-000000000009', type: '$statsCollected', data: {}, metadata: {} }],
        'any',
      );
      expect(log.records.filter((r) => !isLedgerStream(r.streamId)).length).toBeGreaterThan(4);
      expect(await s.headPosition()).toBe(stored[1]!.position);
      expect(await s.readAll({ after: 0n, limit: 10 })).toEqual(stored);
    });
  });

  describe('claims left behind', () => {
    it('by a writer that died before its append: the eventId waits, then is taken over once the claim has timed out', async () => {
      const clock = manualClock();
      crashBeforeAppendTo('budget-A');
      await expect(open({ now: clock.now }).append([{ streamId: 'budget-A', events: [newEvent('e-1')] }])).rejects.toBeInstanceOf(Crash);
      expect(log.records.some((r) => r.streamId === claimStreamOf('e-1'))).toBe(true);

      const retry = (): Promise<unknown> =>
        open({ now: clock.now, claimTimeoutMs: 60_000 }).append([{ streamId: 'budget-A', events: [newEvent('e-1')] }]);
      await expect(retry()).rejects.toBeInstanceOf(EventIdPendingError);
      await expect(retry()).rejects.toMatchObject({ code: 'EVENT_ID_PENDING', eventId: 'e-1', streamId: 'budget-A' });
      clock.advance(60_001);
      const outcome = await open({ now: clock.now }).append([{ streamId: 'budget-A', events: [newEvent('e-1')] }]);
      expect(outcome.stored.map((e) => e.eventId)).toEqual(['e-1']);
      expect(await open().verify()).toEqual({ ok: true, events: 1 });
    });

    it('by a writer whose stream moved on without its event: taken over at once', async () => {
      crashBeforeAppendTo('budget-A');
      await expect(open().append([{ streamId: 'budget-A', events: [newEvent('e-1')] }])).rejects.toBeInstanceOf(Crash);
      await open().append([{ streamId: 'budget-A', events: [newEvent('e-2')] }]);
      // The claimed write expected an empty stream: it can never land now.
      const outcome = await open().append([{ streamId: 'budget-B', events: [newEvent('e-1')] }]);
      expect(outcome.stored.map((e) => [e.streamId, e.eventId])).toEqual([['budget-B', 'e-1']]);
      expect(decodeClaim(log.record(claimStreamOf('e-1'), 1n).data, 'c')).toMatchObject({ streamId: 'budget-B' });
    });

    it('by a writer that died after its append landed: the retry is a duplicate with the stored position', async () => {
      log.afterAppend = (streamId) => {
        if (streamId !== 'budget-A') return;
        log.afterAppend = undefined;
        throw new Crash('writer died before hearing back');
      };
      await expect(
        open().append([{ streamId: 'budget-A', expectedVersion: 'no_stream', events: [newEvent('e-1')] }]),
      ).rejects.toBeInstanceOf(Crash);
      const [stored] = await open().readStream('budget-A');
      const retry = await open().append([{ streamId: 'budget-A', expectedVersion: 'no_stream', events: [newEvent('e-1')] }]);
      expect(retry).toEqual({ stored: [], duplicates: [{ eventId: 'e-1', position: stored!.position }], conflicts: [] });
    });
  });

  describe('concurrent writers', () => {
    it('store an eventId sent to two streams at once exactly once; the other writer gets a duplicate', async () => {
      const [a, b] = await Promise.all([
        open({ pendingWaitMs: 5_000 }).append([{ streamId: 'budget-A', events: [newEvent('same')] }]),
        open({ pendingWaitMs: 5_000 }).append([{ streamId: 'budget-B', events: [newEvent('same')] }]),
      ]);
      const stored = [...a.stored, ...b.stored];
      expect(stored).toHaveLength(1);
      expect([...a.duplicates, ...b.duplicates]).toEqual([{ eventId: 'same', position: stored[0]!.position }]);
      expect(await open().verify()).toEqual({ ok: true, events: 1 });
    });

    it("chain 'any' appends to one stream one after the other, never both from the same predecessor", async () => {
      const writers = Array.from({ length: 4 }, (_, i) =>
        open().append([{ streamId: 'budget-A', events: [newEvent(`w-${i}-0`), newEvent(`w-${i}-1`)] }]),
      );
      await Promise.all(writers);
      const events = await open().readStream('budget-A');
      expect(events.map((e) => e.streamVersion)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
      expect(await open().verify()).toEqual({ ok: true, events: 8 });
    });

    it('refuse an exact expected version when the stream moves between the read of its head and the write', async () => {
      await open().append([{ streamId: 'budget-A', events: [newEvent('a-0')] }]);
      log.beforeAppend = async (streamId) => {
        if (streamId !== 'budget-A') return;
        log.beforeAppend = undefined;
        await open().append([{ streamId: 'budget-A', events: [newEvent('sneaked-in')] }]);
      };
      const attempt = open().append([{ streamId: 'budget-A', expectedVersion: 0n, events: [newEvent('a-1')] }]);
      await expect(attempt).rejects.toBeInstanceOf(StreamVersionConflictError);
      await expect(attempt).rejects.toMatchObject({ expected: 0n, actual: 1n });
      // Its claim names a write that can no longer land: the eventId is free again.
      const later = await open().append([{ streamId: 'budget-A', expectedVersion: 1n, events: [newEvent('a-1')] }]);
      expect(later.stored.map((e) => [e.eventId, e.streamVersion])).toEqual([['a-1', 2n]]);
      expect(await open().verify()).toEqual({ ok: true, events: 3 });
    });

    it('re-chain an append without exact expectation from the new head when the stream moved', async () => {
      await open().append([{ streamId: 'budget-A', events: [newEvent('a-0')] }]);
      log.beforeAppend = async (streamId) => {
        if (streamId !== 'budget-A') return;
        log.beforeAppend = undefined;
        await open().append([{ streamId: 'budget-A', events: [newEvent('sneaked-in')] }]);
      };
      const outcome = await open().append([{ streamId: 'budget-A', expectedVersion: 'stream_exists', events: [newEvent('a-1')] }]);
      expect(outcome.stored.map((e) => [e.eventId, e.streamVersion])).toEqual([['a-1', 2n]]);
      expect(await open().verify()).toEqual({ ok: true, events: 3 });
    });
  });

  describe('verify', () => {
    beforeEach(async () => {
      const s = open();
      for (let round = 0; round < 3; round += 1) {
        await s.append([
          {
            streamId: 'budget-A',
            events: [newEvent(`a-${round}-0`), newEvent(`a-${round}-1`, { data: { amount: `${round}.50`, n: round * 1.5 } })],
          },
          { streamId: 'budget-B', events: [newEvent(`b-${round}`, { metadata: round === 1 ? null : { source: 'x' } })] },
        ]);
      }
    });

    const positionOf = async (streamId: string, version: bigint): Promise<string> =>
      (await open().readStream(streamId, { fromVersion: version, limit: 1 }))[0]!.position.toString();

    it('verifies a clean log', async () => {
      expect(await open().verify()).toEqual({ ok: true, events: 9 });
    });

    it('finds data changed in place', async () => {
      log.record('budget-A', 3n).data = { amount: '9.50', n: 1.5 };
      expect(await open().verify()).toMatchObject({
        ok: false,
        firstBrokenPosition: await positionOf('budget-A', 3n),
        reason: /content hash/,
      });
    });

    it('finds an envelope rewritten to match changed content, by the chain', async () => {
      const record = log.record('budget-B', 1n);
      const envelope = decodeEnvelope(record.metadata, 'r');
      const changed = newEvent('b-1', { metadata: null, correction: true });
      record.metadata = encodeEnvelope({ ...envelope, correction: true, contentHash: contentHashOfParts(canonicalParts(changed)) });
      expect(await open().verify()).toMatchObject({
        ok: false,
        firstBrokenPosition: await positionOf('budget-B', 1n),
        reason: /hash does not match/,
      });
    });

    it('finds an eventId stored twice and an event whose UUID is not its eventId’s', async () => {
      const [original] = await log.readStream('budget-A', { fromRevision: 0n, maxCount: 1, direction: 'forwards' });
      const copy = { ...(original!.metadata as object), prevHash: '0'.repeat(64) };
      const envelope = decodeEnvelope(copy, 'copy');
      const hash = linkHash(envelope.prevHash, 'budget-C', 0n, envelope.eventId, envelope.recordedAt, envelope.contentHash);
      await log.append(
        'budget-C',
        [{ id: eventUuid('a-0-0'), type: original!.type, data: original!.data as never, metadata: encodeEnvelope({ ...envelope, hash }) }],
        'no_stream',
      );
      expect(await open().verify()).toMatchObject({ ok: false, reason: /a-0-0: stored twice/ });

      log.record('budget-C', 0n).id = eventUuid('something-else');
      expect(await open().verify()).toMatchObject({ ok: false, reason: /not the UUID of its eventId/ });
    });

    it('finds a record in a ledger stream that is not a ledger event', async () => {
      await log.append('budget-A', [{ id: '00000000-0000-4000-8000-00000000000a', type: 'Foreign', data: { x: 1 }, metadata: {} }], 'any');
      expect(await open().verify()).toMatchObject({ ok: false, reason: /not a ledger event/ });
    });
  });

  describe('subscriptions', () => {
    it('fail when another instance moved the checkpoint', async () => {
      await open().append([{ streamId: 'budget-A', events: [newEvent('a-0')] }]);
      const first = open().subscribe({ subscriptionId: 'twice' }, async () => undefined);
      await first.caughtUp();
      const second = open().subscribe({ subscriptionId: 'twice' }, async () => undefined);
      await second.caughtUp();
      await open().append([{ streamId: 'budget-A', events: [newEvent('a-1')] }]);
      // Both handle a-1; the one that checkpoints second finds the checkpoint moved, and stops.
      const results = await Promise.allSettled([first.caughtUp(), second.caughtUp()]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failed = results.findIndex((r) => r.status === 'rejected');
      expect((results[failed] as PromiseRejectedResult).reason).toEqual(
        new Error('subscription twice: its checkpoint was moved by another instance'),
      );
      await expect([first, second][failed]!.stop()).rejects.toThrow(/moved by another instance/);
      await [first, second][1 - failed]!.stop();
    });

    it('keep only the last checkpoints', async () => {
      const s = open();
      const sub = s.subscribe({ subscriptionId: 'many', batchSize: 1 }, async () => undefined);
      for (let i = 0; i < 40; i += 1) await s.append([{ streamId: 'budget-A', events: [newEvent(`m-${i}`)] }]);
      await sub.caughtUp();
      await sub.stop();
      const kept = await log.readStream('$ledger-checkpoint-many', { fromRevision: 'start', maxCount: 1_000, direction: 'forwards' });
      expect(kept.length).toBeLessThanOrEqual(16);
      expect(kept.at(-1)!.revision).toBeGreaterThanOrEqual(16n);
    });
  });
});
