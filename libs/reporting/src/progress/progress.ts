import type { CheckpointFigures, QuarterExecution } from '@ledger/domain';
import {
  checkpointsFor,
  formatYuan,
  quarterlyExecution,
  quarterNumber,
  quarterOf,
  quarterRateOf,
  ratio,
  ratioDifference,
} from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { closedQuarters, departmentSums, type DatedSums } from '../department-figures';
import { DEFAULT_RULES, type LedgerRules } from '../rules';
import { departmentYearParams } from '../time';

export interface ProgressQuery {
  readonly department: string;
  readonly fiscalYear: string | number;
  readonly knownAt?: string;
}

export interface QuarterSnapshot {
  readonly executed: string;
  readonly adjusted: string;
  /** 已预留 at the checkpoint (decision 0014). */
  readonly committed: string;
  readonly progress: string | null;
  readonly quarterRate: string | null;
}

export interface ProgressQuarter extends QuarterExecution {
  /** 已预留 at the checkpoint: commitments not yet paid or released (decision 0014). */
  readonly committed: string;
  readonly closed: boolean;
  /** As known when the quarter was closed. */
  readonly reported?: QuarterSnapshot & { readonly knownAt: string };
  /** As known at the query's knownAt (the top-level figures). */
  readonly restated?: QuarterSnapshot;
  /** restated − reported. */
  readonly difference?: QuarterSnapshot;
}

export interface ProgressResult {
  readonly department: string;
  readonly fiscalYear: number;
  readonly knownAt: string;
  readonly quarters: ProgressQuarter[];
  readonly averageRate: string | null;
  readonly averageScore: string | null;
  readonly totalScore: string | null;
}

/**
 * 预算执行率 of DESIGN.md §4: at each checkpoint, executed up to that day ÷ adjusted as of that
 * day against 序时进度. A checkpoint whose quarter was closed (as known at knownAt) also shows the
 * figures reported at the close, and their restatement since.
 */
export async function queryProgress(
  sql: Sql,
  query: ProgressQuery,
  rules: LedgerRules = DEFAULT_RULES,
  now: Date = new Date(),
): Promise<ProgressResult> {
  const { fiscalYear, knownAt } = departmentYearParams(query, now);
  const checkpoints = checkpointsFor(fiscalYear, rules.schedule);
  const dates = checkpoints.map((c) => c.date);
  const current = await departmentSums(sql, query.department, fiscalYear, dates, knownAt.sql);
  const computed = quarterlyExecution(
    fiscalYear,
    current.map((s, i) => figures(checkpoints[i]?.period ?? '', s)),
    rules.schedule,
    rules.scoring,
  );

  const closes = await closedQuarters(sql, query.department, fiscalYear);
  const knownAtMs = knownAt.sql === 'infinity' ? Infinity : Date.parse(knownAt.sql);
  const quarters: ProgressQuarter[] = [];
  for (const [i, q] of computed.quarters.entries()) {
    const closedAt = closes.get(quarterNumber(quarterOf(q.date)));
    const closed = closedAt !== undefined && closedAt.getTime() <= knownAtMs && q.date.startsWith(String(fiscalYear));
    const committed = formatYuan((current[i] as DatedSums).committedFen);
    if (!closed) {
      quarters.push({ ...q, committed, closed: false });
      continue;
    }
    const [atClose] = await departmentSums(sql, query.department, fiscalYear, [q.date], closedAt.toISOString());
    const reported = snapshot(atClose as DatedSums, q.schedule);
    const restated = snapshot(current[i] as DatedSums, q.schedule);
    quarters.push({
      ...q,
      committed,
      closed: true,
      reported: { ...reported, knownAt: closedAt.toISOString() },
      restated,
      difference: difference(atClose as DatedSums, current[i] as DatedSums, reported, restated),
    });
  }
  return {
    department: query.department,
    fiscalYear,
    knownAt: knownAt.iso,
    quarters,
    averageRate: computed.averageRate,
    averageScore: computed.averageScore,
    totalScore: computed.totalScore,
  };
}

function figures(period: string, s: DatedSums): CheckpointFigures {
  return { period, date: s.date, executedFen: s.executedFen, adjustedFen: s.adjustedFen };
}

function snapshot(s: DatedSums, schedule: string): QuarterSnapshot {
  return {
    executed: formatYuan(s.executedFen),
    adjusted: formatYuan(s.adjustedFen),
    committed: formatYuan(s.committedFen),
    progress: ratio(s.executedFen, s.adjustedFen),
    quarterRate: quarterRateOf(s.executedFen, s.adjustedFen, schedule),
  };
}

function difference(before: DatedSums, after: DatedSums, reported: QuarterSnapshot, restated: QuarterSnapshot): QuarterSnapshot {
  const minus = (a: string | null, b: string | null) => (a === null || b === null ? null : ratioDifference(a, b));
  return {
    executed: formatYuan(after.executedFen - before.executedFen),
    adjusted: formatYuan(after.adjustedFen - before.adjustedFen),
    committed: formatYuan(after.committedFen - before.committedFen),
    progress: minus(restated.progress, reported.progress),
    quarterRate: minus(restated.quarterRate, reported.quarterRate),
  };
}
