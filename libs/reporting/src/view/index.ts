export * from './view';
export * from './query-view.query';
export * from './query-view.handler';
