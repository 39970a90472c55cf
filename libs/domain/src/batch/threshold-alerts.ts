import { THRESHOLD_CROSSED, crossed, thresholdCrossedEventId, type ThresholdCrossedData } from '../alerts';
import { adjustmentTransferCheck, type RatioFigures } from '../calculations';
import type { ScoringConfig } from '../scoring-config';
import type { LedgerEvent } from '../events';
import type { JsonObject } from '../json';
import { formatYuan, type Fen } from '../money';

/** The amounts of a department-year that its adjustment-and-transfer check counts, over every event known. */
export interface DepartmentYearTotals {
  initialFen: Fen;
  adjustmentFen: Fen;
  transferFen: Fen;
  routineFen: Fen;
}

/** An alert event the ledger records itself (never accepted from outside). */
export interface AlertEvent {
  readonly eventId: string;
  readonly type: typeof THRESHOLD_CROSSED;
  readonly effectiveDate: string;
  readonly correction: false;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export function zeroTotals(): DepartmentYearTotals {
  return { initialFen: 0n, adjustmentFen: 0n, transferFen: 0n, routineFen: 0n };
}

/** Whether an event moves an amount the adjustment-and-transfer check counts. */
export function movesCountedAmounts(event: LedgerEvent): boolean {
  return event.type === 'InitialBudgetApproved' || event.type === 'BudgetAdjusted' || event.type === 'BudgetTransferred';
}

/**
 * Alerts for the thresholds a batch crosses in one department-year: the check is computed on the
 * totals known before the batch, then after each accepted event that moves a counted amount; a
 * check that passed and then fails records a ThresholdCrossed event naming the event that crossed it.
 */
export function thresholdAlerts(
  department: string,
  fiscalYear: number,
  totalsBefore: DepartmentYearTotals,
  accepted: readonly LedgerEvent[],
  scoring: ScoringConfig,
): AlertEvent[] {
  const alerts: AlertEvent[] = [];
  const totals = { ...totalsBefore };
  let before = adjustmentTransferCheck(fiscalYear, figures(totals), scoring);
  for (const event of accepted) {
    if (!movesCountedAmounts(event)) continue;
    apply(totals, event);
    const after = adjustmentTransferCheck(fiscalYear, figures(totals), scoring);
    if (crossed(before, after)) {
      const data: ThresholdCrossedData = {
        department,
        fiscalYear,
        rule: after.rule,
        value: after.value,
        threshold: after.threshold,
        points: after.points,
        previousValue: before.value,
        initial: formatYuan(totals.initialFen),
        adjustmentAmount: formatYuan(totals.adjustmentFen),
        transferAmount: formatYuan(totals.transferFen),
        triggeredBy: event.eventId,
      };
      alerts.push({
        eventId: thresholdCrossedEventId(after.rule, event.eventId),
        type: THRESHOLD_CROSSED,
        effectiveDate: event.effectiveDate,
        correction: false,
        data: { ...data },
        metadata: { source: 'ledger' },
      });
    }
    before = after;
  }
  return alerts;
}

function apply(totals: DepartmentYearTotals, event: LedgerEvent): void {
  switch (event.type) {
    case 'InitialBudgetApproved':
      totals.initialFen += event.data.amountFen;
      break;
    case 'BudgetAdjusted':
      totals.adjustmentFen += event.data.amountFen;
      break;
    case 'BudgetTransferred':
      if (event.data.routine) totals.routineFen += event.data.amountFen;
      else totals.transferFen += event.data.amountFen;
      break;
    case 'BudgetLineOpened':
    case 'PaymentRecorded':
    case 'PaymentReversed':
    case 'PeriodClosed':
    case 'SpendingPlanSet':
    case 'CommitmentMade':
    case 'CommitmentReleased':
    case 'YearClosed':
    case 'BalanceCarriedForward':
      // 上年结转 is neither an adjustment nor a transfer of the year that receives it.
      break;
  }
}

function figures(t: DepartmentYearTotals): RatioFigures {
  return {
    initialFen: t.initialFen,
    // Transfers move budget between lines of the department-year: they leave its total unchanged.
    adjustedFen: t.initialFen + t.adjustmentFen,
    adjustmentAmountFen: t.adjustmentFen,
    transferAmountFen: t.transferFen,
    routineTransferAmountFen: t.routineFen,
  };
}
