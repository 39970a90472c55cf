import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { YEAR_END_DEPARTMENT, YEAR_END_LINES, YEAR_END_YEAR } from '@ledger/ledger';
import { CONSOLE_DIST } from '@ledger/http';
import { seed004Api, type Seed002Api } from '../support/seeded-api';
import { csvRecords } from '../support/spreadsheets';
import { launchChromium } from './browser';

const SHOTS = path.resolve(__dirname, '../../docs/console');
const dept = encodeURIComponent(YEAR_END_DEPARTMENT);

interface YearEndJson {
  closed: boolean;
  closedAt: string | null;
  yearClosedEventId: string | null;
  lines: { lineId: string; carriedForward: string; lapsed: string; toLineId: string | null }[];
  totals: { carriedForward: string; lapsed: string; available: string };
  nextYear: { fiscalYear: number; lines: { lineId: string; broughtForward: string }[]; totals: { broughtForward: string } };
}

/** A yuan string as the console shows it in 元: grouped thousands, two decimals (no float on the way). */
function yuanText(yuan: string): string {
  const [whole = '0', frac = '00'] = yuan.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac.padEnd(2, '0')}`;
}

describe('the console in Chromium, on the year-end demo (seed 004)', () => {
  let api: Seed002Api;
  let base: string;
  let browser: Browser;
  let page: Page;
  let report: YearEndJson;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) throw new Error('the console is not built: npm run build:console');
    api = await seed004Api('pglite');
    base = api.base;
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    page = await context.newPage();
    fs.mkdirSync(SHOTS, { recursive: true });
    report = (await (await fetch(`${base}/v1/departments/${dept}/years/${YEAR_END_YEAR}/year-end`)).json()) as YearEndJson;
  });
  afterAll(async () => {
    await browser?.close();
    await api?.cleanup();
  });

  const yearPage = (year: number) => `${base}/console/departments/${dept}/years/${year}`;
  const cell = (table: string, key: string, col: string) => page.getByTestId(table).locator(`[data-row="${key}"] [data-col="${col}"]`);
  const total = (table: string, col: string) => page.getByTestId(table).locator(`[data-row="total"] [data-col="${col}"]`);

  it('the year-end page shows the carried (结转) and lapsed (结余) totals the JSON gives, by line, and the next year', async () => {
    expect(report.closed).toBe(true);
    await page.goto(`${yearPage(YEAR_END_YEAR)}/year-end`);
    await page.getByTestId('unit-yuan').click();
    await expectText(page.getByTestId('year-end-status'), '已年终结账');
    await expectText(page.getByTestId('year-end-status'), report.yearClosedEventId as string);
    await expectText(page.getByTestId('ye-carried-forward'), yuanText(report.totals.carriedForward));
    await expectText(page.getByTestId('ye-lapsed'), yuanText(report.totals.lapsed));
    await expectText(total('year-end-table', 'carriedForward'), yuanText(report.totals.carriedForward));
    await expectText(total('year-end-table', 'lapsed'), yuanText(report.totals.lapsed));
    for (const line of report.lines) {
      await expectText(cell('year-end-table', line.lineId, 'carriedForward'), yuanText(line.carriedForward));
      await expectText(cell('year-end-table', line.lineId, 'lapsed'), yuanText(line.lapsed));
      if (line.toLineId !== null) await expectText(cell('year-end-table', line.lineId, 'toLine'), line.toLineId);
    }
    await expectText(total('next-year-table', 'broughtForward'), yuanText(report.nextYear.totals.broughtForward));
    for (const line of report.nextYear.lines) {
      await expectText(cell('next-year-table', line.lineId, 'broughtForward'), yuanText(line.broughtForward));
    }
    // The lapsed and carried figures add up to the available, to the fen.
    const fen = (v: string) => BigInt(v.replace('.', ''));
    expect(fen(report.totals.carriedForward) + fen(report.totals.lapsed)).toBe(fen(report.totals.available));
  });

  it('the year-end table fits a 1440 px screen in 元 and 万元; Chinese renders; the screenshot is taken', async () => {
    for (const unit of ['unit-yuan', 'unit-wan'] as const) {
      await page.getByTestId(unit).click();
      await expectText(total('year-end-table', 'carriedForward'), unit === 'unit-yuan' ? '890,000.00' : '89.00');
      for (const table of ['year-end-table', 'next-year-table']) {
        const scroller = page.getByTestId(table).locator('.grid-scroll');
        expect(await scroller.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
        const last = page.getByTestId(table).locator('[role="columnheader"]').last();
        const box = await last.boundingBox();
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1440);
      }
      expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(1440);
    }
    // CJK glyphs are drawn with a CJK font (a missing font would fall back to boxes of the same width as Latin text).
    const width = await page
      .getByTestId('ye-lapsed')
      .locator('.kpi-label')
      .evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(20);
    await page.screenshot({ path: path.join(SHOTS, 'year-end.png'), fullPage: true });
    await page.getByTestId('lang-en').click();
    await expectText(page.getByTestId('ye-carried-forward'), 'Carried forward');
    await page.getByTestId('lang-zh').click();
  });

  it('known at an instant before the close, the page says what closing then would carry and let lapse', async () => {
    const before = new Date(new Date(report.closedAt as string).getTime() - 1).toISOString();
    const open = (await (
      await fetch(`${base}/v1/departments/${dept}/years/${YEAR_END_YEAR}/year-end?knownAt=${encodeURIComponent(before)}`)
    ).json()) as YearEndJson;
    expect(open.closed).toBe(false);
    await page.goto(`${yearPage(YEAR_END_YEAR)}/year-end?knownAt=${encodeURIComponent(before)}`);
    await page.getByTestId('unit-yuan').click();
    await expectText(page.getByTestId('year-end-status'), '尚未年终结账');
    await expectText(page.getByTestId('ye-carried-forward'), yuanText(open.totals.carriedForward));
    await expectText(page.getByTestId('ye-lapsed'), yuanText(open.totals.lapsed));
    // Nothing changed between the Q4 close and the year's: closing then would have carried what it did.
    expect(open.totals).toEqual(report.totals);
    await page.goto(`${yearPage(YEAR_END_YEAR)}/year-end`);
    await expectText(page.getByTestId('year-end-status'), '已年终结账');
  });

  it('downloads the year-end table as CSV with the JSON figures', async () => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('year-end-table-csv').click()]);
    const csv = fs
      .readFileSync(await file.path())
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const { records } = csvRecords(csv);
    const carried = records.filter((r) => r.lineId !== undefined && r.lineId !== '').map((r) => [r.lineId, r.carriedForward, r.lapsed]);
    for (const line of report.lines) expect(carried).toContainEqual([line.lineId, line.carriedForward, line.lapsed]);
  });

  it('the department page shows 已预留 while the contracts are unpaid, 结转下年 once closed, and the next year its 上年结转', async () => {
    await page.goto(`${yearPage(YEAR_END_YEAR)}?asOf=${YEAR_END_YEAR}-11-30`);
    await page.getByTestId('unit-wan').click();
    const view = (await (await fetch(`${base}/v1/departments/${dept}/view?asOf=${YEAR_END_YEAR}-11-30&year=${YEAR_END_YEAR}`)).json()) as {
      total: { committed: string; available: string };
    };
    expect(view.total.committed).toBe('22060000.00');
    await expectText(page.getByTestId('kpi-committed'), '2,206.00');
    await expectText(page.getByTestId('kpi-available'), '68.00');
    await expectText(page.getByTestId('kpi-committed'), '已预留');
    // The view table has its 已预留 column, its total under it.
    await expectText(total('view-table', 'committed'), '2,206.00');
    await expectText(total('view-table', 'available'), '68.00');
    // Warnings at 11-30 judge the projects against their own plan.
    await expectText(page.getByTestId('warnings-table'), '本项目计划');
    await page.screenshot({ path: path.join(SHOTS, 'department-year-committed.png'), fullPage: true });

    await page.goto(yearPage(YEAR_END_YEAR));
    await expectText(page.getByTestId('kpi-carried-forward'), '89.00');
    await expectText(page.getByTestId('kpi-committed'), '0.00');
    await page.getByTestId('year-end-link').click();
    await page.waitForURL(/\/year-end/);
    await expectText(page.getByTestId('ye-lapsed'), '12.00');

    await page.goto(yearPage(YEAR_END_YEAR + 1));
    await expectText(page.getByTestId('kpi-brought-forward'), '89.00');
    await expectText(page.getByTestId('kpi-adjusted'), '89.00');
  });

  it('the line page shows each commitment with what was released and paid, and the plan against actual progress', async () => {
    await page.goto(`${base}/console/lines/${YEAR_END_LINES.support}`);
    await expectText(cell('commitments-table', 'GX2023-CMT-XMFC-C', 'released'), '80.00');
    await expectText(cell('commitments-table', 'GX2023-CMT-XMFC-C', 'consumed'), '420.00');
    await expectText(cell('commitments-table', 'GX2023-CMT-XMFC-A', 'left'), '0.00');
    await expectText(cell('plan-table', `${YEAR_END_YEAR}-06-30`, 'share'), '0.00%');
    await expectText(cell('plan-table', `${YEAR_END_YEAR}-12-31`, 'share'), '100.00%');
    await expectText(cell('plan-table', `${YEAR_END_YEAR}-12-31`, 'progress'), '96.36%');
    await expectText(page.getByTestId('line-carried-forward'), '80.00');
    await expectText(page.getByTestId('trace-table'), '预留');
    await expectText(page.getByTestId('trace-table'), '结转');
    await page.screenshot({ path: path.join(SHOTS, 'line-commitments-plan.png'), fullPage: true });

    // The 上年结转 line the ledger opened: both its entries are marked as derived at the year end.
    await page.goto(`${base}/console/lines/${YEAR_END_LINES.support}.cf${YEAR_END_YEAR + 1}`);
    await expectText(page.getByTestId('trace-table'), '年终结转生成');
    expect(await page.getByTestId('trace-table').locator('.derived-row').count()).toBe(2);
    await expectText(page.getByTestId('line-totals'), '上年结转');
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
