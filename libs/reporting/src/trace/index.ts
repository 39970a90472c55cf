export * from './trace';
export * from './query-trace.query';
export * from './query-trace.handler';
