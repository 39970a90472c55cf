import type { Sql } from '@ledger/event-store';

/** Department-year sums at several business dates, as known at one instant. All in 分. */
export interface DatedSums {
  readonly date: string;
  readonly initialFen: bigint;
  readonly adjustmentsFen: bigint;
  readonly transfersFen: bigint;
  readonly routineTransfersFen: bigint;
  readonly adjustedFen: bigint;
  readonly executedFen: bigint;
}

/**
 * One pass over the department-year's movements for all the dates at once: each date gets the
 * sums of the movements effective on or before it and recorded at or before `knownAtSql`.
 * `tag` restricts the sums to lines carrying it.
 */
export async function departmentSums(
  sql: Sql,
  department: string,
  fiscalYear: number,
  dates: readonly string[],
  knownAtSql: string,
  tag?: string,
): Promise<DatedSums[]> {
  const rows = await sql.query<{
    date: string;
    initial: bigint;
    adjustments: bigint;
    transfers: bigint;
    routine: bigint;
    adjusted: bigint;
    executed: bigint;
  }>(
    `SELECT c.date,
            COALESCE(sum(m.initial_fen), 0)::bigint AS initial,
            COALESCE(sum(m.adjustments_fen), 0)::bigint AS adjustments,
            COALESCE(sum(m.transfers_out_fen - m.routine_transfers_out_fen), 0)::bigint AS transfers,
            COALESCE(sum(m.routine_transfers_out_fen), 0)::bigint AS routine,
            COALESCE(sum(m.initial_fen + m.adjustments_fen + m.transfers_in_fen - m.transfers_out_fen), 0)::bigint AS adjusted,
            COALESCE(sum(m.executed_fen), 0)::bigint AS executed
     FROM (SELECT DISTINCT jsonb_array_elements_text($3::jsonb) AS date) c
     LEFT JOIN ledger_movements m
       ON m.department = $1 AND m.fiscal_year = $2::integer AND m.effective_date <= c.date::date AND m.recorded_at <= $4::timestamptz
      AND ($5::text IS NULL OR m.line_id IN (SELECT line_id FROM ledger_lines WHERE department = $1 AND fiscal_year = $2::integer AND $5 = ANY (tags)))
     GROUP BY c.date`,
    [department, String(fiscalYear), JSON.stringify(dates), knownAtSql, tag ?? null],
  );
  const byDate = new Map(rows.map((r) => [r.date, r]));
  return dates.map((date) => {
    const r = byDate.get(date);
    if (r === undefined) throw new Error(`departmentSums: no row for ${date}`);
    return {
      date,
      initialFen: r.initial,
      adjustmentsFen: r.adjustments,
      transfersFen: r.transfers,
      routineTransfersFen: r.routine,
      adjustedFen: r.adjusted,
      executedFen: r.executed,
    };
  });
}

/** When each quarter of the department-year was closed (recordedAt of its PeriodClosed). */
export async function closedQuarters(sql: Sql, department: string, fiscalYear: number): Promise<Map<number, Date>> {
  const rows = await sql.query<{ quarter: number; recorded_at: Date }>(
    'SELECT quarter, recorded_at FROM ledger_periods WHERE department = $1 AND fiscal_year = $2::integer',
    [department, String(fiscalYear)],
  );
  return new Map(rows.map((r) => [r.quarter, r.recorded_at]));
}
