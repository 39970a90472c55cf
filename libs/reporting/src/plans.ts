import type { ScheduleConfig } from '@ledger/domain';

/** A checkpoint of a spending plan (资金支出计划) as SpendingPlanSet stores it: a day and the cumulative share due by then. */
export interface PlanCheckpoint {
  readonly date: string;
  readonly share: string;
}

/**
 * The columns of the plan of the line `line` in force on the date `date`, as known at the instant
 * `knownAt` (SQL expressions): the SpendingPlanSet with the greatest (effectiveDate, position)
 * among those dated on or before the date and recorded by the instant (decision 0014). For a
 * LEFT JOIN LATERAL; no row before the line's first plan.
 */
export function planAsOfSql(line: string, date: string, knownAt: string): string {
  return `SELECT p.checkpoints AS plan FROM ledger_spending_plans p
    WHERE p.line_id = ${line} AND p.effective_date <= ${date} AND p.recorded_at <= ${knownAt}
    ORDER BY p.effective_date DESC, p.position DESC LIMIT 1`;
}

/**
 * A plan as the domain's schedules take it (early-warning.ts interpolates it as the common 序时进度:
 * linear between checkpoints from 0 at the start of the year, the last share held after it).
 * Its checkpoints are days of the fiscal year, so one version from that year serves.
 */
export function planSchedule(fiscalYear: number, checkpoints: readonly PlanCheckpoint[]): ScheduleConfig {
  return [
    {
      fromYear: fiscalYear,
      checkpoints: checkpoints.map((c) => ({ period: c.date, monthDay: c.date.slice(5), schedule: c.share })),
    },
  ];
}
