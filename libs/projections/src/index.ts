export * from './projection-batch';
export * from './load-state';
export * from './rebuild';
