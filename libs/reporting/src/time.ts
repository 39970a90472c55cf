import { isCalendarDate } from '@ledger/domain';
import { QueryError } from './query-error';

/** Business dates are calendar days in Asia/Shanghai (UTC+8, no daylight saving). */
const SHANGHAI_OFFSET = '+08:00';
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const ZONED_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Today's date in Asia/Shanghai. */
export function todayInShanghai(now: Date): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** `asOf`: a calendar day; default today (Asia/Shanghai). */
export function parseAsOf(value: string | undefined, now: Date, field = 'asOf'): string {
  if (value === undefined || value === '') return todayInShanghai(now);
  if (!isCalendarDate(value)) throw new QueryError('INVALID_QUERY', field, `'${value}' is not a calendar date YYYY-MM-DD`);
  return value;
}

/**
 * `knownAt`: an instant. With a zone (`Z`, `+08:00`) as given; without one, Asia/Shanghai wall
 * time; a bare date means the end of that day in Shanghai. Undefined = now, in which case the
 * query does not filter on recorded time at all (so a clock difference between this process and
 * the database can never hide an event that was just appended).
 */
export interface KnownAt {
  /** For the SQL filter: an ISO instant, or 'infinity' for "everything known now". */
  readonly sql: string;
  /** For the answer: the instant, UTC ISO-8601 with milliseconds. */
  readonly iso: string;
}

export function parseKnownAt(value: string | undefined, now: Date, field = 'knownAt'): KnownAt {
  if (value === undefined || value === '') return { sql: 'infinity', iso: now.toISOString() };
  let instant: Date;
  if (isCalendarDate(value)) instant = new Date(`${value}T23:59:59.999${SHANGHAI_OFFSET}`);
  else if (LOCAL_DATE_TIME.test(value)) instant = new Date(`${value.replace(' ', 'T')}${SHANGHAI_OFFSET}`);
  else if (ZONED_DATE_TIME.test(value)) instant = new Date(value.replace(' ', 'T'));
  else throw new QueryError('INVALID_QUERY', field, `'${value}' is not an instant (ISO-8601, e.g. 2021-04-02T10:00:00+08:00)`);
  if (Number.isNaN(instant.getTime())) throw new QueryError('INVALID_QUERY', field, `'${value}' is not a valid instant`);
  const iso = instant.toISOString();
  return { sql: iso, iso };
}

export function parseFiscalYear(value: string | number | undefined, field = 'fiscalYear'): number {
  const text = String(value ?? '');
  if (!/^\d{4}$/.test(text)) throw new QueryError('INVALID_QUERY', field, `'${text}' is not a fiscal year (four digits)`);
  return Number(text);
}

export function requireDepartment(department: string): string {
  if (department.trim() === '') throw new QueryError('INVALID_QUERY', 'department', 'is required');
  return department;
}

/** The parameters every department-year query shares, checked once. */
export function departmentYearParams(
  query: { readonly department: string; readonly fiscalYear: string | number; readonly knownAt?: string },
  now: Date,
): { department: string; fiscalYear: number; knownAt: KnownAt } {
  return {
    department: requireDepartment(query.department),
    fiscalYear: parseFiscalYear(query.fiscalYear),
    knownAt: parseKnownAt(query.knownAt, now),
  };
}
