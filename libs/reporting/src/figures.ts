import { adjustedFen, formatYuan, ratio } from '@ledger/domain';

/** The summed movements of a set of lines, in 分. */
export interface Sums {
  initialFen: bigint;
  adjustmentsFen: bigint;
  transfersInFen: bigint;
  transfersOutFen: bigint;
  executedFen: bigint;
}

/** The figures of DESIGN.md §6 `view` rows and totals: yuan strings and a 4-decimal ratio. */
export interface Figures {
  readonly initial: string;
  readonly adjustments: string;
  readonly transfersIn: string;
  readonly transfersOut: string;
  readonly adjusted: string;
  readonly executed: string;
  readonly available: string;
  readonly executionRate: string | null;
}

export function zeroSums(): Sums {
  return { initialFen: 0n, adjustmentsFen: 0n, transfersInFen: 0n, transfersOutFen: 0n, executedFen: 0n };
}

export function addSums(into: Sums, from: Sums): void {
  into.initialFen += from.initialFen;
  into.adjustmentsFen += from.adjustmentsFen;
  into.transfersInFen += from.transfersInFen;
  into.transfersOutFen += from.transfersOutFen;
  into.executedFen += from.executedFen;
}

/** 调整预算数 = 年初 + 调整 + 调剂转入 − 调剂转出 (the domain's adjustedFen). */
export function adjustedOf(s: Sums): bigint {
  return adjustedFen(s);
}

/** The SQL expressions of a row's (or a sum's) budget movements. */
export interface MovementColumns {
  readonly initial: string;
  readonly adjustments: string;
  readonly transfersIn: string;
  readonly transfersOut: string;
}

/** 调整预算数 in SQL: the domain's adjustedFen, term by term, over the given columns. */
export function adjustedSql(c: MovementColumns): string {
  return `${c.initial} + ${c.adjustments} + ${c.transfersIn} - ${c.transfersOut}`;
}

/** The movement columns of LINES_AS_OF_SQL's rows under an alias (as-of.ts). */
export function linesAsOfColumns(alias: string): MovementColumns {
  return {
    initial: `${alias}."initialFen"`,
    adjustments: `${alias}."adjustmentsFen"`,
    transfersIn: `${alias}."transfersInFen"`,
    transfersOut: `${alias}."transfersOutFen"`,
  };
}

export function figuresOf(s: Sums): Figures {
  const adjusted = adjustedOf(s);
  return {
    initial: formatYuan(s.initialFen),
    adjustments: formatYuan(s.adjustmentsFen),
    transfersIn: formatYuan(s.transfersInFen),
    transfersOut: formatYuan(s.transfersOutFen),
    adjusted: formatYuan(adjusted),
    executed: formatYuan(s.executedFen),
    available: formatYuan(adjusted - s.executedFen),
    executionRate: ratio(s.executedFen, adjusted),
  };
}
