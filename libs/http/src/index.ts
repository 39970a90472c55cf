// The HTTP application: its Nest module, controllers, contract and start. apps/api/src/main.ts and
// the CLI's `serve` start it; tests build it with createApi.
export * from './start-api';
export { ApiModule } from './api.module';
export { CONSOLE_DIST, serveConsole } from './console/console-static';
export { registeredRoutes } from './auth/registered-routes';
export * as contract from './contract/schemas';
