import { enc, query, type EventResult, type ProgressResult, type TraceEntry, type TraceResult } from '../api';
import { DataTable } from '../components/DataTable';
import { dateTime, money } from '../format';
import { useSettings } from '../i18n';
import { BASE, Link } from '../router';
import { useFetch } from '../useFetch';

const DELTA_FIELDS = ['initial', 'adjustments', 'transfersIn', 'transfersOut', 'executed'] as const;

/** How a line's figures came to be: every event, its change and the running totals. */
export function Line(props: { lineId: string; search: URLSearchParams; version: number }) {
  const { t, unit } = useSettings();
  const asOf = props.search.get('asOf') ?? undefined;
  const knownAt = props.search.get('knownAt') ?? undefined;
  const tracePath = `/v1/lines/${enc(props.lineId)}/trace${query({ asOf, knownAt })}`;
  const trace = useFetch<TraceResult>(tracePath, props.version);
  // The line's opening names its department-year; its closes tell which entries restate a closed quarter.
  const opening = useFetch<EventResult>(trace.data?.entries[0] ? `/v1/events/${enc(trace.data.entries[0].eventId)}` : null, props.version);
  const department = typeof opening.data?.data.department === 'string' ? opening.data.data.department : undefined;
  const fiscalYear = opening.data?.data.fiscalYear;
  const year = typeof fiscalYear === 'number' || typeof fiscalYear === 'string' ? String(fiscalYear) : undefined;
  const progress = useFetch<ProgressResult>(
    department && year ? `/v1/departments/${enc(department)}/years/${year}/progress` : null,
    props.version,
  );
  const closes = (progress.data?.quarters ?? []).filter((q) => q.closed && q.reported !== undefined);
  const restates = (e: TraceEntry) => closes.some((q) => e.effectiveDate <= q.date && e.recordedAt > (q.reported?.knownAt ?? ''));
  const fig = (v: string) => money(v, unit);
  const name = typeof opening.data?.data.name === 'string' ? opening.data.data.name : '';
  const totals = trace.data?.totals;
  return (
    <main>
      <nav className="crumbs">
        <Link href={`${BASE}/`}>{t.departments}</Link>
        {department && year && (
          <>
            {' / '}
            <Link href={`${BASE}/departments/${enc(department)}/years/${year}${query({ asOf, knownAt })}`}>
              {department} · {year}
            </Link>
          </>
        )}
        {' / '}
        <span>{props.lineId}</span>
      </nav>
      <h1>
        {t.history}: {props.lineId} {name}
      </h1>
      {totals && (
        <section className="kpis" data-testid="line-totals">
          <div className="kpi">
            <div className="kpi-label">{t.initial}</div>
            <div className="kpi-value">{fig(totals.initial)}</div>
          </div>
          <div className="kpi">
            <div className="kpi-label">{t.adjusted}</div>
            <div className="kpi-value">{fig(totals.adjusted)}</div>
          </div>
          <div className="kpi">
            <div className="kpi-label">{t.executed}</div>
            <div className="kpi-value">{fig(totals.executed)}</div>
          </div>
          <div className="kpi">
            <div className="kpi-label">{t.available}</div>
            <div className="kpi-value">{fig(totals.available)}</div>
          </div>
          <p className="kpi-note">
            asOf {trace.data?.asOf} · knownAt {trace.data?.knownAt}
          </p>
        </section>
      )}
      {trace.error && <p className="error">{trace.error.message}</p>}
      <section className="card">
        <DataTable
          testId="trace-table"
          columns={[
            { key: 'position', header: t.position, width: '6.5em', render: (e) => e.position },
            { key: 'effectiveDate', header: t.effectiveDate, width: '7em', render: (e) => e.effectiveDate },
            {
              key: 'recordedAt',
              header: t.recordedAt,
              width: '12.5em',
              render: (e) => <span title={e.recordedAt}>{dateTime(e.recordedAt)}</span>,
            },
            {
              key: 'type',
              header: t.type,
              width: 'minmax(11em, 2fr)',
              render: (e) => (
                <span>
                  {t.types[e.type] ?? e.type}
                  {e.correction && <span className="flag fail"> {t.correction}</span>}
                  {restates(e) && <span className="flag restated"> {t.restatement}</span>}
                </span>
              ),
            },
            {
              key: 'document',
              header: t.document,
              width: 'minmax(9em, 1.5fr)',
              render: (e) => <span title={e.eventId}>{typeof e.metadata?.documentNo === 'string' ? e.metadata.documentNo : ''}</span>,
            },
            {
              key: 'delta',
              header: t.delta,
              width: 'minmax(12em, 2fr)',
              render: (e) =>
                DELTA_FIELDS.filter((f) => e.delta[f] !== '0.00')
                  .map((f) => `${t[f]} ${e.delta[f].startsWith('-') ? '' : '+'}${fig(e.delta[f])}`)
                  .join('；'),
            },
            { key: 'runningInitial', header: `${t.initial}（${t.running}）`, numeric: true, render: (e) => fig(e.running.initial) },
            { key: 'runningAdjusted', header: `${t.adjusted}（${t.running}）`, numeric: true, render: (e) => fig(e.running.adjusted) },
            { key: 'runningExecuted', header: `${t.executed}（${t.running}）`, numeric: true, render: (e) => fig(e.running.executed) },
            // Who recorded each event, once the API keeps it (DESIGN.md §8); no empty column before that.
            ...((trace.data?.entries ?? []).some((e) => e.recordedBy !== undefined && e.recordedBy !== null)
              ? [{ key: 'recordedBy', header: t.recordedBy, width: '8em', render: (e: TraceEntry) => e.recordedBy ?? '' }]
              : []),
          ]}
          maxBodyHeightPx={640}
          rows={trace.data?.entries ?? []}
          rowKey={(e) => e.position}
          rowClass={(e) => (e.correction || restates(e) ? 'restated-row' : undefined)}
          download={{ path: tracePath }}
        />
        {unit === 'wan' && <p className="footnote">{t.footnoteWan}</p>}
      </section>
    </main>
  );
}
