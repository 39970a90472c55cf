import type { ViewResult } from '../../api';
import { isZero, money, pct } from '../../format';
import { useSettings } from '../../i18n';

const nonZero = (v: string | undefined): v is string => v !== undefined && !isZero(v);

/**
 * 年初预算数, 调整预算数, 执行数, 已预留, 可用余额 and 预算执行率 of the department-year, 上年结转 and
 * 结转下年 when there are any, and the cut they were read at. All from the view's total: no request of their own.
 */
export function Kpis(props: { view: ViewResult | undefined; asOf: string }) {
  const { t, unit } = useSettings();
  const total = props.view?.total;
  const fig = (v: string) => money(v, unit);
  return (
    <section className="kpis" data-testid="kpis">
      <Kpi label={t.initial} value={total && fig(total.initial)} testId="kpi-initial" />
      {nonZero(total?.broughtForward) && <Kpi label={t.broughtForward} value={fig(total.broughtForward)} testId="kpi-brought-forward" />}
      <Kpi label={t.adjusted} value={total && fig(total.adjusted)} testId="kpi-adjusted" />
      <Kpi label={t.executed} value={total && fig(total.executed)} testId="kpi-executed" />
      <Kpi label={t.committed} value={total && fig(total.committed ?? '0.00')} testId="kpi-committed" />
      <Kpi label={t.available} value={total && fig(total.available)} testId="kpi-available" />
      {nonZero(total?.carriedForward) && <Kpi label={t.carriedForward} value={fig(total.carriedForward)} testId="kpi-carried-forward" />}
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
