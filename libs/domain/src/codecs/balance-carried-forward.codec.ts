import { eventCodec } from './event-codec';
import { ID_RULE } from './checks';
import { amount, requiredText } from './fields';

/** 结转: a project line's unspent balance moved to a line of the next year (the ledger writes it). */
export const balanceCarriedForwardCodec = eventCodec('BalanceCarriedForward', {
  fromLineId: requiredText(ID_RULE),
  toLineId: requiredText(ID_RULE),
  amount: amount('positive'),
});
