import type { INestApplication } from '@nestjs/common';
import { authConfigFromEnv } from '@ledger/auth';
import { parseYuan } from '@ledger/domain';
import { contract, createApi } from '@ledger/http';
import { seed004Phases, YEAR_CLOSED_EVENT_ID, YEAR_END_DEPARTMENT, YEAR_END_LINES, YEAR_END_YEAR } from '@ledger/ledger';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';
import { spawnLedger } from './support/spawn-ledger';
import { csvRecords, readXlsx } from './support/spreadsheets';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
jest.setTimeout(300_000);

const fen = (yuan: string) => parseYuan(yuan) as bigint;

for (const engine of testEngines()) {
  describe(`the year-end report over HTTP and the CLI (seed 004) [${engine}]`, () => {
    let storage: E2eStorage;
    let app: INestApplication;
    let base: string;
    let beforeClosing: string;
    let open: any;
    const path = `/v1/departments/${encodeURIComponent(YEAR_END_DEPARTMENT)}/years/${YEAR_END_YEAR}/year-end`;

    const post = async (events: unknown[]) => {
      const res = await fetch(`${base}/v1/events`, {
        method: 'POST',
        body: JSON.stringify(events),
        headers: { 'content-type': 'application/json' },
      });
      const summary = (await res.json()) as any;
      expect([res.status, summary.rejected]).toEqual([200, []]);
    };
    const get = async (url: string) => {
      const res = await fetch(`${base}${url}`);
      return { status: res.status, body: (await res.json()) as any };
    };

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      app = await createApi(storage.config, { ...authConfigFromEnv({}), enabled: false });
      await app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const phases = seed004Phases();
      for (const phase of phases.slice(0, -1)) await post(phase);
      open = (await get(path)).body;
      await new Promise((resolve) => setTimeout(resolve, 5));
      beforeClosing = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await post(phases.at(-1) as unknown[]);
    });
    afterAll(async () => {
      await app?.close();
      await storage?.cleanup();
    });

    function reconciles(r: any): void {
      for (const l of [...r.lines, r.totals]) {
        expect(fen(l.adjusted)).toBe(fen(l.executed) + fen(l.committed) + fen(l.available));
        expect(fen(l.available)).toBe(fen(l.carriedForward) + fen(l.lapsed));
      }
      for (const l of r.lines) expect(l.kind === 'project' ? l.carriedForward : l.lapsed).toBe(l.available);
      expect(r.nextYear.totals.broughtForward).toBe(r.totals.carriedForward);
    }

    it('open: what closing would carry and let lapse, fitting the contract', () => {
      expect(contract.YearEndResult.safeParse(open).success).toBe(true);
      expect([open.closed, open.closedAt, open.yearClosedEventId]).toEqual([false, null, null]);
      reconciles(open);
      // 12 × 240,000.00 paid of the basic line's 3,000,000.00: 120,000.00 lapses.
      expect(open.lines.find((l: any) => l.lineId === YEAR_END_LINES.basic)).toMatchObject({ lapsed: '120000.00', toLineId: null });
    });

    it('closed: the carries the ledger wrote, the same figures, the next year receiving them', async () => {
      const { status, body } = await get(path);
      expect(status).toBe(200);
      expect(contract.YearEndResult.safeParse(body).success).toBe(true);
      expect([body.closed, body.yearClosedEventId]).toEqual([true, YEAR_CLOSED_EVENT_ID]);
      expect(Date.parse(body.closedAt)).toBeGreaterThan(Date.parse(beforeClosing));
      reconciles(body);
      expect([body.lines, body.totals, body.nextYear]).toEqual([open.lines, open.totals, open.nextYear]);
      expect(body.nextYear.fiscalYear).toBe(YEAR_END_YEAR + 1);
      for (const l of body.nextYear.lines) expect(l.broughtForward).toBe(l.adjusted);
      // Known at an instant before the closing: open, as it was.
      const before = await get(`${path}?knownAt=${beforeClosing}`);
      expect([before.body.closed, before.body.lines]).toEqual([false, open.lines]);
      // The next year's view starts with the brought-forward balances.
      const next = await get(`/v1/departments/${encodeURIComponent(YEAR_END_DEPARTMENT)}/view?asOf=${YEAR_END_YEAR + 1}-01-01`);
      expect(next.body.total).toMatchObject({ broughtForward: body.totals.carriedForward, adjusted: body.totals.carriedForward });
    });

    it('answers 404 for an unknown department, 400 for a malformed year or instant', async () => {
      const unknown = await get(`/v1/departments/${encodeURIComponent('无此部门')}/years/2023/year-end`);
      expect([unknown.status, unknown.body.code]).toEqual([404, 'DEPARTMENT_NOT_FOUND']);
      const year = await get(`/v1/departments/${encodeURIComponent(YEAR_END_DEPARTMENT)}/years/20x3/year-end`);
      expect([year.status, year.body.code, year.body.field]).toEqual([400, 'INVALID_QUERY', 'fiscalYear']);
      const instant = await get(`${path}?knownAt=yesterday`);
      expect([instant.status, instant.body.code, instant.body.field]).toEqual([400, 'INVALID_QUERY', 'knownAt']);
    });

    it('exports as CSV (JSON field names) and XLSX (结转下年, 结余, 已预留, 上年结转), figures equal to the JSON', async () => {
      const { body } = await get(path);
      const csv = Buffer.from(await (await fetch(`${base}${path}?format=csv`)).arrayBuffer()).toString('utf8');
      expect(csv.startsWith('\uFEFF')).toBe(true);
      const { header, records } = csvRecords(csv.slice(1));
      expect(header).toEqual(
        expect.arrayContaining(['lineId', 'committed', 'carriedForward', 'lapsed', 'toLineId', 'fromLineIds', 'broughtForward']),
      );
      expect(records.slice(0, body.lines.length).map((r) => [r.lineId, r.committed, r.available, r.carriedForward, r.lapsed])).toEqual(
        body.lines.map((l: any) => [l.lineId, l.committed, l.available, l.carriedForward, l.lapsed]),
      );
      expect(records[body.lines.length]).toMatchObject({
        lineId: '合计',
        carriedForward: body.totals.carriedForward,
        lapsed: body.totals.lapsed,
      });
      const sheets = await readXlsx(await (await fetch(`${base}${path}`, { headers: { accept: XLSX } })).arrayBuffer());
      expect(sheets).toHaveLength(2);
      expect(sheets[0]?.header).toEqual(expect.arrayContaining(['已预留', '结转下年', '结余', '可用余额']));
      expect(sheets[1]?.header).toEqual(expect.arrayContaining(['上年结转', '结转自']));
      const col = sheets[0]?.header.indexOf('结转下年') as number;
      expect(sheets[0]?.rows.map((r) => r[col]?.value)).toEqual([...body.lines, body.totals].map((l: any) => Number(l.carriedForward)));
    });

    // Last: it stops the API (an embedded store has one owner).
    it('ledger year-end prints the same report (--json) and its table', async () => {
      const { body } = await get(path);
      await app.close();
      const args = ['year-end', '--department', YEAR_END_DEPARTMENT, '--year', String(YEAR_END_YEAR)];
      const json = await spawnLedger(storage, [...args, '--json']);
      expect(json.code).toBe(0);
      const printed = JSON.parse(json.stdout);
      expect([printed.lines, printed.totals, printed.nextYear, printed.closed]).toEqual([body.lines, body.totals, body.nextYear, true]);
      const table = await spawnLedger(storage, args);
      expect(table.stdout).toContain('结转下年');
      expect(table.stdout).toContain(`${YEAR_END_YEAR + 1} 上年结转`);
    });
  });
}
