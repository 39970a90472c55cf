import type { EarlyWarningItem, EarlyWarningReport, EarlyWarningRow, ScheduleWeight } from '@ledger/domain';
import { earlyWarning } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { LINES_AS_OF_SQL, linesAsOfParams } from '../as-of';
import { adjustedSql, linesAsOfColumns } from '../figures';
import { planAsOfSql, planSchedule, type PlanCheckpoint } from '../plans';
import { QueryError } from '../query-error';
import { DEFAULT_RULES, type LedgerRules } from '../rules';
import { parseAsOf, parseKnownAt, requireDepartment } from '../time';

export interface WarningsQuery {
  readonly department: string;
  readonly asOf?: string;
  readonly knownAt?: string;
  /** 'line' (default) or 'project'. */
  readonly by?: string;
  /** Lag of 支出进度 behind 序时进度 that raises a warning, as a fraction (default '0.10'). */
  readonly margin?: string;
}

export interface WarningRow extends EarlyWarningRow {
  /** 'own': judged against the line's spending plan (a project's: its lines' adjusted-weighted plans); 'common': 序时进度. */
  readonly plan: 'own' | 'common';
}

export interface WarningsResult extends EarlyWarningReport {
  readonly rows: WarningRow[];
  readonly department: string;
  readonly knownAt: string;
  readonly by: 'line' | 'project';
}

/**
 * 前快后慢 early warning: lines (or projects) whose 支出进度 on a date lags the 序时进度 due by then
 * by more than a margin, with the year-end execution their pace so far projects.
 */
export async function queryWarnings(
  sql: Sql,
  query: WarningsQuery,
  rules: LedgerRules = DEFAULT_RULES,
  now: Date = new Date(),
): Promise<WarningsResult> {
  requireDepartment(query.department);
  const asOf = parseAsOf(query.asOf, now);
  const knownAt = parseKnownAt(query.knownAt, now);
  const by = query.by === undefined || query.by === 'line' ? 'line' : query.by === 'project' ? 'project' : undefined;
  if (by === undefined) throw new QueryError('INVALID_QUERY', 'by', "is 'line' or 'project'");
  const margin = query.margin ?? '0.10';
  if (!/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/.test(margin)) {
    throw new QueryError('INVALID_QUERY', 'margin', 'is a fraction from 0 to 1, e.g. 0.10');
  }
  const fiscalYear = Number(asOf.slice(0, 4));
  const lines = await sql.query<{
    line_id: string;
    project: string | null;
    executed: bigint;
    adjusted: bigint;
    plan: PlanCheckpoint[] | null;
  }>(
    `SELECT x.line_id, x.project, x."executedFen" AS executed, (${adjustedSql(linesAsOfColumns('x'))})::bigint AS adjusted, pl.plan
     FROM (${LINES_AS_OF_SQL}) x
     LEFT JOIN LATERAL (${planAsOfSql('x.line_id', '$3::date', '$4::timestamptz')}) pl ON true
     ORDER BY x.line_id`,
    linesAsOfParams({ department: query.department, fiscalYear, asOf, knownAtSql: knownAt.sql }),
  );
  const items = by === 'line' ? lineItems(fiscalYear, lines) : projectItems(fiscalYear, lines);
  const report = earlyWarning(
    asOf,
    fiscalYear,
    items.filter((i) => i.adjustedFen !== 0n),
    { scheduleConfig: rules.schedule, margin },
  );
  const plans = new Map(items.map((i) => [i.key, i.plan]));
  return {
    department: query.department,
    knownAt: knownAt.iso,
    by,
    ...report,
    rows: report.rows.map((row) => ({ ...row, plan: plans.get(row.key) ?? 'common' })),
  };
}

interface LinePlanRow {
  readonly line_id: string;
  readonly project: string | null;
  readonly executed: bigint;
  readonly adjusted: bigint;
  readonly plan: PlanCheckpoint[] | null;
}

type Item = EarlyWarningItem & { readonly plan: 'own' | 'common' };

/** A line judged against its own plan in force on the date, or the common schedule without one. */
function lineItems(fiscalYear: number, lines: readonly LinePlanRow[]): Item[] {
  return lines.map((l) => ({
    key: l.line_id,
    executedFen: BigInt(l.executed),
    adjustedFen: BigInt(l.adjusted),
    ...(l.plan === null ? { plan: 'common' as const } : { plan: 'own' as const, schedule: planSchedule(fiscalYear, l.plan) }),
  }));
}

/** A project judged against the adjusted-weighted plan of its lines (a line without a plan on the common schedule). */
function projectItems(fiscalYear: number, lines: readonly LinePlanRow[]): Item[] {
  const projects = new Map<string, { executedFen: bigint; adjustedFen: bigint; parts: ScheduleWeight[]; own: boolean }>();
  for (const l of lines) {
    if (l.project === null) continue;
    const p = projects.get(l.project) ?? { executedFen: 0n, adjustedFen: 0n, parts: [], own: false };
    p.executedFen += BigInt(l.executed);
    p.adjustedFen += BigInt(l.adjusted);
    p.parts.push({ weightFen: BigInt(l.adjusted), schedule: l.plan === null ? undefined : planSchedule(fiscalYear, l.plan) });
    p.own ||= l.plan !== null;
    projects.set(l.project, p);
  }
  return [...projects.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, p]) => ({
      key,
      executedFen: p.executedFen,
      adjustedFen: p.adjustedFen,
      plan: p.own ? ('own' as const) : ('common' as const),
      ...(p.own ? { parts: p.parts } : {}),
    }));
}
