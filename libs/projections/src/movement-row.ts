/** One (line, event) row of ledger_movements; amounts in 分. */
export interface MovementRow {
  readonly lineId: string;
  readonly position: bigint;
  readonly department: string;
  readonly fiscalYear: number;
  readonly effectiveDate: string;
  readonly recordedAt: string;
  readonly initialFen: bigint;
  readonly adjustmentsFen: bigint;
  readonly transfersInFen: bigint;
  readonly transfersOutFen: bigint;
  readonly routineTransfersOutFen: bigint;
  readonly executedFen: bigint;
  /** 预留: + CommitmentMade, − CommitmentReleased, − what a payment consumed of its commitment. */
  readonly committedFen: bigint;
  /** 上年结转 received (BalanceCarriedForward, on its toLineId). */
  readonly broughtForwardFen: bigint;
  /** 结转下年 given (BalanceCarriedForward, on its fromLineId). */
  readonly carriedForwardFen: bigint;
}

/** The figures of a movement that add up into a line's totals, in the order of RUNNING_COLUMNS. */
export const MOVEMENT_FIGURES = [
  'initialFen',
  'adjustmentsFen',
  'transfersInFen',
  'transfersOutFen',
  'executedFen',
  'committedFen',
  'broughtForwardFen',
  'carriedForwardFen',
] as const satisfies readonly (keyof MovementRow)[];

/** Every amount of a movement (its figures and a transfer's routine part), in the order of MOVEMENT_AMOUNT_COLUMNS. */
export const MOVEMENT_AMOUNTS = [
  'initialFen',
  'adjustmentsFen',
  'transfersInFen',
  'transfersOutFen',
  'routineTransfersOutFen',
  'executedFen',
  'committedFen',
  'broughtForwardFen',
  'carriedForwardFen',
] as const satisfies readonly (keyof MovementRow)[];

/** The columns of MOVEMENT_AMOUNTS, as ledger_movements, ledger_apart_movements and ledger_department_days name them. */
export const MOVEMENT_AMOUNT_COLUMNS = [
  'initial_fen',
  'adjustments_fen',
  'transfers_in_fen',
  'transfers_out_fen',
  'routine_transfers_out_fen',
  'executed_fen',
  'committed_fen',
  'brought_forward_fen',
  'carried_forward_fen',
] as const;
