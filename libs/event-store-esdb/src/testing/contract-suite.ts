import { randomBytes } from 'node:crypto';
import { StreamVersionConflictError, type StoredEvent, type SubscriptionHandler } from '@ledger/event-store/event-store';
import { newEvent } from '@ledger/event-store/testing/events';
import { checkpointStreamOf, decodeCheckpoint } from '../encoding';
import type { EsdbEventStore } from '../esdb-event-store';

/** Where the suite runs: an in-memory log (always) or an EventStoreDB server (EVENTSTORE_URL). */
export interface EsdbHarness {
  readonly store: EsdbEventStore;
  /** Another store on the same log, with nothing in memory: the same process after a restart. */
  reopen(): EsdbEventStore;
  close(): Promise<void>;
}

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The behaviours of the PostgreSQL contract suite (libs/event-store/src/pg-event-store.spec.ts)
 * that hold on EventStoreDB too. Every stream, event and subscription id carries a random prefix,
 * since a server keeps what earlier runs wrote; checks on the whole log start at its head before
 * the test.
 */
export function describeEsdbContract(title: string, open: () => Promise<EsdbHarness>): void {
  describe(title, () => {
    let harness: EsdbHarness;
    const run = randomBytes(4).toString('hex');
    let unique = 0;
    const fresh = (prefix: string): string => {
      unique += 1;
      return `${prefix}-${run}-${unique}`;
    };
    const store = (): EsdbEventStore => harness.store;
    const storedIds = async (streamId: string): Promise<string[]> => (await store().readStream(streamId)).map((e) => e.eventId);
    const ours = (events: readonly StoredEvent[]): StoredEvent[] => events.filter((e) => e.streamId.includes(`-${run}-`));

    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
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
        const head = await s.headPosition();
        const before = Date.now();
        const outcome = await s.append([{ streamId, expectedVersion: 'no_stream', events }]);

        expect(outcome.duplicates).toEqual([]);
        expect(outcome.conflicts).toEqual([]);
        expect(outcome.stored.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
        expect(outcome.stored.map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
        expect(outcome.stored.map((e) => e.data)).toEqual(events.map((e) => e.data));
        expect(outcome.stored.map((e) => e.metadata)).toEqual(events.map((e) => e.metadata));
        const positions = outcome.stored.map((e) => e.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect(new Set(positions).size).toBe(3);
        expect(positions[0]! > head).toBe(true);
        for (const e of outcome.stored) {
          expect(e.recordedAt).toMatch(ISO_MS_UTC);
          expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
        }
        const recordedMs = Date.parse(outcome.stored[0]!.recordedAt);
        expect(recordedMs).toBeGreaterThanOrEqual(before - 60_000);
        expect(recordedMs).toBeLessThanOrEqual(Date.now() + 60_000);

        expect(await s.readStream(streamId)).toEqual(outcome.stored);
        const all = await s.readAll({ after: head, limit: 100 });
        expect(ours(all).filter((e) => e.streamId === streamId)).toEqual(outcome.stored);
        expect(await s.headPosition()).toBe(positions[2]);
      });

      it('reads a stream from a version, with a limit, and an unknown stream as empty', async () => {
        const s = store();
        const streamId = fresh('budget-D02-2021');
        const ids = [fresh('e'), fresh('e'), fresh('e'), fresh('e')];
        await s.append([{ streamId, events: ids.map((id) => newEvent(id)) }]);
        expect((await s.readStream(streamId, { fromVersion: 1n, limit: 2 })).map((e) => e.eventId)).toEqual(ids.slice(1, 3));
        expect(await s.readStream(fresh('nothing'))).toEqual([]);
        await expect(s.readStream('$ledger-eventid-x')).rejects.toThrow(TypeError);
      });

      it('reads the log in position order, a page at a time, after a position (exclusive), capped at the limit', async () => {
        const s = store();
        const streamA = fresh('a');
        const streamB = fresh('b');
        const head = await s.headPosition();
        const first = await s.append([{ streamId: streamA, events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
        const second = await s.append([{ streamId: streamB, events: [newEvent(fresh('e'))] }]);
        const third = await s.append([{ streamId: streamA, events: [newEvent(fresh('e'))] }]);
        const pages: StoredEvent[][] = [];
        for (let after = head; ;) {
          const page = await s.readAll({ after, limit: 2 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(2);
          pages.push(page);
          after = page[page.length - 1]!.position;
        }
        // Only ledger events: no claim, checkpoint or system record.
        expect(pages.flat()).toEqual([...first.stored, ...second.stored, ...third.stored]);
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

      it('refuses malformed events and reserved stream names before writing', async () => {
        const s = store();
        const streamId = fresh('bad');
        await expect(s.append([{ streamId, events: [newEvent('has space')] }])).rejects.toThrow(TypeError);
        await expect(s.append([{ streamId, events: [newEvent(fresh('e'), { effectiveDate: '2021-3-5' })] }])).rejects.toThrow(/YYYY-MM-DD/);
        await expect(s.append([{ streamId, events: [newEvent(fresh('e'), { type: '$metadata' })] }])).rejects.toThrow(/type/);
        await expect(s.append([{ streamId: `$${streamId}`, events: [newEvent(fresh('e'))] }])).rejects.toThrow(/'\$'/);
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

      it('checks every expected version of a call before writing any stream', async () => {
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

        const elsewhere = await s.append([{ streamId: fresh('i'), events: [newEvent(id)] }]);
        expect(elsewhere.duplicates).toEqual([{ eventId: id, position }]);
        // A new process knows nothing in memory: the claim is what it finds.
        const restarted = await harness.reopen().append([{ streamId: fresh('i'), events: [newEvent(id, { correction: true })] }]);
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
      /** A handler that records the batches it is given. */
      function recording(batches: StoredEvent[][], failWhen?: (events: readonly StoredEvent[]) => boolean): SubscriptionHandler {
        return async (events) => {
          batches.push([...events]);
          if (failWhen?.(events) === true) throw new Error('handler refused the batch');
        };
      }

      async function checkpoint(subscriptionId: string): Promise<bigint | undefined> {
        const [last] = await store().log.readStream(checkpointStreamOf(subscriptionId), {
          fromRevision: 'end',
          maxCount: 1,
          direction: 'backwards',
        });
        return last === undefined ? undefined : decodeCheckpoint(last.data, 'checkpoint');
      }

      it('catches up, then follows what is appended', async () => {
        const s = store();
        const batches: StoredEvent[][] = [];
        const sub = s.subscribe({ subscriptionId: fresh('live') }, recording(batches));
        await sub.caughtUp();
        expect(sub.position()).toBe(await s.headPosition());
        const handledBefore = batches.flat().length;
        const outcome = await s.append([{ streamId: fresh('sub-live'), events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
        await sub.caughtUp();
        expect(batches.flat().slice(handledBefore)).toEqual(outcome.stored);
        expect(sub.position()).toBe(outcome.stored[1]!.position);
        await sub.stop();
      });

      it('hands over batches, checkpoints them, and resumes after the checkpoint after a restart', async () => {
        const s = store();
        const subscriptionId = fresh('resume');
        const streamId = fresh('sub-resume');
        const before = await s.append([{ streamId, events: [1, 2, 3, 4, 5].map(() => newEvent(fresh('r'))) }]);
        const batches: StoredEvent[][] = [];
        const sub = s.subscribe({ subscriptionId, batchSize: 2 }, recording(batches));
        await sub.caughtUp();
        await sub.stop();
        expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
        const handled = batches.flat();
        expect(handled.filter((e) => e.streamId === streamId)).toEqual(before.stored);
        const positions = handled.map((e) => e.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect(await checkpoint(subscriptionId)).toBe(before.stored[4]!.position);

        const after = await s.append([{ streamId, events: [6, 7, 8].map(() => newEvent(fresh('r'))) }]);
        const resumedBatches: StoredEvent[][] = [];
        const resumed = harness.reopen().subscribe({ subscriptionId, batchSize: 2 }, recording(resumedBatches));
        await resumed.caughtUp();
        await resumed.stop();
        expect(resumedBatches.flat()).toEqual(after.stored);
        expect(resumed.position()).toBe(after.stored[2]!.position);
        expect(await checkpoint(subscriptionId)).toBe(after.stored[2]!.position);
      });

      it('stops on a handler error without advancing the checkpoint, surfaces the error, and retries the batch on the next start', async () => {
        const s = store();
        const subscriptionId = fresh('failing');
        const streamId = fresh('sub-failing');
        const { stored } = await s.append([{ streamId, events: [1, 2, 3].map(() => newEvent(fresh('f'))) }]);
        const poisoned = stored[1]!;
        const batches: StoredEvent[][] = [];
        const sub = s.subscribe(
          { subscriptionId, batchSize: 1 },
          recording(batches, (events) => events.some((e) => e.position === poisoned.position)),
        );
        await expect(sub.caughtUp()).rejects.toThrow('handler refused the batch');
        await expect(sub.stop()).rejects.toThrow('handler refused the batch');
        expect(batches.flat().at(-1)).toEqual(poisoned); // tried once, nothing after it
        expect(sub.position()).toBe(stored[0]!.position);
        expect(await checkpoint(subscriptionId)).toBe(stored[0]!.position);

        const retried: StoredEvent[][] = [];
        const healthy = harness.reopen().subscribe({ subscriptionId, batchSize: 1 }, recording(retried));
        await healthy.caughtUp();
        await healthy.stop();
        expect(retried.flat().slice(0, 2)).toEqual(stored.slice(1));
      });

      it('gives the handler no transaction: using it fails loudly', async () => {
        const s = store();
        const errors: unknown[] = [];
        await s.append([{ streamId: fresh('sub-tx'), events: [newEvent(fresh('t'))] }]);
        const sub = s.subscribe({ subscriptionId: fresh('tx') }, async (_events, tx) => {
          await tx.query('SELECT 1').catch((error: unknown) => errors.push(error));
        });
        await sub.caughtUp();
        await sub.stop();
        expect(errors.length).toBeGreaterThan(0);
        expect(String(errors[0])).toMatch(/no transaction/);
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
  });
}
