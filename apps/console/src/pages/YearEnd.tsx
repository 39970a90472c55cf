import { enc, query, type NextYearLine, type YearEndLine, type YearEndResult } from '../api';
import { DataTable } from '../components/DataTable';
import { dateTime, money } from '../format';
import { useSettings } from '../i18n';
import { BASE, Link } from '../router';
import { useFetch } from '../useFetch';
import { Kpi } from './department-year/Kpis';

export const yearEndPath = (department: string, year: number, knownAt?: string): string =>
  `/v1/departments/${enc(department)}/years/${year}/year-end${query({ knownAt })}`;

const lineHref = (lineId: string, knownAt?: string) => `${BASE}/lines/${enc(lineId)}${query({ knownAt })}`;

/** The line column of both tables: its id and name, linking to its history as known at the page's instant. */
const lineColumn = (header: string, knownAt?: string) => ({
  key: 'line',
  header,
  minEm: 14,
  grow: 3,
  render: (l: { lineId: string; name: string | null }) => <Link href={lineHref(l.lineId, knownAt)}>{`${l.lineId} ${l.name ?? ''}`}</Link>,
});

/**
 * The year end of a department-year (decision 0014): per line what was carried forward (结转, project
 * lines) and what lapsed (结余, basic lines), the totals, and the next year's opening figures. While
 * the year is open, the same figures say what closing it now would do. One request, one report.
 */
export function YearEnd(props: { department: string; year: number; search: URLSearchParams; version: number }) {
  const { t, unit } = useSettings();
  const { department, year } = props;
  const knownAt = props.search.get('knownAt') ?? undefined;
  const path = yearEndPath(department, year, knownAt);
  const report = useFetch<YearEndResult>(path, props.version);
  const r = report.data;
  const fig = (v: string) => money(v, unit);
  const yearHref = (y: number) => `${BASE}/departments/${enc(department)}/years/${y}${query({ knownAt })}`;
  return (
    <main>
      <nav className="crumbs">
        <Link href={`${BASE}/`}>{t.departments}</Link> / <Link href={yearHref(year)}>{`${department} · ${year}`}</Link> /{' '}
        <span>{t.yearEnd}</span>
      </nav>
      <h1>
        {department} · {year} · {t.yearEndTitle}
      </h1>
      {report.error && <p className="error">{report.error.message}</p>}
      {r === undefined && !report.error && <p className="muted">{t.loading}</p>}
      {r && (
        <>
          <p className={r.closed ? 'status closed' : 'status open'} data-testid="year-end-status">
            {r.closed ? (
              <>
                {t.yearClosed} · {r.yearClosedEventId} · {r.closedAt ? dateTime(r.closedAt) : ''}
              </>
            ) : (
              t.ifClosedNow
            )}
          </p>
          <section className="kpis" data-testid="year-end-kpis">
            <Kpi label={t.adjusted} value={fig(r.totals.adjusted)} testId="ye-adjusted" />
            <Kpi label={t.executed} value={fig(r.totals.executed)} testId="ye-executed" />
            <Kpi label={t.committed} value={fig(r.totals.committed)} testId="ye-committed" />
            <Kpi label={t.available} value={fig(r.totals.available)} testId="ye-available" />
            <Kpi label={t.carriedForward} value={fig(r.totals.carriedForward)} testId="ye-carried-forward" strong />
            <Kpi label={t.lapsed} value={fig(r.totals.lapsed)} testId="ye-lapsed" strong />
            <p className="kpi-note">
              {unit === 'wan' ? t.unitWan : t.unitYuan} · knownAt {r.knownAt}
            </p>
          </section>
          <section className="card">
            <h2>{t.yearEndTitle}</h2>
            <YearEndLines report={r} path={path} knownAt={knownAt} />
          </section>
          <section className="card" data-testid="next-year-section">
            <h2>
              {t.nextYear} · <Link href={yearHref(r.nextYear.fiscalYear)}>{`${department} · ${r.nextYear.fiscalYear}`}</Link>
            </h2>
            <NextYearLines report={r} knownAt={knownAt} />
            {unit === 'wan' && <p className="footnote">{t.footnoteWan}</p>}
          </section>
        </>
      )}
    </main>
  );
}

function YearEndLines(props: { report: YearEndResult; path: string; knownAt?: string }) {
  const { t, unit } = useSettings();
  const fig = (v: string) => money(v, unit);
  const { totals } = props.report;
  return (
    <DataTable<YearEndLine>
      testId="year-end-table"
      columns={[
        lineColumn(t.line, props.knownAt),
        { key: 'kind', header: t.kind, minEm: 5.5, grow: 0, render: (l) => t.kinds[l.kind] ?? l.kind },
        { key: 'adjusted', header: t.adjusted, numeric: true, render: (l) => fig(l.adjusted) },
        { key: 'executed', header: t.executed, numeric: true, render: (l) => fig(l.executed) },
        { key: 'committed', header: t.committed, numeric: true, render: (l) => fig(l.committed) },
        { key: 'available', header: t.available, numeric: true, render: (l) => fig(l.available) },
        { key: 'carriedForward', header: t.carriedForward, numeric: true, render: (l) => fig(l.carriedForward) },
        { key: 'lapsed', header: t.lapsed, numeric: true, render: (l) => fig(l.lapsed) },
        {
          key: 'toLine',
          header: t.toLine,
          minEm: 11,
          grow: 2,
          render: (l) => (l.toLineId === null ? '' : <Link href={lineHref(l.toLineId, props.knownAt)}>{l.toLineId}</Link>),
        },
      ]}
      rows={props.report.lines}
      rowKey={(l) => l.lineId}
      footer={[
        t.total,
        '',
        fig(totals.adjusted),
        fig(totals.executed),
        fig(totals.committed),
        fig(totals.available),
        fig(totals.carriedForward),
        fig(totals.lapsed),
        '',
      ]}
      download={{ path: props.path }}
    />
  );
}

function NextYearLines(props: { report: YearEndResult; knownAt?: string }) {
  const { t, unit } = useSettings();
  const fig = (v: string) => money(v, unit);
  const { nextYear } = props.report;
  if (nextYear.lines.length === 0) return <p className="muted">{t.none}</p>;
  return (
    <DataTable<NextYearLine>
      testId="next-year-table"
      columns={[
        lineColumn(t.line, props.knownAt),
        { key: 'fromLines', header: t.fromLines, minEm: 11, grow: 2, render: (l) => l.fromLineIds.join('、') },
        { key: 'initial', header: t.initial, numeric: true, render: (l) => fig(l.initial) },
        { key: 'broughtForward', header: t.broughtForward, numeric: true, render: (l) => fig(l.broughtForward) },
        { key: 'adjusted', header: t.adjusted, numeric: true, render: (l) => fig(l.adjusted) },
      ]}
      rows={nextYear.lines}
      rowKey={(l) => l.lineId}
      footer={[t.total, '', fig(nextYear.totals.initial), fig(nextYear.totals.broughtForward), fig(nextYear.totals.adjusted)]}
    />
  );
}
