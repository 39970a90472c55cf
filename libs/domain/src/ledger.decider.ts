import { periodName, QUARTERS, quarterEndDate, quarterNumber } from './calendar';
import { LedgerError, type ErrorCode } from './errors';
import {
  streamIdOf,
  type BudgetAdjusted,
  type BudgetTransferred,
  type LedgerEvent,
  type LineKind,
  type PaymentRecorded,
  type PaymentReversed,
  type PeriodClosed,
  type Quarter,
} from './events';
import { formatYuan, type Fen } from './money';

/**
 * The budget rules of DESIGN.md §3 as two pure functions (Emmett's decider): `decide` accepts or
 * refuses one validated event against the state, `evolve` applies an accepted one. The state is
 * PARTIAL: the application loads only the lines, payments and closed quarters a batch touches
 * (see linesReferenced, paymentReferenced, departmentYearOf). Totals cover every event known,
 * whatever its effective date, because "available" is checked against all events known when the
 * event is appended.
 */

export interface LineState {
  readonly lineId: string;
  readonly department: string;
  readonly fiscalYear: number;
  readonly kind: LineKind;
  readonly tags: readonly string[];
  initialFen: Fen;
  adjustmentsFen: Fen;
  transfersInFen: Fen;
  transfersOutFen: Fen;
  executedFen: Fen;
}

export interface PaymentState {
  /** The eventId of the PaymentRecorded event. */
  readonly eventId: string;
  readonly lineId: string;
  readonly amountFen: Fen;
  reversedFen: Fen;
}

export interface LedgerState {
  readonly lines: Map<string, LineState>;
  readonly payments: Map<string, PaymentState>;
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
}

export interface DecideOptions {
  /** 'reject' refuses a payment above the line's available; 'flag' accepts it with a LINE_OVERDRAWN warning. */
  readonly paymentPolicy: 'reject' | 'flag';
  /**
   * Today's business date (Asia/Shanghai, 'YYYY-MM-DD') from the caller's clock: a quarter may be
   * closed only once it has ended. Undefined: no such check (a replay of events already judged).
   */
  readonly today?: string;
}

export const DEFAULT_DECIDE_OPTIONS: DecideOptions = { paymentPolicy: 'reject' };

export type Decision = { ok: true; warnings: LedgerError[] } | { ok: false; error: LedgerError };

export interface DepartmentYear {
  readonly department: string;
  readonly fiscalYear: number;
}

export function emptyState(): LedgerState {
  return { lines: new Map(), payments: new Map(), closedQuarters: new Map(), departmentYearsWithLines: new Set() };
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

/** A fresh line as BudgetLineOpened makes it; also what the application fills from a projection. */
export function newLineState(line: Pick<LineState, 'lineId' | 'department' | 'fiscalYear' | 'kind' | 'tags'>): LineState {
  return {
    lineId: line.lineId,
    department: line.department,
    fiscalYear: line.fiscalYear,
    kind: line.kind,
    tags: [...line.tags],
    initialFen: 0n,
    adjustmentsFen: 0n,
    transfersInFen: 0n,
    transfersOutFen: 0n,
    executedFen: 0n,
  };
}

/** The movements that make a budget, of one line or summed over many, in 分. */
export interface BudgetMovements {
  readonly initialFen: Fen;
  readonly adjustmentsFen: Fen;
  readonly transfersInFen: Fen;
  readonly transfersOutFen: Fen;
}

/**
 * 调整预算数 = initial + adjustments + transfersIn − transfersOut (DESIGN.md §2): the one place of
 * the formula; reporting's SQL sums write the same terms through its adjustedSql.
 */
export function adjustedFen(line: BudgetMovements): Fen {
  return line.initialFen + line.adjustmentsFen + line.transfersInFen - line.transfersOutFen;
}

/** 可用余额 = adjusted − executed (negative only after a payment accepted under policy 'flag'). */
export function availableFen(line: LineState): Fen {
  return adjustedFen(line) - line.executedFen;
}

/** Lines whose state decide needs. A reversal's line is found through its payment (paymentReferenced). */
export function linesReferenced(event: LedgerEvent): string[] {
  switch (event.type) {
    case 'BudgetLineOpened':
    case 'InitialBudgetApproved':
    case 'BudgetAdjusted':
    case 'PaymentRecorded':
      return [event.data.lineId];
    case 'BudgetTransferred':
      return [event.data.fromLineId, event.data.toLineId];
    case 'PaymentReversed':
    case 'PeriodClosed':
      return [];
  }
}

/** The payment whose state decide needs (PaymentReversed only); load its line too. */
export function paymentReferenced(event: LedgerEvent): string | undefined {
  return event.type === 'PaymentReversed' ? event.data.paymentEventId : undefined;
}

/**
 * The department-year (stream) an event belongs to: carried by BudgetLineOpened and PeriodClosed,
 * otherwise that of its line (a transfer's source line, a reversal's payment's line). Undefined
 * when the line or payment is not in the state, which decide refuses as LINE_NOT_FOUND or
 * PAYMENT_NOT_FOUND.
 */
export function departmentYearOf(event: LedgerEvent, state: LedgerState): DepartmentYear | undefined {
  switch (event.type) {
    case 'BudgetLineOpened':
    case 'PeriodClosed':
      return { department: event.data.department, fiscalYear: event.data.fiscalYear };
    case 'InitialBudgetApproved':
    case 'BudgetAdjusted':
    case 'PaymentRecorded':
      return lineDepartmentYear(state.lines.get(event.data.lineId));
    case 'BudgetTransferred':
      return lineDepartmentYear(state.lines.get(event.data.fromLineId));
    case 'PaymentReversed': {
      const payment = state.payments.get(event.data.paymentEventId);
      return payment === undefined ? undefined : lineDepartmentYear(state.lines.get(payment.lineId));
    }
  }
}

function lineDepartmentYear(line: LineState | undefined): DepartmentYear | undefined {
  return line === undefined ? undefined : { department: line.department, fiscalYear: line.fiscalYear };
}

// ---------------------------------------------------------------------------------------------
// decide

/** A business refusal: thrown inside this module only, and returned (never thrown) by decide. */
function refuse(event: LedgerEvent, code: ErrorCode, field: string, reason: string): never {
  throw new LedgerError(code, field, reason, event.eventId);
}

function lineOf(state: LedgerState, event: LedgerEvent, lineId: string, field: string): LineState {
  const line = state.lines.get(lineId);
  if (line === undefined) refuse(event, 'LINE_NOT_FOUND', field, `line ${lineId} is not open`);
  return line;
}

/**
 * The closed period of the department that covers `date`: the earliest closed quarter, over all of
 * the department's years in the state, whose last day is on or after `date`. Undefined when the
 * date is after every closed quarter.
 */
export function closedPeriodCovering(
  state: LedgerState,
  department: string,
  date: string,
): { fiscalYear: number; quarter: Quarter; lastDay: string } | undefined {
  let found: { fiscalYear: number; quarter: Quarter; lastDay: string } | undefined;
  for (const [fiscalYear, closed] of state.closedQuarters.get(department) ?? []) {
    for (const quarter of QUARTERS.slice(0, closed)) {
      const lastDay = quarterEndDate(fiscalYear, quarter);
      if (lastDay >= date && (found === undefined || lastDay < found.lastDay)) found = { fiscalYear, quarter, lastDay };
    }
  }
  return found;
}

/** An event dated outside its line's fiscal year would count in the wrong year's figures. */
function checkInFiscalYear(event: LedgerEvent, line: LineState): void {
  if (event.effectiveDate.slice(0, 4) === String(line.fiscalYear).padStart(4, '0')) return;
  refuse(
    event,
    'OUTSIDE_FISCAL_YEAR',
    'effectiveDate',
    `${event.effectiveDate} is outside fiscal year ${line.fiscalYear} of line ${line.lineId}`,
  );
}

function checkPeriodOpen(state: LedgerState, event: LedgerEvent, department: string): void {
  if (event.correction) return;
  const closed = closedPeriodCovering(state, department, event.effectiveDate);
  if (closed === undefined) return;
  refuse(
    event,
    'PERIOD_CLOSED',
    'effectiveDate',
    `period ${periodName(closed.fiscalYear, closed.quarter)} is closed for ${department}: ` +
      `only a correction ("correction": true) may be dated on or before ${closed.lastDay}`,
  );
}

function decideOrThrow(state: LedgerState, event: LedgerEvent, options: DecideOptions): LedgerError[] {
  switch (event.type) {
    case 'BudgetLineOpened': {
      const { lineId, department } = event.data;
      if (state.lines.has(lineId)) refuse(event, 'LINE_ALREADY_OPENED', 'data.lineId', `line ${lineId} is already open`);
      checkPeriodOpen(state, event, department);
      return [];
    }
    case 'InitialBudgetApproved': {
      const line = lineOf(state, event, event.data.lineId, 'data.lineId');
      checkInFiscalYear(event, line);
      checkPeriodOpen(state, event, line.department);
      return [];
    }
    case 'BudgetAdjusted':
      return decideAdjustment(state, event);
    case 'BudgetTransferred':
      return decideTransfer(state, event);
    case 'PaymentRecorded':
      return decidePayment(state, event, options);
    case 'PaymentReversed':
      return decideReversal(state, event);
    case 'PeriodClosed':
      return decidePeriodClose(state, event, options);
  }
}

/** 调整: a cut may not leave less budget than was paid. */
function decideAdjustment(state: LedgerState, event: BudgetAdjusted): LedgerError[] {
  const line = lineOf(state, event, event.data.lineId, 'data.lineId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  const amountFen = event.data.amountFen;
  const adjustedAfterFen = adjustedFen(line) + amountFen;
  // A cut is refused when it leaves less budget than was already paid; an increase never is,
  // even on a line overdrawn under policy 'flag', because it only improves it.
  if (amountFen < 0n && adjustedAfterFen < line.executedFen) {
    refuse(
      event,
      'ADJUSTMENT_BELOW_EXECUTED',
      'data.amount',
      `adjustment ${formatYuan(amountFen)} would make the adjusted budget ${formatYuan(adjustedAfterFen)} of line ` +
        `${line.lineId} less than its executed ${formatYuan(line.executedFen)}`,
    );
  }
  return [];
}

/** 调剂: within one department-year, not more than the source line has available. */
function decideTransfer(state: LedgerState, event: BudgetTransferred): LedgerError[] {
  const from = lineOf(state, event, event.data.fromLineId, 'data.fromLineId');
  const to = lineOf(state, event, event.data.toLineId, 'data.toLineId');
  if (from.department !== to.department || from.fiscalYear !== to.fiscalYear) {
    refuse(
      event,
      'TRANSFER_OUTSIDE_DEPARTMENT_YEAR',
      'data.toLineId',
      `line ${to.lineId} (${to.department} ${to.fiscalYear}) is not of the department and year of line ` +
        `${from.lineId} (${from.department} ${from.fiscalYear})`,
    );
  }
  checkInFiscalYear(event, from);
  checkPeriodOpen(state, event, from.department);
  const available = availableFen(from);
  if (event.data.amountFen > available) {
    refuse(
      event,
      'TRANSFER_EXCEEDS_AVAILABLE',
      'data.amount',
      `transfer ${formatYuan(event.data.amountFen)} exceeds the available ${formatYuan(available)} of line ${from.lineId}`,
    );
  }
  return [];
}

/** 支付: not more than the line's available (policy 'reject'), or accepted with a warning (policy 'flag'). */
function decidePayment(state: LedgerState, event: PaymentRecorded, options: DecideOptions): LedgerError[] {
  const line = lineOf(state, event, event.data.lineId, 'data.lineId');
  checkInFiscalYear(event, line);
  checkPeriodOpen(state, event, line.department);
  const available = availableFen(line);
  if (event.data.amountFen <= available) return [];
  const reason = `payment ${formatYuan(event.data.amountFen)} exceeds the available ${formatYuan(available)} of line ${line.lineId}`;
  if (options.paymentPolicy === 'reject') refuse(event, 'LINE_OVERDRAWN', 'data.amount', reason);
  return [new LedgerError('LINE_OVERDRAWN', 'data.amount', `${reason} (accepted under policy 'flag')`, event.eventId)];
}

/** 支付冲销: not more than what is left of the payment. */
function decideReversal(state: LedgerState, event: PaymentReversed): LedgerError[] {
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

/** 季度结账: quarters close in order, each once, once ended, and only where lines exist. */
function decidePeriodClose(state: LedgerState, event: PeriodClosed, options: DecideOptions): LedgerError[] {
  // Closing is itself dated on the quarter's last day, so the closed-period rule does not apply.
  const { department, fiscalYear, period } = event.data;
  const closed = quartersClosed(state, department, fiscalYear);
  const wanted = quarterNumber(period);
  if (wanted <= closed) {
    refuse(event, 'PERIOD_ALREADY_CLOSED', 'data.period', `period ${periodName(fiscalYear, period)} is already closed for ${department}`);
  }
  if (wanted !== closed + 1) {
    const next = QUARTERS[closed] as Quarter;
    refuse(
      event,
      'PERIOD_OUT_OF_ORDER',
      'data.period',
      `period ${periodName(fiscalYear, period)} cannot close before ${periodName(fiscalYear, next)} for ${department}`,
    );
  }
  if (!state.departmentYearsWithLines.has(streamIdOf(department, fiscalYear))) {
    refuse(
      event,
      'DEPARTMENT_YEAR_NOT_FOUND',
      'data.department',
      `${department} has no budget line in fiscal year ${fiscalYear}: there is nothing to close`,
    );
  }
  const lastDay = quarterEndDate(fiscalYear, period);
  if (options.today !== undefined && options.today <= lastDay) {
    refuse(
      event,
      'PERIOD_NOT_ENDED',
      'data.period',
      `period ${periodName(fiscalYear, period)} ends on ${lastDay}; it can be closed from the day after (today is ${options.today})`,
    );
  }
  return [];
}

/**
 * Accepts or refuses one validated event against the state. Business refusals are returned, never
 * thrown; the state is not changed (call evolve for an accepted event).
 */
export function decide(state: LedgerState, event: LedgerEvent, options: DecideOptions = DEFAULT_DECIDE_OPTIONS): Decision {
  try {
    return { ok: true, warnings: decideOrThrow(state, event, options) };
  } catch (thrown) {
    if (thrown instanceof LedgerError) return { ok: false, error: thrown };
    throw thrown;
  }
}

function mustLine(state: LedgerState, lineId: string, event: LedgerEvent): LineState {
  const line = state.lines.get(lineId);
  if (line === undefined) throw new Error(`evolve ${event.eventId}: line ${lineId} is not in the state (apply only accepted events)`);
  return line;
}

/**
 * Applies an accepted event to the state IN PLACE. A batch holds up to 1,000 events over a state
 * of as many lines; copying the maps for every event would cost O(batch × state) allocations for
 * nothing, since the application owns the state of one batch, applies events strictly in order
 * and throws the state away if the batch's transaction fails. Applying an event decide would
 * refuse is a programmer error and throws.
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
      const from = mustLine(state, event.data.fromLineId, event);
      const to = mustLine(state, event.data.toLineId, event);
      from.transfersOutFen += event.data.amountFen;
      to.transfersInFen += event.data.amountFen;
      return;
    }
    case 'PaymentRecorded':
      mustLine(state, event.data.lineId, event).executedFen += event.data.amountFen;
      state.payments.set(event.eventId, {
        eventId: event.eventId,
        lineId: event.data.lineId,
        amountFen: event.data.amountFen,
        reversedFen: 0n,
      });
      return;
    case 'PaymentReversed': {
      const payment = state.payments.get(event.data.paymentEventId);
      if (payment === undefined) throw new Error(`evolve ${event.eventId}: payment ${event.data.paymentEventId} is not in the state`);
      payment.reversedFen += event.data.amountFen;
      mustLine(state, payment.lineId, event).executedFen -= event.data.amountFen;
      return;
    }
    case 'PeriodClosed': {
      setQuartersClosed(state, event.data.department, event.data.fiscalYear, quarterNumber(event.data.period));
      return;
    }
  }
}
