import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';
import { csvRecords, readXlsx } from './support/spreadsheets';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

async function ledger(storage: E2eStorage, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...storage.env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

const events = [
  {
    eventId: 'X1-open',
    type: 'BudgetLineOpened',
    effectiveDate: '2021-01-01',
    data: { lineId: 'X1', department: 'D1', fiscalYear: 2021, kind: 'basic', functionCode: '2011301' },
  },
  {
    eventId: 'X2-open',
    type: 'BudgetLineOpened',
    effectiveDate: '2021-01-01',
    data: { lineId: 'X2', department: 'D1', fiscalYear: 2021, kind: 'project', project: '会展, "2021"' },
  },
  { eventId: 'X1-init', type: 'InitialBudgetApproved', effectiveDate: '2021-01-01', data: { lineId: 'X1', amount: '1234567.89' } },
  { eventId: 'X2-init', type: 'InitialBudgetApproved', effectiveDate: '2021-01-01', data: { lineId: 'X2', amount: '1000.00' } },
  { eventId: 'X1-pay', type: 'PaymentRecorded', effectiveDate: '2021-02-01', data: { lineId: 'X1', amount: '333333.33' } },
];

// Each CLI run starts a process that opens the store; on a busy machine that takes a while.
jest.setTimeout(300_000);

for (const engine of testEngines()) {
  describe(`CLI --format csv|xlsx [${engine}]`, () => {
    let storage: E2eStorage;
    let dir: string;

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-cli-export-'));
      const file = path.join(dir, 'events.ndjson');
      fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
      await ledger(storage, ['append', file, '--json']);
    });
    afterAll(async () => {
      await storage.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('writes the view as CSV on stdout and as XLSX to --out, each figure equal to --json', async () => {
      const query = ['view', '--department', 'D1', '--as-of', '2021-12-31', '--known-at', '2100-01-01T00:00:00Z', '--group-by', 'line'];
      const json = JSON.parse((await ledger(storage, [...query, '--json'])).stdout) as {
        rows: { key: { line: string }; executed: string; executionRate: string }[];
        total: { executed: string };
      };
      const csv = (await ledger(storage, [...query, '--format', 'csv'])).stdout;
      expect(csv.startsWith('\uFEFF')).toBe(true);
      const { header, records } = csvRecords(csv.slice(1));
      expect(header.slice(0, 2)).toEqual(['key.line', 'initial']);
      expect(records.map((r) => [r['key.line'], r.executed, r.executionRate])).toEqual([
        ...json.rows.map((r) => [r.key.line, r.executed, r.executionRate]),
        ['合计', json.total.executed, '0.2698'],
      ]);
      const out = path.join(dir, 'view.xlsx');
      const { stderr } = await ledger(storage, [...query, '--format', 'xlsx', '--out', out]);
      expect(stderr).toContain(out);
      const [sheet] = await readXlsx(fs.readFileSync(out));
      expect(sheet?.header.slice(0, 2)).toEqual(['预算指标', '年初预算数']);
      expect(sheet?.rows.map((r) => r[0]?.value ?? '')).toEqual(['X1', 'X2', '合计']);
      expect(sheet?.rows[0]?.[1]).toEqual({ value: 1234567.89, numFmt: '#,##0.00' });
    });

    it('quotes a text cell holding a comma or a quote', async () => {
      const csv = (
        await ledger(storage, ['view', '--department', 'D1', '--as-of', '2021-12-31', '--group-by', 'project', '--format', 'csv'])
      ).stdout;
      expect(csv).toContain('"会展, ""2021"""');
      expect(csvRecords(csv.slice(1)).records[0]?.['key.project']).toBe('会展, "2021"');
    });
  });
}
