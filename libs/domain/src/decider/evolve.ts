import { quarterNumber } from '../calendar';
import { streamIdOf, type LedgerEvent } from '../events';
import { consumedByPayment } from './payment.decider';
import { newLineState, setQuartersClosed, type CommitmentState, type LedgerState, type LineState, type PaymentState } from './state';

function mustLine(state: LedgerState, lineId: string, event: LedgerEvent): LineState {
  const line = state.lines.get(lineId);
  if (line === undefined) throw new Error(`evolve ${event.eventId}: line ${lineId} is not in the state (apply only accepted events)`);
  return line;
}

function mustPayment(state: LedgerState, paymentEventId: string, event: LedgerEvent): PaymentState {
  const payment = state.payments.get(paymentEventId);
  if (payment === undefined) throw new Error(`evolve ${event.eventId}: payment ${paymentEventId} is not in the state`);
  return payment;
}

function mustCommitment(state: LedgerState, commitmentEventId: string, event: LedgerEvent): CommitmentState {
  const commitment = state.commitments.get(commitmentEventId);
  if (commitment === undefined) throw new Error(`evolve ${event.eventId}: commitment ${commitmentEventId} is not in the state`);
  return commitment;
}

/**
 * Applies an accepted event to the state IN PLACE. A batch holds up to 1,000 events over a state
 * of as many lines; copying the maps for every event would cost O(batch × state) allocations for
 * nothing, since the application owns the state of one batch, applies events strictly in order
 * and throws the state away if the batch's transaction fails. Applying an event decide would
 * refuse is a programmer error and throws. A YearClosed's derived events are evolved after it,
 * one by one, like any other.
 */
export function evolve(state: LedgerState, event: LedgerEvent): void {
  switch (event.type) {
    case 'BudgetLineOpened': {
      const d = event.data;
      if (state.lines.has(d.lineId)) throw new Error(`evolve ${event.eventId}: line ${d.lineId} is already open`);
      state.lines.set(d.lineId, newLineState(d));
      state.departmentYearsWithLines.add(streamIdOf(d.department, d.fiscalYear));
      return;
    }
    case 'InitialBudgetApproved':
      mustLine(state, event.data.lineId, event).initialFen += event.data.amountFen;
      return;
    case 'BudgetAdjusted':
      mustLine(state, event.data.lineId, event).adjustmentsFen += event.data.amountFen;
      return;
    case 'BudgetTransferred': {
      mustLine(state, event.data.fromLineId, event).transfersOutFen += event.data.amountFen;
      mustLine(state, event.data.toLineId, event).transfersInFen += event.data.amountFen;
      return;
    }
    case 'PaymentRecorded':
      return evolvePayment(state, event);
    case 'PaymentReversed': {
      // The money returns to available, not to a commitment the payment consumed (decision 0014).
      const payment = mustPayment(state, event.data.paymentEventId, event);
      payment.reversedFen += event.data.amountFen;
      mustLine(state, payment.lineId, event).executedFen -= event.data.amountFen;
      return;
    }
    case 'PeriodClosed':
      setQuartersClosed(state, event.data.department, event.data.fiscalYear, quarterNumber(event.data.period));
      return;
    case 'SpendingPlanSet':
      // Plans do not enter the rules' state; the line must exist all the same.
      mustLine(state, event.data.lineId, event);
      return;
    case 'CommitmentMade': {
      mustLine(state, event.data.lineId, event).committedFen += event.data.amountFen;
      const { eventId } = event;
      state.commitments.set(eventId, {
        eventId,
        lineId: event.data.lineId,
        amountFen: event.data.amountFen,
        releasedFen: 0n,
        consumedFen: 0n,
      });
      return;
    }
    case 'CommitmentReleased': {
      const commitment = mustCommitment(state, event.data.commitmentEventId, event);
      commitment.releasedFen += event.data.amountFen;
      mustLine(state, commitment.lineId, event).committedFen -= event.data.amountFen;
      return;
    }
    case 'YearClosed':
      state.closedYears.add(streamIdOf(event.data.department, event.data.fiscalYear));
      return;
    case 'BalanceCarriedForward':
      mustLine(state, event.data.fromLineId, event).carriedForwardFen += event.data.amountFen;
      mustLine(state, event.data.toLineId, event).broughtForwardFen += event.data.amountFen;
      return;
  }
}

/** 支付: what it consumes of its commitment (fixed now) moves from committed to executed. */
function evolvePayment(state: LedgerState, event: Extract<LedgerEvent, { type: 'PaymentRecorded' }>): void {
  const line = mustLine(state, event.data.lineId, event);
  const { commitmentEventId } = event.data;
  const consumedFen = consumedByPayment(state, event);
  if (commitmentEventId !== undefined) {
    const commitment = mustCommitment(state, commitmentEventId, event);
    commitment.consumedFen += consumedFen;
    line.committedFen -= consumedFen;
  }
  line.executedFen += event.data.amountFen;
  state.payments.set(event.eventId, {
    eventId: event.eventId,
    lineId: event.data.lineId,
    amountFen: event.data.amountFen,
    reversedFen: 0n,
    ...(commitmentEventId === undefined ? {} : { commitmentEventId }),
    consumedFen,
  });
}
