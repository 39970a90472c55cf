import type { ScorecardResult } from '@ledger/reporting';
import { money, pct, renderTable, type Unit } from '../table';

export function scorecardTable(r: ScorecardResult, unit: Unit): string {
  const items = r.items.map((i) => [i.name, pct(i.value), i.band ?? '', i.points ?? '-', i.maxPoints]);
  const projects = r.projects.map((p) => [
    p.project,
    money(p.initial, unit),
    money(p.adjusted, unit),
    money(p.executed, unit),
    p.executionRate ?? '-',
    p.points ?? '-',
  ]);
  return [
    `${r.department} ${r.fiscalYear} 部门整体支出绩效评分表 (items the ledger derives): ${r.points} of ${r.maxPoints}`,
    renderTable(['指标', '值', '标准', '得分', '分值'], items),
    ...r.items.filter((i) => i.note !== undefined).map((i) => `  note (${i.name}): ${i.note}`),
    '',
    '项目支出绩效自评表',
    renderTable(['项目', '年初预算数', '全年预算数', '全年执行数', '执行率', '得分'], projects),
  ].join('\n');
}
