import type { Sql } from '@ledger/event-store';
import { departmentAsOfDates } from './as-of';

/** Department-year sums at several business dates, as known at one instant. All in 分. */
export interface DatedSums {
  readonly date: string;
  readonly initialFen: bigint;
  readonly adjustmentsFen: bigint;
  readonly transfersFen: bigint;
  readonly routineTransfersFen: bigint;
  readonly adjustedFen: bigint;
  readonly executedFen: bigint;
  readonly committedFen: bigint;
  readonly broughtForwardFen: bigint;
  readonly carriedForwardFen: bigint;
}

/**
 * The department-year's sums at each of the dates, as known at `knownAtSql` (decision 0010: per
 * line one look-up of its running totals, plus the few late movements). `tag` restricts the sums
 * to lines carrying it.
 */
export async function departmentSums(
  sql: Sql,
  department: string,
  fiscalYear: number,
  dates: readonly string[],
  knownAtSql: string,
  tag?: string,
): Promise<DatedSums[]> {
  const byDate = await departmentAsOfDates(sql, { department, fiscalYear, asOf: dates, knownAtSql }, tag);
  return dates.map((date) => {
    const s = byDate.get(date);
    if (s === undefined) throw new Error(`departmentSums: no row for ${date}`);
    return {
      date,
      initialFen: s.initialFen,
      adjustmentsFen: s.adjustmentsFen,
      transfersFen: s.transfersOutFen - s.routineTransfersFen,
      routineTransfersFen: s.routineTransfersFen,
      adjustedFen: s.adjustedFen,
      executedFen: s.executedFen,
      committedFen: s.committedFen,
      broughtForwardFen: s.broughtForwardFen,
      carriedForwardFen: s.carriedForwardFen,
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
