import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO_DEPARTMENT, DEMO_YEAR } from '@ledger/ledger';
import { flatten, kindOf, headerOf, type FlatRow } from '@ledger/reporting';
import { testEngines } from './support/engine-config';
import { seed002Api, type Seed002Api } from './support/seeded-api';
import { spawnLedger } from './support/spawn-ledger';
import { asJsonFigure, cellText, csvRecords, readXlsx, type SheetCells } from './support/spreadsheets';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Loading seed 002 over HTTP into a fresh store takes a while on a busy machine.
jest.setTimeout(300_000);

for (const engine of testEngines()) {
  describe(`CSV and XLSX exports of seed 002 [${engine}]`, () => {
    let api: Seed002Api;
    let base: string;
    const dept = encodeURIComponent(DEMO_DEPARTMENT);
    // One knownAt for JSON and exports alike, so that both read the same figures.
    let knownAt: string;

    beforeAll(async () => {
      api = await seed002Api(engine);
      base = api.base;
      knownAt = new Date().toISOString();
    });
    afterAll(async () => {
      await api?.cleanup();
    });

    const reports = () => [
      { report: 'view', path: `/v1/departments/${dept}/view?asOf=2021-12-31&groupBy=kind,tag&knownAt=${knownAt}` },
      { report: 'view', path: `/v1/departments/${dept}/view?asOf=2021-06-30&groupBy=functionCode:5,line&knownAt=${knownAt}` },
      { report: 'progress', path: `/v1/departments/${dept}/years/${DEMO_YEAR}/progress?knownAt=${knownAt}` },
      { report: 'ratios', path: `/v1/departments/${dept}/years/${DEMO_YEAR}/ratios?knownAt=${knownAt}` },
      { report: 'scorecard', path: `/v1/departments/${dept}/years/${DEMO_YEAR}/scorecard?knownAt=${knownAt}` },
      { report: 'trace', path: `/v1/lines/MY2021-B-301/trace?knownAt=${knownAt}` },
      { report: 'year-end', path: `/v1/departments/${dept}/years/${DEMO_YEAR}/year-end?knownAt=${knownAt}` },
    ];

    /** The rows an export must hold, flattened from the JSON by the test itself. */
    function expectedRows(report: string, json: any): FlatRow[][] {
      switch (report) {
        case 'view': {
          const rows = json.rows.map((r: unknown) => flatten(r));
          if (json.groupBy.length > 0) {
            const keys = json.groupBy.map((spec: string) => spec.split(':')[0]);
            rows.push(
              flatten({ key: Object.fromEntries(keys.map((k: string, i: number) => [k, i === 0 ? '合计' : null])), ...json.total }),
            );
          }
          return [rows];
        }
        case 'progress':
          return [
            [
              ...json.quarters.map((q: unknown) => flatten(q)),
              { period: 'average', quarterRate: json.averageRate, quarterScore: json.averageScore },
            ],
          ];
        case 'ratios': {
          const { department, fiscalYear, knownAt: _k, checks, ...figures } = json;
          void department;
          void fiscalYear;
          return [checks.map((c: unknown) => flatten({ ...figures, checks: c }))];
        }
        case 'scorecard':
          return [json.items.map((i: unknown) => flatten(i)), json.projects.map((p: unknown) => flatten(p))];
        case 'year-end':
          return [
            [...json.lines.map((l: unknown) => flatten(l)), flatten({ lineId: '合计', ...json.totals })],
            [...json.nextYear.lines.map((l: unknown) => flatten(l)), flatten({ lineId: '合计', ...json.nextYear.totals })],
          ];
        default:
          return [json.entries.map((e: unknown) => flatten(e))];
      }
    }

    it.each([0, 1, 2, 3, 4, 5, 6])('CSV #%i holds every figure of the JSON, byte for byte', async (i) => {
      const { report, path } = reports()[i] as { report: string; path: string };
      const json = await (await fetch(`${base}${path}`)).json();
      const res = await fetch(`${base}${path}&format=csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
      expect(expectCsvHolds(Buffer.from(await res.arrayBuffer()), expectedRows(report, json).flat())).toBeGreaterThan(0);
    });

    it.each([0, 1, 2, 3, 4, 5, 6])(
      'XLSX #%i: Chinese headers, amounts as #,##0.00 numbers, ratios as percentages, equal to the JSON',
      async (i) => {
        const { report, path } = reports()[i] as { report: string; path: string };
        const json = await (await fetch(`${base}${path}`)).json();
        const res = await fetch(`${base}${path}`, { headers: { accept: XLSX } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe(XLSX);
        const sheets = await readXlsx(await res.arrayBuffer());
        const expected = expectedRows(report, json);
        expect(sheets).toHaveLength(expected.length);
        sheets.forEach((sheet, s) => expectSheetHolds(sheet, expected[s] as FlatRow[]));
        expect(sheets[0]?.header.some((h) => /[\u4e00-\u9fff]/.test(h))).toBe(true);
      },
    );

    /** Every entry of the line, page after page of `limit`, as JSON. */
    async function allTraceEntries(lineId: string, limit: number): Promise<{ pages: number; entries: FlatRow[] }> {
      const entries: FlatRow[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: any = await (
          await fetch(`${base}/v1/lines/${lineId}/trace?knownAt=${knownAt}&limit=${limit}${after ? `&after=${after}` : ''}`)
        ).json();
        entries.push(...page.entries.map((e: unknown) => flatten(e)));
        after = page.nextAfter;
        pages++;
      } while (after !== null);
      return { pages, entries };
    }

    it('a trace export holds every entry of the line, read page by page, each figure equal to the JSON pages', async () => {
      const url = `/v1/lines/MY2021-B-301/trace?knownAt=${knownAt}&limit=2`;
      const { pages, entries } = await allTraceEntries('MY2021-B-301', 2);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(((await (await fetch(`${base}${url}`)).json()) as any).entries).toHaveLength(2);
      const csv = Buffer.from(await (await fetch(`${base}${url}&format=csv`)).arrayBuffer());
      expect(expectCsvHolds(csv, entries)).toBeGreaterThan(0);
      const [sheet, ...more] = await readXlsx(await (await fetch(`${base}${url}`, { headers: { accept: XLSX } })).arrayBuffer());
      expect(more).toHaveLength(0);
      expectSheetHolds(sheet as SheetCells, entries);
    });

    it('the seed figures reach the files: 执行率 90.29%, 调整比例 17.92%, 调剂比例 3.75%, reported Q1 32.69%', async () => {
      const view = await (await fetch(`${base}/v1/departments/${dept}/view?asOf=2021-12-31&format=csv`)).text();
      expect(csvRecords(view.slice(1)).records[0]?.executionRate).toBe('0.9029');
      const ratios = await (await fetch(`${base}/v1/departments/${dept}/years/2021/ratios?format=csv`)).text();
      const r = csvRecords(ratios.slice(1)).records[0];
      expect([r?.adjustmentRatio, r?.transferRatio, r?.['checks.passed']]).toEqual(['0.1792', '0.0375', 'false']);
      const progress = await (
        await fetch(`${base}/v1/departments/${dept}/years/2021/progress`, { headers: { accept: 'text/csv' } })
      ).text();
      const q1 = csvRecords(progress.slice(1)).records[0];
      expect([q1?.progress, q1?.['reported.progress'], q1?.['restated.progress']]).toEqual(['0.3279', '0.3269', '0.3279']);
    });

    it('answers JSON by default and for Accept: application/json first; a bad format is a 400 naming it', async () => {
      const path = `${base}/v1/departments/${dept}/years/2021/ratios`;
      expect((await fetch(path)).headers.get('content-type')).toMatch(/json/);
      expect((await fetch(path, { headers: { accept: 'application/json, text/csv' } })).headers.get('content-type')).toMatch(/json/);
      const bad = await fetch(`${path}?format=pdf`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'INVALID_QUERY', field: 'format' });
    });

    it('finds departments, lines with names, an event by id, and classification names', async () => {
      const departments = (await (await fetch(`${base}/v1/departments`)).json()) as any;
      expect(departments.departments).toEqual([{ department: DEMO_DEPARTMENT, years: [{ fiscalYear: 2021, lines: expect.any(Number) }] }]);
      const lines = (await (await fetch(`${base}/v1/departments/${dept}/years/2021/lines`)).json()) as any;
      expect(lines.lines).toHaveLength(departments.departments[0].years[0].lines);
      expect(lines.lines.find((l: any) => l.lineId === 'MY2021-B-301')).toMatchObject({ name: expect.any(String), kind: 'basic' });
      const trace = (await (await fetch(`${base}/v1/lines/MY2021-B-301/trace`)).json()) as any;
      const first = trace.entries[0];
      const event = (await (await fetch(`${base}/v1/events/${encodeURIComponent(first.eventId)}`)).json()) as any;
      expect(event).toMatchObject({ eventId: first.eventId, position: first.position, type: first.type });
      expect((await fetch(`${base}/v1/events/no-such-event`)).status).toBe(404);
      const names = (await (await fetch(`${base}/v1/classification`)).json()) as any;
      expect([names.functionCodes['201'], names.functionCodes['20113'], names.economicCodes['302'], names.tags['three-costs'].zh]).toEqual([
        '一般公共服务支出',
        '商贸事务',
        '商品和服务支出',
        '三公经费',
      ]);
      expect((await (await fetch(`${base}/v1/verify`)).json()) as any).toMatchObject({ ok: true });
    });

    // Last: it stops the API.
    it('the CLI writes the same trace with --format csv|xlsx, every page of --limit', async () => {
      const { entries } = await allTraceEntries('MY2021-B-301', 1000);
      // The embedded store has one owner: the API lets go of it before the CLI opens it.
      await api.stop();
      const args = ['trace', '--line', 'MY2021-B-301', '--known-at', knownAt, '--limit', '2'];
      const csv = await spawnLedger(api.storage, [...args, '--format', 'csv']);
      expect(csv.code).toBe(0);
      expect(expectCsvHolds(Buffer.from(csv.stdout, 'utf8'), entries)).toBeGreaterThan(0);
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-trace-')), 'trace.xlsx');
      expect((await spawnLedger(api.storage, [...args, '--format', 'xlsx', '--out', out])).code).toBe(0);
      const [sheet] = await readXlsx(fs.readFileSync(out));
      expectSheetHolds(sheet as SheetCells, entries);
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    });
  });
}

/** The CSV holds exactly these rows, each field as the JSON has it; returns how many figures it compared. */
function expectCsvHolds(bytes: Buffer, expected: FlatRow[]): number {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const { header, records } = csvRecords(bytes.toString('utf8').slice(1));
  expect(records).toHaveLength(expected.length);
  let figures = 0;
  expected.forEach((row, r) => {
    for (const [field, value] of Object.entries(row)) {
      expect(header).toContain(field);
      expect(records[r]?.[field]).toBe(value === null ? '' : String(value));
      if (kindOf(field) === 'amount' || kindOf(field) === 'ratio') figures++;
    }
  });
  return figures;
}

/** The sheet holds exactly these rows under Chinese headers: amounts as #,##0.00 numbers, ratios as percentages. */
function expectSheetHolds(sheet: SheetCells, rows: FlatRow[]): void {
  expect(sheet.rows).toHaveLength(rows.length);
  rows.forEach((row, r) => {
    for (const [field, value] of Object.entries(row)) {
      const col = sheet.header.indexOf(headerOf(field));
      expect(col).toBeGreaterThanOrEqual(0);
      const cell = sheet.rows[r]?.[col];
      const kind = kindOf(field);
      if (value === null) expect(cell?.value ?? null).toBeNull();
      else if (kind === 'amount') {
        expect(typeof cell?.value).toBe('number');
        expect(cell?.numFmt).toBe('#,##0.00');
        expect(asJsonFigure(cell?.value ?? null, kind, String(value))).toBe(value);
      } else if (kind === 'ratio') {
        expect(cell?.numFmt).toBe('0.00%');
        expect(asJsonFigure(cell?.value ?? null, kind, String(value))).toBe(value);
      } else if (kind === 'score') expect(asJsonFigure(cell?.value ?? null, kind, String(value))).toBe(value);
      else if (typeof value === 'boolean') expect(cell?.value).toBe(value ? '是' : '否');
      else expect(cellText(cell?.value ?? null)).toBe(String(value));
    }
  });
}
