export * from './warnings';
export * from './query-warnings.query';
export * from './query-warnings.handler';
