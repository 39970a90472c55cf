import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiResponse } from '@nestjs/swagger';
import type { Role } from '@ledger/auth';

/** Metadata key of a route's declared access; a route without it is refused (and fails the route-coverage test). */
export const ACCESS_METADATA = 'ledger:access';

export type RouteAccess = { readonly public: true } | { readonly public: false; readonly role: Role };

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/**
 * The role a route needs (DESIGN.md §8): `writer` routes admit writers and admins, `analyst`
 * routes analysts, auditors and admins, `auditor` routes auditors and admins, `admin` admins.
 * Also documents the security schemes and the 401/403/429 answers in OpenAPI.
 */
export function Allow(role: Role) {
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, { public: false, role } satisfies RouteAccess),
    ApiBearerAuth('apiKey'),
    ApiBearerAuth('oidc'),
    ApiCookieAuth('session'),
    ApiResponse({ status: 401, description: 'no identity, or one the ledger does not accept', content: problem }),
    ApiResponse({ status: 403, description: `the identity's role may not do this (needs ${role})`, content: problem }),
    ApiResponse({ status: 429, description: 'too many requests for this identity; see Retry-After', content: problem }),
  );
}

/** A route anyone may call: health, readiness, signing in and out. */
export function Public() {
  return SetMetadata(ACCESS_METADATA, { public: true } satisfies RouteAccess);
}
