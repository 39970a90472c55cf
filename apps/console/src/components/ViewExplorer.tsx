import { useEffect, useState } from 'react';
import { enc, query } from '../api';
import { money, pct, type Unit } from '../format';
import { useSettings, type Labels } from '../i18n';
import { dimOf, labelOf, type NameContext } from '../names';
import { BASE, Link } from '../router';
import { DataTable, type Column } from './DataTable';
import { FIRST_LEVELS, useViewTree, type TreeRow } from './view-tree';

export { FIRST_LEVELS, levelGroupBy } from './view-tree';

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

interface ExplorerProps {
  department: string;
  year: number;
  asOf: string;
  knownAt?: string;
  names: NameContext;
  version: number;
  /** Told whether a level groups by line, so that the page fetches the lines' names then only. */
  onShowsLines?: (shows: boolean) => void;
}

/** The view table: drill down 类 → 款 → 项, or by any dimension, with names beside codes. */
export function ViewExplorer(props: ExplorerProps) {
  const { t, unit } = useSettings();
  const [levels, setLevels] = useState<string[]>(FIRST_LEVELS);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const tree = useViewTree(props, levels, expanded);
  const { onShowsLines } = props;
  const showsLines = levels.includes('line');
  useEffect(() => onShowsLines?.(showsLines), [onShowsLines, showsLines]);
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
  const total = tree.levels[0]?.data?.total;
  const fig = (v: string) => money(v, unit);
  const error = tree.levels.find((r) => r.error)?.error;
  return (
    <section className="card" data-testid="view-section">
      <h2>{t.view}</h2>
      <LevelPickers levels={levels} onChange={setLevel} />
      {error && <p className="error">{error.message}</p>}
      <DataTable
        testId="view-table"
        columns={viewColumns({ t, unit, levels, expanded, toggle, ...props })}
        rows={tree.rows}
        rowKey={(r) => r.id}
        rowClass={(r) => `depth-${r.depth}`}
        download={{ path: tree.deepestPath }}
        footer={
          total && [
            t.total,
            ...[
              total.initial,
              total.adjustments,
              total.transfersIn,
              total.transfersOut,
              total.adjusted,
              total.executed,
              total.committed ?? '0.00',
              total.available,
            ].map(fig),
            pct(total.executionRate),
          ]
        }
      />
      {unit === 'wan' && <p className="footnote">{t.footnoteWan}</p>}
      {levels.includes('tag') && <p className="footnote">{t.footnoteTags}</p>}
    </section>
  );
}

function LevelPickers(props: { levels: string[]; onChange: (level: number, spec: string) => void }) {
  const { t } = useSettings();
  return (
    <div className="controls">
      {[0, 1, 2].map((i) => (
        <label key={i}>
          {i === 0 ? t.groupBy : t.then}{' '}
          <select
            value={props.levels[i] ?? ''}
            onChange={(e) => props.onChange(i, e.target.value)}
            data-testid={`level-${i}`}
            disabled={i > props.levels.length}
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
  );
}

function viewColumns(p: {
  t: Labels;
  unit: Unit;
  levels: string[];
  expanded: Set<string>;
  toggle: (id: string) => void;
  asOf: string;
  knownAt?: string;
  names: NameContext;
}): Column<TreeRow>[] {
  const { t } = p;
  const fig = (v: string) => money(v, p.unit);
  return [
    {
      key: 'key',
      header: p.levels.map((l) => t.dims[l] ?? l).join(' → '),
      minEm: 16,
      grow: 3,
      render: (r) => <TreeLabel row={r} {...p} />,
    },
    { key: 'initial', header: t.initial, numeric: true, render: (r) => fig(r.initial) },
    { key: 'adjustments', header: t.adjustments, numeric: true, render: (r) => fig(r.adjustments) },
    { key: 'transfersIn', header: t.transfersIn, numeric: true, render: (r) => fig(r.transfersIn) },
    { key: 'transfersOut', header: t.transfersOut, numeric: true, render: (r) => fig(r.transfersOut) },
    { key: 'adjusted', header: t.adjusted, numeric: true, render: (r) => fig(r.adjusted) },
    { key: 'executed', header: t.executed, numeric: true, render: (r) => fig(r.executed) },
    { key: 'committed', header: t.committed, numeric: true, render: (r) => fig(r.committed ?? '0.00') },
    { key: 'available', header: t.available, numeric: true, render: (r) => fig(r.available) },
    { key: 'executionRate', header: t.rate, numeric: true, minEm: 6, render: (r) => pct(r.executionRate) },
  ];
}

/** A row's label, indented by depth, with its toggle; a line is a link to its history. */
function TreeLabel(props: {
  row: TreeRow;
  expanded: Set<string>;
  toggle: (id: string) => void;
  asOf: string;
  knownAt?: string;
  names: NameContext;
}) {
  const r = props.row;
  const label = labelOf(r.spec, r.value, props.names);
  return (
    <span className="tree-label" style={{ paddingLeft: `${r.depth * 1.4}em` }}>
      {r.hasChildren ? (
        <button className="toggle" onClick={() => props.toggle(r.id)} aria-label="expand" data-testid={`expand-${r.value ?? 'none'}`}>
          {props.expanded.has(r.id) ? '▾' : '▸'}
        </button>
      ) : (
        <span className="toggle" />
      )}
      {dimOf(r.spec) === 'line' && r.value !== null ? (
        <Link href={`${BASE}/lines/${enc(r.value)}${query({ asOf: props.asOf, knownAt: props.knownAt })}`}>{label}</Link>
      ) : (
        label
      )}
    </span>
  );
}
