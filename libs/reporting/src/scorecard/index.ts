export * from './scorecard';
export * from './query-scorecard.query';
export * from './query-scorecard.handler';
export type { ProjectPlanCheckpoint } from './project-plans';
