import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import {
  ApiKeyStore,
  AuthError,
  identityAllows,
  identitySeesDepartment,
  looksLikeApiKey,
  OidcVerifier,
  RateLimiter,
  type AuthConfig,
  type Identity,
} from '@ledger/auth';
import type { Database } from '@ledger/event-store';
import { DATABASE } from '@ledger/ledger';
import { QueryError } from '@ledger/reporting';
import { ACCESS_METADATA, type RouteAccess } from './access.decorator';
import { AUTH_CONFIG, OIDC_VERIFIER } from './auth.tokens';
import { cookieValue, SESSION_COOKIE, setIdentity } from './identity';

const OFF: Identity = { subject: 'anonymous', source: 'off', roles: ['admin'], departments: null };

/**
 * Every route's access, in one place: who is asking (an API key, an OpenID Connect token, or a
 * console session cookie), whether they may (the route's declared role), how often (a token
 * bucket per identity), and which departments they see (404 outside them, as if they did not
 * exist; for line routes, by the line's department).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(OIDC_VERIFIER) private readonly oidc: OidcVerifier | null,
    @Inject(DATABASE) private readonly db: Database,
  ) {
    this.limiter = new RateLimiter(config.ratePerMinute, config.rateBurst);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    // A route nobody declared access for is a programmer error; refused rather than left open.
    if (access === undefined) throw new AuthError('FORBIDDEN', 403, 'this route declares no access');
    if (access.public) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    if (!this.config.enabled) {
      setIdentity(req, OFF);
      return true;
    }
    const identity = await this.authenticate(req, res);
    setIdentity(req, identity);
    const waitSeconds = this.limiter.take(identity.subject, Date.now());
    if (waitSeconds > 0) {
      res.setHeader('Retry-After', String(waitSeconds));
      throw new AuthError('RATE_LIMITED', 429, `too many requests for ${identity.subject}; retry in ${waitSeconds} s`);
    }
    if (!identityAllows(identity, access.role)) {
      throw new AuthError(
        'FORBIDDEN',
        403,
        `${identity.subject} (${identity.roles.join(', ') || 'no role'}) may not do this; it needs ${access.role}`,
      );
    }
    // The same answer as for a department or line that does not exist (the reports' own 404s).
    await this.checkDepartment(req, identity);
    return true;
  }

  private async authenticate(req: Request, res: Response): Promise<Identity> {
    const refuse = (message: string, bearerError?: string) => {
      res.setHeader('WWW-Authenticate', bearerError === undefined ? 'Bearer' : `Bearer error="${bearerError}"`);
      // Failed attempts are limited per address, so that keys cannot be guessed at speed.
      const waitSeconds = this.limiter.take(`address:${req.ip ?? ''}`, Date.now());
      if (waitSeconds > 0) {
        res.setHeader('Retry-After', String(waitSeconds));
        return new AuthError('RATE_LIMITED', 429, `too many failed attempts; retry in ${waitSeconds} s`);
      }
      return new AuthError('UNAUTHENTICATED', 401, message);
    };
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (match === null) throw refuse('Authorization must be "Bearer <key or token>"', 'invalid_request');
      const credential = match[1] as string;
      if (looksLikeApiKey(credential)) {
        const identity = await this.keys.authenticate(credential);
        if (identity === undefined) throw refuse('the API key is unknown or revoked', 'invalid_token');
        return identity;
      }
      if (this.oidc === null) throw refuse('not an API key, and OpenID Connect is not configured', 'invalid_token');
      const verified = await this.oidc.verify(credential);
      if (!verified.ok) throw refuse(verified.reason, 'invalid_token');
      return verified.identity;
    }
    const session = cookieValue(req, SESSION_COOKIE);
    if (session !== undefined) {
      const identity = await this.keys.authenticateSession(session);
      if (identity === undefined) throw refuse('the session has ended; sign in again');
      return identity;
    }
    throw refuse('no identity: send Authorization: Bearer <API key or token>, or sign in at POST /v1/session');
  }

  private async checkDepartment(req: Request, identity: Identity): Promise<void> {
    if (identity.departments === null) return;
    const params = req.params as Record<string, string | undefined>;
    if (params.department !== undefined && !identitySeesDepartment(identity, params.department)) {
      throw new QueryError('NOT_FOUND', 'department', `no department '${params.department}'`);
    }
    if (params.lineId !== undefined) {
      const [line] = await this.db.query<{ department: string }>(
        'SELECT department FROM ledger_lines WHERE line_id = $1',
        [params.lineId],
        {
          prepare: true,
        },
      );
      if (line === undefined || !identitySeesDepartment(identity, line.department)) {
        throw new QueryError('LINE_NOT_FOUND', 'lineId', `no budget line '${params.lineId}'`);
      }
    }
  }
}
