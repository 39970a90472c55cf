import type { Sql } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { AccessLog } from './access-log';

describeEachEngine('the access log', (get) => {
  beforeEach(async () => {
    await get().db.query('TRUNCATE ledger_access_log');
  });

  /** The database, counting the statements sent through it. */
  function counting(): { sql: Sql; statements: () => number } {
    let n = 0;
    return {
      sql: { query: (text, params, options) => ((n += 1), get().db.query(text, params, options)) },
      statements: () => n,
    };
  }

  it('keeps every request recorded at once, exactly as recorded, in fewer statements than requests', async () => {
    const db = counting();
    const log = new AccessLog(db.sql, (error) => {
      throw error;
    });
    const at = new Date('2026-12-01T08:00:00.123Z');
    const odd = ['/v1/departments/市贸促委/view?asOf=2021-06-30', '/v1/x?q="quoted",{braces},back\\slash', 'NULL', ''];
    for (let i = 0; i < 50; i += 1) {
      log.record({
        at,
        identity: i % 5 === 0 ? null : `key:k${i}`,
        method: i % 2 ? 'GET' : 'POST',
        path: odd[i % odd.length] as string,
        status: 200 + i,
      });
    }
    await log.flush();
    const { entries } = await log.read(0n, 100);
    expect(entries).toHaveLength(50);
    entries.forEach((e, i) => {
      expect(e).toMatchObject({
        at: at.toISOString(),
        identity: i % 5 === 0 ? null : `key:k${i}`,
        method: i % 2 ? 'GET' : 'POST',
        path: odd[i % odd.length],
        status: 200 + i,
      });
    });
    expect(db.statements()).toBeLessThan(50);
  });

  it('writes lines recorded one after another, within its delay, in one statement; reads what this process recorded', async () => {
    const db = counting();
    const log = new AccessLog(
      db.sql,
      (error) => {
        throw error;
      },
      1_000,
    );
    for (let i = 0; i < 5; i += 1) {
      log.record({ at: new Date(), identity: 'key:a', method: 'POST', path: `/v1/events?n=${i}`, status: 200 });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(db.statements()).toBe(0);
    // read flushes first: no flush asked for, no wait for the delay.
    const { entries } = await log.read(0n, 10);
    expect(entries.map((e) => e.path)).toEqual([0, 1, 2, 3, 4].map((i) => `/v1/events?n=${i}`));
    expect(db.statements()).toBe(2); // the INSERT, then the read
  });

  it('writes what is left when the app shuts down', async () => {
    const log = new AccessLog(
      get().db,
      (error) => {
        throw error;
      },
      60_000,
    );
    log.record({ at: new Date(), identity: null, method: 'GET', path: '/last', status: 401 });
    await log.beforeApplicationShutdown();
    expect(await get().db.query('SELECT path FROM ledger_access_log')).toEqual([{ path: '/last' }]);
  });

  it('reports a failed write and goes on writing what comes after it', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const flaky: Sql = {
      query: (text, params, options) => {
        if (fail && text.includes('INSERT INTO ledger_access_log')) {
          fail = false;
          return Promise.reject(new Error('connection lost'));
        }
        return get().db.query(text, params, options);
      },
    };
    const log = new AccessLog(flaky, (error) => errors.push(error));
    log.record({ at: new Date(), identity: 'key:a', method: 'GET', path: '/lost', status: 200 });
    await log.flush();
    log.record({ at: new Date(), identity: 'key:a', method: 'GET', path: '/kept', status: 200 });
    await log.flush();
    expect(errors).toEqual([new Error('connection lost')]);
    expect((await log.read(0n, 10)).entries.map((e) => e.path)).toEqual(['/kept']);
  });
});
