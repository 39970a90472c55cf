import type { EarlyWarningReport } from '@ledger/domain';
import { earlyWarning } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { QueryError } from './query-error';
import { DEFAULT_RULES, type LedgerRules } from './rules';
import { parseAsOf, parseKnownAt, requireDepartment } from './time';

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
  if (!/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/.test(margin))
    throw new QueryError('INVALID_QUERY', 'margin', 'is a fraction from 0 to 1, e.g. 0.10');
  const fiscalYear = Number(asOf.slice(0, 4));
  const key = by === 'line' ? 'l.line_id' : 'l.project';
  const rows = await sql.query<{ key: string; executed: bigint; adjusted: bigint }>(
    `SELECT ${key} AS key,
            COALESCE(sum(m.executed_fen), 0)::bigint AS executed,
            COALESCE(sum(m.initial_fen + m.adjustments_fen + m.transfers_in_fen - m.transfers_out_fen), 0)::bigint AS adjusted
     FROM ledger_lines l
     LEFT JOIN ledger_movements m ON m.line_id = l.line_id AND m.effective_date <= $3::date AND m.recorded_at <= $4::timestamptz
     WHERE l.department = $1 AND l.fiscal_year = $2::integer AND ${key} IS NOT NULL
     GROUP BY ${key} ORDER BY ${key}`,
    [query.department, String(fiscalYear), asOf, knownAt.sql],
  );
  const report = earlyWarning(
    asOf,
    fiscalYear,
    rows.filter((r) => r.adjusted !== 0n).map((r) => ({ key: r.key, executedFen: r.executed, adjustedFen: r.adjusted })),
    { scheduleConfig: rules.schedule, margin },
  );
  return { department: query.department, knownAt: knownAt.iso, by, ...report };
}
