import type { OidcConfig } from './oidc';

/** How the HTTP API checks who is asking, and its limits (DESIGN.md §8). Read from the environment. */
export interface AuthConfig {
  /** `LEDGER_AUTH=off` turns every check off; the server then listens on 127.0.0.1 only. */
  readonly enabled: boolean;
  /** Set when AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE are. */
  readonly oidc?: OidcConfig;
  /** `LEDGER_RATE_LIMIT_PER_MINUTE` (default 1,200) and `LEDGER_RATE_LIMIT_BURST` (default 200): requests per identity. */
  readonly ratePerMinute: number;
  readonly rateBurst: number;
  /** `LEDGER_MAX_BODY_BYTES` (default 32 MiB): the largest request body, JSON or NDJSON. */
  readonly maxBodyBytes: number;
  /** `LEDGER_MAX_EVENTS_PER_REQUEST` (default 100,000). */
  readonly maxEventsPerRequest: number;
  /** `LEDGER_CORS_ORIGINS`: comma-separated origins allowed to call from a browser; none by default. */
  readonly corsOrigins: readonly string[];
  /** `LEDGER_SESSION_HOURS` (default 8): how long a console session lasts. */
  readonly sessionHours: number;
  /** `LEDGER_COOKIE_SECURE=true` marks the session cookie Secure (behind HTTPS). */
  readonly cookieSecure: boolean;
}

export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const mode = (env.LEDGER_AUTH ?? 'on').toLowerCase();
  if (mode !== 'on' && mode !== 'off') throw new Error(`LEDGER_AUTH must be 'on' or 'off', not '${env.LEDGER_AUTH}'`);
  const oidcParts = [env.AUTH_JWKS_URL, env.AUTH_ISSUER, env.AUTH_AUDIENCE].filter((v) => v !== undefined && v !== '');
  if (oidcParts.length > 0 && oidcParts.length < 3) {
    throw new Error('OpenID Connect needs all three of AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE');
  }
  const oidc: OidcConfig | undefined =
    oidcParts.length === 3
      ? {
          jwksUrl: env.AUTH_JWKS_URL as string,
          issuer: env.AUTH_ISSUER as string,
          audience: env.AUTH_AUDIENCE as string,
          rolesClaim: env.AUTH_ROLES_CLAIM || 'roles',
          departmentsClaim: env.AUTH_DEPARTMENTS_CLAIM || 'departments',
        }
      : undefined;
  return {
    enabled: mode === 'on',
    oidc,
    ratePerMinute: positiveInteger(env, 'LEDGER_RATE_LIMIT_PER_MINUTE', 1_200),
    rateBurst: positiveInteger(env, 'LEDGER_RATE_LIMIT_BURST', 200),
    maxBodyBytes: positiveInteger(env, 'LEDGER_MAX_BODY_BYTES', 32 * 1024 * 1024),
    maxEventsPerRequest: positiveInteger(env, 'LEDGER_MAX_EVENTS_PER_REQUEST', 100_000),
    corsOrigins: (env.LEDGER_CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
    sessionHours: positiveInteger(env, 'LEDGER_SESSION_HOURS', 8),
    cookieSecure: env.LEDGER_COOKIE_SECURE === 'true',
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not '${text}'`);
  return value;
}
