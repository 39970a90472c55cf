import type { ExecutedAdjusted, ProjectEvaluation, ScorecardItem } from '@ledger/domain';
import { adjustmentTransferCheck, KNOWN_TAGS, lastDayOfYear, projectSelfEvaluation, scorecard, sumPoints } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { LINES_AS_OF_SQL, linesAsOfParams } from '../as-of';
import { departmentSums, type DatedSums } from '../department-figures';
import { adjustedSql, linesAsOfColumns } from '../figures';
import { queryProgress } from '../progress/progress';
import { ratioFigures } from '../ratios/ratios';
import { DEFAULT_RULES, type LedgerRules } from '../rules';
import { departmentYearParams } from '../time';
import { projectPlans, type ProjectPlanCheckpoint } from './project-plans';

export interface ScorecardQuery {
  readonly department: string;
  readonly fiscalYear: string | number;
  readonly knownAt?: string;
}

export interface ProjectRow extends ProjectEvaluation {
  readonly project: string;
  /** The project's progress at each checkpoint of its lines' spending plans; empty for a project without a plan. */
  readonly plan: ProjectPlanCheckpoint[];
}

export interface ScorecardResult {
  readonly department: string;
  readonly fiscalYear: number;
  readonly knownAt: string;
  /** The 部门整体支出绩效评分表 items the ledger can derive. */
  readonly items: ScorecardItem[];
  /** Σ of the derivable points, and of their items' full points. */
  readonly points: string;
  readonly maxPoints: string;
  /** The project self-evaluation table (项目支出绩效自评表): 年初预算数 / 全年预算数 / 全年执行数 / 执行率 / 得分. */
  readonly projects: ProjectRow[];
}

/** The year-end scorecard of a department-year (as of the fiscal year's last day). */
export async function queryScorecard(
  sql: Sql,
  query: ScorecardQuery,
  rules: LedgerRules = DEFAULT_RULES,
  now: Date = new Date(),
): Promise<ScorecardResult> {
  const { fiscalYear, knownAt } = departmentYearParams(query, now);
  const yearEnd = lastDayOfYear(fiscalYear);
  const tagged = async (tag: string): Promise<ExecutedAdjusted> => {
    const [s] = (await departmentSums(sql, query.department, fiscalYear, [yearEnd], knownAt.sql, tag)) as [DatedSums];
    return { executedFen: s.executedFen, adjustedFen: s.adjustedFen };
  };
  const [all] = (await departmentSums(sql, query.department, fiscalYear, [yearEnd], knownAt.sql)) as [DatedSums];
  const progress = await queryProgress(sql, { department: query.department, fiscalYear, knownAt: query.knownAt }, rules, now);
  const items = scorecard(
    fiscalYear,
    {
      procurement: await tagged(KNOWN_TAGS.procurement),
      threeCosts: await tagged(KNOWN_TAGS.threeCosts),
      dailyPublic: await tagged(KNOWN_TAGS.dailyPublic),
      quarterly: {
        quarters: progress.quarters,
        averageRate: progress.averageRate,
        averageScore: progress.averageScore,
        totalScore: progress.totalScore,
      },
      adjustmentTransfer: adjustmentTransferCheck(fiscalYear, ratioFigures(all), rules.scoring),
    },
    rules.scoring,
  );
  return {
    department: query.department,
    fiscalYear,
    knownAt: knownAt.iso,
    items,
    points: sumPoints(items.map((i) => i.points)),
    maxPoints: sumPoints(items.map((i) => i.maxPoints)),
    projects: await projectRows(sql, query.department, fiscalYear, yearEnd, knownAt.sql, rules),
  };
}

async function projectRows(
  sql: Sql,
  department: string,
  fiscalYear: number,
  asOf: string,
  knownAtSql: string,
  rules: LedgerRules,
): Promise<ProjectRow[]> {
  const rows = await sql.query<{ project: string; initial: bigint; adjusted: bigint; executed: bigint }>(
    `SELECT x.project, sum(x."initialFen")::bigint AS initial,
            sum(${adjustedSql(linesAsOfColumns('x'))})::bigint AS adjusted,
            sum(x."executedFen")::bigint AS executed
     FROM (${LINES_AS_OF_SQL}) x
     WHERE x.project IS NOT NULL
     GROUP BY x.project ORDER BY x.project`,
    linesAsOfParams({ department, fiscalYear, asOf, knownAtSql }),
  );
  const plans = await projectPlans(sql, { department, fiscalYear, yearEnd: asOf, knownAtSql }, rules.schedule);
  return rows.map((r) => ({
    project: r.project,
    ...projectSelfEvaluation(fiscalYear, { initialFen: r.initial, adjustedFen: r.adjusted, executedFen: r.executed }, rules.scoring),
    plan: plans.get(r.project) ?? [],
  }));
}
