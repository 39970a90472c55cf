/**
 * A refusal of the caller rather than of the request: no identity (401), a role that may not do
 * this (403), too many requests (429). The HTTP layer maps `status` and adds its headers.
 */
export class AuthError extends Error {
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'INVALID_KEY_REQUEST',
    readonly status: 400 | 401 | 403 | 429,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
