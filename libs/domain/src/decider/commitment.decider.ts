import type { LedgerError } from '../errors';
import type { CommitmentMade, CommitmentReleased } from '../events';
import { formatYuan } from '../money';
import { checkInFiscalYear, checkPeriodOpen, checkWithinAvailable, lineOf, refuse } from './rules';
import { commitmentLeftFen, type LedgerState } from './state';

/** Commitments (预留/冻结) and their releases (decision 0014). */

/** 预留: not more than the line's available, whatever the payment policy. */
export function decideCommitment(state: LedgerState, event: CommitmentMade): LedgerError[] {
  const line = lineOf(state, event, event.data.lineId, 'data.lineId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  checkWithinAvailable(event, line, event.data.amountFen, 'COMMITMENT_EXCEEDS_AVAILABLE', 'commitment');
  return [];
}

/** 解除预留: not more than what is left of the commitment (neither released nor consumed). */
export function decideRelease(state: LedgerState, event: CommitmentReleased): LedgerError[] {
  const { commitmentEventId, amountFen } = event.data;
  const commitment = state.commitments.get(commitmentEventId);
  if (commitment === undefined) {
    refuse(event, 'COMMITMENT_NOT_FOUND', 'data.commitmentEventId', `commitment ${commitmentEventId} is not recorded`);
  }
  const line = lineOf(state, event, commitment.lineId, 'data.commitmentEventId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  const leftFen = commitmentLeftFen(commitment);
  if (amountFen > leftFen) {
    refuse(
      event,
      'RELEASE_EXCEEDS_COMMITMENT',
      'data.amount',
      `release ${formatYuan(amountFen)} exceeds the ${formatYuan(leftFen)} left of commitment ${commitmentEventId}`,
    );
  }
  return [];
}
