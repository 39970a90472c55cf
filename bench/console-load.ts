import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_RULES } from '@ledger/reporting';
import { createApi } from '@ledger/http';
import { launchChromium } from '../test/browser/browser';

/**
 * `npm run bench:console`: seeds one department-year of LINES lines (default 10,000; each with
 * its initial budget and three payments) into a fresh embedded PGlite store (or DATABASE_URL),
 * serves the API and console, and measures in Chromium how long the department-year page takes
 * to show its figures and its view table, and how long the view grouped by line (every line, in
 * a virtualized table) takes. Figures are printed, nothing is asserted.
 */
const LINES = Number(process.env.BENCH_CONSOLE_LINES ?? 10_000);
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 3);
const DEPARTMENT = '大数据部门';
const FUNCTION_CODES = ['2011301', '2011302', '2011308', '2011350', '2080505', '2080506', '2210201', '2169999', '2019999', '2011399'];
const ECONOMIC_CODES = ['30101', '30201', '30211', '30217', '30226', '30227', '30231', '31002', '30302', '39999'];
const TAGS = [[], ['procurement'], ['three-costs'], ['daily-public'], []];

function* events(): Generator<string> {
  for (let i = 0; i < LINES; i++) {
    const lineId = `BIG2021-${String(i).padStart(5, '0')}`;
    const basic = i % 3 !== 0;
    yield JSON.stringify({
      eventId: `${lineId}-open`,
      type: 'BudgetLineOpened',
      effectiveDate: '2021-01-01',
      data: {
        lineId,
        department: DEPARTMENT,
        fiscalYear: 2021,
        name: `指标 ${i}`,
        unit: `单位${i % 20}`,
        ...(basic ? {} : { project: `项目${i % 200}` }),
        kind: basic ? 'basic' : 'project',
        functionCode: FUNCTION_CODES[i % FUNCTION_CODES.length],
        economicCode: ECONOMIC_CODES[i % ECONOMIC_CODES.length],
        fundingSource: i % 2 === 0 ? '一般公共预算' : '政府性基金预算',
        tags: TAGS[i % TAGS.length],
      },
    });
    yield JSON.stringify({
      eventId: `${lineId}-init`,
      type: 'InitialBudgetApproved',
      effectiveDate: '2021-01-01',
      data: { lineId, amount: `${100000 + i}.00` },
    });
    for (const [q, date] of ['2021-03-15', '2021-06-15', '2021-09-15'].entries())
      yield JSON.stringify({
        eventId: `${lineId}-pay${q}`,
        type: 'PaymentRecorded',
        effectiveDate: date,
        data: { lineId, amount: `${20000 + (i % 977)}.${String(q * 7).padStart(2, '0')}` },
      });
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-console-bench-'));
  const database = process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL, maxConnections: 4 } : { dataDir };
  const app = await createApi({ database, paymentPolicy: 'reject', batchSize: 1000, appendLanes: 1, rules: DEFAULT_RULES });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    let started = Date.now();
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      body: [...events()].join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    const summary = (await res.json()) as { appended: number; rejected: unknown[] };
    process.stdout.write(
      `seeded ${LINES} lines, ${summary.appended} events (${summary.rejected.length} rejected) in ${Date.now() - started} ms\n`,
    );

    const browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })).newPage();
    const url = `${base}/console/departments/${encodeURIComponent(DEPARTMENT)}/years/2021`;
    const loads: number[] = [];
    const byLine: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      started = Date.now();
      await page.goto(url);
      await page.getByTestId('kpi-rate').getByText('%').waitFor({ timeout: 300_000 });
      await page.getByTestId('progress-table').locator('[data-row="Q4"]').waitFor({ timeout: 300_000 });
      await page.getByTestId('view-table').locator('[data-row="201"]').waitFor({ timeout: 300_000 });
      await page.getByTestId('projects-table').waitFor({ timeout: 300_000 });
      loads.push(Date.now() - started);
      started = Date.now();
      await page.getByTestId('level-0').selectOption('line');
      await page.getByTestId('view-table').locator('[data-row="BIG2021-00000"]').waitFor({ timeout: 300_000 });
      byLine.push(Date.now() - started);
      const rendered = await page.getByTestId('view-table').locator('.grid-body [data-row]').count();
      if (run === 0) process.stdout.write(`view by line: ${LINES} rows, ${rendered} of them in the DOM (virtualized)\n`);
    }
    await browser.close();
    process.stdout.write(`department-year page, figures and view table shown: ${loads.join(', ')} ms\n`);
    process.stdout.write(`view grouped by line (${LINES} rows): ${byLine.join(', ')} ms\n`);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
