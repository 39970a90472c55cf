/** Nest injection tokens of the API's access control. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const OIDC_VERIFIER = Symbol('OIDC_VERIFIER');
