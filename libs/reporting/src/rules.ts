import type { ScheduleConfig, ScoringConfig } from '@ledger/domain';
import { DEFAULT_SCHEDULE_CONFIG, DEFAULT_SCORING_CONFIG } from '@ledger/domain';

/** The configurable rules, versioned by fiscal year: checkpoints with 序时进度, and scoring. */
export interface LedgerRules {
  readonly schedule: ScheduleConfig;
  readonly scoring: ScoringConfig;
}

export const DEFAULT_RULES: LedgerRules = { schedule: DEFAULT_SCHEDULE_CONFIG, scoring: DEFAULT_SCORING_CONFIG };
