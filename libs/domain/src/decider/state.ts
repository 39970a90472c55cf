import { streamIdOf, type BudgetLineOpenedData, type LineKind } from '../events';
import type { Fen } from '../money';

/**
 * The state of the budget rules (DESIGN.md §3 and §11). It is PARTIAL: the application loads only
 * the lines, payments, commitments, closed quarters and closed years a batch touches (see
 * linesReferenced, paymentReferenced, commitmentReferenced, yearsToComplete, departmentYearOf).
 * Totals cover every event known, whatever its effective date, because "available" is checked
 * against all events known when the event is appended.
 */

export interface LineState extends LineFigures {
  readonly lineId: string;
  readonly department: string;
  readonly fiscalYear: number;
  readonly kind: LineKind;
  readonly tags: readonly string[];
  /** The classifications a year-end matches and copies when it carries the line's balance forward. */
  readonly name?: string;
  readonly unit?: string;
  readonly project?: string;
  readonly functionCode?: string;
  readonly economicCode?: string;
  readonly fundingSource?: string;
}

export interface PaymentState {
  /** The eventId of the PaymentRecorded event. */
  readonly eventId: string;
  readonly lineId: string;
  readonly amountFen: Fen;
  reversedFen: Fen;
  /** The commitment the payment names (CommitmentMade eventId), if any. */
  readonly commitmentEventId?: string;
  /** What the payment consumed of its commitment: min(amount, what was left of it), fixed when it is recorded. */
  readonly consumedFen: Fen;
}

/** 预留: one CommitmentMade and what became of it. */
export interface CommitmentState {
  /** The eventId of the CommitmentMade event. */
  readonly eventId: string;
  readonly lineId: string;
  readonly amountFen: Fen;
  releasedFen: Fen;
  consumedFen: Fen;
}

export interface LedgerState {
  readonly lines: Map<string, LineState>;
  readonly payments: Map<string, PaymentState>;
  readonly commitments: Map<string, CommitmentState>;
  /**
   * Department → fiscal year → quarters closed (1..4, in order). By department first: every
   * payment asks for its own department's closed quarters, of any year.
   */
  readonly closedQuarters: Map<string, Map<number, number>>;
  /**
   * The department-years (by stream id, streamIdOf) known to have at least one line: a quarter of
   * a department-year with none cannot be closed (a typo there would shut out its real events).
   */
  readonly departmentYearsWithLines: Set<string>;
  /** The department-years (by stream id) whose YearClosed is stored: closed for every event. */
  readonly closedYears: Set<string>;
  /**
   * The department-years (by stream id) whose lines are ALL in `lines`: a YearClosed reads every
   * line of its year and of the next (yearsToComplete), and decide insists on it.
   */
  readonly completeYears: Set<string>;
}

export interface DepartmentYear {
  readonly department: string;
  readonly fiscalYear: number;
}

export function emptyState(): LedgerState {
  return {
    lines: new Map(),
    payments: new Map(),
    commitments: new Map(),
    closedQuarters: new Map(),
    departmentYearsWithLines: new Set(),
    closedYears: new Set(),
    completeYears: new Set(),
  };
}

/** How many quarters of the department-year are closed (0 when none, or not in the state). */
export function quartersClosed(state: LedgerState, department: string, fiscalYear: number): number {
  return state.closedQuarters.get(department)?.get(fiscalYear) ?? 0;
}

/** Records that `closed` quarters of the department-year are closed (never fewer than known). */
export function setQuartersClosed(state: LedgerState, department: string, fiscalYear: number, closed: number): void {
  let years = state.closedQuarters.get(department);
  if (years === undefined) {
    years = new Map();
    state.closedQuarters.set(department, years);
  }
  years.set(fiscalYear, Math.max(years.get(fiscalYear) ?? 0, closed));
}

/** What a fresh line is made of: BudgetLineOpened's data, or a projection row. */
export type LineIdentity = Pick<
  BudgetLineOpenedData,
  'lineId' | 'department' | 'fiscalYear' | 'kind' | 'tags' | 'name' | 'unit' | 'project' | 'functionCode' | 'economicCode' | 'fundingSource'
>;

const DIMENSIONS = ['name', 'unit', 'project', 'functionCode', 'economicCode', 'fundingSource'] as const;

/** A fresh line as BudgetLineOpened makes it; also what the application fills from a projection. */
export function newLineState(line: LineIdentity): LineState {
  const dimensions: { -readonly [K in (typeof DIMENSIONS)[number]]?: string } = {};
  // Absent stays absent (not undefined): a year-end matches "absent equals absent".
  for (const key of DIMENSIONS) if (line[key] !== undefined) dimensions[key] = line[key];
  return {
    lineId: line.lineId,
    department: line.department,
    fiscalYear: line.fiscalYear,
    kind: line.kind,
    tags: [...line.tags],
    ...dimensions,
    ...zeroLineFigures(),
  };
}

/** A line's eight figures in 分, as LineState and the reports' sums keep them. */
export interface LineFigures {
  initialFen: Fen;
  adjustmentsFen: Fen;
  transfersInFen: Fen;
  transfersOutFen: Fen;
  executedFen: Fen;
  /** Open commitments: made − released − consumed by payments. */
  committedFen: Fen;
  /** 上年结转: received from the previous year's lines at its close. */
  broughtForwardFen: Fen;
  /** 结转下年: moved to the next year's lines at this year's close. */
  carriedForwardFen: Fen;
}

/** Every figure 0: a line just opened, or a sum before its first term. */
export function zeroLineFigures(): LineFigures {
  return {
    initialFen: 0n,
    adjustmentsFen: 0n,
    transfersInFen: 0n,
    transfersOutFen: 0n,
    executedFen: 0n,
    committedFen: 0n,
    broughtForwardFen: 0n,
    carriedForwardFen: 0n,
  };
}

/** The movements that make a budget, of one line or summed over many, in 分. */
export interface BudgetMovements {
  readonly initialFen: Fen;
  readonly adjustmentsFen: Fen;
  readonly transfersInFen: Fen;
  readonly transfersOutFen: Fen;
  readonly broughtForwardFen: Fen;
}

/**
 * 调整预算数 = initial + adjustments + transfersIn − transfersOut + broughtForward (DESIGN.md §2,
 * §11): the one place of the formula; reporting's SQL sums write the same terms through its adjustedSql.
 */
export function adjustedFen(line: BudgetMovements): Fen {
  return line.initialFen + line.adjustmentsFen + line.transfersInFen - line.transfersOutFen + line.broughtForwardFen;
}

/**
 * 可用余额 = adjusted − executed − committed (decision 0014): budget reserved by a commitment is not
 * available. Negative only after a payment accepted under policy 'flag'.
 */
export function availableFen(line: LineState): Fen {
  return adjustedFen(line) - line.executedFen - line.committedFen;
}

/** What is left of a commitment: neither released nor consumed by payments. */
export function commitmentLeftFen(commitment: CommitmentState): Fen {
  return commitment.amountFen - commitment.releasedFen - commitment.consumedFen;
}

/** The stream id of a department-year. */
export function streamOf(place: DepartmentYear): string {
  return streamIdOf(place.department, place.fiscalYear);
}
