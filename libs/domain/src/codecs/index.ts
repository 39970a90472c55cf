import type { EventType } from '../events';
import { balanceCarriedForwardCodec } from './balance-carried-forward.codec';
import { budgetAdjustedCodec } from './budget-adjusted.codec';
import { budgetLineOpenedCodec } from './budget-line-opened.codec';
import { budgetTransferredCodec } from './budget-transferred.codec';
import { commitmentMadeCodec } from './commitment-made.codec';
import { commitmentReleasedCodec } from './commitment-released.codec';
import type { EventCodec } from './event-codec';
import { initialBudgetApprovedCodec } from './initial-budget-approved.codec';
import { paymentRecordedCodec } from './payment-recorded.codec';
import { paymentReversedCodec } from './payment-reversed.codec';
import { periodClosedCodec } from './period-closed.codec';
import { spendingPlanSetCodec } from './spending-plan-set.codec';
import { yearClosedCodec } from './year-closed.codec';

/** The codec of every event type of DESIGN.md §3 and §11: the type checker refuses a type without one. */
export const EVENT_CODECS: { readonly [T in EventType]: EventCodec<T> } = {
  BudgetLineOpened: budgetLineOpenedCodec,
  InitialBudgetApproved: initialBudgetApprovedCodec,
  BudgetAdjusted: budgetAdjustedCodec,
  BudgetTransferred: budgetTransferredCodec,
  PaymentRecorded: paymentRecordedCodec,
  PaymentReversed: paymentReversedCodec,
  PeriodClosed: periodClosedCodec,
  SpendingPlanSet: spendingPlanSetCodec,
  CommitmentMade: commitmentMadeCodec,
  CommitmentReleased: commitmentReleasedCodec,
  YearClosed: yearClosedCodec,
  BalanceCarriedForward: balanceCarriedForwardCodec,
};
