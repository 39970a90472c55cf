import type { EventType } from '../events';
import { budgetAdjustedCodec } from './budget-adjusted.codec';
import { budgetLineOpenedCodec } from './budget-line-opened.codec';
import { budgetTransferredCodec } from './budget-transferred.codec';
import type { EventCodec } from './event-codec';
import { initialBudgetApprovedCodec } from './initial-budget-approved.codec';
import { paymentRecordedCodec } from './payment-recorded.codec';
import { paymentReversedCodec } from './payment-reversed.codec';
import { periodClosedCodec } from './period-closed.codec';

/** The codec of every event type of DESIGN.md §3: the type checker refuses a type without one. */
export const EVENT_CODECS: { readonly [T in EventType]: EventCodec<T> } = {
  BudgetLineOpened: budgetLineOpenedCodec,
  InitialBudgetApproved: initialBudgetApprovedCodec,
  BudgetAdjusted: budgetAdjustedCodec,
  BudgetTransferred: budgetTransferredCodec,
  PaymentRecorded: paymentRecordedCodec,
  PaymentReversed: paymentReversedCodec,
  PeriodClosed: periodClosedCodec,
};
