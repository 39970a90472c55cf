import type { Database, Transaction } from '../db/database';
import type { AppendOutcome, StoredEvent } from '../event-store';
import { PgEventStore } from './pg-event-store';
import { contentHash } from '../canonical';
import { createThrowawayDatabase, testEngines, type ThrowawayDatabase } from '../testing/test-databases';
import { newEvent } from '../testing/events';

// Several connections are what this suite is about, so it runs on the server only: PGlite has one
// connection and runs every transaction after the other.
const onServer = testEngines().includes('postgres') ? describe : describe.skip;

const WRITERS = 8;
const TRANSACTIONS_PER_WRITER = 50;
const SHARED_STREAMS = ['budget-shared-0', 'budget-shared-1', 'budget-shared-2'];
/** Up to this long a slow transaction waits between taking its positions and committing. */
const SLOW_COMMIT_MAX_S = 0.05;
const FOLLOW_TIMEOUT_MS = 30_000;

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once one session of the database waits on a lock (`who`: named in the error after 5 s). */
async function untilOneWaitsOnALock(db: Database, who: string): Promise<void> {
  for (let waited = 0; ; waited += 10) {
    const [row] = await db.query<{ waiting: bigint }>(
      "SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (row?.waiting === 1n) return;
    if (waited > 5_000) throw new Error(`${who} never waited on a lock`);
    await sleepMs(10);
  }
}

/** A seeded generator (mulberry32), so that every run draws the same workload; only the timing varies. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

onServer('PgEventStore under concurrent appenders [postgres]', () => {
  let database: ThrowawayDatabase;
  let maxPosition: () => Promise<bigint>;

  beforeAll(async () => {
    database = await createThrowawayDatabase('postgres');
    maxPosition = async () =>
      (await database.db.query<{ max: bigint | null }>('SELECT max(position) AS max FROM ledger_events'))[0]?.max ?? 0n;
  });
  afterAll(async () => {
    await database.drop();
  });

  it('lets followers see every event exactly once and in position order while transactions commit out of order', async () => {
    const writerDbs: Database[] = [];
    for (let i = 0; i < WRITERS; i += 1) writerDbs.push(await database.openAnother(1));
    const followerDb = await database.openAnother(2);
    await database.db.query('CREATE TABLE followed (position bigint PRIMARY KEY)');

    // Follower 1: a bare readAll loop, polling as fast as it can so as to land between commits.
    let writing = true;
    const seen: StoredEvent[] = [];
    const reader = new PgEventStore(followerDb);
    const follow = (async () => {
      let after = 0n;
      const deadline = Date.now() + FOLLOW_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const page = await reader.readAll({ after, limit: 100 });
        seen.push(...page);
        const last = page[page.length - 1];
        if (last !== undefined) after = last.position;
        else if (!writing && after === (await maxPosition())) return;
        else await sleepMs(1);
      }
    })();

    // Follower 2: a subscription whose handler writes through the checkpoint's transaction.
    const handled: StoredEvent[] = [];
    const subscription = new PgEventStore(followerDb).subscribe(
      { subscriptionId: 'concurrency', batchSize: 50, pollIntervalMs: 1 },
      async (events, tx) => {
        handled.push(...events);
        await tx.query('INSERT INTO followed (position) SELECT jsonb_array_elements_text($1::text::jsonb)::bigint', [
          JSON.stringify(events.map((e) => e.position.toString())),
        ]);
      },
    );

    // The writers. Commit order is recorded as each transaction returns, to show the hazard happened.
    const committed: { min: bigint; max: bigint }[] = [];
    const raceOutcomes = new Map<number, AppendOutcome[]>();
    const writer = async (index: number): Promise<void> => {
      const store = new PgEventStore(writerDbs[index] as Database);
      const draw = random(index + 1);
      const own = `budget-writer-${index}`;
      for (let k = 0; k < TRANSACTIONS_PER_WRITER; k += 1) {
        const shared = SHARED_STREAMS[Math.floor(draw() * SHARED_STREAMS.length)] as string;
        const streams = k % 3 === 0 ? [shared] : k % 3 === 1 ? [own] : [own, shared];
        const slowS = draw() < 0.5 ? draw() * SLOW_COMMIT_MAX_S : 0;
        if (k % 10 === 5) {
          // Every writer stores the same event at once, through the contract's append (look-up, unique key, retry).
          const outcome = await store.append([{ streamId: own, events: [newEvent(`race-${k}`)] }]);
          raceOutcomes.set(k, [...(raceOutcomes.get(k) ?? []), outcome]);
          const first = outcome.stored[0];
          if (first !== undefined) committed.push({ min: first.position, max: first.position });
          continue;
        }
        const stored = await store.withStreams(streams, async (session) => {
          const events = await session.append(
            streams.map((streamId, s) => ({
              streamId,
              events: Array.from({ length: 1 + ((k + s) % 3) }, (_, n) => newEvent(`w${index}-t${k}-${streamId}-${n}`)),
            })),
          );
          // Slow AFTER the positions are taken: later transactions number and commit their events meanwhile.
          if (slowS > 0) await session.tx.query('SELECT pg_sleep($1::float8)', [slowS.toFixed(3)]);
          return events;
        });
        committed.push({ min: (stored[0] as StoredEvent).position, max: (stored[stored.length - 1] as StoredEvent).position });
      }
    };
    await Promise.all(writerDbs.map((_, index) => writer(index)));
    writing = false;
    await follow;
    const lastPosition = await maxPosition();
    for (const deadline = Date.now() + FOLLOW_TIMEOUT_MS; subscription.position() < lastPosition && Date.now() < deadline;) {
      await sleepMs(5);
    }
    await subscription.stop();

    // The hazard was there: transactions did commit after others with higher positions.
    let highest = 0n;
    let committedLate = 0;
    for (const tx of committed) {
      if (tx.min < highest) committedLate += 1;
      if (tx.max > highest) highest = tx.max;
    }
    expect(committedLate).toBeGreaterThan(10);

    const all = await database.db.query<{ position: bigint; stream_id: string; stream_version: bigint }>(
      'SELECT position, stream_id, stream_version FROM ledger_events ORDER BY position',
    );
    const positions = all.map((row) => row.position);
    // Every event once, in position order, by both followers; the subscription's writes match its checkpoint.
    expect(seen.map((e) => e.position)).toEqual(positions);
    expect(handled.map((e) => e.position)).toEqual(positions);
    expect(
      (await database.db.query<{ position: bigint }>('SELECT position FROM followed ORDER BY position')).map((r) => r.position),
    ).toEqual(positions);
    expect(
      (await database.db.query<{ position: bigint }>("SELECT position FROM ledger_checkpoints WHERE subscription_id = 'concurrency'"))[0]
        ?.position,
    ).toBe(lastPosition);

    // Every stream's versions are contiguous from 0 in position order, and its head agrees.
    const versions = new Map<string, bigint>();
    for (const row of all) {
      const expected = (versions.get(row.stream_id) ?? -1n) + 1n;
      expect([row.stream_id, row.stream_version]).toEqual([row.stream_id, expected]);
      versions.set(row.stream_id, row.stream_version);
    }
    const heads = await database.db.query<{ stream_id: string; version: bigint }>(
      'SELECT stream_id, version FROM ledger_streams ORDER BY stream_id',
    );
    expect(new Map(heads.map((h) => [h.stream_id, h.version]))).toEqual(versions);

    // Each raced event is stored once and acknowledged as a duplicate to every other writer.
    for (const [k, outcomes] of raceOutcomes) {
      expect([k, outcomes.filter((o) => o.stored.length === 1).length, outcomes.filter((o) => o.duplicates.length === 1).length]).toEqual([
        k,
        1,
        WRITERS - 1,
      ]);
    }
    expect(await new PgEventStore(database.db).verify()).toEqual({ ok: true, events: all.length });
  });

  it('answers the look-up and reads sent with the locks from after the commit of the writer they waited for', async () => {
    const first = new PgEventStore(await database.openAnother(1));
    const second = new PgEventStore(await database.openAnother(1));
    await database.db.query('CREATE TABLE piped (stream_id text PRIMARY KEY, note text NOT NULL)');
    const streamId = 'budget-piped-2021';
    const event = newEvent('piped-1');
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let appended: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (appended = resolve));
    // The first session stores the event and a row of its own, and waits before committing.
    const holding = first.withStreams([streamId], async (session) => {
      await session.append([{ streamId, events: [event] }]);
      await session.tx.query("INSERT INTO piped (stream_id, note) VALUES ($1, 'written by the first')", [streamId]);
      appended();
      await gate;
    });
    await inFlight;
    // The second sends its lock, its look-up of the same event and its read in one pipeline.
    const again = [newEvent('piped-1')];
    const waiting = second.withStreams(
      [streamId],
      async (session, notes) => ({ notes, head: session.head(streamId), existing: await session.findStored(again) }),
      { events: again, read: (tx: Transaction) => tx.query<{ note: string }>('SELECT note FROM piped WHERE stream_id = $1', [streamId]) },
    );
    await untilOneWaitsOnALock(database.db, 'the second session');
    open();
    await holding;
    const { notes, head, existing } = await waiting;
    expect(notes).toEqual([{ note: 'written by the first' }]);
    expect(head).toBe(0n);
    expect(existing.get('piped-1')).toEqual({ position: expect.any(BigInt), contentHash: contentHash(newEvent('piped-1')) });
  });

  it('retries an append that lost the race for an eventId and reports a duplicate or a conflict', async () => {
    const first = new PgEventStore(await database.openAnother(1));
    const second = new PgEventStore(await database.openAnother(1));
    for (const [eventId, rival] of [
      ['gate-dup', newEvent('gate-dup')],
      ['gate-con', newEvent('gate-con', { data: { other: true } })],
    ] as const) {
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let appended: () => void = () => undefined;
      const inFlight = new Promise<void>((resolve) => (appended = resolve));
      // The first transaction stores the event in its stream and waits before committing.
      const holding = first.withStreams([`gate-a-${eventId}`], async (session) => {
        const stored = await session.append([{ streamId: `gate-a-${eventId}`, events: [newEvent(eventId)] }]);
        appended();
        await gate;
        return stored;
      });
      await inFlight;
      // The second locks another stream, does not see the uncommitted event, and waits on the unique key.
      const racing = second.append([{ streamId: `gate-b-${eventId}`, events: [rival] }]);
      await untilOneWaitsOnALock(database.db, 'the second append');
      open();
      const [stored] = await holding;
      const outcome = await racing;
      const expected = [{ eventId, position: stored?.position }];
      expect(outcome).toEqual(
        eventId === 'gate-dup' ? { stored: [], duplicates: expected, conflicts: [] } : { stored: [], duplicates: [], conflicts: expected },
      );
      expect(await second.readStream(`gate-b-${eventId}`)).toEqual([]);
    }
  });
});
