export * from './projection-batch';
export * from './load-state';
export * from './rebuild';
export * from './as-of-balances';
