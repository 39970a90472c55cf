import type { ProgressResult } from '@ledger/reporting';
import { money, pct, renderTable, type Unit } from '../table';

export function progressTable(result: ProgressResult, unit: Unit): string {
  const rows = result.quarters.map((q) => [
    q.period,
    q.date,
    money(q.executed, unit),
    money(q.adjusted, unit),
    money(q.committed, unit),
    pct(q.progress),
    pct(q.schedule),
    pct(q.quarterRate),
    q.quarterScore ?? '-',
    q.closed ? (q.difference && q.difference.executed !== '0.00' ? `closed; reported ${pct(q.reported?.progress ?? null)}` : 'closed') : '',
  ]);
  rows.push(['全年平均', '', '', '', '', '', '', pct(result.averageRate), result.averageScore ?? '-', '']);
  return [
    `${result.department} ${result.fiscalYear} 预算执行率 (known at ${result.knownAt}; ${unit === 'wan' ? '万元' : '元'}) — total score ${result.totalScore ?? '-'} of 6`,
    renderTable(['季度', '截至', '累计支出数', '调整预算数', '已预留', '支出进度', '序时进度', '当季度执行率', '得分', ''], rows),
  ].join('\n');
}
