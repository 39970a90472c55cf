import type { ScheduleConfig } from '../calendar';

/**
 * Seed 004's checkpoints (3月底/6月底/10月底/12月底) with a department schedule of our choosing:
 * the non-default calendar the suites configure.
 */
export const SEED_004_CHECKPOINTS: ScheduleConfig[number]['checkpoints'] = [
  { period: '3月底', monthDay: '03-31', schedule: '0.20' },
  { period: '6月底', monthDay: '06-30', schedule: '0.45' },
  { period: '10月底', monthDay: '10-31', schedule: '0.80' },
  { period: '12月底', monthDay: '12-31', schedule: '1.00' },
];
