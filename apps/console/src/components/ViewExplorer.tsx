import { useMemo, useState } from 'react';
import { enc, query, viewPath, type Figures, type ViewResult } from '../api';
import { money, pct } from '../format';
import { useSettings } from '../i18n';
import { dimOf, labelOf, type NameContext } from '../names';
import { Link, BASE } from '../router';
import { useFetch } from '../useFetch';
import { DataTable, type Column } from './DataTable';

export const DIMENSIONS = [
  'functionCode:3',
  'functionCode:5',
  'functionCode:7',
  'economicCode:3',
  'economicCode:5',
  'unit',
  'project',
  'fundingSource',
  'kind',
  'tag',
  'line',
];

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

interface TreeRow extends Figures {
  id: string;
  depth: number;
  spec: string;
  value: string | null;
  hasChildren: boolean;
}

/** Server-side grouping at each level; the browser only nests the rows the server summed. */
/** The first level the table opens with: the headline figures share its request. */
export const FIRST_LEVELS = ['functionCode:3', 'functionCode:5', 'functionCode:7'];

export function ViewExplorer(props: {
  department: string;
  year: number;
  asOf: string;
  knownAt?: string;
  names: NameContext;
  version: number;
}) {
  const { t, unit } = useSettings();
  const [levels, setLevels] = useState<string[]>(FIRST_LEVELS);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const paths = levels.map((_, depth) =>
    viewPath({
      department: props.department,
      year: props.year,
      asOf: props.asOf,
      knownAt: props.knownAt,
      groupBy: levelGroupBy(levels, depth),
    }),
  );
  // A deeper level is fetched once a row above it is opened: the first screen costs one query.
  const needed = (depth: number) => depth === 0 || [...expanded].some((id) => id.split('/').length === depth);
  const l0 = useFetch<ViewResult>(paths[0] ?? null, props.version);
  const l1 = useFetch<ViewResult>(needed(1) ? (paths[1] ?? null) : null, props.version);
  const l2 = useFetch<ViewResult>(needed(2) ? (paths[2] ?? null) : null, props.version);
  const results = [l0, l1, l2].slice(0, levels.length);

  const rows = useMemo(() => {
    const byParent = new Map<string, TreeRow[]>();
    results.forEach((result, depth) => {
      for (const r of result.data?.rows ?? []) {
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
        byParent.set(parent, [...(byParent.get(parent) ?? []), row]);
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
  }, [l0.data, l1.data, l2.data, expanded, levels]);

  const toggle = (id: string) => {
    const next = new Set(expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setExpanded(next);
  };
  // Choosing a level keeps the levels above it and drops those below: the user drills on from there.
  const setLevel = (i: number, spec: string) => {
    const next = levels.slice(0, i).filter((s) => s !== spec);
    if (spec !== '') next.push(spec);
    setLevels(next.length === 0 ? levels.slice(0, 1) : next);
    setExpanded(new Set());
  };

  const fig = (v: string) => money(v, unit);
  const columns: Column<TreeRow>[] = [
    {
      key: 'key',
      header: levels.map((l) => t.dims[l] ?? l).join(' → '),
      width: 'minmax(16em, 3fr)',
      render: (r) => (
        <span className="tree-label" style={{ paddingLeft: `${r.depth * 1.4}em` }}>
          {r.hasChildren ? (
            <button className="toggle" onClick={() => toggle(r.id)} aria-label="expand" data-testid={`expand-${r.value ?? 'none'}`}>
              {expanded.has(r.id) ? '▾' : '▸'}
            </button>
          ) : (
            <span className="toggle" />
          )}
          {dimOf(r.spec) === 'line' && r.value !== null ? (
            <Link href={`${BASE}/lines/${enc(r.value)}${query({ asOf: props.asOf, knownAt: props.knownAt })}`}>
              {labelOf(r.spec, r.value, props.names)}
            </Link>
          ) : (
            labelOf(r.spec, r.value, props.names)
          )}
        </span>
      ),
    },
    { key: 'initial', header: t.initial, numeric: true, render: (r) => fig(r.initial) },
    { key: 'adjustments', header: t.adjustments, numeric: true, render: (r) => fig(r.adjustments) },
    { key: 'transfersIn', header: t.transfersIn, numeric: true, render: (r) => fig(r.transfersIn) },
    { key: 'transfersOut', header: t.transfersOut, numeric: true, render: (r) => fig(r.transfersOut) },
    { key: 'adjusted', header: t.adjusted, numeric: true, render: (r) => fig(r.adjusted) },
    { key: 'executed', header: t.executed, numeric: true, render: (r) => fig(r.executed) },
    { key: 'available', header: t.available, numeric: true, render: (r) => fig(r.available) },
    { key: 'executionRate', header: t.rate, numeric: true, render: (r) => pct(r.executionRate) },
  ];
  const total = l0.data?.total;
  return (
    <section className="card" data-testid="view-section">
      <h2>{t.view}</h2>
      <div className="controls">
        {[0, 1, 2].map((i) => (
          <label key={i}>
            {i === 0 ? t.groupBy : t.then}{' '}
            <select
              value={levels[i] ?? ''}
              onChange={(e) => setLevel(i, e.target.value)}
              data-testid={`level-${i}`}
              disabled={i > levels.length}
            >
              {i > 0 && <option value="">—</option>}
              {DIMENSIONS.map((d) => (
                <option key={d} value={d}>
                  {t.dims[d] ?? d}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      {results.some((r) => r.error) && <p className="error">{results.find((r) => r.error)?.error?.message}</p>}
      <DataTable
        testId="view-table"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        rowClass={(r) => `depth-${r.depth}`}
        download={{ path: paths[paths.length - 1] ?? '' }}
        footer={
          total === undefined
            ? undefined
            : [
                t.total,
                fig(total.initial),
                fig(total.adjustments),
                fig(total.transfersIn),
                fig(total.transfersOut),
                fig(total.adjusted),
                fig(total.executed),
                fig(total.available),
                pct(total.executionRate),
              ]
        }
      />
      {unit === 'wan' && <p className="footnote">{t.footnoteWan}</p>}
      {levels.includes('tag') && <p className="footnote">{t.footnoteTags}</p>}
    </section>
  );
}
