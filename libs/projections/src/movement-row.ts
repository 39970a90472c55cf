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
