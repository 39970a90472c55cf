import { enc, query, type TraceResult } from '../api';
import { DataTable } from '../components/DataTable';
import { isZero, money } from '../format';
import { useSettings } from '../i18n';
import { BASE, Link } from '../router';
import { Kpi } from './department-year/Kpis';
import { LineCommitments } from './line/LineCommitments';
import { LinePlan } from './line/LinePlan';
import { isDerived, traceColumns } from './line/traceColumns';
import { useLineTrace } from './line/useLineTrace';

/** How a line's figures came to be: every event, its change and the running totals. */
export function Line(props: { lineId: string; search: URLSearchParams; version: number }) {
  const { t, unit } = useSettings();
  const asOf = props.search.get('asOf') ?? undefined;
  const knownAt = props.search.get('knownAt') ?? undefined;
  const line = useLineTrace(props.lineId, asOf, knownAt, props.version);
  const { trace, entries, restates } = line;
  return (
    <main>
      <nav className="crumbs">
        <Link href={`${BASE}/`}>{t.departments}</Link>
        {line.department && line.year && (
          <>
            {' / '}
            <Link href={`${BASE}/departments/${enc(line.department)}/years/${line.year}${query({ asOf, knownAt })}`}>
              {line.department} · {line.year}
            </Link>
          </>
        )}
        {' / '}
        <span>{props.lineId}</span>
      </nav>
      <h1>
        {t.history}: {props.lineId} {line.name}
      </h1>
      {trace.data && <LineTotals trace={trace.data} />}
      {trace.error && <p className="error">{trace.error.message}</p>}
      {trace.data && (trace.data.plans ?? []).length > 0 && (
        <LinePlan plans={trace.data.plans ?? []} entries={entries} complete={line.loadMore === undefined} asOf={trace.data.asOf} />
      )}
      {trace.data && (trace.data.commitments ?? []).length > 0 && <LineCommitments commitments={trace.data.commitments ?? []} />}
      <section className="card">
        <DataTable
          testId="trace-table"
          columns={traceColumns(t, unit, entries, restates)}
          maxBodyHeightPx={640}
          rows={entries}
          rowKey={(e) => e.position}
          rowClass={(e) => (e.correction || restates(e) ? 'restated-row' : isDerived(e) ? 'derived-row' : undefined)}
          download={{ path: `/v1/lines/${enc(props.lineId)}/trace${query({ asOf, knownAt })}` }}
        />
        {line.loadMore && (
          <button className="more" onClick={line.loadMore} data-testid="trace-more">
            {t.more}
          </button>
        )}
        {unit === 'wan' && <p className="footnote">{t.footnoteWan}</p>}
      </section>
    </main>
  );
}

function LineTotals({ trace }: { trace: TraceResult }) {
  const { t, unit } = useSettings();
  const fig = (v: string) => money(v, unit);
  return (
    <section className="kpis" data-testid="line-totals">
      <Kpi label={t.initial} value={fig(trace.totals.initial)} />
      {!isZero(trace.totals.broughtForward) && <Kpi label={t.broughtForward} value={fig(trace.totals.broughtForward ?? '0')} />}
      <Kpi label={t.adjusted} value={fig(trace.totals.adjusted)} />
      <Kpi label={t.executed} value={fig(trace.totals.executed)} />
      <Kpi label={t.committed} value={fig(trace.totals.committed ?? '0.00')} testId="line-committed" />
      <Kpi label={t.available} value={fig(trace.totals.available)} testId="line-available" />
      {!isZero(trace.totals.carriedForward) && (
        <Kpi label={t.carriedForward} value={fig(trace.totals.carriedForward ?? '0')} testId="line-carried-forward" />
      )}
      <p className="kpi-note">
        asOf {trace.asOf} · knownAt {trace.knownAt}
      </p>
    </section>
  );
}
