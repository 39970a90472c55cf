import { eventCodec } from './event-codec';
import { ID_RULE } from './checks';
import { amount, requiredText } from './fields';

/** 年初预算: a line's initial budget, greater than 0. */
export const initialBudgetApprovedCodec = eventCodec('InitialBudgetApproved', {
  lineId: requiredText(ID_RULE),
  amount: amount('positive'),
});
