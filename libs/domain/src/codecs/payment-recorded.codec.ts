import { eventCodec } from './event-codec';
import { ID_RULE } from './checks';
import { amount, optionalText, requiredText } from './fields';

/** 支付: a payment against a line, possibly against one of its commitments. */
export const paymentRecordedCodec = eventCodec('PaymentRecorded', {
  lineId: requiredText(ID_RULE),
  amount: amount('positive'),
  payee: optionalText(),
  commitmentEventId: optionalText(ID_RULE),
});
