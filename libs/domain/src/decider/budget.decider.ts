import type { LedgerError } from '../errors';
import type { BudgetAdjusted, BudgetLineOpened, BudgetTransferred, InitialBudgetApproved } from '../events';
import { formatYuan } from '../money';
import { checkInFiscalYear, checkPeriodOpen, checkWithinAvailable, lineOf, refuse } from './rules';
import { adjustedFen, type LedgerState } from './state';

/** The budget of lines: opening, approving, adjusting and transferring (DESIGN.md §3). */

/** 预算指标: a lineId is opened once. */
export function decideLineOpened(state: LedgerState, event: BudgetLineOpened): LedgerError[] {
  const { lineId, department } = event.data;
  if (state.lines.has(lineId)) refuse(event, 'LINE_ALREADY_OPENED', 'data.lineId', `line ${lineId} is already open`);
  checkPeriodOpen(state, event, department);
  return [];
}

/** 年初预算: on an open line, in its fiscal year. */
export function decideInitial(state: LedgerState, event: InitialBudgetApproved): LedgerError[] {
  const line = lineOf(state, event, event.data.lineId, 'data.lineId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  return [];
}

/** 调整: a cut may not leave less budget than was paid and reserved. */
export function decideAdjustment(state: LedgerState, event: BudgetAdjusted): LedgerError[] {
  const line = lineOf(state, event, event.data.lineId, 'data.lineId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  const amountFen = event.data.amountFen;
  const adjustedAfterFen = adjustedFen(line) + amountFen;
  const usedFen = line.executedFen + line.committedFen;
  // A cut is refused when it leaves less budget than was already paid or reserved; an increase
  // never is, even on a line overdrawn under policy 'flag', because it only improves it.
  if (amountFen < 0n && adjustedAfterFen < usedFen) {
    refuse(
      event,
      'ADJUSTMENT_BELOW_EXECUTED',
      'data.amount',
      `adjustment ${formatYuan(amountFen)} would make the adjusted budget ${formatYuan(adjustedAfterFen)} of line ` +
        `${line.lineId} less than its executed ${formatYuan(line.executedFen)} plus committed ${formatYuan(line.committedFen)}`,
    );
  }
  return [];
}

/** 调剂: within one department-year, not more than the source line has available. */
export function decideTransfer(state: LedgerState, event: BudgetTransferred): LedgerError[] {
  const from = lineOf(state, event, event.data.fromLineId, 'data.fromLineId');
  const to = lineOf(state, event, event.data.toLineId, 'data.toLineId');
  if (from.department !== to.department || from.fiscalYear !== to.fiscalYear) {
    refuse(
      event,
      'TRANSFER_OUTSIDE_DEPARTMENT_YEAR',
      'data.toLineId',
      `line ${to.lineId} (${to.department} ${to.fiscalYear}) is not of the department and year of line ` +
        `${from.lineId} (${from.department} ${from.fiscalYear})`,
    );
  }
  checkInFiscalYear(event, from);
  checkPeriodOpen(state, event, from.department);
  checkWithinAvailable(event, from, event.data.amountFen, 'TRANSFER_EXCEEDS_AVAILABLE', 'transfer');
  return [];
}
