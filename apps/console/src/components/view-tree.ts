import { useMemo } from 'react';
import { viewPath, type Figures, type ViewResult } from '../api';
import { dimOf } from '../names';
import { useFetch, type Loaded } from '../useFetch';

/** The levels the table opens with: 类 → 款 → 项. The headline figures share the first one's request. */
export const FIRST_LEVELS = ['functionCode:3', 'functionCode:5', 'functionCode:7'];

/**
 * The groupBy of a level: every level above it and itself, a deeper code of the same dimension
 * taking the place of a shallower one (类 → 款 → 项 is functionCode:3, then :5, then :7).
 */
export function levelGroupBy(levels: string[], depth: number): string {
  const specs: string[] = [];
  for (const spec of levels.slice(0, depth + 1)) {
    const at = specs.findIndex((s) => dimOf(s) === dimOf(spec));
    if (at >= 0) specs[at] = spec;
    else specs.push(spec);
  }
  return specs.join(',');
}

/** A group's value at a shallower level: a code's prefix, other dimensions as they are. */
function valueAt(spec: string, key: Record<string, string | null>): string | null {
  const value = key[dimOf(spec)] ?? null;
  const digits = spec.includes(':') ? Number(spec.split(':')[1]) : undefined;
  if (value === null || digits === undefined) return value;
  return value.length >= digits ? value.slice(0, digits) : null;
}

/** A row's id, its values from the top level down: '201/20113' (also its data-row in the DOM). */
const rowId = (path: (string | null)[]): string => path.map((v) => v ?? '∅').join('/');

export interface TreeRow extends Figures {
  id: string;
  depth: number;
  spec: string;
  value: string | null;
  hasChildren: boolean;
}

export interface ViewTree {
  rows: TreeRow[];
  levels: Loaded<ViewResult>[];
  /** The deepest level's request: what the download buttons export. */
  deepestPath: string;
}

/**
 * The rows of the drill-down table: each level grouped by the server (groupBy), the browser only
 * nests the rows it summed. A deeper level is asked for once a row above it is opened, so the first
 * screen costs one request, whatever the number of lines.
 */
export function useViewTree(
  p: { department: string; year: number; asOf: string; knownAt?: string; version: number },
  levels: string[],
  expanded: Set<string>,
): ViewTree {
  const paths = levels.map((_, depth) => viewPath({ ...p, groupBy: levelGroupBy(levels, depth) }));
  const opened = (depth: number) => depth === 0 || [...expanded].some((id) => id.split('/').length === depth);
  const l0 = useFetch<ViewResult>(paths[0] ?? null, p.version);
  const l1 = useFetch<ViewResult>(opened(1) ? (paths[1] ?? null) : null, p.version);
  const l2 = useFetch<ViewResult>(opened(2) ? (paths[2] ?? null) : null, p.version);
  const results = [l0, l1, l2].slice(0, levels.length);
  const rows = useMemo(
    () => nest([l0.data, l1.data, l2.data].slice(0, levels.length), levels, expanded),
    [l0.data, l1.data, l2.data, levels, expanded],
  );
  return { rows, levels: results, deepestPath: paths[paths.length - 1] ?? '' };
}

/** The rows in table order: each row, then (when opened) its children. */
function nest(results: (ViewResult | undefined)[], levels: string[], expanded: Set<string>): TreeRow[] {
  const byParent = new Map<string, TreeRow[]>();
  results.forEach((result, depth) => {
    for (const r of result?.rows ?? []) {
      const path = levels.slice(0, depth + 1).map((spec) => valueAt(spec, r.key));
      const row: TreeRow = {
        ...r,
        id: rowId(path),
        depth,
        spec: levels[depth] as string,
        value: path[depth] ?? null,
        hasChildren: depth < levels.length - 1,
      };
      const parent = rowId(path.slice(0, depth));
      const siblings = byParent.get(parent);
      if (siblings === undefined) byParent.set(parent, [row]);
      else siblings.push(row);
    }
  });
  const out: TreeRow[] = [];
  const walk = (parent: string) => {
    for (const row of byParent.get(parent) ?? []) {
      out.push(row);
      if (expanded.has(row.id)) walk(row.id);
    }
  };
  walk(rowId([]));
  return out;
}
