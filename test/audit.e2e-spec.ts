import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { PgliteDatabase, PostgresDatabase, type Database, type SignedCheckpoint } from '@ledger/event-store';
import { Checkpoints } from '@ledger/ledger';
import { rechainStream } from '@ledger/ledger/testing/forge';
import { createApi, startApi } from '@ledger/http';
import { authConfigFromEnv } from '@ledger/auth';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';

/**
 * The attacks of issue 11, end to end through the CLI and the HTTP API: what someone with write
 * access to the database does, and what catches it.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

const events = [
  {
    eventId: 'L1-open',
    type: 'BudgetLineOpened',
    effectiveDate: '2021-01-01',
    data: { lineId: 'L1', department: 'D1', fiscalYear: 2021, kind: 'basic' },
  },
  { eventId: 'L1-init', type: 'InitialBudgetApproved', effectiveDate: '2021-01-01', data: { lineId: 'L1', amount: '5000000.00' } },
  { eventId: 'p1', type: 'PaymentRecorded', effectiveDate: '2021-02-01', data: { lineId: 'L1', amount: '100.00' } },
  { eventId: 'p2', type: 'PaymentRecorded', effectiveDate: '2021-02-02', data: { lineId: 'L1', amount: '30.04' } },
  { eventId: 'p3', type: 'PaymentRecorded', effectiveDate: '2021-02-03', data: { lineId: 'L1', amount: '12.00' } },
  { eventId: 'close-q1', type: 'PeriodClosed', effectiveDate: '2021-03-31', data: { department: 'D1', fiscalYear: 2021, period: 'Q1' } },
];

for (const engine of testEngines()) {
  describe(`tamper evidence end to end [${engine}]`, () => {
    let storage: E2eStorage;
    let dir: string;
    let env: Record<string, string>;
    const keyFile = () => path.join(dir, 'signing.pem');
    const publicFile = () => path.join(dir, 'public.pem');

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-audit-'));
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      fs.writeFileSync(keyFile(), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      fs.writeFileSync(publicFile(), publicKey.export({ type: 'spki', format: 'pem' }));
      env = { ...storage.env, LEDGER_SIGNING_KEY_FILE: keyFile() };
    });
    afterAll(async () => {
      await storage.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function ledger(
      args: string[],
      extraEnv: Record<string, string> = {},
    ): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await run(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', ...args], {
          cwd: ROOT,
          env: { ...process.env, ...env, ...extraEnv },
          maxBuffer: 64 * 1024 * 1024,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    }

    /** The database as an attacker opens it, between two runs of the CLI. */
    async function asAttacker(fn: (db: Database) => Promise<void>): Promise<void> {
      const config = storage.config.database;
      const db = config.databaseUrl
        ? new PostgresDatabase(config.databaseUrl, { maxConnections: 1 })
        : await PgliteDatabase.open(config.dataDir);
      try {
        await fn(db);
      } finally {
        await db.close();
      }
    }

    it('signs the log at the close and on demand; verify --checkpoint catches a forged chain, verify a projection edit; a proof checks standalone', async () => {
      const file = path.join(dir, 'events.ndjson');
      fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
      expect((await ledger(['append', file, '--json'])).code).toBe(0);
      // The close was signed by itself.
      const signedAtClose = await asAttackerRead();
      expect(signedAtClose).toHaveLength(1);

      const made = await ledger(['checkpoint', '--json']);
      expect(made.code).toBe(0);
      const checkpoint = JSON.parse(made.stdout) as { position: string; events: number; keyId: string };
      expect(checkpoint.events).toBe(7);
      const cpFile = path.join(dir, 'checkpoint.json');
      fs.writeFileSync(cpFile, made.stdout);

      // An inclusion proof, checked with nothing but the checkpoint, the public key and plain node.
      const proof = await ledger(['prove', '--event', 'p2', '--checkpoint', cpFile]);
      expect(proof.code).toBe(0);
      const proofFile = path.join(dir, 'proof.json');
      fs.writeFileSync(proofFile, proof.stdout);
      const checked = await run(process.execPath, [
        path.join(ROOT, 'tools/verify-proof.js'),
        '--proof',
        proofFile,
        '--public-key',
        publicFile(),
      ]);
      expect(checked.stdout).toContain('PROVEN: event p2');

      // Two attacks at once, as someone with write access to the database: a projection UPDATE
      // that moves L1's 执行数 by 1,000,000.00, and a payment changed with every hash after it recomputed.
      await asAttacker(async (db) => {
        await db.transaction(async (tx) => {
          await tx.query(`UPDATE ledger_lines SET executed_fen = executed_fen + 100000000 WHERE line_id = 'L1'`);
          await tx.query('SET LOCAL session_replication_role = replica');
          await tx.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amount}', '"1000000.00"') WHERE event_id = 'p2'`);
          await rechainStream(tx, 'budget-D1-2021');
        });
      });
      // verify: the chain was recomputed, so it holds; the projection no longer matches the (forged) log.
      const edited = await ledger(['verify']);
      expect(edited.code).toBe(1);
      expect(edited.stdout).toContain('ok: 8 events, hash chain intact');
      expect(edited.stdout).toContain('line L1: executed 1000142.04 where the log gives 1000112.00');
      // verify --checkpoint: the signed log is not this one.
      const forged = await ledger(['verify', '--checkpoint', cpFile, '--public-key', publicFile(), '--json']);
      expect(forged.code).toBe(1);
      expect(JSON.parse(forged.stdout)).toMatchObject({
        ok: false,
        problems: [{ kind: 'tree', message: expect.stringContaining('its history was changed') }],
      });
    }, 600_000);

    async function asAttackerRead(): Promise<unknown[]> {
      let rows: unknown[] = [];
      await asAttacker(async (db) => {
        rows = await db.query(`SELECT data FROM ledger_events WHERE stream_id = 'ledger-checkpoints'`);
      });
      return rows;
    }

    describe('HTTP', () => {
      let app: INestApplication;
      let base: string;
      beforeAll(async () => {
        process.env.LEDGER_SIGNING_KEY = fs.readFileSync(keyFile(), 'utf8');
        app = await createApi(storage.config, { ...authConfigFromEnv({}), enabled: false });
        delete process.env.LEDGER_SIGNING_KEY;
        await app.listen(0, '127.0.0.1');
        base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      });
      afterAll(async () => {
        await app.close();
      });

      it('refuses an oversized event in a JSON array, pages the log by bytes, and lists the checkpoints', async () => {
        const open = {
          eventId: 'H1-open',
          type: 'BudgetLineOpened',
          effectiveDate: '2021-01-01',
          data: { lineId: 'H1', department: 'D2', fiscalYear: 2021, kind: 'basic' },
        };
        const init = {
          eventId: 'H1-init',
          type: 'InitialBudgetApproved',
          effectiveDate: '2021-01-01',
          data: { lineId: 'H1', amount: '100.00' },
        };
        const pay = { eventId: 'small', type: 'PaymentRecorded', effectiveDate: '2021-05-01', data: { lineId: 'H1', amount: '1.00' } };
        const big = { ...pay, eventId: 'huge', metadata: { note: 'x'.repeat(10 * 1024 * 1024) } };
        const res = await fetch(`${base}/v1/events`, {
          method: 'POST',
          body: JSON.stringify([open, init, big, { ...pay, metadata: { note: 'y'.repeat(1000) } }]),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(200);
        const summary = (await res.json()) as { appended: number; rejected: { eventId: string; code: string }[] };
        expect(summary).toMatchObject({ appended: 3 });
        expect(summary.rejected).toEqual([expect.objectContaining({ eventId: 'huge', code: 'EVENT_TOO_LARGE' })]);

        const page = async (maxBytes: number) =>
          ((await (await fetch(`${base}/v1/events?after=0&maxBytes=${maxBytes}&wait=20`)).json()) as { events: unknown[] }).events.length;
        // A budget below one event still delivers that event, alone; a larger one delivers more.
        // (wait=: events are served once every older transaction on the server has ended.)
        expect(await page(1)).toBe(1);
        expect(await page(1024 * 1024)).toBeGreaterThan(5);
        const bad = await fetch(`${base}/v1/events?maxBytes=0`);
        expect(bad.status).toBe(400);

        const listed = (await (await fetch(`${base}/v1/checkpoints`)).json()) as { checkpoints: { keyId: string; signature: string }[] };
        expect(listed.checkpoints.length).toBeGreaterThanOrEqual(2);
        expect(listed.checkpoints[0]).toEqual(
          expect.objectContaining({ keyId: expect.stringMatching(/^sha256:/), signature: expect.any(String) }),
        );
      }, 120_000);

      it('signs on demand with POST /v1/checkpoints, a checkpoint verify --checkpoint accepts', async () => {
        const res = await fetch(`${base}/v1/checkpoints`, { method: 'POST' });
        expect(res.status).toBe(201);
        const made = (await res.json()) as { position: string; events: number };
        // Checked as verify --checkpoint does (in this process: on PGlite the API here owns the store).
        const verified = await app.get(Checkpoints).verify(made as SignedCheckpoint, createPublicKey(fs.readFileSync(publicFile())));
        expect(verified).toMatchObject({ ok: true, checkpoint: { position: made.position }, problems: [] });
        const listed = (await (await fetch(`${base}/v1/checkpoints?limit=1000`)).json()) as { checkpoints: { position: string }[] };
        expect(listed.checkpoints.at(-1)?.position).toBe(made.position);
      });
    });

    describe('serve with LEDGER_CHECKPOINT_EVERY', () => {
      it('signs the log on its schedule once events arrive, and refuses to start without a signing key', async () => {
        const auth = { ...authConfigFromEnv({}), enabled: false };
        await expect(startApi(0, { ...storage.config, checkpointEveryMs: 1000 }, auth)).rejects.toThrow(
          /LEDGER_CHECKPOINT_EVERY is set but there is no signing key/,
        );
        process.env.LEDGER_SIGNING_KEY = fs.readFileSync(keyFile(), 'utf8');
        const started = await startApi(0, { ...storage.config, checkpointEveryMs: 1000 }, auth).finally(() => {
          delete process.env.LEDGER_SIGNING_KEY;
        });
        try {
          const base = `http://${started.address}`;
          const before = await listCheckpoints(base);
          const pay = {
            eventId: 'scheduled-pay',
            type: 'PaymentRecorded',
            effectiveDate: '2021-06-01',
            data: { lineId: 'L1', amount: '1.00' },
          };
          const posted = await fetch(`${base}/v1/events`, {
            method: 'POST',
            body: JSON.stringify([pay]),
            headers: { 'content-type': 'application/json' },
          });
          expect(posted.status).toBe(200);
          let after = before;
          for (let waited = 0; after.length === before.length && waited < 20_000; waited += 250) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            after = await listCheckpoints(base);
          }
          expect(after.length).toBe(before.length + 1);
          const payment = (await (await fetch(`${base}/v1/events/scheduled-pay`)).json()) as { position: string };
          expect(BigInt(after.at(-1)!.position)).toBeGreaterThanOrEqual(BigInt(payment.position));
          // Nothing new: the next ticks sign nothing.
          await new Promise((resolve) => setTimeout(resolve, 2500));
          expect((await listCheckpoints(base)).length).toBe(after.length);
        } finally {
          await started.app.close();
        }
      }, 120_000);

      async function listCheckpoints(base: string): Promise<{ position: string }[]> {
        return ((await (await fetch(`${base}/v1/checkpoints?limit=1000`)).json()) as { checkpoints: { position: string }[] }).checkpoints;
      }
    });
  });
}
