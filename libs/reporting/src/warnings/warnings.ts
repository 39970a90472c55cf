import type { EarlyWarningReport } from '@ledger/domain';
import { earlyWarning } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { LINES_AS_OF_SQL, linesAsOfParams } from '../as-of';
import { adjustedSql, linesAsOfColumns } from '../figures';
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

export interface WarningsResult extends EarlyWarningReport {
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
  const key = by === 'line' ? 'x.line_id' : 'x.project';
  const rows = await sql.query<{ key: string; executed: bigint; adjusted: bigint }>(
    `SELECT ${key} AS key, sum(x."executedFen")::bigint AS executed,
            sum(${adjustedSql(linesAsOfColumns('x'))})::bigint AS adjusted
     FROM (${LINES_AS_OF_SQL}) x
     WHERE ${key} IS NOT NULL
     GROUP BY ${key} ORDER BY ${key}`,
    linesAsOfParams({ department: query.department, fiscalYear, asOf, knownAtSql: knownAt.sql }),
  );
  const report = earlyWarning(
    asOf,
    fiscalYear,
    rows.filter((r) => r.adjusted !== 0n).map((r) => ({ key: r.key, executedFen: r.executed, adjustedFen: r.adjusted })),
    { scheduleConfig: rules.schedule, margin },
  );
  return { department: query.department, knownAt: knownAt.iso, by, ...report };
}
