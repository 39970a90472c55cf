import type { INestApplication } from '@nestjs/common';
import { DEMO_DEPARTMENT, DEMO_YEAR, seed002Phases } from '@ledger/ledger';
import { flatten, kindOf, headerOf, type FlatRow } from '@ledger/reporting';
import { createApi } from '@ledger/http';
import { authConfigFromEnv } from '@ledger/auth';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';
import { asJsonFigure, cellText, csvRecords, readXlsx } from './support/spreadsheets';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Loading seed 002 over HTTP into a fresh store takes a while on a busy machine.
jest.setTimeout(300_000);

for (const engine of testEngines()) {
  describe(`CSV and XLSX exports of seed 002 [${engine}]`, () => {
    let storage: E2eStorage;
    let app: INestApplication;
    let base: string;
    const dept = encodeURIComponent(DEMO_DEPARTMENT);
    // One knownAt for JSON and exports alike, so that both read the same figures.
    let knownAt: string;

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      app = await createApi(storage.config, { ...authConfigFromEnv({}), enabled: false });
      await app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      for (const phase of seed002Phases()) {
        const res = await fetch(`${base}/v1/events`, {
          method: 'POST',
          body: JSON.stringify(phase),
          headers: { 'content-type': 'application/json' },
        });
        const summary = (await res.json()) as { rejected: unknown[] };
        expect(summary.rejected).toEqual([]);
      }
      knownAt = new Date().toISOString();
    });
    afterAll(async () => {
      await app.close();
      await storage.cleanup();
    });

    const reports = () => [
      { report: 'view', path: `/v1/departments/${dept}/view?asOf=2021-12-31&groupBy=kind,tag&knownAt=${knownAt}` },
      { report: 'view', path: `/v1/departments/${dept}/view?asOf=2021-06-30&groupBy=functionCode:5,line&knownAt=${knownAt}` },
      { report: 'progress', path: `/v1/departments/${dept}/years/${DEMO_YEAR}/progress?knownAt=${knownAt}` },
      { report: 'ratios', path: `/v1/departments/${dept}/years/${DEMO_YEAR}/ratios?knownAt=${knownAt}` },
      { report: 'scorecard', path: `/v1/departments/${dept}/years/${DEMO_YEAR}/scorecard?knownAt=${knownAt}` },
      { report: 'trace', path: `/v1/lines/MY2021-B-301/trace?knownAt=${knownAt}` },
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
        default:
          return [json.entries.map((e: unknown) => flatten(e))];
      }
    }

    it.each([0, 1, 2, 3, 4, 5])('CSV #%i holds every figure of the JSON, byte for byte', async (i) => {
      const { report, path } = reports()[i] as { report: string; path: string };
      const json = await (await fetch(`${base}${path}`)).json();
      const res = await fetch(`${base}${path}&format=csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const { header, records } = csvRecords(bytes.toString('utf8').slice(1));
      const expected = expectedRows(report, json).flat();
      expect(records).toHaveLength(expected.length);
      let figures = 0;
      expected.forEach((row, r) => {
        for (const [field, value] of Object.entries(row)) {
          expect(header).toContain(field);
          expect(records[r]?.[field]).toBe(value === null ? '' : String(value));
          if (kindOf(field) === 'amount' || kindOf(field) === 'ratio') figures++;
        }
      });
      expect(figures).toBeGreaterThan(0);
    });

    it.each([0, 1, 2, 3, 4, 5])(
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
        sheets.forEach((sheet, s) => {
          const rows = expected[s] as FlatRow[];
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
        });
        expect(sheets[0]?.header.some((h) => /[\u4e00-\u9fff]/.test(h))).toBe(true);
      },
    );

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
  });
}
