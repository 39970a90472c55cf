import { eventCodec } from './event-codec';
import { fail, ID_RULE } from './checks';
import { amount, checked, requiredText } from './fields';

/** 结转: a project line's unspent balance moved to a line of the next year (the ledger writes it). */
export const balanceCarriedForwardCodec = eventCodec('BalanceCarriedForward', {
  fromLineId: requiredText(ID_RULE),
  toLineId: checked(requiredText(ID_RULE), (toLineId, soFar) => {
    if (toLineId === soFar.fromLineId) fail('data.toLineId', 'must differ from data.fromLineId');
  }),
  amount: amount('positive'),
});
