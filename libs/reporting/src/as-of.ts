import type { Sql, SqlParam } from '@ledger/event-store';
import { adjustedSql, type MovementColumns, type Sums } from './figures';

/** No position cap: every position. */
export const NO_POSITION_CAP = 9223372036854775807n;

/**
 * Where a department-year's log is cut for figures as of a date ($3), known at an instant ($4),
 * up to a position ($5) — decision 0010:
 * - `sealed`: the last position before the first high-water day after the date. Every movement
 *   up to it is dated on or before the date, so a line's running totals there count them all.
 * - `known`: the last position before the first high-water day first recorded after the instant
 *   (and not past the cap). Every position after it was recorded after the instant; the few before
 *   it that were too (the movements of that one day) are skipped by their recorded_at.
 * $1 department, $2 fiscal year.
 */
export const CUT_SQL = cutColumns('$3::date');

/** CUT_SQL's two columns for a date given by an SQL expression (a column of several dates). */
function cutColumns(date: string): string {
  return `SELECT
  COALESCE((SELECT d.first_position - 1 FROM ledger_stream_days d
             WHERE d.department = $1 AND d.fiscal_year = $2::integer AND d.day > ${date} ORDER BY d.day LIMIT 1),
           ${NO_POSITION_CAP}) AS sealed,
  LEAST(COALESCE((SELECT d.first_position - 1 FROM ledger_stream_days d
                   WHERE d.department = $1 AND d.fiscal_year = $2::integer AND d.first_recorded_at > $4::timestamptz
                   ORDER BY d.first_recorded_at, d.first_position LIMIT 1),
                 ${NO_POSITION_CAP}), $5::bigint) AS known`;
}

/**
 * The line's running totals at the last of its movements within the cut and recorded by the
 * instant: one backward step on the movements' (line_id, position) key. `l` is the ledger_lines row.
 */
const RUNNING_SQL = `SELECT m.running_initial_fen, m.running_adjustments_fen, m.running_transfers_in_fen, m.running_transfers_out_fen,
         m.running_executed_fen, m.running_committed_fen, m.running_brought_forward_fen, m.running_carried_forward_fen
  FROM ledger_movements m
  WHERE m.line_id = l.line_id AND m.position <= LEAST(cut.sealed, cut.known) AND m.recorded_at <= $4::timestamptz
  ORDER BY m.position DESC LIMIT 1`;

/** The late movements dated by the date and known at the instant that fall after the sealed prefix, by line. */
const LATE_SQL = `SELECT a.line_id, sum(a.initial_fen) AS initial_fen, sum(a.adjustments_fen) AS adjustments_fen,
         sum(a.transfers_in_fen) AS transfers_in_fen, sum(a.transfers_out_fen) AS transfers_out_fen, sum(a.executed_fen) AS executed_fen,
         sum(a.committed_fen) AS committed_fen, sum(a.brought_forward_fen) AS brought_forward_fen,
         sum(a.carried_forward_fen) AS carried_forward_fen
  FROM ledger_apart_movements a, cut
  WHERE a.department = $1 AND a.fiscal_year = $2::integer AND a.late AND a.position > cut.sealed AND a.position <= cut.known
    AND a.recorded_at <= $4::timestamptz AND a.effective_date <= $3::date
  GROUP BY a.line_id`;

const sum = (column: string) => `(COALESCE(r.running_${column}, 0) + COALESCE(x.${column}, 0))::bigint`;

export interface AsOfCut {
  readonly department: string;
  readonly fiscalYear: number;
  readonly asOf: string;
  /** An ISO instant, or 'infinity'. */
  readonly knownAtSql: string;
  /** Only positions up to this one (a trace page's start). */
  readonly positionCap?: bigint;
}

/** A budget line with its dimensions and its figures at a cut. */
export interface LineAsOf extends Sums {
  line_id: string;
  unit: string | null;
  project: string | null;
  function_code: string | null;
  economic_code: string | null;
  funding_source: string | null;
  kind: string;
  tags: string[];
}

/**
 * The figures of the department-year's lines at a cut: per line one look-up of its running totals
 * plus its late movements, whatever the length of its history. `openedOnly` leaves out the lines
 * not yet opened as of the date and instant (the view's rule); `lineId` asks for one line.
 */
export async function linesAsOf(
  sql: Sql,
  cut: AsOfCut,
  options: { readonly openedOnly?: boolean; readonly lineId?: string } = {},
): Promise<LineAsOf[]> {
  return sql.query<LineAsOf>(LINES_AS_OF_SQL, linesAsOfParams(cut, options), { prepare: true });
}

/**
 * linesAsOf's statement, for queries that sum its rows further (by project, by line):
 * $1..$7 as linesAsOfParams gives them.
 */
export const LINES_AS_OF_SQL = `WITH cut AS (${CUT_SQL}), late AS (${LATE_SQL})
  SELECT l.line_id, l.unit, l.project, l.function_code, l.economic_code, l.funding_source, l.kind, l.tags,
         ${sum('initial_fen')} AS "initialFen", ${sum('adjustments_fen')} AS "adjustmentsFen",
         ${sum('transfers_in_fen')} AS "transfersInFen", ${sum('transfers_out_fen')} AS "transfersOutFen",
         ${sum('executed_fen')} AS "executedFen", ${sum('committed_fen')} AS "committedFen",
         ${sum('brought_forward_fen')} AS "broughtForwardFen", ${sum('carried_forward_fen')} AS "carriedForwardFen"
  FROM cut CROSS JOIN ledger_lines l
  LEFT JOIN LATERAL (${RUNNING_SQL}) r ON true
  LEFT JOIN late x ON x.line_id = l.line_id
  WHERE l.department = $1 AND l.fiscal_year = $2::integer
    AND ($6::text <> 'true' OR (l.opened_effective_date <= $3::date AND l.opened_recorded_at <= $4::timestamptz))
    AND ($7::text IS NULL OR l.line_id = $7)`;

export function linesAsOfParams(cut: AsOfCut, options: { readonly openedOnly?: boolean; readonly lineId?: string } = {}): SqlParam[] {
  return [
    cut.department,
    String(cut.fiscalYear),
    cut.asOf,
    cut.knownAtSql,
    String(cut.positionCap ?? NO_POSITION_CAP),
    // Compared as text: given `$6::boolean`, the server types the parameter bool and postgres.js
    // then serializes any string, 'true' included, as false (it takes only a JS true).
    options.openedOnly === true ? 'true' : 'false',
    options.lineId ?? null,
  ];
}

/** Department-year sums at one date. All in 分. */
export interface DepartmentAsOf {
  readonly initialFen: bigint;
  readonly adjustmentsFen: bigint;
  readonly transfersOutFen: bigint;
  /** The routine part of transfersOut (增人增资正常调剂). */
  readonly routineTransfersFen: bigint;
  readonly adjustedFen: bigint;
  readonly executedFen: bigint;
  readonly committedFen: bigint;
  readonly broughtForwardFen: bigint;
  readonly carriedForwardFen: bigint;
}

/**
 * The department-year's sums at a cut, over its lines (those tagged `tag` if given): the lines'
 * running totals and late movements summed in the database, and the routine transfers, which the
 * running totals do not tell apart, from the movements kept apart.
 */
export async function departmentAsOf(sql: Sql, cut: AsOfCut, tag?: string): Promise<DepartmentAsOf> {
  const sums = (await departmentAsOfDates(sql, { ...cut, asOf: [cut.asOf] }, tag)).get(cut.asOf);
  if (sums === undefined) throw new Error('departmentAsOf: no row');
  return sums;
}

/**
 * A movement of a line carrying tag $6 (any line when $6 is null), asked per movement through the
 * lines' primary key. Not `line_id IN (SELECT … FROM tagged)`: an embedded store is never
 * analyzed, the planner takes the tagged lines for one row and joins every late movement with every
 * line (10,000 lines with three late payments each: 35 s for one progress report).
 */
const TAGGED_MOVEMENT = `($6::text IS NULL OR EXISTS (SELECT 1 FROM ledger_lines t WHERE t.line_id = a.line_id AND $6 = ANY (t.tags)))`;

/**
 * The department's figures at each date of $3 (a date[] as text): the lines' running totals up to
 * the cut, plus the late movements kept apart, plus the routine transfers; $6 limits to a tag.
 */
const DEPARTMENT_AS_OF_DATES_SQL = `WITH dates AS (SELECT DISTINCT u.date FROM unnest($3::text::date[]) AS u(date)),
     cut AS (SELECT dates.date, c.sealed, c.known FROM dates CROSS JOIN LATERAL (${cutColumns('dates.date')}) c),
     tagged AS (SELECT l.line_id FROM ledger_lines l
                WHERE l.department = $1 AND l.fiscal_year = $2::integer AND ($6::text IS NULL OR $6 = ANY (l.tags))),
     running AS (
       SELECT cut.date, sum(r.running_initial_fen) AS initial, sum(r.running_adjustments_fen) AS adjustments,
              sum(r.running_transfers_in_fen) AS transfers_in, sum(r.running_transfers_out_fen) AS transfers_out,
              sum(r.running_executed_fen) AS executed, sum(r.running_committed_fen) AS committed,
              sum(r.running_brought_forward_fen) AS brought_forward, sum(r.running_carried_forward_fen) AS carried_forward
       FROM cut CROSS JOIN tagged l
       CROSS JOIN LATERAL (${RUNNING_SQL}) r
       GROUP BY cut.date
     ),
     late AS (
       SELECT cut.date, sum(a.initial_fen) AS initial, sum(a.adjustments_fen) AS adjustments, sum(a.transfers_in_fen) AS transfers_in,
              sum(a.transfers_out_fen) AS transfers_out, sum(a.executed_fen) AS executed, sum(a.committed_fen) AS committed,
              sum(a.brought_forward_fen) AS brought_forward, sum(a.carried_forward_fen) AS carried_forward
       FROM cut JOIN ledger_apart_movements a
         ON a.department = $1 AND a.fiscal_year = $2::integer AND a.late AND a.position > cut.sealed AND a.position <= cut.known
        AND a.recorded_at <= $4::timestamptz AND a.effective_date <= cut.date
       WHERE ${TAGGED_MOVEMENT}
       GROUP BY cut.date
     ),
     routine AS (
       SELECT cut.date, sum(a.routine_transfers_out_fen) AS routine
       FROM cut JOIN ledger_apart_movements a
         ON a.department = $1 AND a.fiscal_year = $2::integer AND a.routine_transfers_out_fen <> 0
        AND a.effective_date <= cut.date AND a.recorded_at <= $4::timestamptz AND a.position <= $5::bigint
       WHERE ${TAGGED_MOVEMENT}
       GROUP BY cut.date
     )
     SELECT cut.date::text AS date,
            (COALESCE(r.initial, 0) + COALESCE(x.initial, 0))::bigint AS initial,
            (COALESCE(r.adjustments, 0) + COALESCE(x.adjustments, 0))::bigint AS adjustments,
            (COALESCE(r.transfers_out, 0) + COALESCE(x.transfers_out, 0))::bigint AS transfers_out,
            COALESCE(t.routine, 0)::bigint AS routine,
            (COALESCE(${adjustedSql(sumColumns('r'))}, 0) + COALESCE(${adjustedSql(sumColumns('x'))}, 0))::bigint AS adjusted,
            (COALESCE(r.executed, 0) + COALESCE(x.executed, 0))::bigint AS executed,
            (COALESCE(r.committed, 0) + COALESCE(x.committed, 0))::bigint AS committed,
            (COALESCE(r.brought_forward, 0) + COALESCE(x.brought_forward, 0))::bigint AS brought_forward,
            (COALESCE(r.carried_forward, 0) + COALESCE(x.carried_forward, 0))::bigint AS carried_forward
     FROM cut LEFT JOIN running r ON r.date = cut.date LEFT JOIN late x ON x.date = cut.date LEFT JOIN routine t ON t.date = cut.date`;

/**
 * The department's figures at each date of $3 as known now, from its sums by day
 * (ledger_department_days, migration 0018): at most 366 rows of one key range per date, whatever
 * the number of lines and events.
 */
const DEPARTMENT_DAYS_AT_DATES_SQL = `SELECT dates.date::text AS date, d.initial, d.adjustments, d.transfers_out, d.routine,
       (${adjustedSql({
         initial: 'd.initial',
         adjustments: 'd.adjustments',
         transfersIn: 'd.transfers_in',
         transfersOut: 'd.transfers_out',
         broughtForward: 'd.brought_forward',
       })})::bigint AS adjusted,
       d.executed, d.committed, d.brought_forward, d.carried_forward
  FROM (SELECT DISTINCT u.date FROM unnest($3::text::date[]) AS u(date)) dates
  CROSS JOIN LATERAL (
    SELECT ledger_sum_fen(s.initial_fen) AS initial, ledger_sum_fen(s.adjustments_fen) AS adjustments,
           ledger_sum_fen(s.transfers_in_fen) AS transfers_in, ledger_sum_fen(s.transfers_out_fen) AS transfers_out,
           ledger_sum_fen(s.routine_transfers_out_fen) AS routine, ledger_sum_fen(s.executed_fen) AS executed,
           ledger_sum_fen(s.committed_fen) AS committed, ledger_sum_fen(s.brought_forward_fen) AS brought_forward,
           ledger_sum_fen(s.carried_forward_fen) AS carried_forward
    FROM ledger_department_days s
    WHERE s.department = $1 AND s.fiscal_year = $2::integer AND s.day <= dates.date) d`;

/** departmentAsOf at several dates (progress: the checkpoints), in one statement. */
export async function departmentAsOfDates(
  sql: Sql,
  cut: Omit<AsOfCut, 'asOf'> & { readonly asOf: readonly string[] },
  tag?: string,
): Promise<Map<string, DepartmentAsOf>> {
  // Known now, every line, no position cap: the department's sums by day. Otherwise (a past
  // instant, a tag, a trace page's cap) the lines' running totals at the cut.
  const knownNow = cut.knownAtSql === 'infinity' && cut.positionCap === undefined && tag === undefined;
  // $1–$3, which both statements take.
  const sharedParams = [cut.department, String(cut.fiscalYear), `{${cut.asOf.join(',')}}`];
  const rows = await sql.query<{
    date: string;
    initial: bigint;
    adjustments: bigint;
    transfers_out: bigint;
    routine: bigint;
    adjusted: bigint;
    executed: bigint;
    committed: bigint;
    brought_forward: bigint;
    carried_forward: bigint;
  }>(
    knownNow ? DEPARTMENT_DAYS_AT_DATES_SQL : DEPARTMENT_AS_OF_DATES_SQL,
    knownNow ? sharedParams : [...sharedParams, cut.knownAtSql, String(cut.positionCap ?? NO_POSITION_CAP), tag ?? null],
    { prepare: true },
  );
  return new Map(
    rows.map((row) => [
      row.date,
      {
        initialFen: row.initial,
        adjustmentsFen: row.adjustments,
        transfersOutFen: row.transfers_out,
        routineTransfersFen: row.routine,
        adjustedFen: row.adjusted,
        executedFen: row.executed,
        committedFen: row.committed,
        broughtForwardFen: row.brought_forward,
        carriedForwardFen: row.carried_forward,
      },
    ]),
  );
}

/** The summed movement columns (initial, adjustments, transfers_in, transfers_out) of a CTE under an alias. */
function sumColumns(alias: string): MovementColumns {
  return {
    initial: `${alias}.initial`,
    adjustments: `${alias}.adjustments`,
    transfersIn: `${alias}.transfers_in`,
    transfersOut: `${alias}.transfers_out`,
    broughtForward: `${alias}.brought_forward`,
  };
}
