export * from './progress';
export * from './query-progress.query';
export * from './query-progress.handler';
