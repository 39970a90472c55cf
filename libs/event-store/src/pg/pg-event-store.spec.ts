import type { Database } from '../db/database';
import { StreamVersionConflictError, type StoredEvent, type SubscriptionHandler } from '../event-store';
import { PgEventStore } from './pg-event-store';
import { contentHash } from '../canonical';
import { describeEventStoreContract, type EventStoreHarness } from '../testing/contract-suite';
import { describeEachEngine } from '../testing/test-databases';
import { newEvent } from '../testing/events';

let unique = 0;
/** A stream (or event) id no other test of the suite uses, since the suite shares one database. */
function fresh(prefix: string): string {
  unique += 1;
  return `${prefix}-${unique}`;
}

async function checkpointOf(db: Database, subscriptionId: string): Promise<bigint | undefined> {
  const rows = await db.query<{ position: bigint }>('SELECT position FROM ledger_checkpoints WHERE subscription_id = $1', [subscriptionId]);
  return rows[0]?.position;
}

/** The contract suite's harness on one database; describeEachEngine drops the database afterwards. */
function pgHarness(db: Database): EventStoreHarness {
  const store = new PgEventStore(db);
  return {
    store,
    reopen: () => new PgEventStore(db),
    async settledHead() {
      // On the server, a transaction running in any database (another test suite, say) holds
      // events back from followers until it ends, by design.
      const last = await store.lastCommittedPosition();
      for (const deadline = Date.now() + 10_000; (await store.headPosition()) < last;) {
        if (Date.now() > deadline) throw new Error(`position ${last} never became readable`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return last;
    },
    checkpoint: (subscriptionId) => checkpointOf(db, subscriptionId),
    close: async () => undefined,
  };
}

describeEachEngine('PgEventStore', (get) => {
  describeEventStoreContract('EventStore contract', async () => pgHarness(get().db));

  const store = (): PgEventStore => new PgEventStore(get().db);

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
          // recorded_by is one more COPY field (byAppend) and one more INSERT column (bySession).
          recordedBy: `key:${awkward}`,
        });
      const byAppend = await s.append([{ streamId: streamA, events: [event(`Type\\${awkward}`), event('Plain')] }]);
      const bySession = await s.withStreams([streamB], (session) =>
        session.append([{ streamId: streamB, events: [event(`Type\\${awkward}`), newEvent(fresh('e'), { metadata: null })] }]),
      );
      expect(await s.readStream(streamA)).toEqual(byAppend.stored);
      expect(await s.readStream(streamB)).toEqual(bySession);
      expect((await s.readStream(streamB)).map((e) => e.recordedBy)).toEqual([`key:${awkward}`, null]);
      expect(await s.verify()).toMatchObject({ ok: true });
    });

    it('stores an append that spans many COPY chunks, with rows of several bytes a character and one larger than a chunk', async () => {
      const s = store();
      // ~1,000 rows of some 400 bytes (the Chinese text takes 3 bytes a character) are a dozen
      // chunks; the 100,000-character note is a row larger than any chunk, in the middle of them.
      const events = (count: number) =>
        Array.from({ length: count }, (_, i) =>
          newEvent(fresh('e'), {
            data: { note: i === Math.floor(count / 2) ? '预'.repeat(100_000) : `国库支付〔2021〕${i}号 ${'款'.repeat(i % 50)}` },
          }),
        );
      const [streamA, streamB] = [fresh('budget-copy'), fresh('budget-copy')];
      const byAppend = await s.append([{ streamId: streamA, events: events(1_000) }]);
      const bySession = await s.withStreams([streamB], (session) => session.append([{ streamId: streamB, events: events(1_000) }]), {
        load: 'copy',
      });
      expect(byAppend.stored).toHaveLength(1_000);
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
        // The store answers what is stored under the ids, whatever the content asked with.
        const existing = await session.findStored([newEvent(dup), newEvent(dup, { type: 'X' }), newEvent(fresh('e'))]);
        expect([...existing.entries()]).toEqual([[dup, { position: expect.any(BigInt), contentHash: contentHash(newEvent(dup)) }]]);

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

    it('stages events: the caller’s rows are sent behind them before either is answered, and commit with them', async () => {
      const s = store();
      const streamId = fresh('w');
      const stored = await s.withStreams([streamId], async (session) => {
        const staged = await session.stage([{ streamId, events: [newEvent(fresh('e')), newEvent(fresh('e'))] }]);
        // Made before the server has them: positions, versions and hashes are the session's own.
        expect(staged.stored.map((e) => e.streamVersion)).toEqual([0n, 1n]);
        expect(session.head(streamId)).toBe(1n);
        const rows = staged.stored.map((e) =>
          session.tx.query('INSERT INTO test_projection (event_id, stream_version) VALUES ($1, $2::bigint)', [
            e.eventId,
            e.streamVersion.toString(),
          ]),
        );
        await Promise.all([staged.written, ...rows]);
        return staged.stored;
      });
      expect(await s.readStream(streamId)).toEqual(stored);
      expect(await get().db.query('SELECT stream_version FROM test_projection WHERE event_id = $1', [stored[1]!.eventId])).toEqual([
        { stream_version: 1n },
      ]);
    });

    it('fails with the staged load’s own error, and commits nothing, when the function returns without awaiting it', async () => {
      const s = store();
      const taken = fresh('e');
      await s.append([{ streamId: fresh('w'), events: [newEvent(taken)] }]);
      const streamId = fresh('w');
      const other = fresh('e');
      const outcome = s.withStreams([streamId], async (session) => {
        // The eventId is stored already: the server refuses the row (a unique violation), after
        // the function has returned. Without the session awaiting the load, COMMIT would answer
        // by rolling back without an error, and the caller would believe the events stored.
        await session.stage([{ streamId, events: [newEvent(other), newEvent(taken)] }]);
        void session.tx.query('INSERT INTO test_projection (event_id, stream_version) VALUES ($1, 0)', [other]).catch(() => undefined);
        return 'returned early';
      });
      await expect(outcome).rejects.toMatchObject({ code: '23505' });
      expect(await s.readStream(streamId)).toEqual([]);
      expect(await get().db.query('SELECT 1 FROM ledger_events WHERE event_id = $1', [other])).toEqual([]);
      expect(await get().db.query('SELECT 1 FROM test_projection WHERE event_id = $1', [other])).toEqual([]);
      expect(await get().db.query('SELECT 1 FROM ledger_streams WHERE stream_id = $1', [streamId])).toEqual([]);
    });

    it('sends nothing of a staged load when the function throws before the load went out', async () => {
      const s = store();
      const streamId = fresh('w');
      const id = fresh('e');
      await expect(
        s.withStreams([streamId], async (session) => {
          await session.stage([{ streamId, events: [newEvent(id)] }]);
          // Thrown in the same turn of the event loop: the rows were not sent yet. Sent after the
          // ROLLBACK, on the connection the transaction leaves, they would be stored on their own.
          throw new Error('refused after staging');
        }),
      ).rejects.toThrow('refused after staging');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await get().db.query('SELECT 1 FROM ledger_events WHERE event_id = $1', [id])).toEqual([]);
      expect(await get().db.query('SELECT 1 FROM ledger_streams WHERE stream_id = $1', [streamId])).toEqual([]);
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

// What only PostgreSQL gives a subscription handler: a transaction that commits its writes with the
// checkpoint of their batch. On a database of its own, whose log starts empty.
describeEachEngine('PgEventStore subscriptions', (get) => {
  beforeAll(async () => {
    await get().db.query(
      'CREATE TABLE handled (subscription_id text NOT NULL, position bigint NOT NULL, PRIMARY KEY (subscription_id, position))',
    );
  });

  /** A handler that writes one row per event through the subscription's transaction; a row written twice fails. */
  function writingRows(subscriptionId: string, failWhen?: (events: readonly StoredEvent[]) => boolean): SubscriptionHandler {
    return async (events, tx) => {
      for (const e of events) {
        await tx.query('INSERT INTO handled (subscription_id, position) VALUES ($1, $2::bigint)', [subscriptionId, e.position.toString()]);
      }
      if (failWhen?.(events) === true) throw new Error('handler refused the batch');
    };
  }

  async function rowPositions(subscriptionId: string): Promise<bigint[]> {
    const rows = await get().db.query<{ position: bigint }>('SELECT position FROM handled WHERE subscription_id = $1 ORDER BY position', [
      subscriptionId,
    ]);
    return rows.map((r) => r.position);
  }

  /** Runs a subscription until it has caught up, as a process that starts, follows the log and stops. */
  async function runOnce(subscriptionId: string, handler: SubscriptionHandler): Promise<void> {
    const sub = new PgEventStore(get().db).subscribe({ subscriptionId, batchSize: 2, pollIntervalMs: 5 }, handler);
    // stop() also when catching up fails: it rejects with the same error.
    await sub.caughtUp().finally(() => sub.stop());
  }

  it('catches up on an empty log at position 0, then commits the handler’s writes with the checkpoint of each batch', async () => {
    const s = new PgEventStore(get().db);
    const sizes: number[] = [];
    const write = writingRows('rows');
    const sub = s.subscribe({ subscriptionId: 'rows', batchSize: 2, pollIntervalMs: 5 }, async (events, tx) => {
      sizes.push(events.length);
      await write(events, tx);
    });
    await sub.caughtUp();
    expect(sub.position()).toBe(0n);
    const { stored } = await s.append([{ streamId: 'sub-rows', events: ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => newEvent(id)) }]);
    await sub.caughtUp();
    await sub.stop();
    expect(sizes).toEqual([2, 2, 1]); // one commit of five events: full batches, then the rest
    expect(await rowPositions('rows')).toEqual(stored.map((e) => e.position));
    expect(await checkpointOf(get().db, 'rows')).toBe(stored[4]!.position);

    // A restart resumes after the checkpoint: no row is written twice (the primary key would refuse it).
    const more = await s.append([{ streamId: 'sub-rows', events: ['r6', 'r7', 'r8'].map((id) => newEvent(id)) }]);
    await runOnce('rows', write);
    expect(await rowPositions('rows')).toEqual([...stored, ...more.stored].map((e) => e.position));
  });

  it('rolls a failed batch’s writes back with its checkpoint, and the next start writes them once', async () => {
    const all = await new PgEventStore(get().db).readAll({ after: 0n, limit: 100 });
    const poisoned = all[3]!;
    await expect(
      runOnce(
        'failing',
        writingRows('failing', (events) => events.some((e) => e.position === poisoned.position)),
      ),
    ).rejects.toThrow('handler refused the batch');
    expect(await rowPositions('failing')).toEqual([all[0]!.position, all[1]!.position]);
    expect(await checkpointOf(get().db, 'failing')).toBe(all[1]!.position);

    await runOnce('failing', writingRows('failing'));
    expect(await rowPositions('failing')).toEqual(all.map((e) => e.position));
  });
});
