import { randomBytes } from 'node:crypto';
import {
  READ_ALL_MAX_LIMIT,
  StreamVersionConflictError,
  type EventStore,
  type StoredEvent,
  type SubscriptionHandler,
} from '../event-store';
import { newEvent } from './events';

/** Where the contract suite runs: a store, and what only its adapter knows how to do. */
export interface EventStoreHarness {
  readonly store: EventStore;
  /** Another store on the same log, with nothing in memory: the same process after a restart. */
  reopen(): EventStore;
  /**
   * Resolves once followers can read every event stored so far, with the last one's position:
   * where a check of the whole log starts. PostgreSQL on a server holds events back from followers
   * while an older transaction runs in any database (another test suite, say), by design.
   */
  settledHead(): Promise<bigint>;
  /** The position a subscription has checkpointed, as the store keeps it; undefined when none. */
  checkpoint(subscriptionId: string): Promise<bigint | undefined>;
  close(): Promise<void>;
}

/** What an adapter's own cases, declared inside the suite, share with it. */
export interface ContractContext {
  readonly harness: () => EventStoreHarness;
  /** An id that no other test, and no earlier run against the same server, uses. */
  readonly fresh: (prefix: string) => string;
}

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Subscriptions poll a store that has no push (PostgreSQL) this often, so that tests wait little. */
const POLL_INTERVAL_MS = 5;

/**
 * The behaviours of the EventStore contract (../event-store.ts) that every adapter must show:
 * PgEventStore on each engine, EsdbEventStore on an in-memory log and on a server. Every stream,
 * event and subscription id carries a random prefix, since a server keeps what earlier runs wrote;
 * checks of the whole log start at its settled head before the test. `adapterCases` declares an
 * adapter's own cases inside the suite, on the same harness.
 */
export function describeEventStoreContract(
  title: string,
  open: () => Promise<EventStoreHarness>,
  adapterCases?: (context: ContractContext) => void,
): void {
  describe(title, () => {
    let current: EventStoreHarness | undefined;
    const run = randomBytes(4).toString('hex');
    let unique = 0;
    const fresh = (prefix: string): string => {
      unique += 1;
      return `${prefix}-${run}-${unique}`;
    };
    const harness = (): EventStoreHarness => {
      if (current === undefined) throw new Error('the harness is opened in beforeAll');
      return current;
    };
    const store = (): EventStore => harness().store;
    const storedIds = async (streamId: string): Promise<string[]> => (await store().readStream(streamId)).map((e) => e.eventId);

    /** The log after `after`, as readAll hands it over, `limit` events at a time. */
    async function pagesAfter(after: bigint, limit: number): Promise<StoredEvent[][]> {
      const pages: StoredEvent[][] = [];
      for (let from = after; ;) {
        const page = await store().readAll({ after: from, limit });
        if (page.length === 0) return pages;
        pages.push(page);
        from = page[page.length - 1]!.position;
      }
    }
    const logAfter = async (after: bigint): Promise<StoredEvent[]> => (await pagesAfter(after, READ_ALL_MAX_LIMIT)).flat();

    beforeAll(async () => {
      current = await open();
    });
    afterAll(async () => {
      await current?.close();
    });

    describe('append and read', () => {
      it('stores events with versions, positions, recordedAt and hashes, and reads them back as stored', async () => {
        const s = store();
        const streamId = fresh('budget-D01-2021');
        const events = [
          newEvent(fresh('e')),
          newEvent(fresh('e'), { data: { nested: { b: [1, 2.5, 'x'], a: null }, text: '深财预〔2021〕12号' } }),
          newEvent(fresh('e'), { metadata: null, correction: true }),
        ];
        const head = await harness().settledHead();
        const before = Date.now();
        const outcome = await s.append([{ streamId, expectedVersion: 'no_stream', events }]);

        expect(outcome.duplicates).toEqual([]);
        expect(outcome.conflicts).toEqual([]);
        const asGiven = outcome.stored.map(({ eventId, type, effectiveDate, correction, data, metadata }) => {
          return { eventId, type, effectiveDate, correction, data, metadata };
        });
        expect(asGiven).toEqual(events);
        expect(outcome.stored.map((e) => e.streamId)).toEqual([streamId, streamId, streamId]);
        expect(outcome.stored.map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
        const positions = outcome.stored.map((e) => e.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect(new Set(positions).size).toBe(3);
        expect(positions[0]! > head).toBe(true);
        for (const e of outcome.stored) {
          expect(e.recordedAt).toMatch(ISO_MS_UTC);
          expect(e.recordedAt).toBe(outcome.stored[0]!.recordedAt); // one recordedAt for one append to a stream
          expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
        }
        const recordedMs = Date.parse(outcome.stored[0]!.recordedAt);
        expect(recordedMs).toBeGreaterThanOrEqual(before - 60_000);
        expect(recordedMs).toBeLessThanOrEqual(Date.now() + 60_000);

        expect(await s.readStream(streamId)).toEqual(outcome.stored);
        await harness().settledHead();
        const all = await s.readAll({ after: head, limit: 100 });
        expect(all.filter((e) => e.streamId === streamId)).toEqual(outcome.stored);
        expect(await s.headPosition()).toBe(positions[2]);
      });

      it('reads a stream from a version, with a limit, and an unknown stream as empty', async () => {
        const s = store();
        const streamId = fresh('budget-D02-2021');
        const ids = [fresh('e'), fresh('e'), fresh('e'), fresh('e')];
        await s.append([{ streamId, events: ids.map((id) => newEvent(id)) }]);
        expect((await s.readStream(streamId, { fromVersion: 1n, limit: 2 })).map((e) => e.eventId)).toEqual(ids.slice(1, 3));
        expect(await s.readStream(fresh('nothing'))).toEqual([]);
      });

      it('reads the log in position order, a page at a time, after a position (exclusive), capped at the limit', async () => {
        const s = store();
        const [streamA, streamB] = [fresh('a'), fresh('b')];
        const head = await harness().settledHead();
        const first = await s.append([{ streamId: streamA, events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
        const second = await s.append([{ streamId: streamB, events: [newEvent(fresh('e'))] }]);
        const third = await s.append([{ streamId: streamA, events: [newEvent(fresh('e'))] }]);
        await harness().settledHead();
        const pages = await pagesAfter(head, 2);
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(2);
        const all = pages.flat();
        // Only the events: no record the store keeps for itself (EventStoreDB's claims and checkpoints).
        expect(all).toEqual([...first.stored, ...second.stored, ...third.stored]);
        expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((a, b) => (a < b ? -1 : 1)));
        expect(await s.headPosition()).toBe(third.stored[0]!.position);
        expect(await s.readAll({ after: first.stored[0]!.position, limit: 1 })).toEqual([first.stored[1]]);
        await expect(s.readAll({ after: 0n, limit: 0 })).rejects.toThrow(RangeError);
      });

      it('numbers positions so that they increase with the versions of every stream', async () => {
        const s = store();
        const streamId = fresh('budget-D03-2021');
        const first = await s.append([{ streamId, events: [newEvent(fresh('e'))] }]);
        const other = await s.append([{ streamId: fresh('other'), events: [newEvent(fresh('e'))] }]);
        const second = await s.append([{ streamId, events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
        const positions = [...first.stored, ...second.stored].map((e) => e.position);
        expect(positions[0]! < other.stored[0]!.position && other.stored[0]!.position < positions[1]!).toBe(true);
        expect(positions[1]! < positions[2]!).toBe(true);
      });

      it('refuses malformed events before writing', async () => {
        const s = store();
        const streamId = fresh('bad');
        await expect(s.append([{ streamId, events: [newEvent('has space')] }])).rejects.toThrow(TypeError);
        await expect(s.append([{ streamId, events: [newEvent(fresh('e'), { effectiveDate: '2021-3-5' })] }])).rejects.toThrow(/YYYY-MM-DD/);
        expect(await s.readStream(streamId)).toEqual([]);
      });
    });

    describe('expected version', () => {
      it("'no_stream' only for a stream without events", async () => {
        const s = store();
        const streamId = fresh('v');
        await s.append([{ streamId, expectedVersion: 'no_stream', events: [newEvent(fresh('e'))] }]);
        const attempt = s.append([{ streamId, expectedVersion: 'no_stream', events: [newEvent(fresh('e'))] }]);
        await expect(attempt).rejects.toBeInstanceOf(StreamVersionConflictError);
        await expect(attempt).rejects.toMatchObject({ code: 'STREAM_VERSION_CONFLICT', streamId, expected: 'no_stream', actual: 0n });
        expect(await s.readStream(streamId)).toHaveLength(1);
      });

      it('an exact version must be the version of the last event', async () => {
        const s = store();
        const streamId = fresh('v');
        await s.append([{ streamId, expectedVersion: -1n, events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
        await expect(s.append([{ streamId, expectedVersion: 0n, events: [newEvent(fresh('e'))] }])).rejects.toMatchObject({
          expected: 0n,
          actual: 1n,
        });
        await expect(s.append([{ streamId, expectedVersion: 2n, events: [newEvent(fresh('e'))] }])).rejects.toMatchObject({
          expected: 2n,
          actual: 1n,
        });
        const ok = await s.append([{ streamId, expectedVersion: 1n, events: [newEvent(fresh('e'))] }]);
        expect(ok.stored[0]!.streamVersion).toBe(2n);
      });

      it("'stream_exists' needs an event, 'any' takes whatever is there", async () => {
        const s = store();
        const streamId = fresh('v');
        await expect(s.append([{ streamId, expectedVersion: 'stream_exists', events: [newEvent(fresh('e'))] }])).rejects.toMatchObject({
          actual: -1n,
        });
        await s.append([{ streamId, expectedVersion: 'any', events: [newEvent(fresh('e'))] }]);
        await s.append([{ streamId, events: [newEvent(fresh('e'))] }]);
        const ok = await s.append([{ streamId, expectedVersion: 'stream_exists', events: [newEvent(fresh('e'))] }]);
        expect(ok.stored[0]!.streamVersion).toBe(2n);
      });

      it('checks a second append to the same stream in one call against the version after the first', async () => {
        const s = store();
        const streamId = fresh('v');
        const outcome = await s.append([
          { streamId, expectedVersion: 'no_stream', events: [newEvent(fresh('e'))] },
          { streamId, expectedVersion: 0n, events: [newEvent(fresh('e'))] },
        ]);
        expect(outcome.stored.map((e) => e.streamVersion)).toEqual([0n, 1n]);
      });

      it('leaves nothing stored when one stream of the call has a version conflict', async () => {
        const s = store();
        const [streamA, streamB] = [fresh('m'), fresh('m')];
        const ids = [fresh('e'), fresh('e')];
        await expect(
          s.append([
            { streamId: streamA, expectedVersion: 'no_stream', events: [newEvent(ids[0]!)] },
            { streamId: streamB, expectedVersion: 5n, events: [newEvent(ids[1]!)] },
          ]),
        ).rejects.toMatchObject({ streamId: streamB, actual: -1n });
        expect(await storedIds(streamA)).toEqual([]);
        const later = await s.append([{ streamId: streamA, expectedVersion: 'no_stream', events: [newEvent(ids[0]!)] }]);
        expect(later.stored).toHaveLength(1); // not a duplicate: the refused call left no trace
      });
    });

    describe('recordedBy', () => {
      it('keeps who posted each event beside it, outside its content: another poster of the same event is a duplicate', async () => {
        const s = store();
        const streamId = fresh('who');
        const [a, b] = [fresh('e'), fresh('e')];
        const first = await s.append([{ streamId, events: [newEvent(a, { recordedBy: 'key:k_0123456789ab' }), newEvent(b)] }]);
        expect(first.stored.map((e) => e.recordedBy)).toEqual(['key:k_0123456789ab', null]);
        const again = await s.append([{ streamId, events: [newEvent(a, { recordedBy: 'cli:someone\telse' })] }]);
        expect(again.duplicates.map((d) => d.eventId)).toEqual([a]);
        const read = await s.readStream(streamId);
        expect(read.map((e) => [e.eventId, e.recordedBy])).toEqual([
          [a, 'key:k_0123456789ab'],
          [b, null],
        ]);
        expect((await s.verify()).ok).toBe(true);
      });
    });

    describe('idempotency', () => {
      it('acknowledges a duplicate without storing it twice, and refuses a conflict, in whatever stream', async () => {
        const s = store();
        const streamId = fresh('i');
        const id = fresh('e');
        const first = await s.append([{ streamId, events: [newEvent(id)] }]);
        const position = first.stored[0]!.position;

        const again = await s.append([{ streamId, events: [newEvent(id)] }]);
        expect(again).toEqual({ stored: [], duplicates: [{ eventId: id, position }], conflicts: [] });

        const changed = await s.append([{ streamId, events: [newEvent(id, { data: { lineId: 'L1', amount: '2.00' } })] }]);
        expect(changed).toEqual({ stored: [], duplicates: [], conflicts: [{ eventId: id, position }] });

        // The same eventId is the same event whatever stream it is sent to.
        const elsewhere = await s.append([{ streamId: fresh('i'), events: [newEvent(id)] }]);
        expect(elsewhere.duplicates).toEqual([{ eventId: id, position }]);
        // A new process knows nothing in memory: what the log holds decides.
        const restarted = await harness()
          .reopen()
          .append([{ streamId: fresh('i'), events: [newEvent(id, { correction: true })] }]);
        expect(restarted).toEqual({ stored: [], duplicates: [], conflicts: [{ eventId: id, position }] });
        expect(await storedIds(streamId)).toEqual([id]);
      });

      it('stores the new events of a batch that also holds a duplicate and a conflict', async () => {
        const s = store();
        const streamId = fresh('i');
        const [dup, con, neu] = [fresh('e'), fresh('e'), fresh('e')];
        await s.append([{ streamId, events: [newEvent(dup), newEvent(con)] }]);
        const outcome = await s.append([{ streamId, events: [newEvent(dup), newEvent(con, { type: 'Other' }), newEvent(neu)] }]);
        expect(outcome.stored.map((e) => [e.eventId, e.streamVersion])).toEqual([[neu, 2n]]);
        expect(outcome.duplicates.map((e) => e.eventId)).toEqual([dup]);
        expect(outcome.conflicts.map((e) => e.eventId)).toEqual([con]);
        expect((await s.verify()).ok).toBe(true);
      });

      it('handles the same eventId twice in one call, in one stream or in two', async () => {
        const s = store();
        const [streamA, streamB] = [fresh('i'), fresh('i')];
        const id = fresh('e');
        const outcome = await s.append([
          { streamId: streamA, events: [newEvent(id), newEvent(id)] },
          { streamId: streamB, events: [newEvent(id), newEvent(id, { effectiveDate: '2021-03-16' })] },
        ]);
        expect(outcome.stored.map((e) => e.eventId)).toEqual([id]);
        const position = outcome.stored[0]!.position;
        expect(outcome.duplicates).toEqual([
          { eventId: id, position },
          { eventId: id, position },
        ]);
        expect(outcome.conflicts).toEqual([{ eventId: id, position }]);
        expect(await storedIds(streamB)).toEqual([]);
      });

      it('acknowledges the retry of a stored append although its expected version is now stale', async () => {
        const s = store();
        const streamId = fresh('i');
        const events = [newEvent(fresh('e')), newEvent(fresh('e'))];
        const first = await s.append([{ streamId, expectedVersion: 'no_stream', events }]);
        const retry = await s.append([{ streamId, expectedVersion: 'no_stream', events }]);
        expect(retry.stored).toEqual([]);
        expect(retry.duplicates).toEqual(first.stored.map((e) => ({ eventId: e.eventId, position: e.position })));
      });
    });

    describe('subscriptions', () => {
      /** A handler that records the batches it is given, and refuses those `failWhen` picks. */
      function recording(batches: StoredEvent[][], failWhen?: (events: readonly StoredEvent[]) => boolean): SubscriptionHandler {
        return async (events) => {
          batches.push([...events]);
          if (failWhen?.(events) === true) throw new Error('handler refused the batch');
        };
      }

      it('catches up, then follows what is appended', async () => {
        const s = store();
        const batches: StoredEvent[][] = [];
        const sub = s.subscribe({ subscriptionId: fresh('live'), pollIntervalMs: POLL_INTERVAL_MS }, recording(batches));
        await sub.caughtUp();
        expect(sub.position()).toBe(await s.headPosition());
        const handledBefore = batches.flat().length;
        const outcome = await s.append([{ streamId: fresh('sub-live'), events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
        await sub.caughtUp();
        expect(batches.flat().slice(handledBefore)).toEqual(outcome.stored);
        expect(sub.position()).toBe(outcome.stored[1]!.position);
        await sub.stop();
      });

      it('hands over the log in batches, checkpoints them, and resumes after the checkpoint after a restart', async () => {
        const s = store();
        const subscriptionId = fresh('resume');
        const streamId = fresh('sub-resume');
        const before = await s.append([{ streamId, events: [1, 2, 3, 4, 5].map(() => newEvent(fresh('r'))) }]);
        const options = { subscriptionId, batchSize: 2, pollIntervalMs: POLL_INTERVAL_MS };
        const batches: StoredEvent[][] = [];
        const sub = s.subscribe(options, recording(batches));
        await sub.caughtUp();
        await sub.stop();
        expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
        // The whole log from the start, each event once and in order; ours came last.
        expect(batches.flat()).toEqual(await logAfter(0n));
        expect(batches.flat().filter((e) => e.streamId === streamId)).toEqual(before.stored);
        expect(await harness().checkpoint(subscriptionId)).toBe(before.stored[4]!.position);

        const after = await s.append([{ streamId, events: [6, 7, 8].map(() => newEvent(fresh('r'))) }]);
        const resumedBatches: StoredEvent[][] = [];
        const resumed = harness().reopen().subscribe(options, recording(resumedBatches));
        await resumed.caughtUp();
        await resumed.stop();
        expect(resumedBatches.flat()).toEqual(after.stored);
        expect(resumed.position()).toBe(after.stored[2]!.position);
        expect(await harness().checkpoint(subscriptionId)).toBe(after.stored[2]!.position);
      });

      it('stops on a handler error without advancing the checkpoint, surfaces the error, and retries the batch on the next start', async () => {
        const s = store();
        const subscriptionId = fresh('failing');
        const { stored } = await s.append([{ streamId: fresh('sub-failing'), events: [1, 2, 3].map(() => newEvent(fresh('f'))) }]);
        const poisoned = stored[1]!;
        const options = { subscriptionId, batchSize: 1, pollIntervalMs: POLL_INTERVAL_MS };
        const batches: StoredEvent[][] = [];
        const sub = s.subscribe(
          options,
          recording(batches, (events) => events.some((e) => e.position === poisoned.position)),
        );
        await expect(sub.caughtUp()).rejects.toThrow('handler refused the batch');
        await expect(sub.stop()).rejects.toThrow('handler refused the batch');
        await expect(sub.caughtUp()).rejects.toThrow('handler refused the batch');
        // The log up to the failing batch, that batch tried once, and nothing after it.
        expect(batches.flat()).toEqual((await logAfter(0n)).filter((e) => e.position <= poisoned.position));
        expect(sub.position()).toBe(stored[0]!.position);
        expect(await harness().checkpoint(subscriptionId)).toBe(stored[0]!.position);

        // Once the cause is fixed, the next subscription under the same id starts again at the failed batch.
        const retried: StoredEvent[][] = [];
        const healthy = harness().reopen().subscribe(options, recording(retried));
        await healthy.caughtUp();
        await healthy.stop();
        expect(retried.flat().slice(0, 2)).toEqual(stored.slice(1));
        expect(retried.flat()).toEqual(await logAfter(stored[0]!.position));
      });
    });

    describe('verify', () => {
      it('recomputes every chain of the log and finds it intact', async () => {
        const s = store();
        await s.append([
          { streamId: fresh('vf'), events: [newEvent(fresh('e')), newEvent(fresh('e'), { metadata: { 文号: '〔2021〕12号' } })] },
          { streamId: fresh('vf'), events: [newEvent(fresh('e'), { metadata: null })] },
        ]);
        const report = await s.verify();
        expect(report).toEqual({ ok: true, events: report.events });
        expect(report.events).toBeGreaterThanOrEqual(3);
      });
    });

    adapterCases?.({ harness, fresh });
  });
}
