import type { TraceEntry, TracePlan } from '../../api';
import { DataTable } from '../../components/DataTable';
import { fenOf, pct, ratioOf } from '../../format';
import { useSettings } from '../../i18n';

interface Row {
  date: string;
  share: string;
  progress: string | null;
}

const yuan = (fen: bigint): string => {
  const abs = fen < 0n ? -fen : fen;
  return `${fen < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};

/**
 * 支出进度 (executed ÷ adjusted) as of each date, from the entries' deltas dated by it. Only when every
 * entry is loaded: a partial history would understate it, and no figure is better than a wrong one.
 */
function progressAt(entries: TraceEntry[], date: string): string | null {
  let executed = 0n;
  let adjusted = 0n;
  for (const e of entries) {
    if (e.effectiveDate > date) continue;
    const d = e.delta;
    executed += fenOf(d.executed);
    adjusted += fenOf(d.initial) + fenOf(d.adjustments) + fenOf(d.transfersIn) - fenOf(d.transfersOut) + fenOf(d.broughtForward ?? '0');
  }
  return ratioOf(yuan(executed), yuan(adjusted));
}

/** The line's spending plan in force (资金支出计划): the planned cumulative share at each checkpoint, and the actual 支出进度 then. */
export function LinePlan(props: { plans: TracePlan[]; entries: TraceEntry[]; complete: boolean; asOf: string }) {
  const { t } = useSettings();
  const plan = props.plans.at(-1);
  const rows: Row[] = (plan?.checkpoints ?? []).map((c) => ({
    date: c.date,
    share: c.share,
    progress: props.complete && c.date <= props.asOf ? progressAt(props.entries, c.date) : null,
  }));
  const behind = (r: Row) => r.progress !== null && fenOf(r.progress) < fenOf(r.share);
  return (
    <section className="card" data-testid="plan-section">
      <h2>
        {t.plan}
        {plan && (
          <span className="badge">
            {t.planEffective} {plan.effectiveDate} · {plan.eventId}
          </span>
        )}
      </h2>
      {plan === undefined ? (
        <p className="muted">{t.noPlan}</p>
      ) : (
        <div className="plan-table">
          <DataTable
            testId="plan-table"
            columns={[
              { key: 'date', header: t.date, minEm: 8, grow: 1, render: (r) => r.date },
              { key: 'share', header: t.planned, numeric: true, minEm: 7, render: (r) => pct(r.share) },
              { key: 'progress', header: t.actual, numeric: true, minEm: 8, render: (r) => pct(r.progress) },
              {
                key: 'met',
                header: '',
                minEm: 5,
                grow: 1,
                render: (r) =>
                  r.progress === null ? '' : <span className={behind(r) ? 'flag fail' : 'pass'}>{behind(r) ? t.notMet : t.met}</span>,
              },
            ]}
            rows={rows}
            rowKey={(r) => r.date}
            rowClass={(r) => (behind(r) ? 'failed-row' : undefined)}
          />
        </div>
      )}
    </section>
  );
}
