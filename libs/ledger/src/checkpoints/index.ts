export * from './checkpoints';
export * from './checkpoint-schedule';
