import type { Request } from 'express';
import type { Identity } from '@ledger/auth';

/** The identity the guard accepted for a request (the access log and the controllers read it). */
export function identityOf(req: Request): Identity | undefined {
  return (req as Request & { ledgerIdentity?: Identity }).ledgerIdentity;
}

export function setIdentity(req: Request, identity: Identity): void {
  (req as Request & { ledgerIdentity?: Identity }).ledgerIdentity = identity;
}

export const SESSION_COOKIE = 'ledger_session';

/** One cookie's value from the Cookie header (no parser needed for one name). */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
