import { eventCodec } from './event-codec';
import { ID_RULE } from './checks';
import { amount, requiredText } from './fields';

/** 支付冲销: (part of) an earlier payment reversed. */
export const paymentReversedCodec = eventCodec('PaymentReversed', {
  paymentEventId: requiredText(ID_RULE),
  amount: amount('positive'),
});
