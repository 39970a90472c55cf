import { useMemo } from 'react';
import {
  viewPath,
  enc,
  query,
  type Catalog,
  type LineRow,
  type ProgressResult,
  type Quarter,
  type RatiosResult,
  type ScorecardResult,
  type ViewResult,
  type WarningsResult,
} from '../api';
import { DataTable, type Column } from '../components/DataTable';
import { ProgressChart } from '../components/ProgressChart';
import { FIRST_LEVELS, ViewExplorer } from '../components/ViewExplorer';
import { money, pct } from '../format';
import { useSettings } from '../i18n';
import { labelOf, type NameContext } from '../names';
import { BASE, Link, setSearch } from '../router';
import { useFetch } from '../useFetch';
import { TimeControls } from '../components/TimeControls';

export function DepartmentYear(props: { department: string; year: number; search: URLSearchParams; version: number }) {
  const { t, unit, lang } = useSettings();
  const { department, year, version } = props;
  const asOf = props.search.get('asOf') ?? `${year}-12-31`;
  const knownAt = props.search.get('knownAt') ?? undefined;
  const d = enc(department);
  const base = `/v1/departments/${d}`;
  // The headline figures are the view's total: the same request as the view table's first level.
  const view = useFetch<ViewResult>(viewPath({ department, year, asOf, knownAt, groupBy: FIRST_LEVELS[0] }), version);
  const progressPath = `${base}/years/${year}/progress${query({ knownAt })}`;
  const progress = useFetch<ProgressResult>(progressPath, version);
  // The cutoffs of every quarter closed so far, for the "as reported at the Qn cutoff" shortcuts.
  const closes = useFetch<ProgressResult>(`${base}/years/${year}/progress`, version);
  const ratiosPath = `${base}/years/${year}/ratios${query({ asOf, knownAt })}`;
  const ratios = useFetch<RatiosResult>(ratiosPath, version);
  const scorecardPath = `${base}/years/${year}/scorecard${query({ knownAt })}`;
  const scorecard = useFetch<ScorecardResult>(scorecardPath, version);
  const warnings = useFetch<WarningsResult>(`${base}/warnings${query({ asOf, knownAt })}`, version);
  const lines = useFetch<{ lines: LineRow[] }>(`${base}/years/${year}/lines`, version);
  const catalog = useFetch<Catalog>('/v1/classification', version);
  const names: NameContext = useMemo(
    () => ({ catalog: catalog.data, lines: new Map((lines.data?.lines ?? []).map((l) => [l.lineId, l])), lang, t }),
    [catalog.data, lines.data, lang, t],
  );
  const total = view.data?.total;
  const fig = (v: string) => money(v, unit);

  const quarterColumns: Column<Quarter>[] = [
    { key: 'period', header: t.period, width: '6.5em', render: (q) => q.period },
    { key: 'date', header: t.date, width: '7em', render: (q) => q.date },
    { key: 'executed', header: t.executed, numeric: true, render: (q) => fig(q.executed) },
    { key: 'adjusted', header: t.adjusted, numeric: true, render: (q) => fig(q.adjusted) },
    { key: 'progress', header: t.progress, numeric: true, render: (q) => pct(q.progress) },
    { key: 'schedule', header: t.schedule, numeric: true, render: (q) => pct(q.schedule) },
    { key: 'quarterRate', header: t.quarterRate, numeric: true, render: (q) => pct(q.quarterRate) },
    { key: 'quarterScore', header: t.score, numeric: true, width: '5em', render: (q) => q.quarterScore ?? '-' },
    {
      key: 'reportedProgress',
      header: `${t.progress}（${t.reported}）`,
      numeric: true,
      render: (q) => (q.closed ? pct(q.reported?.progress) : ''),
    },
    {
      key: 'reportedRate',
      header: `${t.quarterRate}（${t.reported}）`,
      numeric: true,
      render: (q) => (q.closed ? pct(q.reported?.quarterRate) : ''),
    },
    {
      key: 'status',
      header: '',
      width: 'minmax(15em, 2fr)',
      render: (q) =>
        !q.closed ? (
          <span className="muted">{t.open}</span>
        ) : q.difference !== undefined && q.difference.executed !== '0.00' ? (
          <span className="flag restated">
            {t.reported} {pct(q.reported?.progress)} → {t.restated} {pct(q.restated?.progress)}
          </span>
        ) : (
          <span className="muted">{t.closed}</span>
        ),
    },
  ];

  return (
    <main>
      <nav className="crumbs">
        <Link href={`${BASE}/`}>{t.departments}</Link> / <span>{department}</span> / <span>{year}</span>
      </nav>
      <h1>
        {department} · {year}
      </h1>
      <TimeControls asOf={asOf} knownAt={knownAt} year={year} closes={closes.data?.quarters ?? []} onChange={(p) => setSearch(p)} />

      <section className="kpis" data-testid="kpis">
        <Kpi label={t.initial} value={total && fig(total.initial)} testId="kpi-initial" />
        <Kpi label={t.adjusted} value={total && fig(total.adjusted)} testId="kpi-adjusted" />
        <Kpi label={t.executed} value={total && fig(total.executed)} testId="kpi-executed" />
        <Kpi label={t.executionRate} value={total && pct(total.executionRate)} testId="kpi-rate" strong />
        <p className="kpi-note">
          {unit === 'wan' ? t.unitWan : t.unitYuan} · asOf {view.data?.asOf ?? asOf} · knownAt {view.data?.knownAt ?? '…'}
        </p>
      </section>

      <section className="card" data-testid="progress-section">
        <h2>
          {t.quarterly}
          {progress.data && (
            <span className="badge">
              {t.totalScore} {progress.data.totalScore ?? '-'} / 6
            </span>
          )}
        </h2>
        <div className="split">
          <DataTable
            testId="progress-table"
            columns={quarterColumns}
            rows={progress.data?.quarters ?? []}
            rowKey={(q) => q.period}
            rowClass={(q) => (q.closed && q.difference?.executed !== '0.00' ? 'restated-row' : undefined)}
            download={{ path: progressPath }}
            footer={[t.average, '', '', '', '', '', pct(progress.data?.averageRate), progress.data?.averageScore ?? '-', '', '', '']}
          />
          {progress.data && <ProgressChart quarters={progress.data.quarters} />}
        </div>
      </section>

      <div className="two">
        <section className="card" data-testid="ratios-section">
          <h2>{t.ratios}</h2>
          {ratios.data && (
            <>
              <dl className="figures">
                <Fig label={t.initial} value={fig(ratios.data.initial)} />
                <Fig label={t.adjusted} value={fig(ratios.data.adjusted)} />
                <Fig label={t.adjustmentAmount} value={fig(ratios.data.adjustmentAmount)} />
                <Fig label={t.adjustmentRatio} value={pct(ratios.data.adjustmentRatio)} testId="adjustment-ratio" />
                <Fig label={t.transferAmount} value={fig(ratios.data.transferAmount)} />
                <Fig label={t.routineTransferAmount} value={fig(ratios.data.routineTransferAmount)} />
                <Fig label={t.transferRatio} value={pct(ratios.data.transferRatio)} testId="transfer-ratio" />
              </dl>
              <DataTable
                testId="checks-table"
                caption={t.checks}
                columns={[
                  { key: 'rule', header: t.rule, width: 'minmax(14em, 3fr)', render: (c) => c.rule },
                  { key: 'value', header: t.value, numeric: true, render: (c) => pct(c.value) },
                  { key: 'threshold', header: t.threshold, numeric: true, render: (c) => pct(c.threshold) },
                  {
                    key: 'passed',
                    header: '',
                    render: (c) => <span className={c.passed ? 'pass' : 'flag fail'}>{c.passed ? t.passed : t.failed}</span>,
                  },
                  { key: 'points', header: t.points, numeric: true, render: (c) => c.points },
                ]}
                rows={ratios.data.checks}
                rowKey={(c) => c.rule}
                rowClass={(c) => (c.passed ? undefined : 'failed-row')}
                download={{ path: ratiosPath }}
              />
            </>
          )}
        </section>

        <section className="card" data-testid="warnings-section">
          <h2>{t.warnings}</h2>
          {warnings.data && warnings.data.rows.length === 0 && <p className="muted">{t.noWarnings}</p>}
          {warnings.data && warnings.data.rows.length > 0 && (
            <DataTable
              testId="warnings-table"
              columns={[
                {
                  key: 'key',
                  header: t.line,
                  width: 'minmax(12em, 3fr)',
                  render: (r) => (
                    <Link href={`${BASE}/lines/${enc(r.key)}${query({ asOf, knownAt })}`}>{labelOf('line', r.key, names)}</Link>
                  ),
                },
                { key: 'progress', header: t.progress, numeric: true, render: (r) => pct(r.progress) },
                { key: 'expected', header: t.schedule, numeric: true, render: (r) => pct(r.expected) },
                { key: 'lag', header: t.lag, numeric: true, render: (r) => pct(r.lag) },
                { key: 'projectedRate', header: t.projected, numeric: true, render: (r) => pct(r.projectedRate) },
              ]}
              rows={[...warnings.data.rows].sort((a, b) => Number(b.flagged) - Number(a.flagged))}
              rowKey={(r) => r.key}
              rowClass={(r) => (r.flagged ? 'failed-row' : undefined)}
            />
          )}
        </section>
      </div>

      <section className="card" data-testid="scorecard-section">
        <h2>
          {t.scorecard}
          {scorecard.data && (
            <span className="badge">
              {scorecard.data.points} / {scorecard.data.maxPoints}
            </span>
          )}
        </h2>
        {scorecard.data && (
          <>
            <DataTable
              testId="scorecard-table"
              columns={[
                {
                  key: 'name',
                  header: t.item,
                  width: 'minmax(10em, 2fr)',
                  render: (i) => (
                    <span title={i.note}>
                      {i.name}
                      {i.note ? ' *' : ''}
                    </span>
                  ),
                },
                { key: 'value', header: t.value, numeric: true, render: (i) => pct(i.value) },
                { key: 'band', header: t.band, width: 'minmax(12em, 3fr)', render: (i) => i.band ?? '' },
                { key: 'points', header: t.points, numeric: true, render: (i) => i.points ?? '-' },
                { key: 'maxPoints', header: t.maxPoints, numeric: true, render: (i) => i.maxPoints },
              ]}
              rows={scorecard.data.items}
              rowKey={(i) => i.item}
              rowClass={(i) => (i.points !== null && i.points === '0.00' ? 'failed-row' : undefined)}
              download={{ path: scorecardPath }}
            />
            <DataTable
              testId="projects-table"
              caption={t.projects}
              columns={[
                { key: 'project', header: t.project, width: 'minmax(10em, 2fr)', render: (p) => p.project },
                { key: 'initial', header: t.initial, numeric: true, render: (p) => fig(p.initial) },
                { key: 'adjusted', header: t.adjusted, numeric: true, render: (p) => fig(p.adjusted) },
                { key: 'executed', header: t.executed, numeric: true, render: (p) => fig(p.executed) },
                { key: 'executionRate', header: t.rate, numeric: true, render: (p) => pct(p.executionRate) },
                { key: 'points', header: t.points, numeric: true, render: (p) => p.points ?? '-' },
              ]}
              rows={scorecard.data.projects}
              rowKey={(p) => p.project}
            />
          </>
        )}
      </section>

      <ViewExplorer department={department} year={year} asOf={asOf} knownAt={knownAt} names={names} version={version} />
      {[view, progress, ratios, scorecard].some((r) => r.error) && (
        <p className="error">{[view, progress, ratios, scorecard].find((r) => r.error)?.error?.message}</p>
      )}
    </main>
  );
}

function Kpi(props: { label: string; value: string | undefined; testId: string; strong?: boolean }) {
  return (
    <div className={props.strong ? 'kpi strong' : 'kpi'} data-testid={props.testId}>
      <div className="kpi-label">{props.label}</div>
      <div className="kpi-value">{props.value ?? '…'}</div>
    </div>
  );
}

function Fig(props: { label: string; value: string; testId?: string }) {
  return (
    <div data-testid={props.testId}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}
