import type { AddressInfo, Server } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import cors from 'cors';
import type { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AccessLog, ApiKeyStore, authConfigFromEnv, type AuthConfig } from '@ledger/auth';
import { CheckpointSchedule, type LedgerConfig } from '@ledger/ledger';
import { ApiModule } from './api.module';
import { recordAccessOnFinish } from './auth/record-access';
import { withContract } from './contract/openapi';
import { serveConsole } from './console/console-static';
import { installLeanAppend, type HeaderMiddleware } from './lean-dispatch';

/** Builds the HTTP app (without listening): tests use it with port 0. */
export async function createApi(config?: LedgerConfig, auth: AuthConfig = authConfigFromEnv()): Promise<INestApplication> {
  // The body parser is off: POST /v1/events reads its body as a stream (NDJSON of any size).
  // A failure to start (no database) is thrown to the caller, which prints one line; Nest's logger
  // is switched on only once the app exists, so that it does not print the same error as a stack.
  const app = await NestFactory.create(ApiModule.forRoot(config, auth), { bodyParser: false, logger: false, abortOnError: false });
  app.useLogger(['error', 'warn']);
  app.enableShutdownHooks();
  const express = app.getHttpAdapter().getInstance() as Express;
  express.disable('x-powered-by');
  // Behind a proxy, req.ip is the client's only when the proxy is trusted: LEDGER_TRUST_PROXY.
  const trustProxy = process.env.LEDGER_TRUST_PROXY;
  if (trustProxy !== undefined) express.set('trust proxy', trustProxy);
  const headerMiddlewares: HeaderMiddleware[] = [
    helmet({
      // Swagger UI at /docs runs its own inline initializer; everything else is JSON.
      contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"] } },
    }),
  ];
  // The middleware app.enableCors would install (the same cors package, pinned to the version Nest's
  // express adapter takes), registered here so that the lean POST /v1/events path learns what it
  // adds to an answer to a request without Origin.
  if (auth.corsOrigins.length > 0) headerMiddlewares.push(cors({ origin: [...auth.corsOrigins], credentials: true }));
  for (const middleware of headerMiddlewares) app.use(middleware);
  const accessLog = app.get(AccessLog);
  app.use((req: Request, res: Response, next: NextFunction) => {
    recordAccessOnFinish(accessLog, req, res, req.originalUrl);
    next();
  });
  SwaggerModule.setup('docs', app, openApiDocument(app));
  serveConsole(app);
  // POST /v1/events outside NestJS/express (decision 0007): the same answers for less CPU. Not behind
  // a trusted proxy, where the client's address (the limit on failed attempts) is express's to read.
  if (trustProxy === undefined) installLeanAppend(app, auth, headerMiddlewares);
  return app;
}

/** The OpenAPI document: routes from the controllers, schemas from the contract (libs/http/src/contract). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Budget execution ledger (预算执行账本)')
      .setDescription(
        'Events in; 年初预算数 / 调整预算数 / 执行数, progress and ratios out, for any point in time. Errors are application/problem+json with a stable code. ' +
          'Every route but /health and /ready needs an identity: an API key or an OpenID Connect token as a bearer token, or the console session cookie.',
      )
      .setVersion('1')
      .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
      .addServer('http://127.0.0.1:3000', 'a local `ledger serve`')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key (ledger keys create)' }, 'apiKey')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an OpenID Connect token (AUTH_JWKS_URL)' },
        'oidc',
      )
      .addCookieAuth('ledger_session', { type: 'apiKey', in: 'cookie', description: 'the console session (POST /v1/session)' }, 'session')
      .build(),
  );
  return withContract(document);
}

export interface StartedApi {
  readonly app: INestApplication;
  /** The address really bound, e.g. `0.0.0.0:3000` or `127.0.0.1:3000`. */
  readonly address: string;
  /** An admin key made because the server started with no key and no OpenID Connect: shown once. */
  readonly firstAdminKey?: { readonly keyId: string; readonly key: string };
}

/**
 * Listens: on HOST (default every interface) with checks on; on 127.0.0.1 only with
 * LEDGER_AUTH=off. With checks on, no active key and no OpenID Connect, makes one admin key.
 */
export async function startApi(port: number, config?: LedgerConfig, auth: AuthConfig = authConfigFromEnv()): Promise<StartedApi> {
  const app = await createApi(config, auth);
  try {
    app.get(CheckpointSchedule).start();
  } catch (error) {
    await app.close();
    throw error;
  }
  let firstAdminKey: StartedApi['firstAdminKey'];
  if (auth.enabled && auth.oidc === undefined) {
    const keys = app.get(ApiKeyStore);
    if ((await keys.activeCount()) === 0) {
      const created = await keys.create({ role: 'admin', name: 'made by the first serve' });
      firstAdminKey = { keyId: created.keyId, key: created.key };
    }
  }
  const host = auth.enabled ? (process.env.HOST ?? '0.0.0.0') : '127.0.0.1';
  await app.listen(port, host);
  const bound = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, address: `${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`, firstAdminKey };
}

/** What serve says on stderr as it starts: where it listens, how it checks, and a first key if it made one. */
export function startupMessage(started: StartedApi, auth: AuthConfig): string {
  const lines = [
    `ledger API listening on http://${started.address} (OpenAPI at /docs)`,
    `console: http://${browsable(started.address)}/console/`,
  ];
  if (!auth.enabled) {
    lines.push('authentication is OFF (LEDGER_AUTH=off): anyone who can connect may do anything, so it listens on 127.0.0.1 only');
  } else lines.push(`authentication: API keys${auth.oidc === undefined ? '' : ` and OpenID Connect tokens from ${auth.oidc.issuer}`}`);
  if (started.firstAdminKey !== undefined) {
    lines.push(
      '',
      `No API key existed, so an admin key was made (${started.firstAdminKey.keyId}). It is shown this once; keep it safe:`,
      '',
      `    ${started.firstAdminKey.key}`,
      '',
      'Send it as "Authorization: Bearer <key>". Make keys for people and systems with',
      '    npm run --silent ledger -- keys create --role writer|analyst|auditor|admin [--department D]… [--name text]',
      'and revoke this one once you have your own (ledger keys revoke <keyId>).',
    );
  }
  return lines.join('\n') + '\n';
}

/** The address as a browser on this machine opens it: every interface (0.0.0.0, ::) is 127.0.0.1 here. */
function browsable(address: string): string {
  return address.replace(/^(0\.0\.0\.0|\[::\])(?=:\d+$)/, '127.0.0.1');
}
