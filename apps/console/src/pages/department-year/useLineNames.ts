import { useMemo } from 'react';
import { enc, type LineRow } from '../../api';
import { useFetch } from '../../useFetch';

const NO_LINES = new Map<string, LineRow>();

/**
 * The names of a department-year's lines, for the rows that show lines (the view by line, the
 * warnings). Every line of the department-year comes at once (2 MB for 10,000 lines), so only once
 * a table shows lines.
 */
export function useLineNames(department: string, year: number, wanted: boolean, version: number): Map<string, LineRow> {
  const lines = useFetch<{ lines: LineRow[] }>(wanted ? `/v1/departments/${enc(department)}/years/${year}/lines` : null, version);
  const list = lines.data?.lines;
  return useMemo(() => (list === undefined ? NO_LINES : new Map(list.map((l) => [l.lineId, l]))), [list]);
}
