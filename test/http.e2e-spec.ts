import type { INestApplication } from '@nestjs/common';
import { authConfigFromEnv } from '@ledger/auth';
import { startApi, startupMessage } from '@ledger/http';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';

const line = (id: string, department = '市贸促委') => ({
  eventId: `${id}-open`,
  type: 'BudgetLineOpened',
  effectiveDate: '2021-01-01',
  data: { lineId: id, department, fiscalYear: 2021, kind: 'basic', economicCode: '30201', tags: ['daily-public'] },
  metadata: { documentNo: '深财预〔2021〕1号' },
});
const approve = (id: string, amount: string) => ({
  eventId: `${id}-init`,
  type: 'InitialBudgetApproved',
  effectiveDate: '2021-01-01',
  data: { lineId: id, amount },
});
const pay = (eventId: string, lineId: string, amount: string, effectiveDate: string) => ({
  eventId,
  type: 'PaymentRecorded',
  effectiveDate,
  data: { lineId, amount },
});

for (const engine of testEngines()) {
  describe(`HTTP API [${engine}]`, () => {
    let storage: E2eStorage;
    let app: INestApplication;
    let base: string;
    let startup: { address: string; message: string; firstAdminKey?: unknown };

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      // The contract of the routes, without access control (test/access.e2e-spec.ts walks that).
      const auth = { ...authConfigFromEnv({}), enabled: false };
      const started = await startApi(0, storage.config, auth);
      app = started.app;
      startup = { address: started.address, message: startupMessage(started, auth), firstAdminKey: started.firstAdminKey };
      const address = app.getHttpServer().address() as { port: number };
      base = `http://127.0.0.1:${address.port}`;
    });
    afterAll(async () => {
      await app.close();
      await storage.cleanup();
    });

    const post = (body: string, contentType: string) =>
      fetch(`${base}/v1/events`, { method: 'POST', body, headers: { 'content-type': contentType } });
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
    };

    it('with LEDGER_AUTH=off, binds 127.0.0.1 only, says so, and makes no key', () => {
      expect(startup.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(startup.message).toContain(`listening on http://${startup.address}`);
      expect(startup.message).toContain(`console: http://${startup.address}/console/`);
      expect(startup.message).toMatch(/authentication is OFF \(LEDGER_AUTH=off\).*127\.0\.0\.1 only/);
      expect(startup.firstAdminKey).toBeUndefined();
    });

    it('takes a JSON array and answers per event, storing the good ones beside the bad', async () => {
      const res = await post(
        JSON.stringify([
          line('L1'),
          approve('L1', '1000.00'),
          pay('p1', 'L1', '100.00', '2021-02-01'),
          pay('p2', 'NOPE', '1.00', '2021-02-01'),
          { eventId: 'x', type: 'Bogus', data: {} },
        ]),
        'application/json',
      );
      expect(res.status).toBe(200);
      const summary = (await res.json()) as any;
      expect(summary).toMatchObject({ appended: 3, duplicates: 0 });
      expect(summary.rejected.map((r: any) => [r.line, r.eventId, r.code, r.field])).toEqual([
        [4, 'p2', 'LINE_NOT_FOUND', 'data.lineId'],
        [5, 'x', 'UNKNOWN_EVENT_TYPE', 'type'],
      ]);
    });

    it('streams NDJSON, with line numbers in its refusals, and reads its own writes at once', async () => {
      const body = [
        JSON.stringify(pay('p3', 'L1', '50.00', '2021-03-01')),
        '{"eventId": "broken"',
        '',
        JSON.stringify(pay('p1', 'L1', '100.00', '2021-02-01')),
      ].join('\n');
      const res = await post(body, 'application/x-ndjson');
      const summary = (await res.json()) as any;
      expect(summary).toMatchObject({ appended: 1, duplicates: 1 });
      expect(summary.rejected).toEqual([expect.objectContaining({ line: 2, eventId: null, code: 'INVALID_JSON' })]);
      const view = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/view?asOf=2021-12-31`);
      expect(view.status).toBe(200);
      expect(view.body.total).toMatchObject({ initial: '1000.00', executed: '150.00', available: '850.00', executionRate: '0.1500' });
    });

    it('answers view as of a date and known at an instant', async () => {
      const before = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/view?asOf=2021-02-15&groupBy=tag,economicCode:3`);
      expect(before.body).toMatchObject({ asOf: '2021-02-15', groupBy: ['tag', 'economicCode:3'] });
      expect(before.body.rows).toEqual([
        expect.objectContaining({ key: { tag: 'daily-public', economicCode: '302' }, executed: '100.00' }),
      ]);
      const past = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/view?asOf=2021-12-31&knownAt=2000-01-01T00:00:00Z`);
      expect(past.body.total.initial).toBe('0.00');
    });

    it('traces a line and serves progress, ratios and scorecard', async () => {
      const trace = await get('/v1/lines/L1/trace');
      expect(trace.body.entries.map((e: any) => e.eventId)).toEqual(['L1-open', 'L1-init', 'p1', 'p3']);
      expect(trace.body.entries[0].metadata).toEqual({ documentNo: '深财预〔2021〕1号' });
      const first = await get('/v1/lines/L1/trace?limit=3');
      const rest = await get(`/v1/lines/L1/trace?limit=3&after=${first.body.nextAfter}`);
      expect([...first.body.entries, ...rest.body.entries]).toEqual(trace.body.entries);
      expect([rest.body.nextAfter, rest.body.totals]).toEqual([null, trace.body.totals]);
      const progress = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/years/2021/progress`);
      expect(progress.body.quarters[0]).toMatchObject({
        period: 'Q1',
        executed: '150.00',
        adjusted: '1000.00',
        progress: '0.1500',
        closed: false,
      });
      const ratios = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/years/2021/ratios`);
      expect(ratios.body.checks[0]).toMatchObject({ rule: 'adjustment-transfer-10pct', passed: true, points: '1.00' });
      const card = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/years/2021/scorecard`);
      expect(card.body.items.find((i: any) => i.item === 'daily-public-control-rate')).toMatchObject({ value: '0.1500', points: '3.00' });
    });

    it('refuses bad queries as problem+json with a stable code', async () => {
      const bad = await get(`/v1/departments/x/view?asOf=2021-02-30`);
      expect(bad).toMatchObject({
        status: 400,
        type: expect.stringContaining('application/problem+json'),
        body: { code: 'INVALID_QUERY', field: 'asOf' },
      });
      const missing = await get('/v1/lines/none/trace');
      expect(missing).toMatchObject({ status: 404, body: { code: 'LINE_NOT_FOUND' } });
      const wrongType = await post('[]', 'text/plain');
      expect(wrongType.status).toBe(415);
    });

    it('answers 404 for an unknown department with the nearest names, and zeros for a known one without data', async () => {
      for (const path of [
        'view?asOf=2021-12-31',
        'years/2021/progress',
        'years/2021/ratios',
        'years/2021/scorecard',
        'warnings?asOf=2021-06-30',
      ]) {
        const typo = await get(`/v1/departments/${encodeURIComponent('市贸促')}/${path}`);
        expect(typo).toMatchObject({
          status: 404,
          type: expect.stringContaining('application/problem+json'),
          body: { code: 'DEPARTMENT_NOT_FOUND', field: 'department' },
        });
        expect(typo.body.detail).toContain("no such department '市贸促' (nearest: 市贸促委)");
      }
      const far = await get(`/v1/departments/${encodeURIComponent('完全不同的名字')}/view`);
      expect(far.body.detail).toMatch(/\(known: .*市贸促委/);
      const before = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/view?asOf=2020-06-30`);
      expect(before).toMatchObject({ status: 200, body: { total: { initial: '0.00', executed: '0.00' } } });
      const otherYear = await get(`/v1/departments/${encodeURIComponent('市贸促委')}/years/2030/progress`);
      expect(otherYear.status).toBe(200);
    });

    it('answers 400, not 500, for U+0000 or an invisible format character in a path', async () => {
      for (const path of [
        '/v1/departments/%00/view',
        '/v1/departments/D%E2%80%8B/view',
        '/v1/lines/L%00/trace',
        '/v1/departments/%00/years/2021/progress',
      ]) {
        expect(await get(path)).toMatchObject({ status: 400, body: { code: 'INVALID_QUERY' } });
      }
    });

    it('lets a subscriber follow the log by position', async () => {
      // A follower waits (wait=, in seconds) as a real one does: events are served once every
      // transaction older than them has ended anywhere on the server, and the suites of other
      // workers run transactions on the same server (a page came back empty in a full run).
      const first = await get('/v1/events?after=0&limit=2&wait=20');
      expect(first.body.events.map((e: any) => e.eventId)).toEqual(['L1-open', 'L1-init']);
      const rest = await get(`/v1/events?after=${first.body.lastPosition}&wait=20`);
      expect(rest.body.events.map((e: any) => e.eventId)).toEqual(['p1', 'p3']);
      expect(rest.body.events[0]).toMatchObject({
        type: 'PaymentRecorded',
        effectiveDate: '2021-02-01',
        correction: false,
        data: { lineId: 'L1', amount: '100.00' },
      });
      const none = await get(`/v1/events?after=${rest.body.lastPosition}`);
      expect(none.body).toEqual({ events: [], lastPosition: rest.body.lastPosition });
      expect(typeof rest.body.events[0].position).toBe('string');
    });

    it('documents itself with OpenAPI and reports readiness', async () => {
      const doc = await get('/docs-json');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/events',
          '/v1/departments/{department}/view',
          '/v1/departments/{department}/years/{year}/progress',
          '/v1/lines/{lineId}/trace',
        ]),
      );
      expect((await fetch(`${base}/docs`)).status).toBe(200);
      expect((await get('/ready')).body).toMatchObject({ status: 'ready', database: engine });
    });
  });
}
