import type { ViewResult } from '@ledger/reporting';
import { money, pct, renderTable, type Unit } from '../table';

export function viewTable(result: ViewResult, unit: Unit): string {
  const dims = result.rows[0] === undefined ? [] : Object.keys(result.rows[0].key);
  const headers = [
    ...dims,
    '年初预算数',
    '调整',
    '调剂转入',
    '调剂转出',
    '上年结转',
    '调整预算数',
    '执行数',
    '已预留',
    '可用余额',
    '执行率',
    '结转下年',
  ];
  const figures = (f: ViewResult['total']) =>
    [f.initial, f.adjustments, f.transfersIn, f.transfersOut, f.broughtForward, f.adjusted, f.executed, f.committed, f.available]
      .map((v) => money(v, unit))
      .concat(pct(f.executionRate), money(f.carriedForward, unit));
  const rows = result.groupBy.length === 0 ? [] : result.rows.map((r) => [...dims.map((d) => r.key[d] ?? '(none)'), ...figures(r)]);
  rows.push([...dims.map((_, i) => (i === 0 ? '合计' : '')), ...figures(result.total)]);
  const title = `${result.department} ${result.fiscalYear} as of ${result.asOf}, known at ${result.knownAt} (${unit === 'wan' ? '万元' : '元'})`;
  return `${title}\n${renderTable(headers, rows)}`;
}
