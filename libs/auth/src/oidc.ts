import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { isRole, type Identity, type Role } from './roles';

export interface OidcConfig {
  /** AUTH_JWKS_URL: where the issuer publishes its signing keys. */
  readonly jwksUrl: string;
  /** AUTH_ISSUER: the `iss` every token must carry. */
  readonly issuer: string;
  /** AUTH_AUDIENCE: the `aud` every token must carry (this ledger). */
  readonly audience: string;
  /** AUTH_ROLES_CLAIM (default `roles`): a string or an array of roles; a dotted path reaches into objects (`realm_access.roles`). */
  readonly rolesClaim: string;
  /** AUTH_DEPARTMENTS_CLAIM (default `departments`): an array of departments; absent = every department. */
  readonly departmentsClaim: string;
}

/** Tokens whose clock is this far off are still taken: issuers' and our clocks drift a little. */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * OpenID Connect bearer tokens (JWT), verified with jose against the issuer's JWKS (fetched and
 * cached by jose, refetched when a token names a key it has not seen). A token must be signed by
 * one of those keys, unexpired, from the issuer, for the audience, and carry `sub`, `exp` and the
 * roles claim; otherwise `verify` answers why not.
 */
export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: OidcConfig) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
  }

  async verify(token: string): Promise<{ ok: true; identity: Identity } | { ok: false; reason: string }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      return { ok: false, reason: `token refused: ${(error as Error).message}` };
    }
    const rolesValue = claimAt(payload, this.config.rolesClaim);
    if (rolesValue === undefined) return { ok: false, reason: `token refused: no '${this.config.rolesClaim}' claim` };
    const roles: Role[] = (Array.isArray(rolesValue) ? rolesValue : [rolesValue]).filter(isRole);
    const departmentsValue = claimAt(payload, this.config.departmentsClaim);
    let departments: string[] | null = null;
    if (departmentsValue !== undefined) {
      if (!Array.isArray(departmentsValue) || !departmentsValue.every((d) => typeof d === 'string')) {
        return { ok: false, reason: `token refused: '${this.config.departmentsClaim}' must be an array of departments` };
      }
      departments = departmentsValue;
    }
    return { ok: true, identity: { subject: `oidc:${String(payload.sub)}`, source: 'token', roles, departments } };
  }
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
