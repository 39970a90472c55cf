import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import {
  ApiKeyStore,
  AuthError,
  identityAllows,
  looksLikeApiKey,
  OidcVerifier,
  RateLimiter,
  type AuthConfig,
  type Identity,
  type Role,
} from '@ledger/auth';
import { AUTH_CONFIG, OIDC_VERIFIER } from './auth.tokens';
import { cookieValue, SESSION_COOKIE, setIdentity } from './identity';

const OFF: Identity = { subject: 'anonymous', source: 'off', roles: ['admin'], departments: null };

/**
 * Who is asking (an API key, an OpenID Connect token, or a console session cookie), whether they
 * may (a role), and how often (the one RateLimiter of the app, a token bucket per identity and one
 * per address for failed attempts). The guard asks it for every route, and the lean path of
 * POST /v1/events for its own: both on the plain node:http request and response.
 */
@Injectable()
export class AccessCheck {
  constructor(
    private readonly keys: ApiKeyStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(OIDC_VERIFIER) private readonly oidc: OidcVerifier | null,
    private readonly limiter: RateLimiter,
  ) {}

  /**
   * The identity of a request that may do what `role` allows, set on the request before any
   * refusal so that the access log names who was refused. Refusals are AuthErrors (401, 403, 429),
   * with WWW-Authenticate and Retry-After already set on `res`. `clientAddress` keys the limit on
   * failed attempts; it is asked only when one fails.
   */
  async admit(req: IncomingMessage, res: ServerResponse, role: Role, clientAddress: () => string): Promise<Identity> {
    if (!this.config.enabled) {
      setIdentity(req, OFF);
      return OFF;
    }
    const identity = await this.authenticate(req, res, clientAddress);
    setIdentity(req, identity);
    const waitSeconds = this.limiter.take(identity.subject, Date.now());
    if (waitSeconds > 0) {
      res.setHeader('Retry-After', String(waitSeconds));
      throw new AuthError('RATE_LIMITED', 429, `too many requests for ${identity.subject}; retry in ${waitSeconds} s`);
    }
    if (!identityAllows(identity, role)) {
      throw new AuthError(
        'FORBIDDEN',
        403,
        `${identity.subject} (${identity.roles.join(', ') || 'no role'}) may not do this; it needs ${role}`,
      );
    }
    return identity;
  }

  private async authenticate(req: IncomingMessage, res: ServerResponse, clientAddress: () => string): Promise<Identity> {
    const refuse = (message: string, bearerError?: string) => {
      res.setHeader('WWW-Authenticate', bearerError === undefined ? 'Bearer' : `Bearer error="${bearerError}"`);
      // Failed attempts are limited per address, so that keys cannot be guessed at speed.
      const waitSeconds = this.limiter.take(`address:${clientAddress()}`, Date.now());
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
}
