import { generateKeyPairSync } from 'node:crypto';
import { parseEvent, type LedgerEvent } from '@ledger/domain';
import { signingKeyFromPem, type Sql } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rechainStream } from '../testing/forge';
import { testLedger } from '../testing/test-ledger';
import { closeYear, yearBeforeClose } from '../testing/year-end-events';
import { checkpointAfterClose } from './checkpoint-after-close';
import { Checkpoints } from './checkpoints';

const parsed = (raw: unknown): LedgerEvent => {
  const result = parseEvent(raw);
  if (!result.ok) throw result.error;
  return result.event;
};

describeEachEngine('checkpoints over a log with the year end', (get) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test');
  let clock = Date.parse('2026-12-01T08:00:00.000Z');
  const checkpoints = () => new Checkpoints(get().db, testLedger(get().db).store, key, () => new Date((clock += 1000)));
  async function tamper(fn: (tx: Sql) => Promise<void>): Promise<void> {
    await get().db.transaction(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      await fn(tx);
    });
  }

  it('signs the log once a year is closed, its derived events included; a derived event changed is caught', async () => {
    const ledger = testLedger(get().db);
    expect((await ledger.append(yearBeforeClose())).rejected).toEqual([]);
    const close = [parsed(closeYear('yc-D9-2021', 'D9', 2021))];
    await checkpointAfterClose(checkpoints(), close, await ledger.writer.append(close));
    const { checkpoints: made } = await checkpoints().list();
    expect(made).toHaveLength(1);
    const cp = made[0]!;
    const [{ n } = { n: 0n }] = await get().db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM ledger_events WHERE stream_id LIKE 'budget-%'`,
    );
    expect(BigInt(cp.events)).toBe(n);
    const [last] = await get().db.query<{ event_id: string }>(`SELECT event_id FROM ledger_events WHERE position = $1::bigint`, [
      cp.position,
    ]);
    expect(last?.event_id).toBe('yc-D9-2021:cf:2'); // the last derived event is under the signature
    expect(await checkpoints().verify(cp, key.publicKey)).toMatchObject({ ok: true, problems: [] });

    // The carried balance changed: the chain alone catches it, and once rechained, the checkpoint does.
    await tamper(async (tx) => {
      await tx.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amount}', '"1.00"') WHERE event_id = 'yc-D9-2021:cf:1'`);
    });
    expect(await ledger.store.verify()).toMatchObject({ ok: false });
    await tamper((tx) => rechainStream(tx, 'budget-D9-2021'));
    expect(await ledger.store.verify()).toMatchObject({ ok: true });
    const verification = await checkpoints().verify(cp, key.publicKey);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([
      expect.objectContaining({ kind: 'tree', message: expect.stringContaining('its history was changed') }),
    ]);
  });
});
