import { lazy, Suspense } from 'react';
import type { ProgressResult, Quarter } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { money, pct, type Unit } from '../../format';
import { useSettings, type Labels } from '../../i18n';

// ECharts is half the console's code: fetched once there are quarters to plot, so that it delays
// neither the page's first requests nor its first figures.
const ProgressChart = lazy(() => import('../../components/ProgressChart').then((m) => ({ default: m.ProgressChart })));

const restated = (q: Quarter): boolean => q.closed && q.difference !== undefined && q.difference.executed !== '0.00';

/**
 * The quarters' columns. Narrow enough that the table fits a laptop's 1280 px without scrolling:
 * amounts get room for 元 to the fen, percentages for 131.18%.
 */
function quarterColumns(t: Labels, unit: Unit): Column<Quarter>[] {
  const fig = (v: string) => money(v, unit);
  const ratio = { numeric: true, minEm: 6 } as const;
  return [
    { key: 'period', header: t.period, minEm: 5.5, grow: 0, render: (q) => q.period },
    { key: 'date', header: t.date, minEm: 7, grow: 0, render: (q) => q.date },
    { key: 'executed', header: t.executed, numeric: true, render: (q) => fig(q.executed) },
    { key: 'adjusted', header: t.adjusted, numeric: true, render: (q) => fig(q.adjusted) },
    { key: 'progress', header: t.progress, ...ratio, render: (q) => pct(q.progress) },
    { key: 'schedule', header: t.schedule, ...ratio, render: (q) => pct(q.schedule) },
    { key: 'quarterRate', header: t.quarterRate, ...ratio, render: (q) => pct(q.quarterRate) },
    { key: 'quarterScore', header: t.score, numeric: true, minEm: 4.5, grow: 0, render: (q) => q.quarterScore ?? '-' },
    {
      key: 'reportedProgress',
      header: `${t.progress}（${t.reported}）`,
      ...ratio,
      render: (q) => (q.closed ? pct(q.reported?.progress) : ''),
    },
    {
      key: 'reportedRate',
      header: `${t.quarterRate}（${t.reported}）`,
      ...ratio,
      render: (q) => (q.closed ? pct(q.reported?.quarterRate) : ''),
    },
    { key: 'status', header: '', minEm: 15, grow: 2, render: (q) => <QuarterStatus quarter={q} t={t} /> },
  ];
}

function QuarterStatus({ quarter: q, t }: { quarter: Quarter; t: Labels }) {
  if (!q.closed) return <span className="muted">{t.open}</span>;
  if (!restated(q)) return <span className="muted">{t.closed}</span>;
  return (
    <span className="flag restated" title={`${t.reported} ${pct(q.reported?.progress)} → ${t.restated} ${pct(q.restated?.progress)}`}>
      {t.reported} {pct(q.reported?.progress)} → {t.restated} {pct(q.restated?.progress)}
    </span>
  );
}

/** 支出进度 against 序时进度 per quarter, reported and restated, with the chart. */
export function ProgressSection(props: { progress: ProgressResult | undefined; path: string }) {
  const { t, unit } = useSettings();
  const p = props.progress;
  return (
    <section className="card" data-testid="progress-section">
      <h2>
        {t.quarterly}
        {p && (
          <span className="badge">
            {t.totalScore} {p.totalScore ?? '-'} / 6
          </span>
        )}
      </h2>
      <div className="split">
        <DataTable
          testId="progress-table"
          columns={quarterColumns(t, unit)}
          rows={p?.quarters ?? []}
          rowKey={(q) => q.period}
          rowClass={(q) => (restated(q) ? 'restated-row' : undefined)}
          download={{ path: props.path }}
          footer={[t.average, '', '', '', '', '', pct(p?.averageRate), p?.averageScore ?? '-', '', '', '']}
        />
        {p && (
          <Suspense fallback={<div className="chart" />}>
            <ProgressChart quarters={p.quarters} />
          </Suspense>
        )}
      </div>
    </section>
  );
}
