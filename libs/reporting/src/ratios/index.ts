export * from './ratios';
export * from './query-ratios.query';
export * from './query-ratios.handler';
