import { eventCodec } from './event-codec';
import { ID_RULE } from './checks';
import { amount, requiredText } from './fields';

/** 解除预留: (part of) a commitment released back to available. */
export const commitmentReleasedCodec = eventCodec('CommitmentReleased', {
  commitmentEventId: requiredText(ID_RULE),
  amount: amount('positive'),
});
