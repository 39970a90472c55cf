import { generateKeyPairSync } from 'node:crypto';
import { signingKeyFromPem } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rawInit, rawOpen, rawPay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';
import { CheckpointSchedule, parseCheckpointEvery } from './checkpoint-schedule';
import { CHECKPOINT_STREAM_ID, Checkpoints } from './checkpoints';

const key = signingKeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test');

describe('LEDGER_CHECKPOINT_EVERY', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    [' 1h ', 3_600_000],
    ['1d', 86_400_000],
    [undefined, undefined],
    ['', undefined],
  ])('reads %p as %p ms', (text, ms) => {
    expect(parseCheckpointEvery(text)).toBe(ms);
  });

  it.each(['0s', '500', '1.5h', '31d', 'hourly', '-1m'])('refuses %p, naming the variable', (text) => {
    expect(() => parseCheckpointEvery(text)).toThrow(/^LEDGER_CHECKPOINT_EVERY must be a duration such as 30s, 15m, 1h or 1d/);
  });
});

describeEachEngine('checkpoints on a schedule', (get) => {
  beforeEach(async () => {
    await get().db.transaction(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      await tx.query(
        'TRUNCATE ledger_events, ledger_streams, ledger_lines, ledger_movements, ledger_stream_days, ledger_apart_movements, ledger_department_days',
      );
    });
  });

  const checkpoints = (signing = key) => new Checkpoints(get().db, testLedger(get().db).store, signing);
  const stored = async () => (await checkpoints().list()).checkpoints;

  it('signs only when something other than checkpoints was appended since the last one', async () => {
    expect(await checkpoints().createIfLogMoved()).toBeUndefined(); // an empty log
    await testLedger(get().db).append([rawOpen('L1', 'D1'), rawInit('L1', '100.00')]);
    const first = await checkpoints().createIfLogMoved();
    expect(first).toMatchObject({ events: 2 });
    // The checkpoint is itself an event after `first.position`: that alone is no reason to sign again.
    expect(await checkpoints().createIfLogMoved()).toBeUndefined();
    await testLedger(get().db).append([rawPay('p1', 'L1', '1.00')]);
    const second = await checkpoints().createIfLogMoved();
    expect(second).toMatchObject({ events: 4 }); // two events, the first checkpoint, the payment
    expect(BigInt(second!.position)).toBeGreaterThan(BigInt(first!.position));
    expect((await stored()).map((c) => c.position)).toEqual([first!.position, second!.position]);
  });

  it('ticks on its interval in the process that serves, one walk at a time, and stops cleanly', async () => {
    await testLedger(get().db).append([rawOpen('L1', 'D1'), rawInit('L1', '100.00')]);
    const schedule = new CheckpointSchedule(checkpoints(), 1000);
    // Two ticks at once: the second finds the first still walking the log and does nothing.
    const [a, b] = await Promise.all([schedule.tick(), schedule.tick()]);
    expect(a).toMatchObject({ events: 2 });
    expect(b).toBeUndefined();
    schedule.start();
    try {
      await testLedger(get().db).append([rawPay('p1', 'L1', '1.00')]);
      const deadline = Date.now() + 15_000;
      while ((await stored()).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await schedule.stop();
    }
    expect((await stored()).map((c) => c.events)).toEqual([2, 4]);
    const [row] = await get().db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events WHERE stream_id = $1', [
      CHECKPOINT_STREAM_ID,
    ]);
    expect(row?.n).toBe(2n);
  });

  it('does nothing without LEDGER_CHECKPOINT_EVERY, and refuses to start without a signing key', () => {
    expect(() => new CheckpointSchedule(checkpoints(), undefined).start()).not.toThrow();
    expect(() => new CheckpointSchedule(new Checkpoints(get().db, testLedger(get().db).store, undefined), 60_000).start()).toThrow(
      /LEDGER_CHECKPOINT_EVERY is set but there is no signing key/,
    );
  });
});
