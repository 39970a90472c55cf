import type { LedgerState, LineState } from '@ledger/domain';
import { textArrayLiteral, type Sql, type Statement } from '@ledger/event-store';
import { MOVEMENT_AMOUNT_COLUMNS, MOVEMENT_AMOUNTS, MOVEMENT_FIGURES, type MovementRow } from './movement-row';

/**
 * The as-of balances of decision 0010, for the movements an append stores: each movement's line
 * totals right after it (its running totals), the days on which each department-year's high-water
 * date moves, and the movements kept apart (late ones and routine transfers). rebuild.ts computes
 * the same set-based from the log; the suites require both to agree.
 */

/** The line's totals right after a movement, in 分, in the order of MOVEMENT_FIGURES and RUNNING_COLUMNS. */
export type RunningTotals = readonly bigint[];

export const RUNNING_COLUMNS = [
  'running_initial_fen',
  'running_adjustments_fen',
  'running_transfers_in_fen',
  'running_transfers_out_fen',
  'running_executed_fen',
  'running_committed_fen',
  'running_brought_forward_fen',
  'running_carried_forward_fen',
] as const;

/** A day on which a department-year's high-water date moved, at the movement that moved it. */
export interface StreamDay {
  readonly department: string;
  readonly fiscalYear: number;
  readonly day: string;
  readonly firstPosition: bigint;
  readonly firstRecordedAt: string;
}

export interface ApartMovement {
  readonly movement: MovementRow;
  /** Dated before its department-year's high-water date when recorded. */
  readonly late: boolean;
}

export interface AsOfBalances {
  /** The batch's movements in log order (a transfer's two rows in the order recorded). */
  readonly movements: readonly MovementRow[];
  /** The running totals of each of `movements`, by index. */
  readonly running: readonly RunningTotals[];
  readonly days: readonly StreamDay[];
  readonly apart: readonly ApartMovement[];
}

const streamKey = (department: string, fiscalYear: number): string => `${fiscalYear}\u0000${department}`;

/** A department-year, as the high-water dates are asked for. */
export interface DepartmentYear {
  readonly department: string;
  readonly fiscalYear: number;
}

/** High-water dates as read: `days` for the department-years that have one, `asked` every key asked about. */
export interface HighWater {
  readonly asked: ReadonlySet<string>;
  readonly days: ReadonlyMap<string, string>;
}

/**
 * The high-water date of each department-year, before the batch: the last day of
 * ledger_stream_days, or none for a department-year without a movement yet. Read inside the
 * append's transaction, after its stream locks: no other writer moves these department-years, so
 * the writer reads them with the locks, in the opening round trip, for the department-years of
 * the streams it holds (ProjectionBatch reads any other the movements move when it flushes).
 */
export async function readHighWater(tx: Sql, departmentYears: readonly DepartmentYear[]): Promise<HighWater> {
  const asked = new Map<string, DepartmentYear>();
  for (const d of departmentYears) asked.set(streamKey(d.department, d.fiscalYear), d);
  if (asked.size === 0) return { asked: new Set(), days: new Map() };
  const rows = await tx.query<{ department: string; fiscal_year: number; day: string | null }>(
    `SELECT s.department, s.fiscal_year,
            (SELECT d.day FROM ledger_stream_days d WHERE d.department = s.department AND d.fiscal_year = s.fiscal_year
              ORDER BY d.day DESC LIMIT 1) AS day
     FROM unnest($1::text::text[], $2::text::integer[]) AS s(department, fiscal_year)`,
    [textArrayLiteral([...asked.values()].map((s) => s.department)), `{${[...asked.values()].map((s) => s.fiscalYear).join(',')}}`],
    { prepare: true },
  );
  const days = new Map<string, string>();
  for (const row of rows) if (row.day !== null) days.set(streamKey(row.department, row.fiscal_year), row.day);
  return { asked: new Set(asked.keys()), days };
}

/**
 * The high-water dates of every department-year the movements move: those of `known` (read with
 * the locks), and the others read now. A copy: asOfBalances moves it along the batch.
 */
export async function highWaterOf(tx: Sql, movements: readonly MovementRow[], known?: HighWater): Promise<Map<string, string>> {
  const highWater = new Map(known?.days ?? []);
  const missing = new Map<string, DepartmentYear>();
  for (const m of movements) {
    const key = streamKey(m.department, m.fiscalYear);
    if (known?.asked.has(key) !== true) missing.set(key, { department: m.department, fiscalYear: m.fiscalYear });
  }
  if (missing.size > 0) for (const [key, day] of (await readHighWater(tx, [...missing.values()])).days) highWater.set(key, day);
  return highWater;
}

/**
 * Classifies the movements against their department-years' high-water dates and computes their
 * running totals from the lines' totals after the batch (the state the append evolved), walking
 * back over the batch's later movements of each line.
 */
export function asOfBalances(batch: readonly MovementRow[], state: LedgerState, highWater: Map<string, string>): AsOfBalances {
  // Log order. Array#sort is stable: a transfer's two rows (one position) keep their order.
  const movements = [...batch].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  const days: StreamDay[] = [];
  const apart: ApartMovement[] = [];
  for (const m of movements) {
    const key = streamKey(m.department, m.fiscalYear);
    const high = highWater.get(key);
    if (high === undefined || m.effectiveDate > high) {
      days.push({
        department: m.department,
        fiscalYear: m.fiscalYear,
        day: m.effectiveDate,
        firstPosition: m.position,
        firstRecordedAt: m.recordedAt,
      });
      highWater.set(key, m.effectiveDate);
    }
    const late = high !== undefined && m.effectiveDate < high;
    if (late || m.routineTransfersOutFen !== 0n) apart.push({ movement: m, late });
  }
  const running: RunningTotals[] = new Array<RunningTotals>(movements.length);
  const after = new Map<string, bigint[]>();
  for (let i = movements.length - 1; i >= 0; i -= 1) {
    const m = movements[i] as MovementRow;
    let totals = after.get(m.lineId);
    if (totals === undefined) {
      const line = state.lines.get(m.lineId) as LineState;
      totals = MOVEMENT_FIGURES.map((figure) => line[figure]);
      after.set(m.lineId, totals);
    }
    running[i] = [...totals];
    for (const [k, figure] of MOVEMENT_FIGURES.entries()) totals[k] = (totals[k] as bigint) - m[figure];
  }
  return { movements, running, days, apart };
}

const bigints = (values: readonly bigint[]): string => `{${values.join(',')}}`;

/**
 * One statement for behind the movements' COPY: the new stream days and the movements kept apart
 * are inserted by data-modifying CTEs of the lines' totals UPDATE, so that the append's pipeline
 * carries no statement more than before.
 */
export function followUp(totals: Statement, balances: AsOfBalances): Statement {
  const base = totals.params?.length ?? 0;
  const p = (n: number) => `$${base + n}`;
  const { days, apart } = balances;
  const a = apart.map((x) => x.movement);
  return {
    text: `WITH days AS (
             INSERT INTO ledger_stream_days (department, fiscal_year, day, first_position, first_recorded_at)
             SELECT * FROM unnest(${p(1)}::text::text[], ${p(2)}::text::integer[], ${p(3)}::text::date[], ${p(4)}::text::bigint[],
                                  ${p(5)}::text::timestamptz[])
           ), apart AS (
             INSERT INTO ledger_apart_movements (department, fiscal_year, position, line_id, effective_date, recorded_at, late,
                                                 initial_fen, adjustments_fen, transfers_in_fen, transfers_out_fen,
                                                 routine_transfers_out_fen, executed_fen, committed_fen, brought_forward_fen,
                                                 carried_forward_fen)
             SELECT * FROM unnest(${p(6)}::text::text[], ${p(7)}::text::integer[], ${p(8)}::text::bigint[], ${p(9)}::text::text[],
                                  ${p(10)}::text::date[], ${p(11)}::text::timestamptz[], ${p(12)}::text::boolean[], ${p(13)}::text::bigint[],
                                  ${p(14)}::text::bigint[], ${p(15)}::text::bigint[], ${p(16)}::text::bigint[], ${p(17)}::text::bigint[],
                                  ${p(18)}::text::bigint[], ${p(19)}::text::bigint[], ${p(20)}::text::bigint[], ${p(21)}::text::bigint[])
           )
           ${totals.text}`,
    params: [
      ...(totals.params ?? []),
      textArrayLiteral(days.map((d) => d.department)),
      `{${days.map((d) => d.fiscalYear).join(',')}}`,
      `{${days.map((d) => d.day).join(',')}}`,
      bigints(days.map((d) => d.firstPosition)),
      `{${days.map((d) => d.firstRecordedAt).join(',')}}`,
      textArrayLiteral(a.map((m) => m.department)),
      `{${a.map((m) => m.fiscalYear).join(',')}}`,
      bigints(a.map((m) => m.position)),
      textArrayLiteral(a.map((m) => m.lineId)),
      `{${a.map((m) => m.effectiveDate).join(',')}}`,
      `{${a.map((m) => m.recordedAt).join(',')}}`,
      `{${apart.map((x) => (x.late ? 't' : 'f')).join(',')}}`,
      bigints(a.map((m) => m.initialFen)),
      bigints(a.map((m) => m.adjustmentsFen)),
      bigints(a.map((m) => m.transfersInFen)),
      bigints(a.map((m) => m.transfersOutFen)),
      bigints(a.map((m) => m.routineTransfersOutFen)),
      bigints(a.map((m) => m.executedFen)),
      bigints(a.map((m) => m.committedFen)),
      bigints(a.map((m) => m.broughtForwardFen)),
      bigints(a.map((m) => m.carriedForwardFen)),
    ],
    options: { prepare: true },
  };
}

/** ledger_department_days's figure columns (migration 0018): each day sums the movements' column of the same name. */
const DAY_LIST = MOVEMENT_AMOUNT_COLUMNS.join(', ');

/**
 * The department-years' sums by day (ledger_department_days: the movements dated on the day, as
 * known now) moved by the batch's movements, in one statement: the batch's sums by department-year
 * and date, added to the rows of those dates (made when missing). Under the append's stream locks:
 * no other writer moves these department-years.
 */
export function departmentDays(movements: readonly MovementRow[]): Statement {
  const byDay = new Map<string, { department: string; fiscalYear: number; day: string; sums: bigint[] }>();
  for (const m of movements) {
    const key = `${streamKey(m.department, m.fiscalYear)}\u0000${m.effectiveDate}`;
    let entry = byDay.get(key);
    if (entry === undefined) {
      entry = { department: m.department, fiscalYear: m.fiscalYear, day: m.effectiveDate, sums: MOVEMENT_AMOUNTS.map(() => 0n) };
      byDay.set(key, entry);
    }
    MOVEMENT_AMOUNTS.forEach((figure, k) => (entry.sums[k] = (entry.sums[k] as bigint) + m[figure]));
  }
  const days = [...byDay.values()];
  return {
    text: `INSERT INTO ledger_department_days (department, fiscal_year, day, ${DAY_LIST})
           SELECT * FROM unnest($1::text::text[], $2::text::integer[], $3::text::date[],
                                ${MOVEMENT_AMOUNT_COLUMNS.map((_, k) => `$${k + 4}::text::bigint[]`).join(', ')})
           ON CONFLICT (department, fiscal_year, day) DO UPDATE
             SET ${MOVEMENT_AMOUNT_COLUMNS.map((col) => `${col} = ledger_department_days.${col} + EXCLUDED.${col}`).join(', ')}`,
    params: [
      textArrayLiteral(days.map((d) => d.department)),
      `{${days.map((d) => d.fiscalYear).join(',')}}`,
      `{${days.map((d) => d.day).join(',')}}`,
      ...MOVEMENT_AMOUNTS.map((_, k) => bigints(days.map((d) => d.sums[k] as bigint))),
    ],
    options: { prepare: true },
  };
}
