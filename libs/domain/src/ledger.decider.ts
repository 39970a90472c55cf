import { LedgerError } from './errors';
import type { LedgerEvent } from './events';
import { decideAdjustment, decideInitial, decideLineOpened, decideTransfer } from './decider/budget.decider';
import { decidePeriodClose, decideYearClose } from './decider/close.decider';
import { decideCommitment, decideRelease } from './decider/commitment.decider';
import { decidePayment, decideReversal } from './decider/payment.decider';
import { decidePlan } from './decider/plan.decider';
import { checkYearOpen, DEFAULT_DECIDE_OPTIONS, refuse, type DecideOptions } from './decider/rules';
import type { LedgerState } from './decider/state';

/**
 * The budget rules of DESIGN.md §3 and §11 as two pure functions (Emmett's decider): `decide`
 * accepts or refuses one validated event against the state, `evolve` applies an accepted one.
 * The rules live by concern in ./decider/: the state and its figures, routing (what a batch must
 * load), budgets, payments, commitments, plans, closing quarters and years, and the year-end's
 * derived events.
 */

export * from './decider/state';
export * from './decider/routing';
export { closedPeriodCovering, DEFAULT_DECIDE_OPTIONS, type DecideOptions } from './decider/rules';
export { carryForwardEvents, compareLineIds, receivesCarryForward } from './decider/year-end';
export { consumedByPayment } from './decider/payment.decider';
export { evolve } from './decider/evolve';

/**
 * An accepted event carries its warnings and the events the ledger derives from it and stores
 * right after it (a YearClosed's carried balances; empty for every other type).
 */
export type Decision = { ok: true; warnings: LedgerError[]; derived: LedgerEvent[] } | { ok: false; error: LedgerError };

interface Accepted {
  warnings: LedgerError[];
  derived: LedgerEvent[];
}

const plain = (warnings: LedgerError[]): Accepted => ({ warnings, derived: [] });

function decideOrThrow(state: LedgerState, event: LedgerEvent, options: DecideOptions): Accepted {
  // Only the ledger writes these, at a YearClosed (an exact copy of a stored one is a duplicate before this).
  if (event.type === 'BalanceCarriedForward') {
    refuse(event, 'DERIVED_EVENT_ONLY', 'type', 'a BalanceCarriedForward is written by the ledger when it closes a year, never given');
  }
  checkYearOpen(state, event);
  switch (event.type) {
    case 'BudgetLineOpened':
      return plain(decideLineOpened(state, event));
    case 'InitialBudgetApproved':
      return plain(decideInitial(state, event));
    case 'BudgetAdjusted':
      return plain(decideAdjustment(state, event));
    case 'BudgetTransferred':
      return plain(decideTransfer(state, event));
    case 'PaymentRecorded':
      return plain(decidePayment(state, event, options));
    case 'PaymentReversed':
      return plain(decideReversal(state, event));
    case 'PeriodClosed':
      return plain(decidePeriodClose(state, event, options));
    case 'SpendingPlanSet':
      return plain(decidePlan(state, event));
    case 'CommitmentMade':
      return plain(decideCommitment(state, event));
    case 'CommitmentReleased':
      return plain(decideRelease(state, event));
    case 'YearClosed':
      return { warnings: [], derived: decideYearClose(state, event) };
  }
}

/**
 * Accepts or refuses one validated event against the state. Business refusals are returned, never
 * thrown; the state is not changed (call evolve for an accepted event, then for each derived one).
 */
export function decide(state: LedgerState, event: LedgerEvent, options: DecideOptions = DEFAULT_DECIDE_OPTIONS): Decision {
  try {
    return { ok: true, ...decideOrThrow(state, event, options) };
  } catch (thrown) {
    if (thrown instanceof LedgerError) return { ok: false, error: thrown };
    throw thrown;
  }
}
