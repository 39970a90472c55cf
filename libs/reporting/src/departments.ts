import type { Sql } from '@ledger/event-store';
import { QueryError } from './query-error';

/** Names listed at most in the message of an unknown department. */
const MAX_NAMES_LISTED = 10;

/**
 * Refuses a department that has no budget line in any year (DEPARTMENT_NOT_FOUND, 404 / exit 2):
 * a typo must not answer a table of zeros as if the department had spent nothing. A department
 * with lines answers its zeros for a date or year without data. The message offers the nearest
 * known names, or else some of the known ones.
 */
export async function requireKnownDepartment(db: Sql, department: string): Promise<void> {
  requireIdentifierParam('department', department);
  const found = await db.query('SELECT 1 FROM ledger_lines WHERE department = $1 LIMIT 1', [department], { prepare: true });
  if (found.length > 0) return;
  const known = (await db.query<{ department: string }>('SELECT DISTINCT department FROM ledger_lines ORDER BY department')).map(
    (row) => row.department,
  );
  throw new QueryError('DEPARTMENT_NOT_FOUND', 'department', unknownDepartmentReason(department, known));
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds.
const NOT_IN_IDENTIFIERS = /[\u0000-\u001f\u007f-\u009f]|\p{Cf}|\p{Surrogate}/u;

/**
 * Refuses (INVALID_QUERY, 400) a query parameter naming a department or line that no event could
 * have stored: control characters (U+0000 from a %00 in a path, which the database cannot even
 * compare), invisible format characters, lone surrogates.
 */
export function requireIdentifierParam(field: string, value: string): void {
  const found = NOT_IN_IDENTIFIERS.exec(value)?.[0];
  if (found === undefined) return;
  const code = `U+${(found.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  throw new QueryError('INVALID_QUERY', field, `must not contain ${code} (a control, format or unpaired surrogate character)`);
}

export function unknownDepartmentReason(department: string, known: readonly string[]): string {
  const subject = `no such department '${department}'`;
  if (known.length === 0) return `${subject} (the ledger has no budget lines yet)`;
  const nearest = nearestNames(department, known);
  if (nearest.length > 0) return `${subject} (nearest: ${nearest.join(', ')})`;
  const listed = known.slice(0, MAX_NAMES_LISTED).join(', ');
  return `${subject} (known: ${listed}${known.length > MAX_NAMES_LISTED ? `, … ${known.length - MAX_NAMES_LISTED} more` : ''})`;
}

/** Known names within a small edit distance of the one given, or containing it, or contained in it. */
function nearestNames(name: string, known: readonly string[]): string[] {
  const given = [...name];
  const limit = Math.max(1, Math.floor(given.length / 3));
  return known
    .map((candidate) => ({ candidate, distance: editDistance(given, [...candidate]) }))
    .filter(({ candidate, distance }) => distance <= limit || (name.length > 0 && (candidate.includes(name) || name.includes(candidate))))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, MAX_NAMES_LISTED)
    .map(({ candidate }) => candidate);
}

/** Levenshtein distance over code points (Chinese names are one code point a character). */
function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
