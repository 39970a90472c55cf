import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import { AccessLog, ApiKeyStore, authConfigFromEnv, type AuthConfig } from '@ledger/auth';
import { createApi } from '@ledger/http';
import { e2eStorage, testEngines, type E2eStorage } from './support/engine-config';

/**
 * POST /v1/events outside NestJS/express (decision 0007): the app's HTTP server sends it to the
 * lean handler, and a second server on the same express app (the same providers, database, rate
 * limiter and access log) to the framework. Every request goes to both; the answers must be the
 * same to the byte, headers in the same order, but for Date and express's ETag.
 */

const D = '市贸促委';
const line = (id: string) => ({
  eventId: `${id}-open`,
  type: 'BudgetLineOpened',
  effectiveDate: '2021-01-01',
  data: { lineId: id, department: D, fiscalYear: 2021, kind: 'basic' },
});
const approve = (id: string) => ({
  eventId: `${id}-init`,
  type: 'InitialBudgetApproved',
  effectiveDate: '2021-01-01',
  data: { lineId: id, amount: '10.00' },
});

interface Answer {
  readonly status: number;
  /** `Name: value` as sent, in order, without Date and ETag. */
  readonly headers: string[];
  readonly etag: string | undefined;
  readonly body: string;
}

interface Sent {
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** Several parts: sent chunked, without Content-Length. */
  readonly body: string | string[];
}

function send(base: string, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${sent.path ?? '/v1/events'}`, { method: 'POST', headers: sent.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: string[] = [];
        let etag: string | undefined;
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const [name, value] = [res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string];
          if (name.toLowerCase() === 'etag') etag = value;
          else if (name.toLowerCase() !== 'date') headers.push(`${name}: ${value}`);
        }
        resolve({ status: res.statusCode ?? 0, headers, etag, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    if (typeof sent.body === 'string') req.end(sent.body);
    else {
      for (const part of sent.body) req.write(part);
      req.end();
    }
  });
}

for (const engine of testEngines()) {
  describe(`POST /v1/events on the lean path answers as the framework does [${engine}]`, () => {
    let storage: E2eStorage;
    let app: INestApplication;
    let framework: http.Server;
    let lean: string;
    let viaExpress: string;
    let keys: ApiKeyStore;
    let expressHandled: jest.SpyInstance;
    /** What each request should have left in the access log: `identity method path status`. */
    const expectedLog: string[] = [];
    const auth: AuthConfig = {
      ...authConfigFromEnv({}),
      ratePerMinute: 1,
      rateBurst: 30,
      maxBodyBytes: 4_000,
      maxEventsPerRequest: 3,
      corsOrigins: ['https://console.example'],
    };

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      app = await createApi(storage.config, auth);
      await app.listen(0, '127.0.0.1');
      lean = `http://127.0.0.1:${((app.getHttpServer() as http.Server).address() as AddressInfo).port}`;
      const express = app.getHttpAdapter().getInstance() as Express;
      framework = http.createServer(express);
      await new Promise<void>((resolve) => framework.listen(0, '127.0.0.1', resolve));
      viaExpress = `http://127.0.0.1:${(framework.address() as AddressInfo).port}`;
      // Every request express takes passes through its app.handle.
      expressHandled = jest.spyOn(express as unknown as { handle: (...args: unknown[]) => void }, 'handle');
      keys = app.get(ApiKeyStore);
    }, 300_000);
    afterAll(async () => {
      await new Promise((resolve) => framework.close(resolve));
      await app.close();
      await storage.cleanup();
    });

    /** The same request to both paths (`sent` is asked once per path, so that each may post its own events); the lean answer, once checked against the framework's. */
    async function both(name: string, identity: string | null, sent: (path: 'lean' | 'framework') => Sent): Promise<Answer> {
      const before = expressHandled.mock.calls.length;
      const leanAnswer = await send(lean, sent('lean'));
      expect([name, expressHandled.mock.calls.length]).toEqual([name, before]);
      const frameworkAnswer = await send(viaExpress, sent('framework'));
      expect([name, expressHandled.mock.calls.length]).toEqual([name, before + 1]);
      expect([name, leanAnswer.status, leanAnswer.headers, leanAnswer.body]).toEqual([
        name,
        frameworkAnswer.status,
        frameworkAnswer.headers,
        frameworkAnswer.body,
      ]);
      // Express's weak ETag of the body; a POST's answer is not cached, and the lean path sends none.
      expect([leanAnswer.etag, frameworkAnswer.etag]).toEqual([undefined, expect.stringMatching(/^W\//)]);
      const entry = `${identity} POST ${sent('lean').path ?? '/v1/events'} ${leanAnswer.status}`;
      expectedLog.push(entry, entry);
      return leanAnswer;
    }
    const writer = async () => {
      const created = await keys.create({ role: 'writer' });
      return { subject: `key:${created.keyId}`, headers: { authorization: `Bearer ${created.key}` } };
    };
    const json = (headers: Record<string, string>, value: unknown) => ({
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(value),
    });

    it('appends, and decides a dry run, with the same summary', async () => {
      const w = await writer();
      const stored = await both('append', w.subject, (path) => json(w.headers, [line(`A-${path}`), approve(`A-${path}`)]));
      expect([stored.status, JSON.parse(stored.body)]).toEqual([
        200,
        expect.objectContaining({ appended: 2, duplicates: 0, rejected: [] }),
      ]);
      const dry = await both('dry run', w.subject, () => ({ path: '/v1/events?dryRun=true', ...json(w.headers, [line('A-dry')]) }));
      expect(JSON.parse(dry.body)).toMatchObject({ appended: 1 });
      const ndjson = await both('NDJSON', w.subject, (path) => ({
        headers: { ...w.headers, 'content-type': 'application/x-ndjson; charset=utf-8' },
        body: [JSON.stringify(line(`N-${path}`)), '', '{"eventId": "broken"'].join('\n'),
      }));
      expect(JSON.parse(ndjson.body)).toMatchObject({
        appended: 1,
        rejected: [expect.objectContaining({ line: 3, code: 'INVALID_JSON' })],
      });
    });

    it('refuses a bad query as the ZodQueryPipe does', async () => {
      const w = await writer();
      const bad = await both('dryRun=maybe', w.subject, () => ({ path: '/v1/events?dryRun=maybe', ...json(w.headers, []) }));
      expect([bad.status, JSON.parse(bad.body).code]).toEqual([400, 'INVALID_QUERY']);
      const repeated = await both('unknown and repeated', w.subject, () => ({
        path: '/v1/events?x=1&dryRun=true&dryRun=false',
        ...json(w.headers, []),
      }));
      expect(JSON.parse(repeated.body).detail).toMatch(/^dryRun: .*; \(body\): Unrecognized key: "x"$/);
    });

    it('refuses callers as AuthGuard does: 401 with WWW-Authenticate, 403 for an analyst, by session cookie too', async () => {
      const none = await both('no identity', null, () => json({}, []));
      expect([none.status, none.headers]).toEqual([401, expect.arrayContaining(['WWW-Authenticate: Bearer'])]);
      await both('Basic', null, () => json({ authorization: 'Basic YWRtaW46YWRtaW4=' }, []));
      await both('unknown key', null, () => json({ authorization: `Bearer ledger_k_000000000000_${'A'.repeat(43)}` }, []));
      const analyst = await keys.create({ role: 'analyst' });
      const refused = await both('analyst', `key:${analyst.keyId}`, () => json({ authorization: `Bearer ${analyst.key}` }, []));
      expect([refused.status, JSON.parse(refused.body).detail]).toEqual([
        403,
        `key:${analyst.keyId} (analyst) may not do this; it needs writer`,
      ]);
      const session = await keys.create({ role: 'writer' });
      const signIn = await send(lean, { path: '/v1/session', ...json({}, { key: session.key }) });
      const cookie = signIn.headers
        .find((h) => h.startsWith('Set-Cookie: '))!
        .slice('Set-Cookie: '.length)
        .split(';')[0]!;
      const bySession = await both('session', `key:${session.keyId}`, (path) => json({ cookie }, [line(`S-${path}`)]));
      expect(JSON.parse(bySession.body)).toMatchObject({ appended: 1 });
    });

    it('refuses what the controller refuses: 413 (declared, streamed, too many events), 415, invalid JSON', async () => {
      const w = await writer();
      const big = JSON.stringify([{ eventId: 'big', type: 'PaymentRecorded', data: { payee: 'x'.repeat(5_000) } }]);
      const declared = await both('413 declared', w.subject, () => ({
        headers: { ...w.headers, 'content-type': 'application/json' },
        body: big,
      }));
      expect([declared.status, JSON.parse(declared.body).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      const streamed = await both('413 streamed', w.subject, () => ({
        headers: { ...w.headers, 'content-type': 'application/json' },
        body: [big.slice(0, 2_500), big.slice(2_500)],
      }));
      expect(streamed.status).toBe(413);
      const many = await both('413 count', w.subject, (path) =>
        json(
          w.headers,
          [1, 2, 3, 4].map((i) => line(`M${i}-${path}`)),
        ),
      );
      expect(JSON.parse(many.body).detail).toMatch(/at most 3 events per request/);
      const manyLines = await both('413 NDJSON count', w.subject, (path) => ({
        headers: { ...w.headers, 'content-type': 'application/x-ndjson' },
        body: [1, 2, 3, 4].map((i) => JSON.stringify(line(`K${i}-${path}`))).join('\n'),
      }));
      expect(JSON.parse(manyLines.body).detail).toMatch(/the first 3 were taken: 3 appended/);
      const wrongType = await both('415', w.subject, () => ({ headers: { ...w.headers, 'content-type': 'text/plain' }, body: '[]' }));
      expect(wrongType.status).toBe(415);
      const broken = await both('invalid JSON', w.subject, () => ({
        headers: { ...w.headers, 'content-type': 'application/json' },
        body: '[{',
      }));
      expect([broken.status, JSON.parse(broken.body).code]).toEqual([400, 'INVALID_JSON']);
    });

    it('takes from the same rate limit buckets as the guard', async () => {
      const analyst = await keys.create({ role: 'analyst' });
      const call = { headers: { authorization: `Bearer ${analyst.key}`, 'content-type': 'application/json' }, body: '[]' };
      // Half the burst on each path: a limiter of each path's own would let both go on.
      for (let i = 0; i < auth.rateBurst; i += 1) expect((await send(i % 2 === 0 ? lean : viaExpress, call)).status).toBe(403);
      for (const base of [lean, viaExpress]) {
        const limited = await send(base, call);
        expect([limited.status, limited.headers]).toEqual([429, expect.arrayContaining([expect.stringMatching(/^Retry-After: \d+$/)])]);
        expectedLog.push(`key:${analyst.keyId} POST /v1/events 429`);
      }
      expectedLog.push(...Array.from({ length: auth.rateBurst }, () => `key:${analyst.keyId} POST /v1/events 403`));
    });

    it('leaves CORS requests, other methods and other paths to express', async () => {
      const before = expressHandled.mock.calls.length;
      const cors = await send(lean, json({ origin: 'https://console.example' }, []));
      expect([cors.status, cors.headers]).toEqual([401, expect.arrayContaining(['Access-Control-Allow-Origin: https://console.example'])]);
      await send(lean, { path: '/v1/events/', ...json({}, []) });
      await new Promise((resolve) => http.get(`${lean}/v1/events`, (res) => res.resume().on('end', resolve)));
      expect(expressHandled.mock.calls.length).toBe(before + 3);
      expectedLog.push('null POST /v1/events 401', 'null POST /v1/events/ 401');
    });

    it('writes every request of both paths to the access log', async () => {
      await app.get(AccessLog).flush();
      const admin = await keys.create({ role: 'admin' });
      const page = await fetch(`${lean}/v1/access-log?limit=10000`, { headers: { authorization: `Bearer ${admin.key}` } });
      const entries = ((await page.json()) as { entries: { identity: string | null; method: string; path: string; status: number }[] })
        .entries;
      const logged = entries
        .filter((e) => e.method === 'POST' && e.path.startsWith('/v1/events'))
        .map((e) => `${e.identity} ${e.method} ${e.path} ${e.status}`);
      expect(logged.sort()).toEqual([...expectedLog].sort());
    });
  });

  describe(`POST /v1/events on the lean path with LEDGER_AUTH=off [${engine}]`, () => {
    let storage: E2eStorage;
    let app: INestApplication;
    let base: string;

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      app = await createApi(storage.config, { ...authConfigFromEnv({}), enabled: false });
      await app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${((app.getHttpServer() as http.Server).address() as AddressInfo).port}`;
    }, 300_000);
    afterAll(async () => {
      await app.close();
      await storage.cleanup();
    });

    it('records the events and the request as anonymous', async () => {
      const posted = await send(base, { headers: { 'content-type': 'application/json' }, body: JSON.stringify([line('OFF')]) });
      expect(JSON.parse(posted.body)).toMatchObject({ appended: 1 });
      await app.get(AccessLog).flush();
      const log = (await (await fetch(`${base}/v1/access-log`)).json()) as { entries: unknown[] };
      expect(log.entries).toEqual([expect.objectContaining({ identity: 'anonymous', method: 'POST', path: '/v1/events', status: 200 })]);
      const follow = (await (await fetch(`${base}/v1/events?wait=20`)).json()) as { events: unknown[] };
      expect(follow.events).toEqual([expect.objectContaining({ eventId: 'OFF-open', recordedBy: 'anonymous' })]);
    });
  });

  describe(`behind a trusted proxy, POST /v1/events stays with express [${engine}]`, () => {
    let storage: E2eStorage;
    let app: INestApplication;

    beforeAll(async () => {
      storage = await e2eStorage(engine);
      process.env.LEDGER_TRUST_PROXY = 'loopback';
      try {
        app = await createApi(storage.config, { ...authConfigFromEnv({}), enabled: false });
      } finally {
        delete process.env.LEDGER_TRUST_PROXY;
      }
      await app.listen(0, '127.0.0.1');
    }, 300_000);
    afterAll(async () => {
      await app.close();
      await storage.cleanup();
    });

    it('hands it to express, which reads the client address from X-Forwarded-For', async () => {
      const handled = jest.spyOn(app.getHttpAdapter().getInstance() as { handle: (...args: unknown[]) => void }, 'handle');
      const base = `http://127.0.0.1:${((app.getHttpServer() as http.Server).address() as AddressInfo).port}`;
      const posted = await send(base, { headers: { 'content-type': 'application/json' }, body: JSON.stringify([line('PROXY')]) });
      expect([posted.status, posted.etag, handled.mock.calls.length]).toEqual([200, expect.stringMatching(/^W\//), 1]);
    });
  });
}
