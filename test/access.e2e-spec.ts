import { generateKeyPairSync } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { ApiKeyStore, authConfigFromEnv, roleAllows, type AuthConfig, type Role } from '@ledger/auth';
import { spawnLedger } from './support/spawn-ledger';
import { LocalIssuer } from '@ledger/auth/testing/local-issuer';
import { openDatabase } from '@ledger/event-store';
import type { z } from 'zod';
import { contract, createApi, registeredRoutes, startApi, startupMessage } from '@ledger/http';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';

/**
 * DESIGN.md §8 end to end: every route, walked with no identity, each role, keys and tokens
 * limited to a department, and bad credentials, against what the table says; then what each part
 * of access control does on its own (sessions, revocation, recordedBy, the access log, dry runs).
 */

const D1 = '市贸促委';
const D2 = '市科技局';
// The walk closes Q1 and Q2 of D1: what is posted after it is dated in Q4.
const line = (id: string, department: string, effectiveDate = '2021-01-01') => ({
  eventId: `${id}-open`,
  type: 'BudgetLineOpened',
  effectiveDate,
  data: { lineId: id, department, fiscalYear: 2021, kind: 'basic', economicCode: '30201' },
});
const approve = (id: string, amount: string, effectiveDate = '2021-01-01') => ({
  eventId: `${id}-init`,
  type: 'InitialBudgetApproved',
  effectiveDate,
  data: { lineId: id, amount },
});
const pay = (eventId: string, lineId: string, amount: string, effectiveDate = '2021-11-02') => ({
  eventId,
  type: 'PaymentRecorded',
  effectiveDate,
  data: { lineId, amount },
});
const SEED = [line('L1', D1), approve('L1', '1000.00'), line('L2', D2), approve('L2', '500.00'), pay('seed-pay', 'L1', '10.00')];

/** What a route reaches: anything (`any`), one department (404 outside a caller's), or every department at once (403 to a limited caller). */
type Scope = { kind: 'any' } | { kind: 'department'; department: string } | { kind: 'global' };

interface RouteCase {
  readonly method: string;
  /** As Nest registers it, to check the walk covers every route. */
  readonly template: string;
  /** `passes`: the caller may call it (for routes that change something only once). */
  readonly url: (passes: boolean) => string;
  readonly body?: () => { type: string; text: string };
  /** Undefined: public. */
  readonly role?: Role;
  readonly scope: Scope;
  /** The status of an identity that may. */
  readonly ok: number;
  readonly schema?: z.ZodType;
}

interface Caller {
  readonly name: string;
  readonly headers: () => Record<string, string>;
  /** Undefined: no identity, or one refused. */
  readonly roles?: readonly Role[];
  readonly departments?: readonly string[];
}

for (const engine of testEngines()) {
  describe(`access control, every route [${engine}]`, () => {
    let storage: E2eStorage;
    let issuer: LocalIssuer;
    let app: INestApplication;
    let base: string;
    let keys: ApiKeyStore;
    const key: Record<string, { keyId: string; key: string }> = {};
    const token: Record<string, string> = {};

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      issuer = await LocalIssuer.start();
      const auth: AuthConfig = {
        ...authConfigFromEnv({}),
        // The walk sends some 400 refused requests from one address in seconds; the limits on
        // refused attempts and on requests are tested on their own below, not here.
        rateBurst: 100_000,
        oidc: {
          jwksUrl: issuer.jwksUrl,
          issuer: issuer.issuer,
          audience: issuer.audience,
          rolesClaim: 'roles',
          departmentsClaim: 'departments',
        },
      };
      // A signing key for POST /v1/checkpoints, read as the API starts (never from the database).
      process.env.LEDGER_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      try {
        app = await createApi(storage.config, auth);
      } finally {
        delete process.env.LEDGER_SIGNING_KEY;
      }
      await app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      keys = app.get(ApiKeyStore);
      for (const role of ['writer', 'analyst', 'auditor', 'admin'] as const) key[role] = await keys.create({ role });
      key.analystD1 = await keys.create({ role: 'analyst', departments: [D1] });
      key.auditorD1 = await keys.create({ role: 'auditor', departments: [D1] });
      key.adminD1 = await keys.create({ role: 'admin', departments: [D1], name: 'department admin' });
      key.revoked = await keys.create({ role: 'admin' });
      await keys.revoke(key.revoked.keyId);
      token.analyst = await issuer.token({ sub: 'ana', roles: ['analyst'] });
      token.auditorD1 = await issuer.token({ sub: 'aud', roles: ['auditor'], departments: [D1] });
      token.expired = await issuer.token({ roles: ['admin'] }, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
      token.wrongSignature = await issuer.token({ roles: ['admin'] }, { signedByStranger: true });
      token.wrongAudience = await issuer.token({ roles: ['admin'] }, { audience: 'another-app' });
      token.noRoles = await issuer.token({ departments: [D1] });
      const seeded = await call('POST', '/v1/events', bearer(key.writer!.key), json(SEED));
      expect(seeded.body).toMatchObject({ appended: SEED.length });
    }, 300_000);
    afterAll(async () => {
      await app.close();
      await issuer.stop();
      await storage.cleanup();
    });

    const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
    const json = (value: unknown) => ({ type: 'application/json', text: JSON.stringify(value) });
    async function call(method: string, path: string, headers: Record<string, string> = {}, body?: { type: string; text: string }) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': body.type }) },
        body: body?.text,
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Prometheus text, say.
      }
      return { status: res.status, headers: res.headers, body: parsed };
    }

    const throwaway: string[] = [];
    const routes = (): RouteCase[] => {
      const departmentRoutes = (department: string): RouteCase[] => [
        {
          method: 'GET',
          template: '/v1/departments/:department/view',
          url: () => `/v1/departments/${encodeURIComponent(department)}/view?asOf=2021-12-31`,
          role: 'analyst',
          scope: { kind: 'department', department },
          ok: 200,
          schema: contract.ViewResult,
        },
        {
          method: 'GET',
          template: '/v1/departments/:department/years/:year/progress',
          url: () => `/v1/departments/${encodeURIComponent(department)}/years/2021/progress`,
          role: 'analyst',
          scope: { kind: 'department', department },
          ok: 200,
          schema: contract.ProgressResult,
        },
        {
          method: 'GET',
          template: '/v1/departments/:department/years/:year/ratios',
          url: () => `/v1/departments/${encodeURIComponent(department)}/years/2021/ratios`,
          role: 'analyst',
          scope: { kind: 'department', department },
          ok: 200,
          schema: contract.RatiosResult,
        },
        {
          method: 'GET',
          template: '/v1/departments/:department/years/:year/scorecard',
          url: () => `/v1/departments/${encodeURIComponent(department)}/years/2021/scorecard`,
          role: 'analyst',
          scope: { kind: 'department', department },
          ok: 200,
          schema: contract.ScorecardResult,
        },
        {
          method: 'GET',
          template: '/v1/departments/:department/years/:year/year-end',
          url: () => `/v1/departments/${encodeURIComponent(department)}/years/2021/year-end`,
          role: 'analyst',
          scope: { kind: 'department', department },
          ok: 200,
          schema: contract.YearEndResult,
        },
        {
          method: 'GET',
          template: '/v1/departments/:department/warnings',
          url: () => `/v1/departments/${encodeURIComponent(department)}/warnings?asOf=2021-06-30`,
          role: 'analyst',
          scope: { kind: 'department', department },
          ok: 200,
          schema: contract.WarningsResult,
        },
        {
          method: 'GET',
          template: '/v1/departments/:department/years/:year/lines',
          url: () => `/v1/departments/${encodeURIComponent(department)}/years/2021/lines`,
          role: 'analyst',
          scope: { kind: 'department', department },
          ok: 200,
        },
      ];
      return [
        { method: 'GET', template: '/health', url: () => '/health', scope: { kind: 'any' }, ok: 200, schema: contract.Health },
        { method: 'GET', template: '/ready', url: () => '/ready', scope: { kind: 'any' }, ok: 200, schema: contract.Ready },
        {
          method: 'POST',
          template: '/v1/session',
          url: () => '/v1/session',
          body: () => json({ key: key.analyst!.key }),
          scope: { kind: 'any' },
          ok: 200,
          schema: contract.SessionInfo,
        },
        { method: 'DELETE', template: '/v1/session', url: () => '/v1/session', scope: { kind: 'any' }, ok: 204 },
        // Finding things (the console's pickers): a limited caller finds only its own departments.
        { method: 'GET', template: '/v1/departments', url: () => '/v1/departments', role: 'analyst', scope: { kind: 'any' }, ok: 200 },
        {
          method: 'GET',
          template: '/v1/classification',
          url: () => '/v1/classification',
          role: 'analyst',
          scope: { kind: 'any' },
          ok: 200,
        },
        {
          method: 'GET',
          template: '/v1/events/:eventId',
          url: () => '/v1/events/seed-pay',
          role: 'auditor',
          scope: { kind: 'department', department: D1 },
          ok: 200,
        },
        { method: 'GET', template: '/v1/checkpoints', url: () => '/v1/checkpoints', role: 'auditor', scope: { kind: 'any' }, ok: 200 },
        { method: 'POST', template: '/v1/checkpoints', url: () => '/v1/checkpoints', role: 'auditor', scope: { kind: 'any' }, ok: 201 },
        // A duplicate of a stored event: accepted, and nothing changes however often it is sent.
        {
          method: 'POST',
          template: '/v1/events',
          url: () => '/v1/events',
          body: () => json([SEED[0]]),
          role: 'writer',
          scope: { kind: 'any' },
          ok: 200,
          schema: contract.AppendSummary,
        },
        {
          method: 'GET',
          template: '/v1/events',
          url: () => '/v1/events?after=0&limit=100',
          role: 'auditor',
          scope: { kind: 'any' },
          ok: 200,
          schema: contract.EventsPage,
        },
        ...departmentRoutes(D1),
        ...departmentRoutes(D2),
        {
          method: 'GET',
          template: '/v1/lines/:lineId/trace',
          url: () => '/v1/lines/L1/trace',
          role: 'auditor',
          scope: { kind: 'department', department: D1 },
          ok: 200,
          schema: contract.TraceResult,
        },
        {
          method: 'GET',
          template: '/v1/lines/:lineId/trace',
          url: () => '/v1/lines/L2/trace',
          role: 'auditor',
          scope: { kind: 'department', department: D2 },
          ok: 200,
          schema: contract.TraceResult,
        },
        {
          method: 'GET',
          template: '/v1/verify',
          url: () => '/v1/verify',
          role: 'auditor',
          scope: { kind: 'global' },
          ok: 200,
          schema: contract.VerifyReport,
        },
        {
          method: 'GET',
          template: '/v1/access-log',
          url: () => '/v1/access-log?limit=5',
          role: 'auditor',
          scope: { kind: 'global' },
          ok: 200,
          schema: contract.AccessLogPage,
        },
        { method: 'GET', template: '/metrics', url: () => '/metrics', role: 'auditor', scope: { kind: 'any' }, ok: 200 },
        {
          method: 'GET',
          template: '/v1/keys',
          url: () => '/v1/keys',
          role: 'admin',
          scope: { kind: 'global' },
          ok: 200,
          schema: contract.ApiKeyList,
        },
        {
          method: 'POST',
          template: '/v1/keys',
          url: () => '/v1/keys',
          body: () => json({ role: 'analyst', name: 'made in the walk' }),
          role: 'admin',
          scope: { kind: 'global' },
          ok: 201,
          schema: contract.CreatedApiKey,
        },
        // Each revocation that gets through takes a key made for it.
        {
          method: 'DELETE',
          template: '/v1/keys/:keyId',
          url: () => `/v1/keys/${throwaway.shift() ?? 'none'}`,
          role: 'admin',
          scope: { kind: 'global' },
          ok: 204,
        },
        // Closing takes each quarter once; the walk's callers that may close take the quarters in turn.
        {
          method: 'POST',
          template: '/v1/departments/:department/years/:year/periods/:period/close',
          url: (passes) => `/v1/departments/${encodeURIComponent(D1)}/years/2021/periods/${passes ? quarters.shift() : 'Q3'}/close`,
          role: 'admin',
          scope: { kind: 'department', department: D1 },
          ok: 200,
          schema: contract.ClosedPeriod,
        },
        {
          method: 'POST',
          template: '/v1/departments/:department/years/:year/periods/:period/close',
          url: () => `/v1/departments/${encodeURIComponent(D2)}/years/2021/periods/Q1/close`,
          role: 'admin',
          scope: { kind: 'department', department: D2 },
          ok: 200,
          schema: contract.ClosedPeriod,
        },
      ];
    };
    const quarters = ['Q1', 'Q2'];

    const callers = (): Caller[] => [
      { name: 'no identity', headers: () => ({}) },
      { name: 'writer key', headers: () => bearer(key.writer!.key), roles: ['writer'] },
      { name: 'analyst key', headers: () => bearer(key.analyst!.key), roles: ['analyst'] },
      { name: 'auditor key', headers: () => bearer(key.auditor!.key), roles: ['auditor'] },
      { name: 'admin key', headers: () => bearer(key.admin!.key), roles: ['admin'] },
      { name: `analyst key of ${D1}`, headers: () => bearer(key.analystD1!.key), roles: ['analyst'], departments: [D1] },
      { name: `auditor key of ${D1}`, headers: () => bearer(key.auditorD1!.key), roles: ['auditor'], departments: [D1] },
      { name: `admin key of ${D1}`, headers: () => bearer(key.adminD1!.key), roles: ['admin'], departments: [D1] },
      { name: 'analyst token', headers: () => bearer(token.analyst!), roles: ['analyst'] },
      { name: `auditor token of ${D1}`, headers: () => bearer(token.auditorD1!), roles: ['auditor'], departments: [D1] },
      { name: 'revoked key', headers: () => bearer(key.revoked!.key) },
      { name: 'made-up key', headers: () => bearer(`ledger_${key.admin!.keyId}_${'A'.repeat(43)}`) },
      { name: 'expired token', headers: () => bearer(token.expired!) },
      { name: 'wrongly signed token', headers: () => bearer(token.wrongSignature!) },
      { name: 'token for another audience', headers: () => bearer(token.wrongAudience!) },
      { name: 'token without roles', headers: () => bearer(token.noRoles!) },
      { name: 'garbage bearer', headers: () => bearer('not.a.token') },
      { name: 'Basic authorization', headers: () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }) },
    ];

    function expected(route: RouteCase, caller: Caller): number {
      if (route.role === undefined) return route.ok;
      if (caller.roles === undefined) return 401;
      if (!caller.roles.some((held) => roleAllows(held, route.role as Role))) return 403;
      if (caller.departments !== undefined) {
        if (route.scope.kind === 'global') return route.template.startsWith('/v1/keys') ? route.ok : 403;
        if (route.scope.kind === 'department' && !caller.departments.includes(route.scope.department)) return 404;
      }
      return route.ok;
    }

    it('walks every registered route, and every route declares who may call it', () => {
      const walked = new Set(routes().map((r) => `${r.method} ${r.template}`));
      const registered = registeredRoutes(app);
      expect(registered.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)).toEqual(
        [],
      );
      expect(registered.map((r) => `${r.method} ${r.path}`).filter((r) => !walked.has(r))).toEqual([]);
    });

    it('answers 401/403/404/2xx as DESIGN.md §8 says, for every caller on every route', async () => {
      const outcomes: string[] = [];
      const wrong: string[] = [];
      for (const caller of callers()) {
        for (const route of routes()) {
          if (route.template === '/v1/keys/:keyId') throwaway.push((await keys.create({ role: 'writer' })).keyId);
          const want = expected(route, caller);
          const url = route.url(want === route.ok);
          const res = await call(route.method, url, caller.headers(), route.body?.());
          const row = `${caller.name} ${route.method} ${decodeURIComponent(url)} → ${res.status}`;
          outcomes.push(row);
          if (res.status !== want) wrong.push(`${row}, expected ${want}: ${JSON.stringify(res.body)?.slice(0, 200)}`);
          else if (res.status >= 400) {
            expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
            if (res.status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
          } else if (route.schema !== undefined) {
            const parsed = route.schema.safeParse(res.body);
            if (!parsed.success) wrong.push(`${row}: the answer does not fit its schema: ${parsed.error.message.slice(0, 300)}`);
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(outcomes.length).toBeGreaterThan(300);
    }, 300_000);

    it('answers a department outside the key exactly as a department that does not exist', async () => {
      const outside = await call('GET', `/v1/lines/L2/trace`, bearer(key.auditorD1!.key));
      const missing = await call('GET', `/v1/lines/NO-SUCH-LINE/trace`, bearer(key.auditor!.key));
      expect(outside.status).toBe(404);
      expect(outside.body).toEqual({ ...missing.body, detail: missing.body.detail.replace('NO-SUCH-LINE', 'L2') });
    });

    it('shows a department-limited follower only its departments, and still moves it past the others', async () => {
      const all = await call('GET', '/v1/events?limit=1000', bearer(key.auditor!.key));
      const mine = await call('GET', '/v1/events?limit=1000', bearer(key.auditorD1!.key));
      expect(mine.body.lastPosition).toBe(all.body.lastPosition);
      expect(mine.body.events.length).toBeLessThan(all.body.events.length);
      expect(mine.body.events.map((e: any) => e.eventId)).toEqual(expect.arrayContaining(['L1-open', 'seed-pay']));
      expect(mine.body.events.map((e: any) => e.eventId)).not.toContain('L2-open');
    });

    it('keeps who posted each event beside it: trace and the log show recordedBy', async () => {
      const posted = await call('POST', '/v1/events', bearer(token.analyst!), json([pay('by-token', 'L1', '1.00')]));
      expect(posted.status).toBe(403); // an analyst may not write
      await call('POST', '/v1/events', bearer(key.writer!.key), json([pay('by-writer', 'L1', '2.00')]));
      const trace = await call('GET', '/v1/lines/L1/trace', bearer(key.auditor!.key));
      const entry = trace.body.entries.find((e: any) => e.eventId === 'by-writer');
      expect(entry.recordedBy).toBe(`key:${key.writer!.keyId}`);
      // A follower reads below the oldest running transaction (decision 0002); on the server the
      // access log's own writes can hold the newest event back for a moment, as for any follower.
      let log = await call('GET', '/v1/events?limit=1000', bearer(key.auditor!.key));
      for (let i = 0; i < 50 && !log.body.events.some((e: any) => e.eventId === 'by-writer'); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        log = await call('GET', '/v1/events?limit=1000', bearer(key.auditor!.key));
      }
      expect(log.body.events.find((e: any) => e.eventId === 'by-writer').recordedBy).toBe(`key:${key.writer!.keyId}`);
      const close = log.body.events.find((e: any) => e.type === 'PeriodClosed');
      expect(close.recordedBy).toBe(`key:${key.admin!.keyId}`);
    });

    it('decides a dry run like the real thing and stores nothing', async () => {
      const events = [line('L9', D1, '2021-10-01'), approve('L9', '100.00', '2021-10-01'), pay('p9', 'L9', '150.00')];
      const dry = await call('POST', '/v1/events?dryRun=true', bearer(key.writer!.key), json(events));
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ appended: 2, rejected: [expect.objectContaining({ eventId: 'p9', code: 'LINE_OVERDRAWN' })] });
      expect((await call('GET', '/v1/lines/L9/trace', bearer(key.auditor!.key))).status).toBe(404);
      const real = await call('POST', '/v1/events', bearer(key.writer!.key), json(events));
      expect(real.body).toEqual(dry.body);
      expect((await call('GET', '/v1/lines/L9/trace', bearer(key.auditor!.key))).body.entries).toHaveLength(2);
      expect((await call('POST', '/v1/events?dryRun=maybe', bearer(key.writer!.key), json(events))).status).toBe(400);
    });

    it('refuses a key request with an unknown role', async () => {
      const res = await call('POST', '/v1/keys', bearer(key.admin!.key), json({ role: 'boss' }));
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/role/);
    });

    it('refuses a revoked key from the next request on', async () => {
      const fresh = await keys.create({ role: 'analyst' });
      const path = `/v1/departments/${encodeURIComponent(D1)}/view`;
      expect((await call('GET', path, bearer(fresh.key))).status).toBe(200);
      expect((await call('DELETE', `/v1/keys/${fresh.keyId}`, bearer(key.admin!.key))).status).toBe(204);
      expect((await call('GET', path, bearer(fresh.key))).status).toBe(401);
    });

    it('signs the console in with a cookie (HttpOnly, SameSite=Strict) that works in place of the header until sign-out or revocation', async () => {
      const path = `/v1/departments/${encodeURIComponent(D1)}/view`;
      const fresh = await keys.create({ role: 'analyst', departments: [D1] });
      expect((await call('POST', '/v1/session', {}, json({ key: 'ledger_k_000000000000_' + 'x'.repeat(43) }))).status).toBe(401);
      const signIn = await call('POST', '/v1/session', {}, json({ key: fresh.key }));
      expect(signIn.status).toBe(200);
      expect(signIn.body).toMatchObject({ keyId: fresh.keyId, role: 'analyst', departments: [D1] });
      const setCookie = signIn.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/ledger_session=[A-Za-z0-9_-]{43}/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      expect(setCookie).not.toContain(fresh.key);
      const cookie = { cookie: setCookie.split(';')[0] as string };
      expect((await call('GET', path, cookie)).status).toBe(200);
      expect((await call('GET', '/v1/lines/L1/trace', cookie)).status).toBe(403);
      expect((await call('GET', `/v1/departments/${encodeURIComponent(D2)}/view`, cookie)).status).toBe(404);
      expect((await call('DELETE', '/v1/session', cookie)).status).toBe(204);
      expect((await call('GET', path, cookie)).status).toBe(401);

      const again = await call('POST', '/v1/session', {}, json({ key: fresh.key }));
      const cookie2 = { cookie: (again.headers.get('set-cookie') ?? '').split(';')[0] as string };
      expect((await call('GET', path, cookie2)).status).toBe(200);
      await keys.revoke(fresh.keyId);
      expect((await call('GET', path, cookie2)).status).toBe(401);
    });

    it('writes every request to the access log, which auditors read in order', async () => {
      await call('GET', '/v1/verify', {});
      await call('GET', `/v1/departments/${encodeURIComponent(D1)}/view`, bearer(key.analyst!.key));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const first = await call('GET', '/v1/access-log?limit=10000', bearer(key.auditor!.key));
      const entries = first.body.entries as any[];
      expect(entries.length).toBeGreaterThan(300);
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ identity: null, method: 'GET', path: '/v1/verify', status: 401 }),
          expect.objectContaining({ identity: `key:${key.analyst!.keyId}`, method: 'GET', status: 200 }),
          expect.objectContaining({ identity: `key:${key.writer!.keyId}`, method: 'POST', path: '/v1/events', status: 200 }),
        ]),
      );
      const ids = entries.map((e) => BigInt(e.id));
      expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
      const next = await call('GET', `/v1/access-log?after=${first.body.lastId}`, bearer(key.auditor!.key));
      expect(next.body.entries.every((e: any) => BigInt(e.id) > BigInt(first.body.lastId))).toBe(true);
      expect((await call('GET', '/v1/access-log?limit=0', bearer(key.auditor!.key))).status).toBe(400);
    });

    it('sends security headers, no X-Powered-By, and no CORS grant when no origin is configured', async () => {
      const res = await call('GET', '/health', { origin: 'https://elsewhere.example' });
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).not.toBeNull();
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('documents every route with schemas, the security schemes and the 4xx answers', async () => {
      const doc = (await call('GET', '/docs-json')).body;
      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'oidc', 'session']);
      for (const name of ['NewEvent', 'AppendSummary', 'ViewResult', 'TraceResult', 'Problem']) {
        expect(doc.components.schemas[name]).toBeDefined();
      }
      const post = doc.paths['/v1/events'].post;
      expect(Object.keys(post.requestBody.content.examples ?? post.requestBody.content['application/json'].examples)).toEqual(
        expect.arrayContaining(['payment', 'transfer', 'rejection']),
      );
      for (const [path, item] of Object.entries<any>(doc.paths)) {
        for (const [method, op] of Object.entries<any>(item)) {
          const statuses = Object.keys(op.responses);
          if (!['/health', '/ready', '/v1/session'].includes(path)) {
            expect([`${method} ${path}`, statuses]).toEqual([`${method} ${path}`, expect.arrayContaining(['401', '403'])]);
          }
        }
      }
    });
  });
}

for (const engine of testEngines()) {
  describe(`secure by default, and the limits [${engine}]`, () => {
    let storage: E2eStorage;
    let app: INestApplication;
    let base: string;
    let adminKey: string;
    let message: string;
    const auth: AuthConfig = {
      ...authConfigFromEnv({}),
      ratePerMinute: 60,
      rateBurst: 5,
      maxBodyBytes: 4_000,
      maxEventsPerRequest: 3,
      corsOrigins: ['https://console.example'],
    };

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      const started = await startApi(0, storage.config, auth);
      app = started.app;
      message = startupMessage(started, auth);
      expect(started.firstAdminKey).toBeDefined();
      adminKey = started.firstAdminKey!.key;
      base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    }, 300_000);
    afterAll(async () => {
      await app.close();
      await storage.cleanup();
    });

    const post = (body: string, type = 'application/json') =>
      fetch(`${base}/v1/events`, { method: 'POST', body, headers: { authorization: `Bearer ${adminKey}`, 'content-type': type } });

    it('made one admin key on the first serve, said so once with how to make more, and names the address it bound', async () => {
      expect(message).toMatch(/^ledger API listening on http:\/\/(0\.0\.0\.0|\[::\]):\d+ /);
      expect(message).toMatch(/^console: http:\/\/127\.0\.0\.1:\d+\/console\/$/m);
      expect(message).toContain(adminKey);
      expect(message).toContain('keys create --role');
      // A second serve of the same store (after the first stopped: one owner per embedded store).
      await app.close();
      const again = await startApi(0, storage.config, { ...auth });
      app = again.app;
      base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      expect(again.firstAdminKey).toBeUndefined();
      expect(startupMessage(again, auth)).not.toMatch(/ledger_k_/);
    }, 300_000);

    it('answers 413 for a body or an events count over the limits, storing nothing', async () => {
      const big = await post(JSON.stringify([{ eventId: 'x', type: 'PaymentRecorded', data: { payee: 'x'.repeat(5_000) } }]));
      expect(big.status).toBe(413);
      expect(((await big.json()) as any).code).toBe('PAYLOAD_TOO_LARGE');
      const many = await post(JSON.stringify([line('A1', D1), line('A2', D1), line('A3', D1), line('A4', D1)]));
      expect(many.status).toBe(413);
      expect(((await many.json()) as any).detail).toMatch(/at most 3 events per request/);
      const ndjson = await post(
        [line('B1', D1), line('B2', D1), line('B3', D1), line('B4', D1)].map((e) => JSON.stringify(e)).join('\n'),
        'application/x-ndjson',
      );
      expect(ndjson.status).toBe(413);
      expect(((await ndjson.json()) as any).detail).toMatch(/the first 3 were taken: 3 appended/);
    });

    it('grants CORS to a configured origin only', async () => {
      const allowed = await fetch(`${base}/health`, { headers: { origin: 'https://console.example' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
      const other = await fetch(`${base}/health`, { headers: { origin: 'https://elsewhere.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('limits requests per key with 429 and Retry-After', async () => {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i += 1) {
        const res = await fetch(`${base}/v1/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // Another identity has its own bucket.
      const other = await fetch(`${base}/v1/keys`, { headers: { authorization: `Bearer ledger_k_000000000000_${'A'.repeat(43)}` } });
      expect(other.status).toBe(401);
    });
  });

  describe(`ledger keys, and the CLI without keys [${engine}]`, () => {
    let storage: E2eStorage;
    beforeAll(async () => {
      storage = await e2eStorage(engine);
    });
    afterAll(() => storage.cleanup());

    it('creates (shown once), lists (never the key) and revokes keys, and records the CLI user beside what it appends', async () => {
      const created = await spawnLedger(storage, [
        'keys',
        'create',
        '--role',
        'analyst',
        '--department',
        D1,
        '--department',
        D2,
        '--name',
        'treasury',
        '--json',
      ]);
      expect(created.code).toBe(0);
      const key = JSON.parse(created.stdout);
      expect(key).toEqual({
        keyId: expect.stringMatching(/^k_[0-9a-f]{12}$/),
        key: expect.stringMatching(/^ledger_k_/),
        role: 'analyst',
        departments: [D1, D2],
        name: 'treasury',
      });
      const revoked = await spawnLedger(storage, ['keys', 'revoke', key.keyId, '--json']);
      expect(JSON.parse(revoked.stdout)).toEqual({ keyId: key.keyId, revoked: true });
      const listed = await spawnLedger(storage, ['keys', 'list', '--json']);
      expect(listed.stdout).not.toContain(key.key);
      expect(JSON.parse(listed.stdout).keys).toEqual([expect.objectContaining({ keyId: key.keyId, revokedAt: expect.any(String) })]);
      const appended = await spawnLedger(
        storage,
        ['append', '-', '--json'],
        [line('C1', D1), approve('C1', '10.00')].map((e) => JSON.stringify(e)).join('\n'),
      );
      expect(JSON.parse(appended.stdout)).toMatchObject({ appended: 2 });
      const db = await openDatabase(storage.config.database);
      try {
        const rows = await db.query<{ recorded_by: string }>(`SELECT recorded_by FROM ledger_events WHERE event_id LIKE 'C1-%'`);
        expect(rows.map((r) => r.recorded_by)).toEqual([expect.stringMatching(/^cli:.+/), expect.stringMatching(/^cli:.+/)]);
      } finally {
        await db.close();
      }
    }, 300_000);
  });
}
