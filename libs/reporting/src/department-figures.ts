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
 * One pass over the department-year's movements for all the dates at once (its lines', through
 * the movements' (line_id, position) key), summed by effective date; each date then gets the sums
 * of the days on or before it, of the movements recorded at or before `knownAtSql`.
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
    `WITH daily AS (
       SELECT m.effective_date,
              sum(m.initial_fen) AS initial, sum(m.adjustments_fen) AS adjustments,
              sum(m.transfers_out_fen - m.routine_transfers_out_fen) AS transfers, sum(m.routine_transfers_out_fen) AS routine,
              sum(m.initial_fen + m.adjustments_fen + m.transfers_in_fen - m.transfers_out_fen) AS adjusted, sum(m.executed_fen) AS executed
       FROM ledger_lines l JOIN ledger_movements m ON m.line_id = l.line_id
       WHERE l.department = $1 AND l.fiscal_year = $2::integer AND m.recorded_at <= $4::timestamptz
         AND ($5::text IS NULL OR $5 = ANY (l.tags))
       GROUP BY m.effective_date
     )
     SELECT c.date,
            COALESCE(sum(d.initial), 0)::bigint AS initial,
            COALESCE(sum(d.adjustments), 0)::bigint AS adjustments,
            COALESCE(sum(d.transfers), 0)::bigint AS transfers,
            COALESCE(sum(d.routine), 0)::bigint AS routine,
            COALESCE(sum(d.adjusted), 0)::bigint AS adjusted,
            COALESCE(sum(d.executed), 0)::bigint AS executed
     FROM (SELECT DISTINCT jsonb_array_elements_text($3::jsonb) AS date) c
     LEFT JOIN daily d ON d.effective_date <= c.date::date
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
