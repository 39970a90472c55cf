import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '@ledger/event-store';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

/** `npm run --silent ledger -- …` without npm's own start-up: the same node command it runs. */
async function ledger(storage: E2eStorage, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...storage.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

for (const engine of testEngines()) {
  describe(`CLI [${engine}]`, () => {
    let storage: E2eStorage;
    let dir: string;

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-cli-'));
    });
    afterAll(async () => {
      await storage.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('append stores the good lines of a file and names the line and field of every bad one', async () => {
      const file = path.join(dir, 'events.ndjson');
      fs.writeFileSync(
        file,
        [
          '{"eventId":"L1-open","type":"BudgetLineOpened","effectiveDate":"2021-01-01","data":{"lineId":"L1","department":"D1","fiscalYear":2021,"kind":"basic"}}',
          '{"eventId":"L1-init","type":"InitialBudgetApproved","effectiveDate":"2021-01-01","data":{"lineId":"L1","amount":"500.00"}}',
          'not json at all',
          '{"eventId":"p1","type":"PaymentRecorded","effectiveDate":"2021-02-30","data":{"lineId":"L1","amount":"1.00"}}',
          '{"eventId":"p2","type":"PaymentRecorded","effectiveDate":"2021-02-03","data":{"lineId":"L1","amount":"1.001"}}',
          '{"eventId":"p3","type":"PaymentRecorded","effectiveDate":"2021-02-03","data":{"lineId":"L1","amount":120.5}}',
          '{"eventId":"p4","type":"PaymentRecorded","effectiveDate":"2021-02-04","data":{"lineId":"L1","amount":"900.00"}}',
          '{"eventId":"t1","type":"Teleported","effectiveDate":"2021-02-04","data":{}}',
        ].join('\n'),
      );
      const result = await ledger(storage, ['append', file, '--json']);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ appended: 3, duplicates: 0 });
      expect(summary.rejected.map((r: any) => [r.line, r.eventId, r.code, r.field])).toEqual([
        [3, null, 'INVALID_JSON', null],
        [4, 'p1', 'INVALID_EVENT', 'effectiveDate'],
        [5, 'p2', 'INVALID_EVENT', 'data.amount'],
        [7, 'p4', 'LINE_OVERDRAWN', 'data.amount'],
        [8, 't1', 'UNKNOWN_EVENT_TYPE', 'type'],
      ]);
      expect(summary.rejected[3].error).toMatch(/^event p4: data\.amount: /);
    });

    it('append reads standard input and acknowledges what is already stored as duplicates', async () => {
      const line = '{"eventId":"p3","type":"PaymentRecorded","effectiveDate":"2021-02-03","data":{"lineId":"L1","amount":"120.50"}}\n';
      const result = await ledger(storage, ['append', '-', '--json'], line);
      expect(JSON.parse(result.stdout)).toMatchObject({ appended: 0, duplicates: 1, rejected: [] });
    });

    it('view and trace print one JSON document with --json, and a table without', async () => {
      const view = await ledger(storage, ['view', '--department', 'D1', '--as-of', '2021-12-31', '--json']);
      expect(JSON.parse(view.stdout).total).toMatchObject({ initial: '500.00', executed: '120.50', executionRate: '0.2410' });
      const table = await ledger(storage, ['view', '--department', 'D1', '--as-of', '2021-12-31', '--group-by', 'kind']);
      expect(table.stdout).toMatch(/basic .*500\.00.*120\.50.*24\.10%/);
      const trace = await ledger(storage, ['trace', '--line', 'L1', '--json']);
      expect(JSON.parse(trace.stdout).entries.map((e: any) => e.eventId)).toEqual(['L1-open', 'L1-init', 'p3']);
    });

    it('closes a quarter, then refuses an event dated in it unless it is a correction, and refuses a second close', async () => {
      const close = await ledger(storage, ['close-period', '--department', 'D1', '--year', '2021', '--period', 'Q1', '--json']);
      expect(close.code).toBe(0);
      const late = '{"eventId":"p5","type":"PaymentRecorded","effectiveDate":"2021-03-01","data":{"lineId":"L1","amount":"10.00"}}\n';
      const refused = JSON.parse((await ledger(storage, ['append', '-', '--json'], late)).stdout);
      expect(refused.rejected[0]).toMatchObject({ code: 'PERIOD_CLOSED', error: expect.stringContaining('period 2021-Q1 is closed') });
      const correction = late.replace('"p5"', '"p6"').replace('"effectiveDate"', '"correction":true,"effectiveDate"');
      expect(JSON.parse((await ledger(storage, ['append', '-', '--json'], correction)).stdout)).toMatchObject({ appended: 1 });
      const again = await ledger(storage, ['close-period', '--department', 'D1', '--year', '2021', '--period', 'Q1', '--json']);
      expect(again.code).toBe(2);
      expect(JSON.parse(again.stdout).error).toMatchObject({ code: 'PERIOD_ALREADY_CLOSED' });
      const progress = JSON.parse((await ledger(storage, ['progress', '--department', 'D1', '--year', '2021', '--json'])).stdout);
      expect(progress.quarters[0]).toMatchObject({
        closed: true,
        executed: '130.50',
        reported: { executed: '120.50' },
        difference: { executed: '10.00' },
      });
    });

    it('verify reports an intact chain and rebuild reaches the same figures', async () => {
      expect(JSON.parse((await ledger(storage, ['verify', '--json'])).stdout)).toMatchObject({ ok: true });
      const before = (await ledger(storage, ['view', '--department', 'D1', '--as-of', '2021-12-31', '--json'])).stdout;
      const rebuilt = await ledger(storage, ['rebuild', '--json']);
      expect(JSON.parse(rebuilt.stdout)).toMatchObject({ events: expect.any(Number) });
      const after = (await ledger(storage, ['view', '--department', 'D1', '--as-of', '2021-12-31', '--json'])).stdout;
      expect(JSON.parse(after).total).toEqual(JSON.parse(before).total);
    });

    it('close-period refuses a department-year with no lines, and the department’s real payments are still taken', async () => {
      const typo = await ledger(storage, ['close-period', '--department', '不存在', '--year', '2021', '--period', 'Q1', '--json']);
      expect(typo.code).toBe(2);
      expect(JSON.parse(typo.stdout).error).toMatchObject({ code: 'DEPARTMENT_YEAR_NOT_FOUND' });
      const future = await ledger(storage, ['close-period', '--department', 'D1', '--year', '2099', '--period', 'Q1', '--json']);
      expect(JSON.parse(future.stdout).error).toMatchObject({ code: 'DEPARTMENT_YEAR_NOT_FOUND' });
      // A quarter not yet ended (PERIOD_NOT_ENDED) is tested with an injected clock in ledger-writer.close-period.spec.ts.
      // Real payments of D1 are still taken.
      const pay = '{"eventId":"p7","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L1","amount":"1.00"}}\n';
      expect(JSON.parse((await ledger(storage, ['append', '-', '--json'], pay)).stdout)).toMatchObject({ appended: 1 });
    });

    it('refuses an event dated outside its line’s fiscal year', async () => {
      const early = '{"eventId":"p8","type":"PaymentRecorded","effectiveDate":"2020-12-31","data":{"lineId":"L1","amount":"1.00"}}\n';
      const summary = JSON.parse((await ledger(storage, ['append', '-', '--json'], early)).stdout);
      expect(summary.rejected[0]).toMatchObject({ code: 'OUTSIDE_FISCAL_YEAR', field: 'effectiveDate' });
    });

    it('answers an unknown department with exit 2 and the nearest names; a known one without data with zeros', async () => {
      for (const command of [
        ['view', '--department', 'D2', '--as-of', '2021-12-31'],
        ['progress', '--department', 'D2', '--year', '2021'],
        ['ratios', '--department', 'D2', '--year', '2021'],
        ['scorecard', '--department', 'D2', '--year', '2021'],
        ['warnings', '--department', 'D2', '--as-of', '2021-06-30'],
      ]) {
        const typo = await ledger(storage, [...command, '--json']);
        expect(typo.code).toBe(2);
        expect(JSON.parse(typo.stdout).error).toMatchObject({ code: 'DEPARTMENT_NOT_FOUND' });
        expect(typo.stderr).toContain("no such department 'D2' (nearest: D1)");
      }
      const zeros = await ledger(storage, ['view', '--department', 'D1', '--as-of', '2020-06-30', '--json']);
      expect(zeros.code).toBe(0);
      expect(JSON.parse(zeros.stdout).total).toMatchObject({ initial: '0.00', executed: '0.00' });
    });

    it('exits 2 with a clear message when it cannot run, and prints the error as JSON with --json', async () => {
      const noFile = await ledger(storage, ['append', path.join(dir, 'missing.ndjson'), '--json']);
      expect(noFile.code).toBe(2);
      expect(JSON.parse(noFile.stdout).error.message).toMatch(/no such file/);
      const badDate = await ledger(storage, ['view', '--department', 'D1', '--as-of', '2021-13-01']);
      expect(badDate.code).toBe(2);
      expect(badDate.stderr).toMatch(/asOf: '2021-13-01' is not a calendar date/);
      expect((await ledger(storage, ['frobnicate'])).code).toBe(2);
    });

    it('cannot reach a database: one line on stderr, exit 2, one JSON document under --json, no stack', async () => {
      const unreachable = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/ledger' };
      const result = await ledger({ ...storage, env: unreachable }, ['view', '--department', 'D1', '--json']);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^ledger view: the database cannot be reached: .*ECONNREFUSED/),
      ]);
    });

    it('verify exits non-zero on a broken chain and lists every break', async () => {
      const db = await openDatabase(storage.config.database);
      try {
        await db.transaction(async (tx) => {
          await tx.query('SET LOCAL session_replication_role = replica');
          await tx.query(`UPDATE ledger_events SET effective_date = '2021-01-02' WHERE event_id IN ('L1-init', 'p3')`);
        });
      } finally {
        await db.close();
      }
      const result = await ledger(storage, ['verify', '--json']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ ok: false });
      expect(report.breaks.map((b: any) => b.reason)).toEqual([expect.stringContaining('L1-init'), expect.stringContaining('p3')]);
      const text = await ledger(storage, ['verify']);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('BROKEN: 2 breaks');
    });
  });
}
