export * from './year-end';
export * from './carry-targets';
export * from './query-year-end.query';
export * from './query-year-end.handler';
