import type { LedgerEvent, RatioFigures, ScoringConfig, ThresholdCrossedData } from '@ledger/domain';
import { adjustmentTransferCheck, crossed, formatYuan, THRESHOLD_CROSSED, thresholdCrossedEventId } from '@ledger/domain';
import type { NewEvent, Sql } from '@ledger/event-store';

/** The accepted events of a batch that belong to one department-year, in order. */
export interface DepartmentYearEvents {
  readonly department: string;
  readonly fiscalYear: number;
  readonly streamId: string;
  readonly events: readonly LedgerEvent[];
}

interface Totals {
  initialFen: bigint;
  adjustmentFen: bigint;
  transferFen: bigint;
  routineFen: bigint;
}

/**
 * Alerts for the thresholds an append crosses: for each department-year, the check is computed
 * on every event known before the batch, then after each accepted event that moves a counted
 * amount; a check that passed and then fails records a ThresholdCrossed event naming the event
 * that crossed it. Runs inside the append transaction, after the stream locks, so the "before"
 * totals (ledger_lines, not yet updated by this batch) are exact.
 */
export async function thresholdAlerts(
  tx: Sql,
  groups: readonly DepartmentYearEvents[],
  scoring: ScoringConfig,
): Promise<{ streamId: string; event: NewEvent }[]> {
  const alerts: { streamId: string; event: NewEvent }[] = [];
  for (const group of groups) {
    if (!group.events.some(movesCountedAmounts)) continue;
    const totals = await knownTotals(tx, group.department, group.fiscalYear);
    let before = adjustmentTransferCheck(group.fiscalYear, figures(totals), scoring);
    for (const event of group.events) {
      if (!movesCountedAmounts(event)) continue;
      apply(totals, event);
      const after = adjustmentTransferCheck(group.fiscalYear, figures(totals), scoring);
      if (crossed(before, after)) {
        const data: ThresholdCrossedData = {
          department: group.department,
          fiscalYear: group.fiscalYear,
          rule: after.rule,
          value: after.value,
          threshold: after.threshold,
          points: after.points,
          previousValue: before.value,
          initial: formatYuan(totals.initialFen),
          adjustmentAmount: formatYuan(totals.adjustmentFen),
          transferAmount: formatYuan(totals.transferFen),
          triggeredBy: event.eventId,
        };
        alerts.push({
          streamId: group.streamId,
          event: {
            eventId: thresholdCrossedEventId(after.rule, event.eventId),
            type: THRESHOLD_CROSSED,
            effectiveDate: event.effectiveDate,
            correction: false,
            data: { ...data },
            metadata: { source: 'ledger' },
          },
        });
      }
      before = after;
    }
  }
  return alerts;
}

function movesCountedAmounts(event: LedgerEvent): boolean {
  return event.type === 'InitialBudgetApproved' || event.type === 'BudgetAdjusted' || event.type === 'BudgetTransferred';
}

function apply(totals: Totals, event: LedgerEvent): void {
  switch (event.type) {
    case 'InitialBudgetApproved':
      totals.initialFen += event.data.amountFen;
      break;
    case 'BudgetAdjusted':
      totals.adjustmentFen += event.data.amountFen;
      break;
    case 'BudgetTransferred':
      if (event.data.routine) totals.routineFen += event.data.amountFen;
      else totals.transferFen += event.data.amountFen;
      break;
    case 'BudgetLineOpened':
    case 'PaymentRecorded':
    case 'PaymentReversed':
    case 'PeriodClosed':
      break;
  }
}

function figures(t: Totals): RatioFigures {
  return {
    initialFen: t.initialFen,
    // Transfers move budget between lines of the department-year: they leave its total unchanged.
    adjustedFen: t.initialFen + t.adjustmentFen,
    adjustmentAmountFen: t.adjustmentFen,
    transferAmountFen: t.transferFen,
    routineTransferAmountFen: t.routineFen,
  };
}

/** Totals of every event known for the department-year (any effective date). */
async function knownTotals(tx: Sql, department: string, fiscalYear: number): Promise<Totals> {
  const [row] = await tx.query<{ initial: bigint; adjustments: bigint; transfers: bigint; routine: bigint }>(
    `SELECT COALESCE(sum(l.initial_fen), 0)::bigint AS initial, COALESCE(sum(l.adjustments_fen), 0)::bigint AS adjustments,
            COALESCE(sum(m.transfers), 0)::bigint AS transfers, COALESCE(sum(m.routine), 0)::bigint AS routine
     FROM ledger_lines l
     LEFT JOIN LATERAL (
       SELECT sum(transfers_out_fen - routine_transfers_out_fen) AS transfers, sum(routine_transfers_out_fen) AS routine
       FROM ledger_movements WHERE line_id = l.line_id AND transfers_out_fen <> 0
     ) m ON true
     WHERE l.department = $1 AND l.fiscal_year = $2::integer`,
    [department, String(fiscalYear)],
  );
  return {
    initialFen: row?.initial ?? 0n,
    adjustmentFen: row?.adjustments ?? 0n,
    transferFen: row?.transfers ?? 0n,
    routineFen: row?.routine ?? 0n,
  };
}
