import type { Sql } from '../db/database';
import type { StoredEvent } from '../event-store';
import { PgEventStore } from './pg-event-store';
import { MAX_VERIFY_BREAKS } from './verify';
import { describeEachEngine } from '../testing/test-databases';
import { newEvent } from '../testing/events';

describeEachEngine('PgEventStore.verify', (get) => {
  /** Runs `statement` with the append-only trigger out of the way, as someone with superuser rights could. */
  async function tamper(statement: string, params: string[] = []): Promise<void> {
    await get().db.transaction(async (tx: Sql) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      await tx.query(statement, params);
    });
  }

  let stored: StoredEvent[] = [];

  // A fresh log for every test: two streams whose events interleave in position order.
  beforeEach(async () => {
    await tamper('TRUNCATE ledger_events, ledger_streams');
    const store = new PgEventStore(get().db);
    stored = [];
    for (let round = 0; round < 3; round += 1) {
      const outcome = await store.append([
        {
          streamId: 'budget-A-2021',
          events: [newEvent(`a-${round}-0`), newEvent(`a-${round}-1`, { data: { amount: `${round}.50`, n: round * 1.5 } })],
        },
        {
          streamId: 'budget-B-2021',
          events: [newEvent(`b-${round}`, { metadata: round === 1 ? null : { source: 'x', 文号: '〔2021〕12号' } })],
        },
      ]);
      stored.push(...outcome.stored);
    }
  });

  const byId = (eventId: string): StoredEvent => {
    const event = stored.find((e) => e.eventId === eventId);
    if (event === undefined) throw new Error(`no event ${eventId}`);
    return event;
  };

  it('verifies a clean log', async () => {
    expect(await new PgEventStore(get().db).verify()).toEqual({ ok: true, events: 9 });
  });

  it('walks a log longer than one page', async () => {
    const store = new PgEventStore(get().db);
    // One more than a verify page (5,000) in one stream, so the chain is carried across the page boundary.
    const events = Array.from({ length: 5_001 }, (_, n) => newEvent(`long-${n}`));
    await store.append([{ streamId: 'budget-long-2021', events }]);
    expect(await store.verify()).toEqual({ ok: true, events: 9 + 5_001 });
    await tamper(`UPDATE ledger_events SET correction = true WHERE event_id = 'long-5000'`);
    const [last] = await store.readStream('budget-long-2021', { fromVersion: 5_000n });
    expect(await store.verify()).toMatchObject({ ok: false, firstBrokenPosition: last?.position.toString() });
  });

  it('finds an event whose data was changed in place, with the trigger disabled', async () => {
    const target = byId('a-1-1');
    await get().db.transaction(async (tx) => {
      await tx.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
      await tx.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amount}', '"9999.50"') WHERE position = $1::bigint`, [
        target.position.toString(),
      ]);
      await tx.query('ALTER TABLE ledger_events ENABLE TRIGGER ledger_events_append_only');
    });
    const report = await new PgEventStore(get().db).verify();
    expect(report).toMatchObject({ ok: false, firstBrokenPosition: target.position.toString() });
    expect(report.reason).toMatch(/a-1-1/);
  });

  it('reports the first broken event in position order when several were changed', async () => {
    const later = byId('a-2-0');
    const earlier = byId('b-1');
    await tamper(`UPDATE ledger_events SET effective_date = '2022-01-01' WHERE position = $1::bigint`, [later.position.toString()]);
    await tamper(`UPDATE ledger_events SET recorded_at = recorded_at + interval '1 ms' WHERE position = $1::bigint`, [
      earlier.position.toString(),
    ]);
    const report = await new PgEventStore(get().db).verify();
    expect(report).toMatchObject({ ok: false, firstBrokenPosition: earlier.position.toString(), truncated: false });
    // Every break is listed, once each: the walk goes on from the broken event as stored.
    expect(report.breaks?.map((b) => b.position)).toEqual([earlier.position.toString(), later.position.toString()]);
  });

  it('lists at most MAX_VERIFY_BREAKS breaks, and says that there may be more', async () => {
    const store = new PgEventStore(get().db);
    await store.append([{ streamId: 'budget-many-2021', events: Array.from({ length: 120 }, (_, n) => newEvent(`many-${n}`)) }]);
    await tamper(`UPDATE ledger_events SET effective_date = '2022-01-01' WHERE stream_id = 'budget-many-2021'`);
    const report = await store.verify();
    expect(report.breaks).toHaveLength(MAX_VERIFY_BREAKS);
    expect(report.truncated).toBe(true);
  });

  it('finds a rewritten type, whatever was written into the hash column', async () => {
    const target = byId('b-0');
    await tamper(`UPDATE ledger_events SET type = 'PaymentReversed', hash = repeat('a', 64) WHERE position = $1::bigint`, [
      target.position.toString(),
    ]);
    expect(await new PgEventStore(get().db).verify()).toMatchObject({ ok: false, firstBrokenPosition: target.position.toString() });
  });

  it('finds a deleted event in the middle of a stream', async () => {
    await tamper('DELETE FROM ledger_events WHERE position = $1::bigint', [byId('a-1-0').position.toString()]);
    const report = await new PgEventStore(get().db).verify();
    expect(report).toMatchObject({ ok: false, firstBrokenPosition: byId('a-1-1').position.toString() });
    expect(report.reason).toMatch(/version 3 where 2 was due/);
  });

  it('finds a deleted last event through the stream head', async () => {
    await tamper('DELETE FROM ledger_events WHERE position = $1::bigint', [byId('b-2').position.toString()]);
    const report = await new PgEventStore(get().db).verify();
    expect(report).toMatchObject({ ok: false, events: 8, firstBrokenPosition: byId('b-1').position.toString() });
    expect(report.reason).toMatch(/budget-B-2021: its head says version 2/);
  });

  it('finds a stream head that no longer matches its chain', async () => {
    await tamper(`UPDATE ledger_streams SET last_hash = repeat('0', 64) WHERE stream_id = 'budget-A-2021'`);
    expect(await new PgEventStore(get().db).verify()).toMatchObject({ ok: false, firstBrokenPosition: byId('a-2-1').position.toString() });
  });
});
