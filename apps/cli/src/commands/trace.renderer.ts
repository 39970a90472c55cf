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
      money(e.running.committed, unit),
      money(e.running.available, unit),
    ];
  });
  const t = result.totals;
  return [
    `line ${result.lineId} as of ${result.asOf}, known at ${result.knownAt}`,
    renderTable(['position', 'effective', 'recorded', 'type', 'eventId', 'documentNo', '调整预算数', '执行数', '已预留', '可用余额'], rows),
    `年初 ${money(t.initial, unit)}  上年结转 ${money(t.broughtForward, unit)}  调整预算数 ${money(t.adjusted, unit)}  执行数 ${money(t.executed, unit)}  ` +
      `已预留 ${money(t.committed, unit)}  可用余额 ${money(t.available, unit)}  结转下年 ${money(t.carriedForward, unit)}`,
    ...commitmentLines(result, unit),
  ].join('\n');
}

/** The line's commitments (预留) as of the date, and its plan in force, when it has any. */
function commitmentLines(result: TraceResult, unit: Unit): string[] {
  const out: string[] = [];
  if (result.commitments.length > 0) {
    const rows = result.commitments.map((c) => [
      c.eventId,
      c.effectiveDate,
      c.reference ?? '',
      ...[c.amount, c.released, c.consumed, c.left].map((v) => money(v, unit)),
    ]);
    out.push('', renderTable(['commitment', 'effective', 'reference', '预留', '释放', '支付', '尚余'], rows));
  }
  const plan = result.plans.at(-1);
  if (plan !== undefined) {
    out.push(
      '',
      `支出计划 (${plan.eventId}, from ${plan.effectiveDate}): ${plan.checkpoints.map((c) => `${c.date} ${c.share}`).join(', ')}`,
    );
  }
  return out;
}
