import type { Transaction } from './database';
import { describeEachEngine } from '../testing/test-databases';

/**
 * Database.transaction on both engines: what a caller relies on. PGlite answered a transaction
 * whose unwaited statement had failed with "current transaction is aborted" (25P02) instead of
 * that statement's error — a unique violation, which the writer retries on, among them: the last
 * two cases failed there before pglite-database.ts tracked failures as postgres.js does.
 */
describeEachEngine('Database.transaction', (get) => {
  beforeAll(async () => {
    await get().db.query('CREATE TABLE tx_rows (n int PRIMARY KEY)');
  });

  beforeEach(async () => {
    await get().db.query('TRUNCATE tx_rows');
  });

  async function rows(): Promise<number[]> {
    return (await get().db.query<{ n: number }>('SELECT n FROM tx_rows ORDER BY n')).map((row) => row.n);
  }

  it('commits the statements when the function resolves, its first statement included, and answers its result', async () => {
    const result = await get().db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_rows VALUES (1)');
      await tx.query('INSERT INTO tx_rows VALUES (2)');
      return 'done';
    });
    expect(result).toBe('done');
    expect(await rows()).toEqual([1, 2]);
  });

  it('rolls every statement back, the first one included, when the function throws', async () => {
    const failing = get().db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_rows VALUES (1)');
      await tx.query('INSERT INTO tx_rows VALUES (2)');
      throw new Error('changed my mind');
    });
    await expect(failing).rejects.toThrow('changed my mind');
    expect(await rows()).toEqual([]);
  });

  it('runs its statements inside the transaction: another session does not see them before the commit', async () => {
    let seenInside: number[] | undefined;
    await get().db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_rows VALUES (7)');
      expect(await tx.query('SELECT n FROM tx_rows')).toEqual([{ n: 7 }]);
      // PGlite has one session, which this transaction holds: only the server has another to ask.
      if (get().db.kind === 'postgres') seenInside = await rows();
    });
    if (get().db.kind === 'postgres') expect(seenInside).toEqual([]);
    expect(await rows()).toEqual([7]);
  });

  it('rolls back, with the failed statement’s own error, when a statement the function did not wait for failed', async () => {
    let unawaited: Promise<unknown> | undefined;
    const outcome = get().db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_rows VALUES (1)');
      unawaited = tx.query('INSERT INTO tx_rows VALUES (1)');
      unawaited.catch(() => undefined);
      // Statements sent behind the failed one fail too ("current transaction is aborted"), and
      // one that does not run at all here must not hide the first error.
      await unawaited.catch(() => undefined);
      return 'resolved anyway';
    });
    await expect(outcome).rejects.toMatchObject({ code: '23505' });
    expect(await rows()).toEqual([]);
  });

  it('answers the first failure, not "current transaction is aborted", when a later statement is the one awaited', async () => {
    const outcome = get().db.transaction(async (tx) => {
      void tx.query('INSERT INTO tx_rows VALUES (1)');
      void tx.query('INSERT INTO tx_rows VALUES (1)').catch(() => undefined);
      await tx.query('INSERT INTO tx_rows VALUES (2)');
    });
    await expect(outcome).rejects.toMatchObject({ code: '23505' });
    expect(await rows()).toEqual([]);
  });

  it('serves the next transaction on the same pool after a failed one', async () => {
    await expect(get().db.transaction((tx) => tx.query('SELECT 1/0'))).rejects.toMatchObject({ code: '22012' });
    await get().db.transaction((tx) => tx.query('INSERT INTO tx_rows VALUES (3)'));
    expect(await rows()).toEqual([3]);
  });

  it('refuses a statement sent after the function settled, rather than running it on its own', async () => {
    for (const outcome of ['throws', 'returns'] as const) {
      let kept: Transaction | undefined;
      const settled = get().db.transaction(async (tx) => {
        kept = tx;
        await tx.query('INSERT INTO tx_rows VALUES (1)');
        if (outcome === 'throws') throw new Error('changed my mind');
      });
      if (outcome === 'throws') await expect(settled).rejects.toThrow('changed my mind');
      else await settled;
      // Behind the COMMIT or ROLLBACK, on the connection given back, it would be committed alone.
      await expect(kept!.query('INSERT INTO tx_rows VALUES (2)')).rejects.toThrow();
      await expect(kept!.copyFrom('tx_rows', ['n'], ['3\n'])).rejects.toThrow();
      expect(await rows()).toEqual(outcome === 'throws' ? [] : [1]);
      await get().db.query('TRUNCATE tx_rows');
    }
  });
});
