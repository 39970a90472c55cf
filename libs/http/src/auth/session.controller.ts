import { Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiKeyStore, AuthError, type AuthConfig } from '@ledger/auth';
import { ApiContract } from '../contract/openapi';
import { SessionBody } from '../contract/schemas';
import { Public } from './access.decorator';
import { AUTH_CONFIG } from './auth.tokens';
import { cookieValue, SESSION_COOKIE } from './identity';
import { readJsonBody } from './read-json-body';

/**
 * The console's sign-in (DESIGN.md §8): an API key in, an HttpOnly, SameSite=Strict cookie out,
 * accepted in place of the Authorization header until it expires, the key is revoked, or the
 * session is closed. The cookie carries a session token of its own, never the key.
 */
@ApiTags('access')
@Controller('v1/session')
export class SessionController {
  constructor(
    private readonly keys: ApiKeyStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @Public()
  @ApiContract({
    summary: 'Sign in with an API key: sets the session cookie (HttpOnly, SameSite=Strict)',
    body: { schema: 'SessionBody' },
    ok: { schema: 'SessionInfo', description: 'signed in; the cookie ledger_session is set' },
    errors: [400, 401, 413, 415, 429],
  })
  async signIn(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { key } = await readJsonBody(req, SessionBody);
    const identity = await this.keys.authenticate(key);
    if (identity?.keyId === undefined) throw new AuthError('UNAUTHENTICATED', 401, 'the API key is unknown or revoked');
    const { token, expiresAt } = await this.keys.openSession(identity.keyId, this.config.sessionHours * 3_600_000);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.cookieSecure || req.secure,
      path: '/',
      expires: expiresAt,
    });
    return { keyId: identity.keyId, role: identity.roles[0], departments: identity.departments, expiresAt: expiresAt.toISOString() };
  }

  @Delete()
  @HttpCode(204)
  @Public()
  @ApiContract({
    summary: 'Sign out: ends the session and clears its cookie',
    ok: { status: 204, description: 'signed out (also when there was no session)' },
  })
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = cookieValue(req, SESSION_COOKIE);
    if (token !== undefined) await this.keys.closeSession(token);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
  }
}
