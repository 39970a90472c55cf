import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_DEPARTMENT } from '@ledger/ledger';
import { flatten, headerOf, kindOf } from '@ledger/reporting';
import { CONSOLE_DIST } from '@ledger/http';
import { seed002Api, type Seed002Api } from '../support/seeded-api';
import { asJsonFigure, cellText, csvRecords, readXlsx } from '../support/spreadsheets';
import { launchChromium } from './browser';

const SHOTS = path.resolve(__dirname, '../../docs/console');
const dept = encodeURIComponent(DEMO_DEPARTMENT);

describe('the console in Chromium, on seed 002', () => {
  let api: Seed002Api;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) throw new Error('the console is not built: npm run build:console');
    api = await seed002Api('pglite');
    base = api.base;
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    page = await context.newPage();
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.cleanup();
  });

  const yearPage = () => `${base}/console/departments/${dept}/years/2021`;
  const row = (table: string, key: string) => page.getByTestId(table).locator(`[data-row="${key}"]`);
  const cell = (table: string, key: string, col: string) => row(table, key).locator(`[data-col="${col}"]`);

  it('shows the department-year at a glance: 年初预算数, 调整预算数, 执行数, 预算执行率 90.29%, ratios 17.92% and 3.75%', async () => {
    await page.goto(yearPage());
    await expectText(page.getByTestId('kpi-rate'), '90.29%');
    await expectText(page.getByTestId('kpi-initial'), '4,299.00');
    await expectText(page.getByTestId('kpi-adjusted'), '5,069.47');
    await expectText(page.getByTestId('kpi-executed'), '4,576.97');
    await expectText(page.getByTestId('adjustment-ratio'), '17.92%');
    await expectText(page.getByTestId('transfer-ratio'), '3.75%');
    // The failed threshold check stands out.
    await expectText(row('checks-table', 'adjustment-transfer-10pct'), '22.35%');
    expect(await row('checks-table', 'adjustment-transfer-10pct').getAttribute('class')).toContain('failed-row');
    await expectText(page.getByTestId('scorecard-section'), '10.47 / 15.00');
  });

  it('shows the quarterly rows: 支出进度 against 序时进度, 当季度执行率, 得分, reported 32.69% against restated 32.79% for Q1', async () => {
    const quarters: [string, string, string, string, string][] = [
      ['Q1', '32.79%', '25.00%', '131.18%', '1.00'],
      ['Q2', '49.02%', '50.00%', '98.04%', '0.98'],
      ['Q3', '64.75%', '75.00%', '86.33%', '0.86'],
      ['Q4', '90.29%', '100.00%', '90.29%', '0.90'],
    ];
    for (const [q, progress, schedule, rate, score] of quarters) {
      await expectText(cell('progress-table', q, 'progress'), progress);
      await expectText(cell('progress-table', q, 'schedule'), schedule);
      await expectText(cell('progress-table', q, 'quarterRate'), rate);
      await expectText(cell('progress-table', q, 'quarterScore'), score);
    }
    await expectText(cell('progress-table', 'Q1', 'reportedProgress'), '32.69%');
    await expectText(cell('progress-table', 'Q1', 'status'), '32.69%');
    await expectText(cell('progress-table', 'Q1', 'status'), '32.79%');
    await expectText(page.getByTestId('progress-table').locator('[data-row="total"]'), '101.46%');
    await page.getByTestId('progress-chart').locator('svg').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'department-year.png'), fullPage: true });
  });

  it('shows the whole quarterly table on a 1440 px laptop screen, and at 1280 px scrolls it inside its box at most', async () => {
    for (const unit of ['unit-wan', 'unit-yuan'] as const) {
      await page.getByTestId(unit).click();
      await expectText(cell('progress-table', 'Q4', 'executed'), unit === 'unit-yuan' ? '45,769,713.94' : '4,576.97');
      // The last column, header and cells, lies inside the window and inside the table's box.
      for (const last of [
        page.getByTestId('progress-table').locator('[role="columnheader"][data-col="status"]'),
        cell('progress-table', 'Q1', 'status'),
      ]) {
        const box = await last.boundingBox();
        const table = await page.getByTestId('progress-table').locator('.grid-scroll').boundingBox();
        expect(box).not.toBeNull();
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1440);
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual((table?.x ?? 0) + (table?.width ?? 0) + 0.5);
      }
      // The restated Q1's status is not cut short.
      const status = cell('progress-table', 'Q1', 'status');
      expect(await status.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    await page.getByTestId('unit-wan').click();
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      // At 1280 px the page itself never scrolls sideways; the table at most scrolls in its own box.
      expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(1280);
      const scroller = page.getByTestId('progress-table').locator('.grid-scroll');
      await scroller.evaluate((el) => (el.scrollLeft = el.scrollWidth));
      const box = await cell('progress-table', 'Q1', 'status').boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1280);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('in 元 the figures are exact; the English switch translates the labels', async () => {
    await page.getByTestId('unit-yuan').click();
    await expectText(page.getByTestId('kpi-executed'), '45,769,713.94');
    await page.getByTestId('lang-en').click();
    await expectText(page.getByTestId('kpis'), 'Execution rate');
    await page.getByTestId('lang-zh').click();
    await page.getByTestId('unit-wan').click();
    await expectText(page.getByTestId('kpi-executed'), '4,576.97');
  });

  it('"as reported at the Q1 cutoff" puts asOf and knownAt in the URL and shows the figures reported then', async () => {
    await page.getByTestId('reported-Q1').click();
    await expectText(cell('progress-table', 'Q1', 'progress'), '32.69%');
    await expectText(page.getByTestId('kpi-rate'), '32.69%');
    const url = new URL(page.url());
    expect(url.searchParams.get('asOf')).toBe('2021-03-31');
    const knownAt = url.searchParams.get('knownAt') as string;
    expect(new Date(knownAt).toISOString()).toBe(knownAt);
    await page.screenshot({ path: path.join(SHOTS, 'reported-at-q1-cutoff.png'), fullPage: true });
    // The link reopens with the same answer.
    await page.goto(url.toString());
    await expectText(page.getByTestId('kpi-rate'), '32.69%');
    // Known now again (the knownAt picker's "now"): Q1 is restated.
    await page.getByTestId('knownat-now').click();
    await expectText(cell('progress-table', 'Q1', 'progress'), '32.79%');
    await expectText(page.getByTestId('kpi-rate'), '32.79%');
    // The date picker sets asOf.
    await page.getByTestId('asof').fill('2021-06-30');
    await expectText(page.getByTestId('kpi-rate'), '49.02%');
    expect(new URL(page.url()).searchParams.get('asOf')).toBe('2021-06-30');
    // And the instant picker sets knownAt: an instant before Q1's close shows Q1 open.
    await page.getByTestId('knownat').fill('2021-01-01T08:00:00.000');
    await expectText(page.getByTestId('kpi-rate'), '-');
    expect(new URL(page.url()).searchParams.get('knownAt')).toBe('2021-01-01T00:00:00.000Z');
  });

  it('drills down 类 → 款 → 项 with names beside codes and subtotals that add up, then into a line', async () => {
    await page.goto(yearPage());
    await page.getByTestId('unit-yuan').click();
    await expectText(page.getByTestId('view-table'), '201 一般公共服务支出');
    await page.getByTestId('expand-201').click();
    await expectText(page.getByTestId('view-table'), '20113 商贸事务');
    await page.getByTestId('expand-20113').click();
    await expectText(page.getByTestId('view-table'), '2011301 行政运行');
    // The 款 rows under 201 add up to 201's figure, exactly in 元.
    const executedOf = async (key: string) => (await cell('view-table', key, 'executed').innerText()).replace(/,/g, '');
    // 201's 款 add up to 201, and 20113's 项 to 20113, exactly in 元.
    const childrenOf = async (parent: string) =>
      (
        await page
          .getByTestId('view-table')
          .locator(`[data-row^="${parent}/"]`)
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row') ?? ''))
      ).filter((k) => k.split('/').length === parent.split('/').length + 1);
    const fenOf = async (key: string) => BigInt((await executedOf(key)).replace('.', ''));
    for (const [parent, atLeast] of [
      ['201', 1],
      ['201/20113', 3],
    ] as const) {
      const keys = await childrenOf(parent);
      expect(keys.length).toBeGreaterThanOrEqual(atLeast);
      let fen = 0n;
      for (const key of keys) fen += await fenOf(key);
      expect(fen).toBe(await fenOf(parent));
    }
    await page.screenshot({ path: path.join(SHOTS, 'view-drill-down.png'), fullPage: true });

    await page.getByTestId('level-1').selectOption('line');
    await page.getByTestId('expand-201').click();
    await page
      .getByTestId('view-table')
      .getByRole('link', { name: /MY2021-B-301/ })
      .click();
    await page.waitForURL(/\/console\/lines\/MY2021-B-301/);
    await expectText(page.getByTestId('trace-table'), '更正');
    await expectText(page.getByTestId('trace-table'), '重述已结账季度');
    await expectText(page.getByTestId('trace-table'), '年初预算批复');
    const trace = (await (await fetch(`${base}/v1/lines/MY2021-B-301/trace`)).json()) as {
      entries: { position: string; running: { executed: string } }[];
    };
    const first = trace.entries[1] as { position: string; running: { executed: string } };
    await expectText(
      cell('trace-table', first.position, 'runningExecuted'),
      Number(first.running.executed).toLocaleString('en-US', { minimumFractionDigits: 2 }),
    );
    await page.screenshot({ path: path.join(SHOTS, 'line-history.png'), fullPage: true });
  });

  it('downloads CSV and XLSX whose figures equal the JSON', async () => {
    await page.goto(yearPage());
    await expectText(page.getByTestId('kpi-rate'), '90.29%');
    const csv = await download(page, 'progress-table-csv');
    const progressJson = (await (await fetch(`${base}/v1/departments/${dept}/years/2021/progress`)).json()) as { quarters: unknown[] };
    const { records } = csvRecords(csv.toString('utf8').replace(/^\uFEFF/, ''));
    const expected = progressJson.quarters.map((q) => flatten(q));
    expected.forEach((q, i) => {
      for (const [field, value] of Object.entries(q)) expect(records[i]?.[field]).toBe(value === null ? '' : String(value));
    });
    expect(records[0]?.['reported.progress']).toBe('0.3269');

    const href = await page.getByTestId('view-table-xlsx').getAttribute('href');
    const xlsx = await download(page, 'view-table-xlsx');
    const viewJson = (await (await fetch(`${base}${(href as string).replace(/[?&]format=xlsx/, '')}`)).json()) as { rows: unknown[] };
    const [sheet] = await readXlsx(xlsx);
    const rows = viewJson.rows.map((r) => flatten(r));
    expect(sheet?.rows.length).toBe(rows.length + 1);
    rows.forEach((r, i) => {
      for (const [field, value] of Object.entries(r)) {
        const col = sheet?.header.indexOf(headerOf(field)) ?? -1;
        const got = sheet?.rows[i]?.[col]?.value ?? null;
        const kind = kindOf(field);
        if (value === null) expect(got).toBeNull();
        else if (kind === 'amount' || kind === 'ratio') expect(asJsonFigure(got, kind, String(value))).toBe(value);
        else expect(cellText(got)).toBe(String(value));
      }
    });
  });

  it('shows the departments and the integrity of the log', async () => {
    await page.goto(`${base}/console/`);
    await expectText(page.getByTestId('departments'), DEMO_DEPARTMENT);
    await expectText(page.getByTestId('integrity'), '哈希链完整');
    await page.screenshot({ path: path.join(SHOTS, 'home-integrity.png'), fullPage: true });
  });
});

/** Waits until the element's text contains `text` (the page fetches, then renders). */
async function expectText(locator: ReturnType<Page['getByTestId']>, text: string): Promise<void> {
  await locator.first().waitFor();
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await locator.first().innerText();
    if (last.includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected "${text}" in: ${last.slice(0, 500)}`);
}

async function download(page: Page, testId: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const saved = await file.path();
  return fs.readFileSync(saved);
}
