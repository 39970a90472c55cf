import { eventCodec } from './event-codec';
import { fail, ID_RULE } from './checks';
import { amount, checked, flag, requiredText } from './fields';

/** 调剂: budget moved between two different lines; `routine` (增人增资正常调剂) is always stored. */
export const budgetTransferredCodec = eventCodec('BudgetTransferred', {
  fromLineId: requiredText(ID_RULE),
  toLineId: checked(requiredText(ID_RULE), (toLineId, soFar) => {
    if (toLineId === soFar.fromLineId) fail('data.toLineId', 'must differ from data.fromLineId');
  }),
  amount: amount('positive'),
  routine: flag,
});
