import { eventCodec } from './event-codec';
import { ID_RULE } from './checks';
import { amount, optionalText, requiredText } from './fields';

/** 预留/冻结: budget reserved on a line for a contract or a procurement. */
export const commitmentMadeCodec = eventCodec('CommitmentMade', {
  lineId: requiredText(ID_RULE),
  amount: amount('positive'),
  reference: optionalText(),
});
