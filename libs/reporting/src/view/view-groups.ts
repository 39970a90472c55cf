import type { Sql } from '@ledger/event-store';
import { LINES_AS_OF_SQL, linesAsOfParams, type AsOfCut } from '../as-of';
import type { Sums } from '../figures';

/** A groupBy dimension as the view parses it: its key and, for codes, the digits kept. */
export interface GroupDimension {
  readonly key: string;
  readonly spec: string;
}

export interface GroupSums {
  /** The group's value of each dimension, in groupBy's order (null: lines without one). */
  readonly values: (string | null)[];
  readonly sums: Sums;
}

const COLUMNS: Record<string, string> = {
  unit: 'x.unit',
  project: 'x.project',
  fundingSource: 'x.funding_source',
  kind: 'x.kind',
  line: 'x.line_id',
  functionCode: 'x.function_code',
  economicCode: 'x.economic_code',
  // A line with several tags counts once under each; a line without one, under none (null).
  tag: 'tg.tag',
};

/** A dimension's value of a line, in SQL: a code's first digits when the code has that many, as view.ts's prefix(). */
function valueSql(dim: GroupDimension): string {
  const column = COLUMNS[dim.key];
  if (column === undefined) throw new Error(`view-groups: no column for '${dim.key}'`);
  const digits = dim.spec.split(':')[1];
  return digits === undefined ? column : `CASE WHEN length(${column}) >= ${Number(digits)} THEN left(${column}, ${Number(digits)}) END`;
}

const SUMS = `count(*)::bigint AS lines, sum(x."initialFen")::bigint AS "initialFen", sum(x."adjustmentsFen")::bigint AS "adjustmentsFen",
  sum(x."transfersInFen")::bigint AS "transfersInFen", sum(x."transfersOutFen")::bigint AS "transfersOutFen",
  sum(x."executedFen")::bigint AS "executedFen", sum(x."committedFen")::bigint AS "committedFen",
  sum(x."broughtForwardFen")::bigint AS "broughtForwardFen", sum(x."carriedForwardFen")::bigint AS "carriedForwardFen"`;

/**
 * The view's groups and total, summed in the database: the lines' figures at the cut (linesAsOf)
 * never cross into JavaScript, which for 10,000 lines cost more than finding them (0.5–0.9 s of a
 * 0.6–1 s view on an embedded store). The total is summed over the lines, not the groups, so that
 * a line under several tags counts once in it.
 */
export async function groupSumsAsOf(
  sql: Sql,
  cut: AsOfCut,
  dims: readonly GroupDimension[],
): Promise<{ groups: GroupSums[]; total: Sums }> {
  const values = dims.map((d, i) => `${valueSql(d)} AS k${i}`);
  const nulls = dims.map((_, i) => `NULL::text AS k${i}`);
  const tags = dims.some((d) => d.key === 'tag')
    ? `CROSS JOIN LATERAL unnest(CASE WHEN cardinality(x.tags) = 0 THEN ARRAY[NULL]::text[] ELSE x.tags END) AS tg(tag)`
    : '';
  const grouped =
    dims.length === 0
      ? ''
      : `UNION ALL SELECT false AS total, ${values.join(', ')}, ${SUMS} FROM x ${tags} GROUP BY ${dims.map((_, i) => `k${i}`).join(', ')}`;
  const rows = await sql.query<Record<string, unknown> & Sums & { total: boolean; lines: bigint | string | number }>(
    `WITH x AS MATERIALIZED (${LINES_AS_OF_SQL})
     SELECT true AS total, ${[...nulls, SUMS].join(', ')} FROM x
     ${grouped}`,
    linesAsOfParams(cut, { openedOnly: true }),
  );
  const sumsOf = (r: Sums): Sums => ({
    initialFen: BigInt(r.initialFen ?? 0),
    adjustmentsFen: BigInt(r.adjustmentsFen ?? 0),
    transfersInFen: BigInt(r.transfersInFen ?? 0),
    transfersOutFen: BigInt(r.transfersOutFen ?? 0),
    executedFen: BigInt(r.executedFen ?? 0),
    committedFen: BigInt(r.committedFen ?? 0),
    broughtForwardFen: BigInt(r.broughtForwardFen ?? 0),
    carriedForwardFen: BigInt(r.carriedForwardFen ?? 0),
  });
  const totalRow = rows.find((r) => r.total);
  const total = totalRow === undefined ? sumsOf({} as Sums) : sumsOf(totalRow);
  // No groupBy: one group of every line, the total (none while the department-year has no line).
  if (dims.length === 0) return { groups: BigInt(totalRow?.lines ?? 0) > 0n ? [{ values: [], sums: total }] : [], total };
  const groups = rows.filter((r) => !r.total);
  return { groups: groups.map((r) => ({ values: dims.map((_, i) => (r[`k${i}`] ?? null) as string | null), sums: sumsOf(r) })), total };
}
