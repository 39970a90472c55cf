import type { Sql } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { ApiKeyStore } from './api-keys';

describeEachEngine('API keys', (get) => {
  /** The database, counting the key look-ups sent through it, each answer held until `release` once `hold` is set. */
  function watched(): { sql: Sql; lookUps: () => number; hold: () => void; release: () => void } {
    let n = 0;
    let gate: Promise<void> | undefined;
    let open: () => void = () => undefined;
    return {
      sql: {
        query: async (text, params, options) => {
          const lookUp = text.includes('FROM ledger_api_keys WHERE key_id IN');
          if (lookUp) n += 1;
          const rows = await get().db.query(text, params, options);
          if (lookUp && gate !== undefined) await gate;
          return rows as never;
        },
      },
      lookUps: () => n,
      hold: () => {
        gate = new Promise((resolve) => (open = resolve));
      },
      release: () => open(),
    };
  }

  it('answers keys asked at once, each for its own key, in fewer look-ups than requests', async () => {
    const maker = new ApiKeyStore(get().db);
    const writer = await maker.create({ role: 'writer' });
    const analyst = await maker.create({ role: 'analyst', departments: ['D1'] });
    const revoked = await maker.create({ role: 'admin' });
    await maker.revoke(revoked.keyId);
    const db = watched();
    const keys = new ApiKeyStore(db.sql);
    const asked = [
      writer.key,
      analyst.key,
      revoked.key,
      `ledger_${writer.keyId}_${'A'.repeat(43)}`, // the writer's id with another secret
      `ledger_k_000000000000_${'B'.repeat(43)}`, // no such key
    ];
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => keys.authenticate(asked[i % asked.length] as string)));
    answers.forEach((identity, i) => {
      const key = asked[i % asked.length];
      const expected =
        key === writer.key
          ? { subject: `key:${writer.keyId}`, roles: ['writer'], departments: null }
          : key === analyst.key
            ? { subject: `key:${analyst.keyId}`, roles: ['analyst'], departments: ['D1'] }
            : undefined;
      if (expected === undefined) expect(identity).toBeUndefined();
      else expect(identity).toMatchObject(expected);
    });
    // The first goes alone; the 29 asked while it was under way go together.
    expect(db.lookUps()).toBe(2);
  });

  it('refuses a key revoked before a request came, even while a look-up from before the revocation is under way', async () => {
    const maker = new ApiKeyStore(get().db);
    const key = await maker.create({ role: 'writer' });
    const db = watched();
    const keys = new ApiKeyStore(db.sql);
    db.hold();
    // Looked up (and found active) before the revocation; its answer is held back.
    const before = keys.authenticate(key.key);
    while (db.lookUps() === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await maker.revoke(key.keyId); // another process, say the CLI
    // Asked after the revocation, while the look-up before it is still under way: it must not share that answer.
    const after = keys.authenticate(key.key);
    db.release();
    expect(await before).toMatchObject({ subject: `key:${key.keyId}` });
    expect(await after).toBeUndefined();
    expect(db.lookUps()).toBe(2);
  });
});
