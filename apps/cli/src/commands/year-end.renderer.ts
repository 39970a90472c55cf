import type { YearEndResult } from '@ledger/reporting';
import { money, renderTable, type Unit } from '../table';

export function yearEndTable(result: YearEndResult, unit: Unit): string {
  const m = (v: string) => money(v, unit);
  const t = result.totals;
  const lines = result.lines.map((l) => [
    l.lineId,
    l.name ?? '',
    l.kind,
    m(l.adjusted),
    m(l.executed),
    m(l.committed),
    m(l.available),
    m(l.carriedForward),
    m(l.lapsed),
    l.toLineId ?? '',
  ]);
  lines.push(['合计', '', '', m(t.adjusted), m(t.executed), m(t.committed), m(t.available), m(t.carriedForward), m(t.lapsed), '']);
  const next = result.nextYear.lines.map((l) => [
    l.lineId,
    l.name ?? '',
    l.fromLineIds.join(', '),
    m(l.initial),
    m(l.broughtForward),
    m(l.adjusted),
  ]);
  const nt = result.nextYear.totals;
  next.push(['合计', '', '', m(nt.initial), m(nt.broughtForward), m(nt.adjusted)]);
  const state = result.closed
    ? `closed at ${result.closedAt ?? ''} (${result.yearClosedEventId ?? ''})`
    : 'open: 结转下年 and 结余 are what closing it now would do';
  const unitName = unit === 'wan' ? '万元' : '元';
  return [
    `${result.department} ${result.fiscalYear} 年终结转 — ${state}; known at ${result.knownAt} (${unitName})`,
    renderTable(['预算指标', '名称', '类型', '调整预算数', '执行数', '已预留', '可用余额', '结转下年', '结余', '结转至'], lines),
    '',
    `${result.nextYear.fiscalYear} 上年结转`,
    renderTable(['预算指标', '名称', '结转自', '年初预算数', '上年结转', '调整预算数'], next),
  ].join('\n');
}
