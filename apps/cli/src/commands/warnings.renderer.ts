import type { WarningsResult } from '@ledger/reporting';
import { money, pct, renderTable, type Unit } from '../table';

export function warningsTable(result: WarningsResult, unit: Unit): string {
  return [
    `${result.department} as of ${result.asOf}: ${result.flagged.length} of ${result.rows.length} ${result.by}s lag 序时进度 by more than ${pct(result.margin)}`,
    renderTable(
      [result.by, '执行数', '调整预算数', '支出进度', '应达进度', '计划', '落后', '预计全年执行', '预计执行率', ''],
      result.rows.map((r) => [
        r.key,
        money(r.executed, unit),
        money(r.adjusted, unit),
        pct(r.progress),
        pct(r.expected),
        r.plan === 'own' ? '支出计划' : '序时进度',
        pct(r.lag),
        r.projectedExecuted === null ? '-' : money(r.projectedExecuted, unit),
        pct(r.projectedRate),
        r.flagged ? 'WARNING' : '',
      ]),
    ),
  ].join('\n');
}
