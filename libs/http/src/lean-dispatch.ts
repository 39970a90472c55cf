import type { IncomingMessage, OutgoingHttpHeader, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import { AccessLog, type AuthConfig } from '@ledger/auth';
import { AccessCheck } from './auth/access-check';
import { registeredRoutes } from './auth/registered-routes';
import { EventsIntake } from './events/events-intake';
import { leanAppendHandler } from './events/lean-append.handler';

/** A middleware that only sets headers, the same on every answer (helmet; CORS without an Origin). */
export type HeaderMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

// A query with a character parseurl does not take on its fast path (it would fall back to
// url.parse, which cuts at '#'): such a rare request goes to express, which reads it its own way.
const LEAN_URL = /^\/v1\/events(?:\?[^\t\n\f\r #\u00a0\ufeff]*)?$/;

/**
 * Puts a dispatcher in front of express on the app's HTTP server: `POST /v1/events` (that path,
 * any query) goes to the lean handler, every other request to express unchanged. A request with
 * an Origin header goes to express when CORS is configured, so that CORS answers as before.
 * `headerMiddlewares` are the ones the app uses, in its order. The lean path keys failed attempts
 * on the socket's address, as express does without a trusted proxy: not for use behind one.
 */
export function installLeanAppend(app: INestApplication, auth: AuthConfig, headerMiddlewares: readonly HeaderMiddleware[]): void {
  const server = app.getHttpServer() as Server;
  const [framework, ...others] = server.listeners('request') as RequestListener[];
  // The express app is the server's one request listener (Nest's http.createServer(express)).
  if (framework === undefined || others.length > 0) throw new Error(`expected one request listener, found ${others.length + 1}`);
  const express = app.getHttpAdapter().getInstance() as Express;
  const lean = leanAppendHandler({
    access: app.get(AccessCheck),
    intake: app.get(EventsIntake),
    accessLog: app.get(AccessLog),
    role: appendRole(app),
    parseQuery: express.get('query parser fn') as (query: string | null) => unknown,
    headers: headersSetBy(headerMiddlewares),
  });
  const corsConfigured = auth.corsOrigins.length > 0;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && LEAN_URL.test(req.url ?? '') && !(corsConfigured && req.headers.origin !== undefined)) lean(req, res);
    else framework.call(server, req, res);
  });
}

/** The role the controller's POST /v1/events declares (@Allow): one source for both paths. */
function appendRole(app: INestApplication) {
  const access = registeredRoutes(app).find((route) => route.method === 'POST' && route.path === '/v1/events')?.access;
  if (access === undefined || access.public) throw new Error('POST /v1/events must declare a role (@Allow)');
  return access.role;
}

/**
 * The headers the middlewares set, in order, captured once by running them on a stub request
 * (POST /v1/events without headers, as a request without Origin) and response. Each must pass the
 * request on at once and touch only headers (the stub has nothing else); helmet reads nothing of
 * the request, cors only its method and Origin.
 */
export function headersSetBy(middlewares: readonly HeaderMiddleware[]): Array<readonly [string, OutgoingHttpHeader]> {
  const headers = new Map<string, readonly [string, OutgoingHttpHeader]>();
  const res = {
    setHeader: (name: string, value: OutgoingHttpHeader) => void headers.set(name.toLowerCase(), [name, value]),
    getHeader: (name: string) => headers.get(name.toLowerCase())?.[1],
    removeHeader: (name: string) => void headers.delete(name.toLowerCase()),
  };
  const req = { method: 'POST', url: '/v1/events', headers: {} };
  for (const middleware of middlewares) {
    let passed = false;
    middleware(req as IncomingMessage, res as unknown as ServerResponse, (error?: unknown) => {
      if (error !== undefined) throw error instanceof Error ? error : new Error('a header middleware failed', { cause: error });
      passed = true;
    });
    if (!passed) throw new Error('a header middleware did not pass the request on at once');
  }
  return [...headers.values()];
}
