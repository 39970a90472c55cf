import { adjustedFen, formatYuan, ratio, type LineFigures } from '@ledger/domain';

/** The summed movements of a set of lines, in 分: a line's eight figures. */
export type Sums = LineFigures;

/** The figures of DESIGN.md §6 `view` rows and totals: yuan strings and a 4-decimal ratio. */
export interface Figures {
  readonly initial: string;
  readonly adjustments: string;
  readonly transfersIn: string;
  readonly transfersOut: string;
  readonly adjusted: string;
  readonly executed: string;
  readonly committed: string;
  readonly broughtForward: string;
  readonly carriedForward: string;
  /** adjusted − executed − committed. */
  readonly available: string;
  readonly executionRate: string | null;
}

export function addSums(into: Sums, from: Sums): void {
  into.initialFen += from.initialFen;
  into.adjustmentsFen += from.adjustmentsFen;
  into.transfersInFen += from.transfersInFen;
  into.transfersOutFen += from.transfersOutFen;
  into.executedFen += from.executedFen;
  into.committedFen += from.committedFen;
  into.broughtForwardFen += from.broughtForwardFen;
  into.carriedForwardFen += from.carriedForwardFen;
}

/** 调整预算数 = 年初 + 调整 + 调剂转入 − 调剂转出 + 上年结转 (the domain's adjustedFen). */
export function adjustedOf(s: Sums): bigint {
  return adjustedFen(s);
}

/** 可用余额 = 调整预算数 − 执行数 − 已预留 (decision 0014). */
export function availableOf(s: Sums): bigint {
  return adjustedOf(s) - s.executedFen - s.committedFen;
}

/** The SQL expressions of a row's (or a sum's) budget movements. */
export interface MovementColumns {
  readonly initial: string;
  readonly adjustments: string;
  readonly transfersIn: string;
  readonly transfersOut: string;
  readonly broughtForward: string;
}

/** 调整预算数 in SQL: the domain's adjustedFen, term by term, over the given columns. */
export function adjustedSql(c: MovementColumns): string {
  return `${c.initial} + ${c.adjustments} + ${c.transfersIn} - ${c.transfersOut} + ${c.broughtForward}`;
}

/** The movement columns of LINES_AS_OF_SQL's rows under an alias (as-of.ts). */
export function linesAsOfColumns(alias: string): MovementColumns {
  return {
    initial: `${alias}."initialFen"`,
    adjustments: `${alias}."adjustmentsFen"`,
    transfersIn: `${alias}."transfersInFen"`,
    transfersOut: `${alias}."transfersOutFen"`,
    broughtForward: `${alias}."broughtForwardFen"`,
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
    committed: formatYuan(s.committedFen),
    broughtForward: formatYuan(s.broughtForwardFen),
    carriedForward: formatYuan(s.carriedForwardFen),
    available: formatYuan(adjusted - s.executedFen - s.committedFen),
    executionRate: ratio(s.executedFen, adjusted),
  };
}
