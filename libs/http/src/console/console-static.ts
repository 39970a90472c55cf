import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import express, { type Request, type Response } from 'express';

/** Where `npm run build:console` writes the console (apps/console/dist). */
export const CONSOLE_DIST = path.resolve(__dirname, '../../../../apps/console/dist');

/**
 * Serves the console's static files at /console, same origin as the API so that its fetches carry
 * the session cookie. Every /console/... path that is not a file answers index.html: the console
 * routes in the browser, and a link an auditor sends must open the same page.
 */
export function serveConsole(app: INestApplication, dist: string = CONSOLE_DIST): boolean {
  const index = path.join(dist, 'index.html');
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.get('/', (_req: Request, res: Response) => res.redirect('/console/'));
  if (!fs.existsSync(index)) {
    server.use('/console', (_req: Request, res: Response) =>
      res.status(503).type('text/plain').send('The console is not built: run `npm run build:console` (npm ci does it).\n'),
    );
    return false;
  }
  // Hashed asset names never change content, so they may be cached for long; index.html may not.
  server.use('/console/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  server.use('/console', express.static(dist, { index: false }));
  server.use('/console', (_req: Request, res: Response) => res.setHeader('cache-control', 'no-cache').sendFile(index));
  return true;
}
