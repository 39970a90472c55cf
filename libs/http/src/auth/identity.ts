import type { IncomingMessage } from 'node:http';
import type { Identity } from '@ledger/auth';

/**
 * The identity access control accepted for a request (the access log and the controllers read it).
 * On the plain node:http request, so that the lean POST /v1/events path and express share it.
 */
export function identityOf(req: IncomingMessage): Identity | undefined {
  return (req as IncomingMessage & { ledgerIdentity?: Identity }).ledgerIdentity;
}

export function setIdentity(req: IncomingMessage, identity: Identity): void {
  (req as IncomingMessage & { ledgerIdentity?: Identity }).ledgerIdentity = identity;
}

export const SESSION_COOKIE = 'ledger_session';

/** One cookie's value from the Cookie header (no parser needed for one name). */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
