import type { TraceResult } from '@ledger/reporting';
import { money, renderTable, type Unit } from '../table';

export function traceTable(result: TraceResult, unit: Unit): string {
  const rows = result.entries.map((e) => {
    const doc = e.metadata !== null && typeof e.metadata.documentNo === 'string' ? e.metadata.documentNo : '';
    return [
      e.position,
      e.effectiveDate,
      e.recordedAt,
      e.type + (e.correction ? ' (correction)' : ''),
      e.eventId,
      doc,
      money(e.running.adjusted, unit),
      money(e.running.executed, unit),
    ];
  });
  const t = result.totals;
  return [
    `line ${result.lineId} as of ${result.asOf}, known at ${result.knownAt}`,
    renderTable(['position', 'effective', 'recorded', 'type', 'eventId', 'documentNo', '调整预算数', '执行数'], rows),
    `年初 ${money(t.initial, unit)}  调整预算数 ${money(t.adjusted, unit)}  执行数 ${money(t.executed, unit)}  可用余额 ${money(t.available, unit)}`,
  ].join('\n');
}
