import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { authConfigFromEnv } from '@ledger/auth';
import { DEFAULT_RULES } from '@ledger/reporting';
import { createApi } from '@ledger/http';
import { launchChromium } from '../test/browser/browser';

/**
 * `npm run bench:console`: seeds one department-year of LINES lines (default 10,000; each with
 * its initial budget and three payments) into a fresh embedded PGlite store (or DATABASE_URL),
 * serves the API (without keys) and console, and measures in Chromium how long the department-year
 * page takes to show the figures of its first screen (headline figures, quarters, ratios), then
 * every figure (the view table's first level and the scorecard too), then the warnings of every
 * line; and how long the view grouped by line (every line, in a virtualized table) takes. It
 * prints each API request of the first load with its duration and size, and the CPU time the
 * server (this process) spent per load. Figures are printed, nothing is asserted.
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
    for (const [q, date] of ['2021-03-15', '2021-06-15', '2021-09-15'].entries()) {
      yield JSON.stringify({
        eventId: `${lineId}-pay${q}`,
        type: 'PaymentRecorded',
        effectiveDate: date,
        data: { lineId, amount: `${20000 + (i % 977)}.${String(q * 7).padStart(2, '0')}` },
      });
    }
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-console-bench-'));
  const database = process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL, maxConnections: 4 } : { dataDir };
  const config = { database, paymentPolicy: 'reject' as const, batchSize: 1000, appendLanes: 1, rules: DEFAULT_RULES };
  const app = await createApi(config, { ...authConfigFromEnv({}), enabled: false });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    await seed(base);
    const browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })).newPage();
    const url = `${base}/console/departments/${encodeURIComponent(DEPARTMENT)}/years/2021`;
    const runs: Record<'firstScreen' | 'allFigures' | 'warnings' | 'byLine' | 'serverCpu', number[]> = {
      firstScreen: [],
      allFigures: [],
      warnings: [],
      byLine: [],
      serverCpu: [],
    };
    await page.addInitScript(MARK_SHOWN);
    for (let run = 0; run < RUNS; run++) {
      const cpu = process.cpuUsage();
      await page.goto(url);
      // Waited for here, timed in the page: this process also serves the API, and its event loop
      // is held while the store answers, so a clock read here would count the page's later requests.
      await page.getByTestId('warnings-table').locator('[data-row]').first().waitFor({ timeout: 300_000 });
      await page.getByTestId('projects-table').waitFor({ timeout: 300_000 });
      await page.getByTestId('view-table').locator('[data-row="201"]').waitFor({ timeout: 300_000 });
      const { user, system } = process.cpuUsage(cpu);
      runs.serverCpu.push(Math.round((user + system) / 1000));
      const marks = await page.evaluate<Record<string, number>>('window.__shown');
      runs.firstScreen.push(Math.max(marks.kpis ?? NaN, marks.quarters ?? NaN, marks.ratios ?? NaN));
      runs.allFigures.push(Math.max(runs.firstScreen.at(-1) ?? NaN, marks.view ?? NaN, marks.scorecard ?? NaN));
      runs.warnings.push(marks.warnings ?? NaN);
      if (run === 0) await printRequests(page);
      const byLineStarted = Date.now();
      await page.getByTestId('level-0').selectOption('line');
      await page.getByTestId('view-table').locator('[data-row="BIG2021-00000"]').waitFor({ timeout: 300_000 });
      runs.byLine.push(Date.now() - byLineStarted);
      const rendered = await page.getByTestId('view-table').locator('.grid-body [data-row]').count();
      if (run === 0) process.stdout.write(`view by line: ${LINES} rows, ${rendered} of them in the DOM (virtualized)\n`);
    }
    await browser.close();
    process.stdout.write(`department-year page, first screen (headline figures, quarters, ratios): ${runs.firstScreen.join(', ')} ms\n`);
    process.stdout.write(`department-year page, every figure (also the view table and the scorecard): ${runs.allFigures.join(', ')} ms\n`);
    process.stdout.write(`department-year page, warnings of every line shown: ${runs.warnings.join(', ')} ms\n`);
    process.stdout.write(`server CPU per page load (this process: API and store): ${runs.serverCpu.join(', ')} ms\n`);
    process.stdout.write(`view grouped by line (${LINES} rows): ${runs.byLine.join(', ')} ms\n`);
    process.stdout.write(
      `machine load average (1, 5, 15 min): ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')} on ${os.cpus().length} cores\n`,
    );
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs in the page before its own scripts: notes when each part first shows its figures, in ms
 * from the navigation, in window.__shown.
 */
const MARK_SHOWN = `(() => {
  const parts = {
    kpis: () => document.querySelector('[data-testid="kpi-rate"]')?.textContent?.includes('%'),
    quarters: () => document.querySelector('[data-testid="progress-table"] [data-row="Q4"]') !== null,
    ratios: () => document.querySelector('[data-testid="adjustment-ratio"]') !== null,
    view: () => document.querySelector('[data-testid="view-table"] [data-row="201"]') !== null,
    scorecard: () => document.querySelector('[data-testid="projects-table"]') !== null,
    warnings: () => document.querySelector('[data-testid="warnings-table"] [data-row]') !== null,
  };
  const shown = (window.__shown = {});
  const look = () => {
    for (const [name, test] of Object.entries(parts)) if (shown[name] === undefined && test()) shown[name] = Math.round(performance.now());
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

async function seed(base: string): Promise<void> {
  const started = Date.now();
  const res = await fetch(`${base}/v1/events`, {
    method: 'POST',
    body: [...events()].join('\n'),
    headers: { 'content-type': 'application/x-ndjson' },
  });
  const summary = (await res.json()) as { appended: number; rejected: unknown[] };
  process.stdout.write(
    `seeded ${LINES} lines, ${summary.appended} events (${summary.rejected.length} rejected) in ${Date.now() - started} ms\n`,
  );
}

/** The API requests of the page as the browser timed them: start and end from the navigation, size. */
async function printRequests(page: Page): Promise<void> {
  const requests = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/v1/'))
      .map((e) => {
        const r = e as unknown as { name: string; startTime: number; responseEnd: number; encodedBodySize: number };
        return { url: r.name, start: Math.round(r.startTime), end: Math.round(r.responseEnd), bytes: r.encodedBodySize };
      }),
  );
  process.stdout.write('API requests of the first load (asked at, answered at, size; ms from the navigation):\n');
  for (const r of requests) {
    const u = new URL(r.url);
    const where = decodeURIComponent(u.pathname + u.search).replace(DEPARTMENT, '…');
    process.stdout.write(`  ${String(r.start).padStart(6)}  ${String(r.end).padStart(6)}  ${String(r.bytes).padStart(9)} B  ${where}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
