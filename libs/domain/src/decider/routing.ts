import type { LedgerEvent } from '../events';
import type { DepartmentYear, LedgerState, LineState } from './state';

/**
 * What decide needs of the state for an event, for the application that loads it: lines,
 * payments, commitments and whole department-years.
 */

/**
 * Lines whose state decide needs. A reversal's line is found through its payment
 * (paymentReferenced), a release's through its commitment (commitmentReferenced), a year-end's
 * through its department-years (yearsToComplete).
 */
export function linesReferenced(event: LedgerEvent): string[] {
  switch (event.type) {
    case 'BudgetLineOpened':
    case 'InitialBudgetApproved':
    case 'BudgetAdjusted':
    case 'PaymentRecorded':
    case 'SpendingPlanSet':
    case 'CommitmentMade':
      return [event.data.lineId];
    case 'BudgetTransferred':
    case 'BalanceCarriedForward':
      return [event.data.fromLineId, event.data.toLineId];
    case 'PaymentReversed':
    case 'PeriodClosed':
    case 'CommitmentReleased':
    case 'YearClosed':
      return [];
  }
}

/** The payment whose state decide needs (PaymentReversed only); load its line too. */
export function paymentReferenced(event: LedgerEvent): string | undefined {
  return event.type === 'PaymentReversed' ? event.data.paymentEventId : undefined;
}

/** The commitment whose state decide needs (a release, or a payment against it); load its line too. */
export function commitmentReferenced(event: LedgerEvent): string | undefined {
  if (event.type === 'CommitmentReleased') return event.data.commitmentEventId;
  if (event.type === 'PaymentRecorded') return event.data.commitmentEventId;
  return undefined;
}

/**
 * The department-years whose lines decide needs ALL of (put their stream ids in
 * state.completeYears): a YearClosed's year, whose project balances it carries, and the next,
 * whose lines receive them.
 */
export function yearsToComplete(event: LedgerEvent): DepartmentYear[] {
  if (event.type !== 'YearClosed') return [];
  const { department, fiscalYear } = event.data;
  return [
    { department, fiscalYear },
    { department, fiscalYear: fiscalYear + 1 },
  ];
}

/**
 * The department-year (stream) an event belongs to: carried by BudgetLineOpened, PeriodClosed and
 * YearClosed, otherwise that of its line (a transfer's or carried balance's source line, a
 * reversal's payment's line, a release's commitment's line). Undefined when the line, payment or
 * commitment is not in the state, which decide refuses as LINE_NOT_FOUND, PAYMENT_NOT_FOUND or
 * COMMITMENT_NOT_FOUND.
 */
export function departmentYearOf(event: LedgerEvent, state: LedgerState): DepartmentYear | undefined {
  switch (event.type) {
    case 'BudgetLineOpened':
    case 'PeriodClosed':
    case 'YearClosed':
      return { department: event.data.department, fiscalYear: event.data.fiscalYear };
    case 'InitialBudgetApproved':
    case 'BudgetAdjusted':
    case 'PaymentRecorded':
    case 'SpendingPlanSet':
    case 'CommitmentMade':
      return lineDepartmentYear(state.lines.get(event.data.lineId));
    case 'BudgetTransferred':
    case 'BalanceCarriedForward':
      return lineDepartmentYear(state.lines.get(event.data.fromLineId));
    case 'PaymentReversed': {
      const payment = state.payments.get(event.data.paymentEventId);
      return payment === undefined ? undefined : lineDepartmentYear(state.lines.get(payment.lineId));
    }
    case 'CommitmentReleased': {
      const commitment = state.commitments.get(event.data.commitmentEventId);
      return commitment === undefined ? undefined : lineDepartmentYear(state.lines.get(commitment.lineId));
    }
  }
}

function lineDepartmentYear(line: LineState | undefined): DepartmentYear | undefined {
  return line === undefined ? undefined : { department: line.department, fiscalYear: line.fiscalYear };
}
