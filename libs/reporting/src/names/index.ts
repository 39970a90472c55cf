export * from './classification.data';
export * from './classification';
