import { StreamVersionConflictError, type StoredEvent, type SubscriptionHandler } from './event-store';
import { PgEventStore } from './pg-event-store';
import { describeEachEngine } from './testing/test-databases';
import { newEvent } from './testing/events';

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let unique = 0;
/** A stream (or event) id no other test of the suite uses, since the suite shares one database. */
function fresh(prefix: string): string {
  unique += 1;
  return `${prefix}-${unique}`;
}

/**
 * Waits until readAll reaches `position`. On the server, a transaction running in any database
 * (another test suite, say) holds events back from followers until it ends, by design.
 */
async function readable(store: PgEventStore, position: bigint): Promise<void> {
  for (const deadline = Date.now() + 10_000; (await store.headPosition()) < position;) {
    if (Date.now() > deadline) throw new Error(`position ${position} never became readable`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function storedIds(store: PgEventStore, streamId: string): Promise<string[]> {
  return (await store.readStream(streamId)).map((e) => e.eventId);
}

describeEachEngine('PgEventStore', (get) => {
  const store = (): PgEventStore => new PgEventStore(get().db);

  describe('append and read', () => {
    it('stores events with versions, positions, recordedAt and hashes, and reads them back as stored', async () => {
      const s = store();
      const streamId = fresh('budget-D01-2021');
      const events = [
        newEvent(fresh('e')),
        newEvent(fresh('e'), { data: { nested: { b: [1, 2.5, 'x'], a: null }, text: '深财预〔2021〕12号' } }),
        newEvent(fresh('e'), { metadata: null, correction: true }),
      ];
      const before = Date.now();
      const outcome = await s.append([{ streamId, expectedVersion: 'no_stream', events }]);

      expect(outcome.duplicates).toEqual([]);
      expect(outcome.conflicts).toEqual([]);
      expect(outcome.stored.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expect(outcome.stored.map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
      const positions = outcome.stored.map((e) => e.position);
      expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
      expect(new Set(positions).size).toBe(3);
      for (const e of outcome.stored) {
        expect(e.recordedAt).toMatch(ISO_MS_UTC);
        expect(e.recordedAt).toBe(outcome.stored[0]!.recordedAt); // one transaction time for all
        expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      }
      const recordedMs = Date.parse(outcome.stored[0]!.recordedAt);
      expect(recordedMs).toBeGreaterThanOrEqual(before - 60_000);
      expect(recordedMs).toBeLessThanOrEqual(Date.now() + 60_000);

      expect(await s.readStream(streamId)).toEqual(outcome.stored);
      await readable(s, positions[2]!);
      const all = await s.readAll({ after: positions[0]! - 1n, limit: 100 });
      expect(all.filter((e) => e.streamId === streamId)).toEqual(outcome.stored);
      expect(await s.headPosition()).toBeGreaterThanOrEqual(positions[2]!);
    });

    it('reads a stream from a version, with a limit, and an unknown stream as empty', async () => {
      const s = store();
      const streamId = fresh('budget-D02-2021');
      const ids = [fresh('e'), fresh('e'), fresh('e'), fresh('e')];
      await s.append([{ streamId, events: ids.map((id) => newEvent(id)) }]);
      expect((await s.readStream(streamId, { fromVersion: 1n, limit: 2 })).map((e) => e.eventId)).toEqual(ids.slice(1, 3));
      expect(await s.readStream(fresh('nothing'))).toEqual([]);
    });

    it('reads the whole log in position order, a page at a time, capped at the limit', async () => {
      const s = store();
      const streamA = fresh('a');
      const streamB = fresh('b');
      await s.append([{ streamId: streamA, events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
      await s.append([{ streamId: streamB, events: [newEvent(fresh('e'))] }]);
      const last = await s.append([{ streamId: streamA, events: [newEvent(fresh('e'))] }]);
      await readable(s, last.stored[0]!.position);
      const pages: StoredEvent[][] = [];
      for (let after = 0n; ;) {
        const page = await s.readAll({ after, limit: 2 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        pages.push(page);
        after = page[page.length - 1]!.position;
      }
      const all = pages.flat();
      expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((a, b) => (a < b ? -1 : 1)));
      expect(all.filter((e) => e.streamId === streamA).map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
      expect(all[all.length - 1]!.position).toBe(await s.headPosition());
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

    it('refuses malformed events before touching the database', async () => {
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
  });

  describe('idempotency', () => {
    it('acknowledges a duplicate without storing it twice, and refuses a conflict', async () => {
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
      expect(await storedIds(s, streamId)).toEqual([id]);
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
      expect(await storedIds(s, streamB)).toEqual([]);
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

  describe('transaction time', () => {
    it('strictly increases within a stream, however close the commits', async () => {
      const s = store();
      const streamId = fresh('t');
      const times: number[] = [];
      for (let i = 0; i < 30; i += 1) {
        const outcome = await s.append([{ streamId, events: [newEvent(fresh('e'))] }]);
        times.push(Date.parse(outcome.stored[0]!.recordedAt));
      }
      for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1);
    });

    it('comes after the last transaction time of every stream of the append, even one ahead of the clock', async () => {
      const s = store();
      const [ahead, other, unrelated] = [fresh('t'), fresh('t'), fresh('t')];
      const first = await s.append([{ streamId: ahead, events: [newEvent(fresh('e'))] }]);
      // As if the stream's last commit carried a time an hour ahead (a clock that stepped back since).
      const aheadMs = Date.parse(first.stored[0]!.recordedAt) + 3_600_000;
      await get().db.query('UPDATE ledger_streams SET last_recorded_at = $2::timestamptz WHERE stream_id = $1', [
        ahead,
        new Date(aheadMs).toISOString(),
      ]);
      const both = await s.append([
        { streamId: other, events: [newEvent(fresh('e'))] },
        { streamId: ahead, events: [newEvent(fresh('e')), newEvent(fresh('e'))] },
      ]);
      expect(both.stored.map((e) => e.recordedAt)).toEqual(Array(3).fill(new Date(aheadMs + 1).toISOString()));
      const next = await s.append([{ streamId: other, events: [newEvent(fresh('e'))] }]);
      expect(next.stored[0]!.recordedAt).toBe(new Date(aheadMs + 2).toISOString());
      // A stream that was not locked with them keeps to the clock.
      const elsewhere = await s.append([{ streamId: unrelated, events: [newEvent(fresh('e'))] }]);
      expect(Date.parse(elsewhere.stored[0]!.recordedAt)).toBeLessThan(aheadMs);
      expect(await s.verify()).toMatchObject({ ok: true });
    });
  });

  describe('text as given', () => {
    it('stores tabs, line ends, backslashes, quotes and any Unicode as given, by append and by session', async () => {
      const s = store();
      const awkward = 'tab\there\nline\r\nback\\slash "quoted" \\N \\. 深财预〔2021〕12号 \u{1F600}';
      const streamA = fresh(`budget-${awkward}`);
      const streamB = fresh(`budget-${awkward}`);
      const event = (type: string) =>
        newEvent(fresh('e'), {
          type,
          data: { note: awkward, nested: { list: [awkward, 1.5, null, true] }, 'key\twith\\tab': 'x' },
          metadata: { documentNo: awkward },
        });
      const byAppend = await s.append([{ streamId: streamA, events: [event(`Type\\${awkward}`), event('Plain')] }]);
      const bySession = await s.withStreams([streamB], (session) =>
        session.append([{ streamId: streamB, events: [event(`Type\\${awkward}`), newEvent(fresh('e'), { metadata: null })] }]),
      );
      expect(await s.readStream(streamA)).toEqual(byAppend.stored);
      expect(await s.readStream(streamB)).toEqual(bySession);
      expect(await s.verify()).toMatchObject({ ok: true });
    });

    it('refuses a stream id or a type that is not well-formed Unicode', async () => {
      const s = store();
      await expect(s.append([{ streamId: fresh('half-\ud800'), events: [newEvent(fresh('e'))] }])).rejects.toThrow(/well-formed/);
      await expect(s.append([{ streamId: fresh('t'), events: [newEvent(fresh('e'), { type: 'Half\udc00' })] }])).rejects.toThrow(
        /well-formed/,
      );
    });

    it("reports the server's refusal of an event and stores nothing of its append", async () => {
      const s = store();
      const streamId = fresh('t');
      // jsonb has no \u0000 in its strings.
      const refused = newEvent(fresh('e'), { data: { note: 'nul \u0000' } });
      await expect(s.append([{ streamId, events: [newEvent(fresh('e')), refused] }])).rejects.toMatchObject({ code: '22P05' });
      expect(await s.readStream(streamId)).toEqual([]);
      const after = await s.append([{ streamId, events: [newEvent(fresh('e'))] }]);
      expect(after.stored[0]!.streamVersion).toBe(0n);
    });
  });

  describe('atomicity', () => {
    it('stores an append to several streams with one transaction time', async () => {
      const s = store();
      const [streamA, streamB] = [fresh('m'), fresh('m')];
      const outcome = await s.append([
        { streamId: streamA, expectedVersion: 'no_stream', events: [newEvent(fresh('e'))] },
        { streamId: streamB, expectedVersion: 'no_stream', events: [newEvent(fresh('e')), newEvent(fresh('e'))] },
      ]);
      expect(outcome.stored.map((e) => [e.streamId, e.streamVersion])).toEqual([
        [streamA, 0n],
        [streamB, 0n],
        [streamB, 1n],
      ]);
      expect(new Set(outcome.stored.map((e) => e.recordedAt)).size).toBe(1);
    });

    it('leaves nothing stored when one stream of the append has a version conflict', async () => {
      const s = store();
      const [streamA, streamB] = [fresh('m'), fresh('m')];
      const ids = [fresh('e'), fresh('e')];
      await expect(
        s.append([
          { streamId: streamA, expectedVersion: 'no_stream', events: [newEvent(ids[0]!)] },
          { streamId: streamB, expectedVersion: 5n, events: [newEvent(ids[1]!)] },
        ]),
      ).rejects.toMatchObject({ streamId: streamB, actual: -1n });
      expect(await storedIds(s, streamA)).toEqual([]);
      const later = await s.append([{ streamId: streamA, expectedVersion: 'no_stream', events: [newEvent(ids[0]!)] }]);
      expect(later.stored).toHaveLength(1); // not a duplicate: the first attempt left no trace
    });
  });

  describe('withStreams', () => {
    beforeAll(async () => {
      await get().db.query('CREATE TABLE IF NOT EXISTS test_projection (event_id text PRIMARY KEY, stream_version bigint NOT NULL)');
    });

    it('commits events and the caller’s own rows together, over several appends in one session', async () => {
      const s = store();
      const [streamA, streamB] = [fresh('w'), fresh('w')];
      await s.append([{ streamId: streamA, events: [newEvent(fresh('e'))] }]);
      const dup = fresh('e');
      await s.append([{ streamId: streamB, events: [newEvent(dup)] }]);

      const stored = await s.withStreams([streamB, streamA, streamA], async (session) => {
        expect(session.head(streamA)).toBe(0n);
        expect(session.head(streamB)).toBe(0n);
        expect(() => session.head('not-locked')).toThrow(/not locked/);
        const existing = await session.findExisting([newEvent(dup), newEvent(dup, { type: 'X' }), newEvent(fresh('e'))]);
        expect([...existing.entries()]).toEqual([[dup, { position: expect.any(BigInt), sameContent: true }]]);
        const existingChanged = await session.findExisting([newEvent(dup, { type: 'X' })]);
        expect(existingChanged.get(dup)?.sameContent).toBe(false);

        const first = await session.append([{ streamId: streamA, expectedVersion: 0n, events: [newEvent(fresh('e'))] }]);
        const second = await session.append([{ streamId: streamA, expectedVersion: 1n, events: [newEvent(fresh('e'))] }]);
        expect(session.head(streamA)).toBe(2n);
        await expect(session.append([{ streamId: streamA, expectedVersion: 1n, events: [newEvent(fresh('e'))] }])).rejects.toBeInstanceOf(
          StreamVersionConflictError,
        );
        expect(session.head(streamA)).toBe(2n);
        await expect(session.append([{ streamId: 'not-locked', events: [newEvent(fresh('e'))] }])).rejects.toThrow(/not locked/);
        for (const e of [...first, ...second]) {
          await session.tx.query('INSERT INTO test_projection (event_id, stream_version) VALUES ($1, $2::bigint)', [
            e.eventId,
            e.streamVersion.toString(),
          ]);
        }
        expect(second[0]!.position > first[0]!.position).toBe(true);
        expect(second[0]!.recordedAt).toBe(first[0]!.recordedAt);
        return [...first, ...second];
      });
      expect(await s.readStream(streamA, { fromVersion: 1n })).toEqual(stored);
      const rows = await get().db.query('SELECT event_id FROM test_projection WHERE event_id = ANY(array[$1, $2])', [
        stored[0]!.eventId,
        stored[1]!.eventId,
      ]);
      expect(rows).toHaveLength(2);
    });

    it('rolls the events back with the caller’s rows when the unit of work throws', async () => {
      const s = store();
      const streamId = fresh('w');
      const id = fresh('e');
      await expect(
        s.withStreams([streamId], async (session) => {
          await session.append([{ streamId, events: [newEvent(id)] }]);
          await session.tx.query('INSERT INTO test_projection (event_id, stream_version) VALUES ($1, 0)', [id]);
          throw new Error('refused after writing');
        }),
      ).rejects.toThrow('refused after writing');
      expect(await s.readStream(streamId)).toEqual([]);
      expect(await get().db.query('SELECT 1 FROM test_projection WHERE event_id = $1', [id])).toEqual([]);
      expect(await get().db.query('SELECT 1 FROM ledger_streams WHERE stream_id = $1', [streamId])).toEqual([]);
    });
  });
});

describeEachEngine('PgEventStore subscriptions', (get) => {
  beforeAll(async () => {
    await get().db.query(
      'CREATE TABLE handled (subscription_id text NOT NULL, position bigint NOT NULL, PRIMARY KEY (subscription_id, position))',
    );
  });

  /** A handler that writes one row per event through the subscription's transaction. */
  function recording(
    subscriptionId: string,
    batches: StoredEvent[][],
    failWhen?: (events: readonly StoredEvent[]) => boolean,
  ): SubscriptionHandler {
    return async (events, tx) => {
      for (const e of events)
        await tx.query('INSERT INTO handled (subscription_id, position) VALUES ($1, $2::bigint)', [subscriptionId, e.position.toString()]);
      batches.push([...events]);
      if (failWhen?.(events) === true) throw new Error('handler refused the batch');
    };
  }

  async function handledPositions(subscriptionId: string): Promise<bigint[]> {
    const rows = await get().db.query<{ position: bigint }>('SELECT position FROM handled WHERE subscription_id = $1 ORDER BY position', [
      subscriptionId,
    ]);
    return rows.map((r) => r.position);
  }

  async function checkpoint(subscriptionId: string): Promise<bigint | undefined> {
    const rows = await get().db.query<{ position: bigint }>('SELECT position FROM ledger_checkpoints WHERE subscription_id = $1', [
      subscriptionId,
    ]);
    return rows[0]?.position;
  }

  it('catches up on an empty log, then follows what is appended', async () => {
    const s = new PgEventStore(get().db);
    const batches: StoredEvent[][] = [];
    const sub = s.subscribe({ subscriptionId: 'live', pollIntervalMs: 5 }, recording('live', batches));
    await sub.caughtUp();
    expect(sub.position()).toBe(0n);
    const outcome = await s.append([{ streamId: 'sub-live', events: [newEvent('live-1'), newEvent('live-2')] }]);
    await sub.caughtUp();
    expect(batches.flat()).toEqual(outcome.stored);
    expect(sub.position()).toBe(outcome.stored[1]!.position);
    await sub.stop();
  });

  it('handles batches, checkpoints them with the handler’s writes, and resumes there after a restart', async () => {
    const db = get().db;
    const first = new PgEventStore(db);
    const before = await first.append([{ streamId: 'sub-resume', events: ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => newEvent(id)) }]);
    const batches: StoredEvent[][] = [];
    const sub = first.subscribe({ subscriptionId: 'resume', batchSize: 2, pollIntervalMs: 5 }, recording('resume', batches));
    await sub.caughtUp();
    await sub.stop();
    const all = await first.readAll({ after: 0n, limit: 100 });
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2, 1]); // the 2 events of the previous test, then 5
    expect(batches.flat()).toEqual(all);
    expect(await checkpoint('resume')).toBe(before.stored[4]!.position);

    const after = await first.append([{ streamId: 'sub-resume', events: ['r6', 'r7', 'r8'].map((id) => newEvent(id)) }]);
    // A new store instance: nothing survives in memory, as after a restart of the process.
    const restarted = new PgEventStore(db);
    const resumedBatches: StoredEvent[][] = [];
    const resumed = restarted.subscribe({ subscriptionId: 'resume', batchSize: 2, pollIntervalMs: 5 }, recording('resume', resumedBatches));
    await resumed.caughtUp();
    await resumed.stop();
    expect(resumedBatches.flat()).toEqual(after.stored);
    expect(resumed.position()).toBe(after.stored[2]!.position);
    expect(await handledPositions('resume')).toEqual([...all, ...after.stored].map((e) => e.position));
  });

  it('stops on a handler error without advancing the checkpoint or keeping the handler’s writes, and surfaces the error', async () => {
    const db = get().db;
    const s = new PgEventStore(db);
    const all = await s.readAll({ after: 0n, limit: 100 });
    const poisoned = all[3]!;
    const batches: StoredEvent[][] = [];
    const sub = s.subscribe(
      { subscriptionId: 'failing', batchSize: 2, pollIntervalMs: 5 },
      recording('failing', batches, (events) => events.some((e) => e.position === poisoned.position)),
    );
    await expect(sub.caughtUp()).rejects.toThrow('handler refused the batch');
    await expect(sub.stop()).rejects.toThrow('handler refused the batch');
    await expect(sub.caughtUp()).rejects.toThrow('handler refused the batch');
    expect(batches.map((b) => b.length)).toEqual([2, 2]); // the failing batch was tried once, nothing after it
    expect(sub.position()).toBe(all[1]!.position);
    expect(await checkpoint('failing')).toBe(all[1]!.position);
    expect(await handledPositions('failing')).toEqual([all[0]!.position, all[1]!.position]);

    // Once the cause is fixed, the next subscription under the same id starts again at the failed batch.
    const retried: StoredEvent[][] = [];
    const healthy = new PgEventStore(db).subscribe(
      { subscriptionId: 'failing', batchSize: 2, pollIntervalMs: 5 },
      recording('failing', retried),
    );
    await healthy.caughtUp();
    await healthy.stop();
    expect(retried.flat()).toEqual(all.slice(2));
    expect(await handledPositions('failing')).toEqual(all.map((e) => e.position));
  });
});
