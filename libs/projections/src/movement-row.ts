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
}
