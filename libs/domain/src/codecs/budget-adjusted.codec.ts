import { eventCodec } from './event-codec';
import { ID_RULE } from './checks';
import { amount, requiredText } from './fields';

/** 调整 (追加/追减): a signed adjustment, never 0. */
export const budgetAdjustedCodec = eventCodec('BudgetAdjusted', {
  lineId: requiredText(ID_RULE),
  amount: amount('nonZero'),
});
