import { LedgerError } from '../errors';
import type { PaymentRecorded, PaymentReversed } from '../events';
import { formatYuan, type Fen } from '../money';
import { checkInFiscalYear, checkPeriodOpen, lineOf, refuse, type DecideOptions } from './rules';
import { availableFen, commitmentLeftFen, type LedgerState, type LineState } from './state';

/** Payments and their reversals (DESIGN.md §3), and payments against commitments (§11). */

/**
 * What a payment consumes of the commitment it names: min(amount, what is left of it). 0 without
 * a commitment or when the commitment is not in the state (decide refuses that payment).
 */
export function consumedByPayment(state: LedgerState, event: PaymentRecorded): Fen {
  const commitmentEventId = event.data.commitmentEventId;
  const commitment = commitmentEventId === undefined ? undefined : state.commitments.get(commitmentEventId);
  if (commitment === undefined) return 0n;
  const leftFen = commitmentLeftFen(commitment);
  return event.data.amountFen < leftFen ? event.data.amountFen : leftFen;
}

/** A payment against a commitment must name one of its own line. */
function checkCommitment(state: LedgerState, event: PaymentRecorded, line: LineState): void {
  const commitmentEventId = event.data.commitmentEventId;
  if (commitmentEventId === undefined) return;
  const commitment = state.commitments.get(commitmentEventId);
  if (commitment === undefined) {
    refuse(event, 'COMMITMENT_NOT_FOUND', 'data.commitmentEventId', `commitment ${commitmentEventId} is not recorded`);
  }
  if (commitment.lineId !== line.lineId) {
    refuse(
      event,
      'COMMITMENT_OF_OTHER_LINE',
      'data.commitmentEventId',
      `commitment ${commitmentEventId} reserves budget on line ${commitment.lineId}, not on line ${line.lineId}`,
    );
  }
}

/**
 * 支付: what it consumes of its commitment moves from committed to executed; only the rest must be
 * available (policy 'reject'), or is accepted with a warning (policy 'flag').
 */
export function decidePayment(state: LedgerState, event: PaymentRecorded, options: DecideOptions): LedgerError[] {
  const line = lineOf(state, event, event.data.lineId, 'data.lineId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  checkCommitment(state, event, line);
  const consumedFen = consumedByPayment(state, event);
  const restFen = event.data.amountFen - consumedFen;
  const available = availableFen(line);
  if (restFen <= available) return [];
  const reason =
    consumedFen === 0n
      ? `payment ${formatYuan(event.data.amountFen)} exceeds the available ${formatYuan(available)} of line ${line.lineId}`
      : `payment ${formatYuan(event.data.amountFen)} exceeds its commitment's ${formatYuan(consumedFen)} left plus ` +
        `the available ${formatYuan(available)} of line ${line.lineId}`;
  if (options.paymentPolicy === 'reject') refuse(event, 'LINE_OVERDRAWN', 'data.amount', reason);
  return [new LedgerError('LINE_OVERDRAWN', 'data.amount', `${reason} (accepted under policy 'flag')`, event.eventId)];
}

/** 支付冲销: not more than what is left of the payment. */
export function decideReversal(state: LedgerState, event: PaymentReversed): LedgerError[] {
  const { paymentEventId, amountFen } = event.data;
  const payment = state.payments.get(paymentEventId);
  if (payment === undefined) {
    refuse(event, 'PAYMENT_NOT_FOUND', 'data.paymentEventId', `payment ${paymentEventId} is not recorded`);
  }
  const line = lineOf(state, event, payment.lineId, 'data.paymentEventId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  const leftFen = payment.amountFen - payment.reversedFen;
  if (amountFen > leftFen) {
    refuse(
      event,
      'REVERSAL_EXCEEDS_PAYMENT',
      'data.amount',
      `reversal ${formatYuan(amountFen)} exceeds the ${formatYuan(leftFen)} left of payment ${paymentEventId}`,
    );
  }
  return [];
}
