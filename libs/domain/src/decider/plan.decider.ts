import type { LedgerError } from '../errors';
import type { SpendingPlanSet } from '../events';
import { checkInFiscalYear, checkPeriodOpen, inFiscalYear, lineOf, refuse } from './rules';
import type { LedgerState } from './state';

/**
 * 资金支出计划: a plan of an open line, set in its fiscal year, whose checkpoints all lie in that
 * year (the codec has checked their form and order). Dated in a closed quarter, it must be a
 * correction, as any other event.
 */
export function decidePlan(state: LedgerState, event: SpendingPlanSet): LedgerError[] {
  const line = lineOf(state, event, event.data.lineId, 'data.lineId');
  checkInFiscalYear(event, line);
  event.data.checkpoints.forEach((checkpoint, i) => {
    if (inFiscalYear(checkpoint.date, line.fiscalYear)) return;
    refuse(
      event,
      'PLAN_OUTSIDE_FISCAL_YEAR',
      `data.checkpoints[${i}].date`,
      `${checkpoint.date} is outside fiscal year ${line.fiscalYear} of line ${line.lineId}`,
    );
  });
  checkPeriodOpen(state, event, line.department);
  return [];
}
