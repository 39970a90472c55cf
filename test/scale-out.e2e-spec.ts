import postgres from 'postgres';
import { spawnLedger } from './support/spawn-ledger';
import { startServeProcess, type ServeProcess } from './support/serve-process';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';

/**
 * Several instances on one database (issue 14, item 4): three `serve` processes of the built CLI
 * against one PostgreSQL, writers posting to any of them on overlapping departments, one process
 * killed (SIGKILL) and replaced every second or two, and a follower reading `GET /v1/events` from
 * whichever instance is up. Nothing acknowledged is lost, nothing is stored twice, every line's
 * figures are the sum of what was posted, and the follower sees every event exactly once, in order.
 * Server only: an embedded store has one owner process (DESIGN.md §10).
 */
const onServer = testEngines().includes('postgres') ? describe : describe.skip;

const DEPARTMENTS = ['甲局', '乙局', '丙局'];
const LINES = DEPARTMENTS.flatMap((d, i) => [0, 1, 2, 3].map((n) => ({ lineId: `S${i}-${n}`, department: d })));
const WRITERS = 6;
const REQUESTS_PER_WRITER = Number(process.env.SCALE_OUT_REQUESTS ?? 80);
const INSTANCES = 3;

type Instance = ServeProcess;

interface Posted {
  readonly eventId: string;
  readonly lineId: string;
  readonly fen: number;
}

onServer('several serve processes on one database, killed at random [postgres]', () => {
  let storage: E2eStorage;
  const instances: (Instance | undefined)[] = [];

  beforeAll(async () => {
    storage = await e2eStorage('postgres');
    for (let i = 0; i < INSTANCES; i += 1) instances[i] = await startServe(storage);
  }, 120_000);
  afterAll(async () => {
    for (const instance of instances) instance?.child.kill('SIGKILL');
    await Promise.all(instances.map((i) => i?.exited ?? Promise.resolve()));
    await storage.cleanup();
  });

  it('loses nothing acknowledged, stores nothing twice, and a follower sees every event once', async () => {
    // Lines with budgets large enough that no payment is refused: what is tested is delivery.
    const opened = await postWithRetry(
      LINES.flatMap(({ lineId, department }) => [
        {
          eventId: `${lineId}-open`,
          type: 'BudgetLineOpened',
          effectiveDate: '2021-01-01',
          data: { lineId, department, fiscalYear: 2021, kind: 'basic' },
        },
        { eventId: `${lineId}-init`, type: 'InitialBudgetApproved', effectiveDate: '2021-01-01', data: { lineId, amount: '100000000.00' } },
      ]),
    );
    expect(opened.rejected).toEqual([]);

    const posted = new Map<string, Posted>();
    let kills = 0;
    let retries = 0;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      let seq = 0;
      for (let r = 0; r < REQUESTS_PER_WRITER; r += 1) {
        const events = Array.from({ length: 1 + ((w + r) % 3) }, () => {
          seq += 1;
          const line = LINES[(w * 7 + seq * 5) % LINES.length] as (typeof LINES)[number];
          const fen = 100 + ((w * 131 + seq * 17) % 10_000);
          const eventId = `w${w}-${seq}`;
          posted.set(eventId, { eventId, lineId: line.lineId, fen });
          return {
            eventId,
            type: 'PaymentRecorded',
            effectiveDate: `2021-${String(1 + (seq % 12)).padStart(2, '0')}-15`,
            data: { lineId: line.lineId, amount: yuan(fen) },
          };
        });
        // Now and then the same events again, as a client that never saw its answer would send them.
        const batch = r % 10 === 9 ? [...events, ...events] : events;
        const summary = await postWithRetry(batch, () => (retries += 1));
        expect(summary.rejected).toEqual([]);
      }
    });
    const writing = Promise.all(writers);
    let done = false;
    void writing.then(
      () => (done = true),
      () => (done = true),
    );

    const killer = (async () => {
      while (!done) {
        await sleep(400 + Math.random() * 600);
        if (done) break;
        const slot = Math.floor(Math.random() * INSTANCES);
        const victim = instances[slot];
        instances[slot] = undefined;
        victim?.child.kill('SIGKILL');
        await victim?.exited;
        kills += 1;
        instances[slot] = await startServe(storage);
      }
    })();

    const seen = new Map<string, number>();
    let last = 0n;
    const follow = async (): Promise<number> => {
      const page = (await getWithRetry(`/v1/events?after=${last}&limit=500`)) as {
        events: { eventId: string; position: string }[];
        lastPosition: string;
      };
      for (const event of page.events) {
        expect(BigInt(event.position)).toBeGreaterThan(last);
        last = BigInt(event.position);
        seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
      }
      last = BigInt(page.lastPosition);
      return page.events.length;
    };
    const follower = (async () => {
      while (!done) if ((await follow()) === 0) await sleep(50);
    })();

    await writing;
    await Promise.all([killer, follower]);
    while ((await follow()) > 0);

    const sql = postgres(storage.env.DATABASE_URL as string, { max: 1, onnotice: () => undefined });
    try {
      const stored = await sql<{ event_id: string; type: string }[]>`SELECT event_id, type FROM ledger_events ORDER BY position`;
      const payments = stored.filter((e) => e.type === 'PaymentRecorded').map((e) => e.event_id);
      // Nothing lost, nothing doubled (eventIds are unique in the log; every one posted is there).
      expect(new Set(payments).size).toBe(payments.length);
      expect(payments.sort()).toEqual([...posted.keys()].sort());
      // The follower saw the whole log, each event once.
      expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
      expect([...seen.keys()].sort()).toEqual(stored.map((e) => e.event_id).sort());
      // Every line's 执行数 is the sum of what was posted to it.
      const expected = new Map<string, number>();
      for (const p of posted.values()) expected.set(p.lineId, (expected.get(p.lineId) ?? 0) + p.fen);
      const lines = await sql<
        { line_id: string; executed_fen: string }[]
      >`SELECT line_id, executed_fen::text FROM ledger_lines ORDER BY line_id`;
      expect(Object.fromEntries(lines.map((l) => [l.line_id, Number(l.executed_fen)]))).toEqual(
        Object.fromEntries(LINES.map((l) => [l.lineId, expected.get(l.lineId) ?? 0])),
      );
    } finally {
      await sql.end();
    }
    // The chain and every projection, checked from the log alone.
    const verified = await spawnLedger(storage, ['verify', '--json']);
    expect(verified.code).toBe(0);
    process.stdout.write(
      `scale-out: ${posted.size} payments from ${WRITERS} writers over ${INSTANCES} instances, ${kills} killed and replaced, ${retries} requests retried, ${seen.size} events followed\n`,
    );
    expect(kills).toBeGreaterThan(0);
  }, 600_000);

  /** Posts to a live instance; a refused connection, a reset or a 5xx goes to another one, until answered. */
  async function postWithRetry(
    events: unknown[],
    onRetry: () => void = () => undefined,
  ): Promise<{ appended: number; rejected: unknown[] }> {
    for (let attempt = 0; ; attempt += 1) {
      const instance = pick();
      if (instance !== undefined) {
        try {
          const res = await fetch(`${instance.base}/v1/events`, {
            method: 'POST',
            body: JSON.stringify(events),
            headers: { 'content-type': 'application/json' },
            signal: AbortSignal.timeout(30_000),
          });
          if (res.status === 200) return (await res.json()) as { appended: number; rejected: unknown[] };
          if (res.status < 500) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
        } catch (error) {
          if ((error as Error).message.startsWith('POST answered')) throw error;
        }
      }
      if (attempt > 200) throw new Error('no instance answered');
      onRetry();
      await sleep(50);
    }
  }

  async function getWithRetry(url: string): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      const instance = pick();
      if (instance !== undefined) {
        try {
          const res = await fetch(`${instance.base}${url}`, { signal: AbortSignal.timeout(30_000) });
          if (res.status === 200) return await res.json();
        } catch {
          // Killed under us: ask another.
        }
      }
      if (attempt > 200) throw new Error('no instance answered');
      await sleep(50);
    }
  }

  function pick(): Instance | undefined {
    const live = instances.filter((i): i is Instance => i !== undefined);
    return live[Math.floor(Math.random() * live.length)];
  }

  async function startServe(s: E2eStorage): Promise<Instance> {
    return startServeProcess({ ...s.env, LEDGER_AUTH: 'off' });
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
