import type { RatiosResult } from '@ledger/reporting';
import { money, pct, renderTable, type Unit } from '../table';

export function ratiosTable(r: RatiosResult, unit: Unit): string {
  const checks = r.checks.map(
    (c) => `${c.rule}: ${pct(c.value)} against ${pct(c.threshold)} → ${c.passed ? 'pass' : 'FAIL'}, ${c.points} points`,
  );
  return [
    `${r.department} ${r.fiscalYear} as of ${r.asOf} (known at ${r.knownAt})`,
    renderTable(
      ['年初预算数', '调整预算数', '调整资金', '调整比例', '调剂资金', '正常调剂', '调剂比例'],
      [
        [
          money(r.initial, unit),
          money(r.adjusted, unit),
          money(r.adjustmentAmount, unit),
          pct(r.adjustmentRatio),
          money(r.transferAmount, unit),
          money(r.routineTransferAmount, unit),
          pct(r.transferRatio),
        ],
      ],
    ),
    ...checks,
  ].join('\n');
}
