import type { ViewResult } from '../../api';
import { money, pct } from '../../format';
import { useSettings } from '../../i18n';

/** 年初预算数, 调整预算数, 执行数 and 预算执行率 of the department-year, and the cut they were read at. */
export function Kpis(props: { view: ViewResult | undefined; asOf: string }) {
  const { t, unit } = useSettings();
  const total = props.view?.total;
  const fig = (v: string) => money(v, unit);
  return (
    <section className="kpis" data-testid="kpis">
      <Kpi label={t.initial} value={total && fig(total.initial)} testId="kpi-initial" />
      <Kpi label={t.adjusted} value={total && fig(total.adjusted)} testId="kpi-adjusted" />
      <Kpi label={t.executed} value={total && fig(total.executed)} testId="kpi-executed" />
      <Kpi label={t.executionRate} value={total && pct(total.executionRate)} testId="kpi-rate" strong />
      <p className="kpi-note">
        {unit === 'wan' ? t.unitWan : t.unitYuan} · asOf {props.view?.asOf ?? props.asOf} · knownAt {props.view?.knownAt ?? '…'}
      </p>
    </section>
  );
}

export function Kpi(props: { label: string; value: string | undefined; testId?: string; strong?: boolean }) {
  return (
    <div className={props.strong ? 'kpi strong' : 'kpi'} data-testid={props.testId}>
      <div className="kpi-label">{props.label}</div>
      <div className="kpi-value">{props.value ?? '…'}</div>
    </div>
  );
}
