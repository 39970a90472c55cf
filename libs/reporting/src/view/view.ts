import type { Sql } from '@ledger/event-store';
import type { LineAsOf } from '../as-of';
import type { Figures } from '../figures';
import { figuresOf } from '../figures';
import { QueryError } from '../query-error';
import { groupSumsAsOf } from './view-groups';
import { parseAsOf, parseFiscalYear, parseKnownAt, requireDepartment } from '../time';

export interface ViewQuery {
  readonly department: string;
  readonly asOf?: string;
  readonly knownAt?: string;
  /** Comma list of unit, project, functionCode[:3|5|7], economicCode[:3|5], fundingSource, kind, tag, line. */
  readonly groupBy?: string;
  /** Default: the year of asOf (the Chinese fiscal year is the calendar year). */
  readonly fiscalYear?: string | number;
}

export type GroupKey = Record<string, string | null>;

export interface ViewRow extends Figures {
  readonly key: GroupKey;
}

export interface ViewResult {
  readonly department: string;
  readonly fiscalYear: number;
  readonly asOf: string;
  readonly knownAt: string;
  readonly groupBy: string[];
  readonly rows: ViewRow[];
  readonly total: Figures;
}

interface Dimension {
  readonly spec: string;
  readonly key: string;
  /** One value for most dimensions; a line with several tags counts once under each tag. */
  values(line: LineFigures): (string | null)[];
}

type LineFigures = LineAsOf;

const prefix = (value: string | null, digits: number | undefined): string | null =>
  value === null || digits === undefined ? value : value.length >= digits ? value.slice(0, digits) : null;

function parseDimension(spec: string): Dimension {
  const [name, digitsText, ...extra] = spec.split(':');
  const digits = digitsText === undefined ? undefined : Number(digitsText);
  const bad = (why: string) => new QueryError('INVALID_QUERY', 'groupBy', `'${spec}': ${why}`);
  if (extra.length > 0) throw bad('too many ":"');
  const plain = (key: string, pick: (l: LineFigures) => string | null): Dimension => {
    if (digits !== undefined) throw bad(`${key} takes no digit count`);
    return { spec, key, values: (l) => [pick(l)] };
  };
  switch (name) {
    case 'unit':
      return plain('unit', (l) => l.unit);
    case 'project':
      return plain('project', (l) => l.project);
    case 'fundingSource':
      return plain('fundingSource', (l) => l.funding_source);
    case 'kind':
      return plain('kind', (l) => l.kind);
    case 'line':
      return plain('line', (l) => l.line_id);
    case 'tag':
      if (digits !== undefined) throw bad('tag takes no digit count');
      return { spec, key: 'tag', values: (l) => (l.tags.length === 0 ? [null] : l.tags) };
    case 'functionCode':
      if (digits !== undefined && ![3, 5, 7].includes(digits)) throw bad('functionCode is grouped by 3, 5 or 7 digits');
      return { spec, key: 'functionCode', values: (l) => [prefix(l.function_code, digits)] };
    case 'economicCode':
      if (digits !== undefined && ![3, 5].includes(digits)) throw bad('economicCode is grouped by 3 or 5 digits');
      return { spec, key: 'economicCode', values: (l) => [prefix(l.economic_code, digits)] };
    default:
      throw bad('unknown dimension; use unit, project, functionCode[:3|5|7], economicCode[:3|5], fundingSource, kind, tag or line');
  }
}

export function parseGroupBy(groupBy: string | undefined): Dimension[] {
  if (groupBy === undefined || groupBy.trim() === '') return [];
  const dims = groupBy.split(',').map((s) => parseDimension(s.trim()));
  const keys = new Set(dims.map((d) => d.key));
  if (keys.size !== dims.length) throw new QueryError('INVALID_QUERY', 'groupBy', 'a dimension is named twice');
  return dims;
}

/**
 * The department's 年初预算数 / 调整 / 调剂 / 调整预算数 / 执行数 / 可用余额 / 执行率 for a fiscal
 * year, as of a business date and as known at an instant: for each line of the department-year,
 * its figures at that cut (one look-up of its running totals, plus its late movements: decision
 * 0010), grouped and summed in the database (view-groups.ts), ordered here.
 */
export async function queryView(sql: Sql, query: ViewQuery, now: Date = new Date()): Promise<ViewResult> {
  requireDepartment(query.department);
  const asOf = parseAsOf(query.asOf, now);
  const knownAt = parseKnownAt(query.knownAt, now);
  const fiscalYear = query.fiscalYear === undefined ? Number(asOf.slice(0, 4)) : parseFiscalYear(query.fiscalYear);
  const dims = parseGroupBy(query.groupBy);
  const cut = { department: query.department, fiscalYear, asOf, knownAtSql: knownAt.sql };
  const { groups, total } = await groupSumsAsOf(sql, cut, dims);
  const rows = groups
    .map(({ values, sums }) => ({ key: Object.fromEntries<string | null>(dims.map((d, i) => [d.key, values[i] ?? null])), sums }))
    .sort((a, b) => compareKeys(a.key, b.key, dims))
    .map(({ key, sums }) => ({ key, ...figuresOf(sums) }));
  return {
    department: query.department,
    fiscalYear,
    asOf,
    knownAt: knownAt.iso,
    groupBy: dims.map((d) => d.spec),
    rows,
    total: figuresOf(total),
  };
}

function compareKeys(a: GroupKey, b: GroupKey, dims: Dimension[]): number {
  for (const dim of dims) {
    const x = a[dim.key] ?? null;
    const y = b[dim.key] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
