export * from './roles';
export * from './auth-error';
export * from './api-keys';
export * from './oidc';
export * from './rate-limiter';
export * from './access-log';
export * from './auth.config';
export * from './cli-identity';
