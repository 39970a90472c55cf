import type { BudgetRatios, RatioFigures } from '@ledger/domain';
import { budgetRatios, lastDayOfYear } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { departmentSums, type DatedSums } from '../department-figures';
import { DEFAULT_RULES, type LedgerRules } from '../rules';
import { departmentYearParams, parseAsOf } from '../time';

export interface RatiosQuery {
  readonly department: string;
  readonly fiscalYear: string | number;
  /** Default: the fiscal year's last day. */
  readonly asOf?: string;
  readonly knownAt?: string;
}

export interface RatiosResult extends BudgetRatios {
  readonly department: string;
  readonly fiscalYear: number;
  readonly asOf: string;
  readonly knownAt: string;
}

export function ratioFigures(s: DatedSums): RatioFigures {
  return {
    initialFen: s.initialFen,
    adjustedFen: s.adjustedFen,
    adjustmentAmountFen: s.adjustmentsFen,
    transferAmountFen: s.transfersFen,
    routineTransferAmountFen: s.routineTransfersFen,
  };
}

/** Adjustment and transfer ratios of a department-year with the 资金调整调剂规范性 check. */
export async function queryRatios(
  sql: Sql,
  query: RatiosQuery,
  rules: LedgerRules = DEFAULT_RULES,
  now: Date = new Date(),
): Promise<RatiosResult> {
  const { fiscalYear, knownAt } = departmentYearParams(query, now);
  const asOf = query.asOf === undefined || query.asOf === '' ? lastDayOfYear(fiscalYear) : parseAsOf(query.asOf, now);
  const [sums] = await departmentSums(sql, query.department, fiscalYear, [asOf], knownAt.sql);
  return {
    department: query.department,
    fiscalYear,
    asOf,
    knownAt: knownAt.iso,
    ...budgetRatios(fiscalYear, ratioFigures(sums as DatedSums), rules.scoring),
  };
}
