import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseEvent, type LedgerEvent } from '@ledger/domain';
import { signingKeyFromPem, type Sql, type SignedCheckpoint, type SigningKey } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rechainStream } from '../testing/forge';
import { rawInit, rawOpen, rawPay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';
import { checkpointAfterClose } from './checkpoint-after-close';
import { CHECKPOINT_SIGNED, CHECKPOINT_STREAM_ID, Checkpoints } from './checkpoints';

const REPO = path.resolve(__dirname, '../../../..');

function newKey(): { key: SigningKey; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    key: signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test'),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const STREAM = 'budget-D1-2021';

describeEachEngine('signed checkpoints', (get) => {
  const { key, publicPem } = newKey();
  let clock = Date.parse('2026-12-01T08:00:00.000Z');
  const now = () => new Date((clock += 1000));

  /** What someone with write access to the database (and the rights to switch the guard off) can do. */
  async function tamper(fn: (tx: Sql) => Promise<void>): Promise<void> {
    await get().db.transaction(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      await fn(tx);
    });
  }

  beforeEach(async () => {
    await tamper(async (tx) => {
      await tx.query(
        'TRUNCATE ledger_events, ledger_streams, ledger_lines, ledger_movements, ledger_reversals, ledger_periods, ledger_stream_days, ledger_apart_movements, ledger_department_days',
      );
    });
    const ledger = testLedger(get().db);
    const summary = await ledger.append([
      rawOpen('L1', 'D1'),
      rawInit('L1', '5000000.00'),
      rawOpen('L2', 'D1'),
      rawInit('L2', '800.00'),
      ...Array.from({ length: 20 }, (_, i) => rawPay(`pay-${i}`, i % 2 === 0 ? 'L1' : 'L2', i === 7 ? '30.04' : `${i + 1}.00`)),
    ]);
    expect(summary.rejected).toEqual([]);
  });

  const checkpoints = (signing: SigningKey | 'no key' = key) =>
    new Checkpoints(get().db, testLedger(get().db).store, signing === 'no key' ? undefined : signing, now);

  it('signs the log, stores the checkpoint as an event, and verifies it', async () => {
    const cp = await checkpoints().create();
    expect(cp).toMatchObject({ events: 24, keyId: key.keyId });
    const verification = await checkpoints().verify(cp, key.publicKey);
    expect(verification).toMatchObject({ ok: true, problems: [] });
    const [stored] = await testLedger(get().db).store.readStream(CHECKPOINT_STREAM_ID);
    expect(stored).toMatchObject({ type: CHECKPOINT_SIGNED, data: cp });
    expect((await checkpoints().list()).checkpoints).toEqual([cp]);
    // Events appended later, the checkpoint's own among them, leave the signed prefix as it was.
    await testLedger(get().db).append([rawPay('pay-later', 'L1', '1.00')]);
    expect((await checkpoints().verify(cp, key.publicKey)).ok).toBe(true);
    // A second checkpoint covers the first one's event.
    const next = await checkpoints().create();
    expect(next.events).toBe(26);
  });

  it('catches a payment changed and the whole chain after it recomputed, which verify alone does not', async () => {
    const cp = await checkpoints().create();
    await tamper(async (tx) => {
      await tx.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amount}', '"1000000.00"') WHERE event_id = 'pay-7'`);
      await rechainStream(tx, STREAM);
    });
    expect(await testLedger(get().db).store.verify()).toMatchObject({ ok: true });
    const verification = await checkpoints().verify(cp, key.publicKey);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([
      expect.objectContaining({ kind: 'tree', message: expect.stringContaining('its history was changed') }),
    ]);
  });

  it("catches a stream's last event deleted and its head reset", async () => {
    const cp = await checkpoints().create();
    await tamper(async (tx) => {
      await tx.query(`DELETE FROM ledger_events WHERE event_id = 'pay-19'`);
      await rechainStream(tx, STREAM);
    });
    expect(await testLedger(get().db).store.verify()).toMatchObject({ ok: true });
    const verification = await checkpoints().verify(cp, key.publicKey);
    expect(verification.ok).toBe(false);
    expect(verification.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('holds 23 events up to position'),
      expect.stringContaining('its history was changed'),
    ]);
  });

  it('catches a forged checkpoint and a checkpoint checked with another key', async () => {
    const cp = await checkpoints().create();
    const forged: SignedCheckpoint = { ...cp, events: cp.events - 1 };
    expect((await checkpoints().verify(forged, key.publicKey)).problems[0]).toMatchObject({ kind: 'signature' });
    const other = newKey();
    expect((await checkpoints().verify(cp, other.key.publicKey)).problems[0]).toMatchObject({
      kind: 'signature',
      message: expect.stringContaining('names key'),
    });
  });

  it('refuses to sign a broken log, and to sign without a key', async () => {
    await tamper(async (tx) => {
      await tx.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amount}', '"2.00"') WHERE event_id = 'pay-3'`);
    });
    await expect(checkpoints().create()).rejects.toMatchObject({ code: 'LOG_BROKEN' });
    await expect(checkpoints('no key').create()).rejects.toMatchObject({ code: 'SIGNING_KEY_MISSING' });
  });

  it('proves one event to someone holding only the checkpoint and the public key (tools/verify-proof.js)', async () => {
    const cp = await checkpoints().create();
    const proof = await checkpoints().prove('pay-7', cp);
    expect(proof).toMatchObject({ leafIndex: 11, treeSize: 24, event: { eventId: 'pay-7', data: { lineId: 'L2', amount: '30.04' } } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-proof-'));
    const run = (document: unknown) => {
      fs.writeFileSync(path.join(dir, 'proof.json'), JSON.stringify(document));
      try {
        const out = execFileSync(
          process.execPath,
          [path.join(REPO, 'tools/verify-proof.js'), '--proof', path.join(dir, 'proof.json'), '--public-key', path.join(dir, 'key.pem')],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        return { code: 0, out };
      } catch (error) {
        const e = error as { status: number; stderr: string };
        return { code: e.status, out: e.stderr };
      }
    };
    fs.writeFileSync(path.join(dir, 'key.pem'), publicPem);
    expect(run(proof)).toEqual({ code: 0, out: expect.stringContaining('PROVEN: event pay-7') });
    const changed = { ...proof, event: { ...proof.event, data: { ...proof.event.data, amount: '1000000.00' } } };
    expect(run(changed)).toEqual({ code: 1, out: expect.stringContaining('do not lead to the signed digest') });
    expect(run({ ...proof, checkpoint: { ...cp, digest: '0'.repeat(64) } })).toEqual({
      code: 1,
      out: expect.stringContaining('signature'),
    });
    fs.writeFileSync(path.join(dir, 'key.pem'), newKey().publicPem);
    expect(run(proof)).toEqual({ code: 1, out: expect.stringContaining('not by this key') });
    fs.rmSync(dir, { recursive: true });
    // No proof from a log that no longer matches the checkpoint.
    await tamper(async (tx) => {
      await tx.query(`UPDATE ledger_events SET correction = true WHERE event_id = 'pay-1'`);
      await rechainStream(tx, STREAM);
    });
    await expect(checkpoints().prove('pay-7', cp)).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH' });
  });

  it('signs the log when a batch closes a quarter, and only then', async () => {
    const ledger = testLedger(get().db);
    const parse = (raw: unknown): LedgerEvent => {
      const parsed = parseEvent(raw);
      if (!parsed.ok) throw parsed.error;
      return parsed.event;
    };
    const pay = [parse(rawPay('pay-x', 'L1', '1.00'))];
    await checkpointAfterClose(checkpoints(), pay, await ledger.writer.append(pay));
    expect((await checkpoints().list()).checkpoints).toHaveLength(0);
    const close = [
      parse({
        eventId: 'close-q1',
        type: 'PeriodClosed',
        effectiveDate: '2021-03-31',
        data: { department: 'D1', fiscalYear: 2021, period: 'Q1' },
      }),
    ];
    const results = await ledger.writer.append(close);
    await checkpointAfterClose(checkpoints('no key'), close, results);
    expect((await checkpoints().list()).checkpoints).toHaveLength(0);
    await checkpointAfterClose(checkpoints(), close, results);
    const { checkpoints: made } = await checkpoints().list();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ events: 26, position: (results[0] as { position: bigint }).position.toString() });
  });
});
