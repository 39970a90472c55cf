import { formatYuan, lastDayOfYear } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { LINES_AS_OF_SQL, linesAsOfParams, type LineAsOf } from '../as-of';
import { adjustedOf, availableOf } from '../figures';
import { departmentYearParams } from '../time';
import { carryLineIdBase, carryTargets, type CarryCandidate, type PlannedCarry } from './carry-targets';

export interface YearEndQuery {
  readonly department: string;
  readonly fiscalYear: string | number;
  readonly knownAt?: string;
}

/** A line of the closing year: its figures at the year end, what it carries (结转下年) or lets lapse (结余). */
export interface YearEndLine {
  readonly lineId: string;
  readonly name: string | null;
  readonly kind: string;
  readonly project: string | null;
  readonly fundingSource: string | null;
  readonly adjusted: string;
  readonly executed: string;
  readonly committed: string;
  /** adjusted − executed − committed. */
  readonly available: string;
  /** A project line's available, carried to the next year (while open: what closing now would carry). */
  readonly carriedForward: string;
  /** A basic line's available, which lapses (结余). */
  readonly lapsed: string;
  /** The next year's line that receives carriedForward; null when nothing is carried. */
  readonly toLineId: string | null;
}

export interface YearEndTotals {
  readonly adjusted: string;
  readonly executed: string;
  readonly committed: string;
  readonly available: string;
  readonly carriedForward: string;
  readonly lapsed: string;
}

/** A line of the next year that receives 上年结转 (while open: would receive). */
export interface NextYearLine {
  readonly lineId: string;
  readonly name: string | null;
  readonly project: string | null;
  readonly fromLineIds: string[];
  readonly initial: string;
  readonly broughtForward: string;
  readonly adjusted: string;
}

export interface YearEndResult {
  readonly department: string;
  readonly fiscalYear: number;
  readonly knownAt: string;
  /** A YearClosed of the department-year recorded by knownAt. */
  readonly closed: boolean;
  /** When the YearClosed was recorded; null while open. */
  readonly closedAt: string | null;
  readonly yearClosedEventId: string | null;
  readonly lines: YearEndLine[];
  readonly totals: YearEndTotals;
  readonly nextYear: {
    readonly fiscalYear: number;
    readonly lines: NextYearLine[];
    readonly totals: { readonly initial: string; readonly broughtForward: string; readonly adjusted: string };
  };
}

type NamedLine = LineAsOf & { name: string | null };

/** The lines of a department-year with their figures on a date, known at an instant, and their names. */
async function namedLines(sql: Sql, department: string, fiscalYear: number, asOf: string, knownAtSql: string): Promise<NamedLine[]> {
  return sql.query<NamedLine>(
    `SELECT x.*, n.name FROM (${LINES_AS_OF_SQL}) x JOIN ledger_lines n ON n.line_id = x.line_id ORDER BY x.line_id`,
    linesAsOfParams({ department, fiscalYear, asOf, knownAtSql }, { openedOnly: true }),
  );
}

/** The department-year's YearClosed, if recorded by the instant. */
async function yearClosed(
  sql: Sql,
  department: string,
  fiscalYear: number,
  knownAtSql: string,
): Promise<{ event_id: string; position: bigint; recorded_at: Date } | undefined> {
  const [row] = await sql.query<{ event_id: string; position: bigint; recorded_at: Date }>(
    `SELECT event_id, position, recorded_at FROM ledger_year_ends
     WHERE department = $1 AND fiscal_year = $2::integer AND recorded_at <= $3::timestamptz`,
    [department, String(fiscalYear), knownAtSql],
  );
  return row;
}

/**
 * The BalanceCarriedForwards the closing wrote (they follow its YearClosed in the log): per from
 * line, its to line. Read through the from lines' movements after the YearClosed's position.
 */
async function storedCarries(sql: Sql, department: string, fiscalYear: number, after: bigint): Promise<PlannedCarry[]> {
  const rows = await sql.query<{ from_line_id: string; to_line_id: string; amount: bigint }>(
    `SELECT l.line_id AS from_line_id, e.data->>'toLineId' AS to_line_id, m.carried_forward_fen AS amount
     FROM ledger_lines l
     JOIN ledger_movements m ON m.line_id = l.line_id AND m.position > $3::bigint AND m.carried_forward_fen <> 0
     JOIN ledger_events e ON e.position = m.position
     WHERE l.department = $1 AND l.fiscal_year = $2::integer AND e.type = 'BalanceCarriedForward'
     ORDER BY l.line_id`,
    [department, String(fiscalYear), String(after)],
  );
  return rows.map((r) => ({ fromLineId: r.from_line_id, toLineId: r.to_line_id, amountFen: BigInt(r.amount), planned: false }));
}

/** The next year's lines known at the instant, as carry targets. */
async function nextYearCandidates(sql: Sql, department: string, fiscalYear: number, knownAtSql: string): Promise<CarryCandidate[]> {
  return sql.query<CarryCandidate>(
    `SELECT line_id, kind, funding_source, unit, project, function_code, economic_code FROM ledger_lines
     WHERE department = $1 AND fiscal_year = $2::integer AND opened_recorded_at <= $3::timestamptz ORDER BY line_id`,
    [department, String(fiscalYear), knownAtSql],
  );
}

/** The lineIds known at the instant that start with one of the bases (lines the ledger opening a carried line must not reuse), through the key's byte order. */
async function takenLineIds(sql: Sql, bases: readonly string[], knownAtSql: string): Promise<Set<string>> {
  if (bases.length === 0) return new Set();
  const rows = await sql.query<{ line_id: string }>(
    `SELECT l.line_id FROM unnest($1::text[]) AS b(base)
     JOIN ledger_lines l ON l.line_id >= b.base AND l.line_id < b.base || chr(1114111)
     WHERE l.opened_recorded_at <= $2::timestamptz`,
    [`{${bases.map((b) => `"${b}"`).join(',')}}`, knownAtSql],
  );
  return new Set(rows.map((r) => r.line_id));
}

/**
 * 年终结转 of a department-year (decision 0014), as known at an instant: each line's figures at
 * the fiscal year's last day, what it carried to the next year (a project line's available) or let
 * lapse (a basic line's), and the next year's lines that received it. While the year is open the
 * same report says what closing it now would do: the carries the ledger would write, to the lines
 * it would pick or open.
 */
export async function queryYearEnd(sql: Sql, query: YearEndQuery, now: Date = new Date()): Promise<YearEndResult> {
  const { department, fiscalYear, knownAt } = departmentYearParams(query, now);
  const nextYear = fiscalYear + 1;
  const closedRow = await yearClosed(sql, department, fiscalYear, knownAt.sql);
  const lines = await namedLines(sql, department, fiscalYear, lastDayOfYear(fiscalYear), knownAt.sql);
  const carries =
    closedRow === undefined
      ? carryTargets(
          lines.map((l) => ({ ...l, availableFen: availableOf(l) })),
          await nextYearCandidates(sql, department, nextYear, knownAt.sql),
          nextYear,
          await takenLineIds(
            sql,
            lines.map((l) => carryLineIdBase(l.line_id, nextYear)),
            knownAt.sql,
          ),
        )
      : await storedCarries(sql, department, fiscalYear, BigInt(closedRow.position));
  const byFrom = new Map(carries.map((c) => [c.fromLineId, c]));
  const rows = lines.map((l) => yearEndLine(l, byFrom.get(l.line_id), closedRow !== undefined));
  const next = await namedLines(sql, department, nextYear, lastDayOfYear(nextYear), knownAt.sql);
  return {
    department,
    fiscalYear,
    knownAt: knownAt.iso,
    closed: closedRow !== undefined,
    closedAt: closedRow === undefined ? null : closedRow.recorded_at.toISOString(),
    yearClosedEventId: closedRow?.event_id ?? null,
    lines: rows.map((r) => r.line),
    totals: yearEndTotals(rows.map((r) => r.fen)),
    nextYear: nextYearOf(nextYear, next, carries, lines),
  };
}

interface LineFen {
  adjusted: bigint;
  executed: bigint;
  committed: bigint;
  available: bigint;
  carriedForward: bigint;
  lapsed: bigint;
}

function yearEndLine(l: NamedLine, carry: PlannedCarry | undefined, closed: boolean): { line: YearEndLine; fen: LineFen } {
  const available = availableOf(l);
  const fen: LineFen = {
    adjusted: adjustedOf(l),
    executed: l.executedFen,
    committed: l.committedFen,
    available,
    // Closed: what the closing carried, as stored; open: what it would carry.
    carriedForward: closed ? l.carriedForwardFen : (carry?.amountFen ?? 0n),
    lapsed: l.kind === 'basic' ? available : 0n,
  };
  return {
    fen,
    line: {
      lineId: l.line_id,
      name: l.name,
      kind: l.kind,
      project: l.project,
      fundingSource: l.funding_source,
      adjusted: formatYuan(fen.adjusted),
      executed: formatYuan(fen.executed),
      committed: formatYuan(fen.committed),
      available: formatYuan(fen.available),
      carriedForward: formatYuan(fen.carriedForward),
      lapsed: formatYuan(fen.lapsed),
      toLineId: carry?.toLineId ?? null,
    },
  };
}

function yearEndTotals(rows: readonly LineFen[]): YearEndTotals {
  const sum = (pick: (r: LineFen) => bigint) => formatYuan(rows.reduce((s, r) => s + pick(r), 0n));
  return {
    adjusted: sum((r) => r.adjusted),
    executed: sum((r) => r.executed),
    committed: sum((r) => r.committed),
    available: sum((r) => r.available),
    carriedForward: sum((r) => r.carriedForward),
    lapsed: sum((r) => r.lapsed),
  };
}

/**
 * The next year's lines that receive 上年结转: those the carries name (while open, the ones closing
 * would open are listed with their would-be figures) and any other with a brought-forward balance.
 */
function nextYearOf(
  fiscalYear: number,
  next: readonly NamedLine[],
  carries: readonly PlannedCarry[],
  from: readonly NamedLine[],
): YearEndResult['nextYear'] {
  const stored = new Map(next.map((l) => [l.line_id, l]));
  const fromNames = new Map(from.map((l) => [l.line_id, l]));
  const rows = new Map<
    string,
    { name: string | null; project: string | null; from: string[]; initial: bigint; bf: bigint; adjusted: bigint }
  >();
  for (const l of next) {
    if (l.broughtForwardFen !== 0n) {
      rows.set(l.line_id, {
        name: l.name,
        project: l.project,
        from: [],
        initial: l.initialFen,
        bf: l.broughtForwardFen,
        adjusted: adjustedOf(l),
      });
    }
  }
  for (const c of carries) {
    const line = stored.get(c.toLineId);
    const source = fromNames.get(c.fromLineId);
    const row = rows.get(c.toLineId) ?? {
      name: line?.name ?? source?.name ?? null,
      project: line?.project ?? source?.project ?? null,
      from: [],
      initial: line?.initialFen ?? 0n,
      bf: line?.broughtForwardFen ?? 0n,
      adjusted: line === undefined ? 0n : adjustedOf(line),
    };
    row.from.push(c.fromLineId);
    // A carry still to come (the year open) adds to the line's figures; a stored one is in them.
    if (c.planned) {
      row.bf += c.amountFen;
      row.adjusted += c.amountFen;
    }
    rows.set(c.toLineId, row);
  }
  const lines = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = (pick: (r: { initial: bigint; bf: bigint; adjusted: bigint }) => bigint) =>
    formatYuan(lines.reduce((s, [, r]) => s + pick(r), 0n));
  return {
    fiscalYear,
    lines: lines.map(([lineId, r]) => ({
      lineId,
      name: r.name,
      project: r.project,
      fromLineIds: r.from,
      initial: formatYuan(r.initial),
      broughtForward: formatYuan(r.bf),
      adjusted: formatYuan(r.adjusted),
    })),
    totals: { initial: total((r) => r.initial), broughtForward: total((r) => r.bf), adjusted: total((r) => r.adjusted) },
  };
}
