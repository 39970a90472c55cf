import type { JsonObject, Sql } from '@ledger/event-store';
import { QueryError } from './query-error';
import { parseFiscalYear, requireDepartment } from './time';

/** Bounds what one finder answer may hold; a department-year has at most a few 10,000 lines. */
export const MAX_LINES_LISTED = 100_000;

export interface DepartmentYear {
  readonly fiscalYear: number;
  readonly lines: number;
}

export interface DepartmentsResult {
  readonly departments: { readonly department: string; readonly years: DepartmentYear[] }[];
}

export interface LineRow {
  readonly lineId: string;
  readonly name: string | null;
  readonly unit: string | null;
  readonly project: string | null;
  readonly functionCode: string | null;
  readonly economicCode: string | null;
  readonly fundingSource: string | null;
  readonly kind: string;
  readonly tags: string[];
  readonly openedEffectiveDate: string;
}

export interface LinesResult {
  readonly department: string;
  readonly fiscalYear: number;
  readonly lines: LineRow[];
}

export interface EventResult {
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly effectiveDate: string;
  readonly recordedAt: string;
  readonly correction: boolean;
  readonly streamId: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject | null;
}

/** Every department with its fiscal years and their line counts: the console's first picker. */
export async function queryDepartments(sql: Sql): Promise<DepartmentsResult> {
  const rows = await sql.query<{ department: string; fiscal_year: number; lines: bigint | number | string }>(
    `SELECT department, fiscal_year, count(*) AS lines FROM ledger_lines GROUP BY department, fiscal_year ORDER BY department, fiscal_year`,
  );
  const departments: DepartmentsResult['departments'] = [];
  for (const row of rows) {
    let last = departments[departments.length - 1];
    if (last === undefined || last.department !== row.department) {
      last = { department: row.department, years: [] };
      departments.push(last);
    }
    last.years.push({ fiscalYear: Number(row.fiscal_year), lines: Number(row.lines) });
  }
  return { departments };
}

/** The lines of a department-year with their dimensions and names, in line id order. */
export async function queryLines(sql: Sql, query: { department: string; fiscalYear: string | number }): Promise<LinesResult> {
  requireDepartment(query.department);
  const fiscalYear = parseFiscalYear(query.fiscalYear);
  const rows = await sql.query<{
    line_id: string;
    name: string | null;
    unit: string | null;
    project: string | null;
    function_code: string | null;
    economic_code: string | null;
    funding_source: string | null;
    kind: string;
    tags: string[];
    opened_effective_date: string;
  }>(
    `SELECT line_id, name, unit, project, function_code, economic_code, funding_source, kind, tags, opened_effective_date::text AS opened_effective_date
     FROM ledger_lines WHERE department = $1 AND fiscal_year = $2::integer ORDER BY line_id LIMIT ${MAX_LINES_LISTED}`,
    [query.department, String(fiscalYear)],
  );
  return {
    department: query.department,
    fiscalYear,
    lines: rows.map((r) => ({
      lineId: r.line_id,
      name: r.name,
      unit: r.unit,
      project: r.project,
      functionCode: r.function_code,
      economicCode: r.economic_code,
      fundingSource: r.funding_source,
      kind: r.kind,
      tags: r.tags,
      openedEffectiveDate: r.opened_effective_date,
    })),
  };
}

/** One stored event by its eventId, as GET /v1/events lists it. */
export async function queryEvent(sql: Sql, eventId: string): Promise<EventResult> {
  const [row] = await sql.query<{
    position: bigint;
    event_id: string;
    type: string;
    effective_date: string;
    recorded_at: Date;
    correction: boolean;
    stream_id: string;
    data: JsonObject;
    metadata: JsonObject | null;
  }>(
    `SELECT position, event_id, type, effective_date::text AS effective_date, recorded_at, correction, stream_id, data, metadata
     FROM ledger_events WHERE event_id = $1`,
    [eventId],
  );
  if (row === undefined) throw new QueryError('NOT_FOUND', 'eventId', `no event '${eventId}'`);
  return {
    position: row.position.toString(),
    eventId: row.event_id,
    type: row.type,
    effectiveDate: row.effective_date,
    recordedAt: row.recorded_at.toISOString(),
    correction: row.correction,
    streamId: row.stream_id,
    data: row.data,
    metadata: row.metadata,
  };
}
