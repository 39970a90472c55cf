export * from './checkpoints';
