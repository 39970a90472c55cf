import { closeYear } from './model-year-end';
import { adjustedOf, availableOf, fen, leftOf, type Commitment, type Line, type RawEvent } from './model-state';

/**
 * The rules of DESIGN.md §3 and decision 0014 as the reference model reads them: for one event,
 * every code it could be refused with against the state (empty: accepted). An event breaking
 * several rules may be refused with any of their codes: which one a ledger checks first is not
 * part of the contract.
 */

export const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'];

export interface Payment {
  readonly lineId: string;
  readonly amount: bigint;
  reversed: bigint;
}

export interface RulesState {
  readonly today: string;
  readonly lines: ReadonlyMap<string, Line>;
  readonly payments: ReadonlyMap<string, Payment>;
  readonly commitments: ReadonlyMap<string, Commitment>;
  /** department → fiscal year → the batch of each quarter's close, in order. */
  readonly closes: ReadonlyMap<string, ReadonlyMap<number, readonly number[]>>;
  /** `department|fiscalYear` of the closed years → the batch that closed it. */
  readonly closedYears: ReadonlyMap<string, number>;
}

export const yearKey = (department: string, fiscalYear: number): string => `${department}|${fiscalYear}`;

function lastClosedDay(state: RulesState, department: string): string | undefined {
  let last: string | undefined;
  for (const [year, quarters] of state.closes.get(department) ?? []) {
    if (quarters.length === 0) continue;
    const day = `${year}-${QUARTER_END[quarters.length - 1]}`;
    if (last === undefined || day > last) last = day;
  }
  return last;
}

export function hasLines(state: RulesState, department: string, fiscalYear: number): boolean {
  return [...state.lines.values()].some((l) => l.department === department && l.fiscalYear === fiscalYear);
}

/** Every code `event` may be refused with; empty when it is accepted. */
export function violations(state: RulesState, event: RawEvent): Set<string> {
  const codes = new Set<string>();
  const d = event.data;
  const check = checks(state, event, codes);
  switch (event.type) {
    case 'BudgetLineOpened':
      if (state.lines.has(d.lineId as string)) codes.add('LINE_ALREADY_OPENED');
      check.period(d.department as string);
      check.yearOpen(d.department as string, d.fiscalYear as number);
      break;
    case 'InitialBudgetApproved':
    case 'SpendingPlanSet':
      check.lineEvent(check.line(d.lineId));
      if (event.type === 'SpendingPlanSet') planRules(state, event, codes);
      break;
    case 'BudgetAdjusted':
      adjustmentRules(event, check, codes);
      break;
    case 'PaymentRecorded':
      paymentRules(state, event, check, codes);
      break;
    case 'CommitmentMade': {
      const line = check.line(d.lineId);
      if (line === undefined) break;
      check.lineEvent(line);
      if (fen(d.amount) > availableOf(line)) codes.add('COMMITMENT_EXCEEDS_AVAILABLE');
      break;
    }
    case 'CommitmentReleased': {
      const commitment = state.commitments.get(d.commitmentEventId as string);
      if (commitment === undefined) {
        codes.add('COMMITMENT_NOT_FOUND');
        break;
      }
      check.lineEvent(state.lines.get(commitment.lineId));
      if (fen(d.amount) > leftOf(commitment)) codes.add('RELEASE_EXCEEDS_COMMITMENT');
      break;
    }
    case 'BudgetTransferred':
      transferRules(event, check, codes);
      break;
    case 'PaymentReversed': {
      const payment = state.payments.get(d.paymentEventId as string);
      if (payment === undefined) {
        codes.add('PAYMENT_NOT_FOUND');
        break;
      }
      check.lineEvent(state.lines.get(payment.lineId));
      if (fen(d.amount) > payment.amount - payment.reversed) codes.add('REVERSAL_EXCEEDS_PAYMENT');
      break;
    }
    case 'PeriodClosed':
      periodCloseRules(state, event, codes);
      break;
    case 'YearClosed':
      yearCloseRules(state, event, codes);
      break;
    case 'BalanceCarriedForward':
      // An exact copy of a stored one is a duplicate, found before the rules (LedgerModel.apply).
      codes.add('DERIVED_EVENT_ONLY');
      break;
    default:
      throw new Error(`model: unknown type ${event.type}`);
  }
  return codes;
}

type Checks = ReturnType<typeof checks>;

function checks(state: RulesState, event: RawEvent, codes: Set<string>) {
  const period = (department: string): void => {
    const last = lastClosedDay(state, department);
    if (!event.correction && last !== undefined && event.effectiveDate <= last) codes.add('PERIOD_CLOSED');
  };
  const yearOpen = (department: string, fiscalYear: number): void => {
    if (state.closedYears.has(yearKey(department, fiscalYear))) codes.add('YEAR_CLOSED');
  };
  return {
    period,
    yearOpen,
    line(lineId: unknown): Line | undefined {
      const line = state.lines.get(lineId as string);
      if (line === undefined) codes.add('LINE_NOT_FOUND');
      return line;
    },
    /** The rules of every event on a line: its fiscal year, closed quarters, a closed year. */
    lineEvent(line: Line | undefined): void {
      if (line === undefined) return;
      if (event.effectiveDate.slice(0, 4) !== String(line.fiscalYear)) codes.add('OUTSIDE_FISCAL_YEAR');
      period(line.department);
      yearOpen(line.department, line.fiscalYear);
    },
  };
}

function planRules(state: RulesState, event: RawEvent, codes: Set<string>): void {
  const line = state.lines.get(event.data.lineId as string);
  if (line === undefined) return;
  const checkpoints = event.data.checkpoints as { date: string }[];
  if (checkpoints.some((c) => c.date.slice(0, 4) !== String(line.fiscalYear))) codes.add('PLAN_OUTSIDE_FISCAL_YEAR');
}

function adjustmentRules(event: RawEvent, check: Checks, codes: Set<string>): void {
  const line = check.line(event.data.lineId);
  if (line === undefined) return;
  check.lineEvent(line);
  const amount = fen(event.data.amount);
  if (amount < 0n && adjustedOf(line) + amount < line.executed + line.committed) codes.add('ADJUSTMENT_BELOW_EXECUTED');
}

/**
 * A payment against a commitment consumes min(amount, what is left of it); only the rest is
 * checked against available. A payment naming an unknown commitment, or one of another line,
 * is refused for that — or, when its whole amount is above available, for that too.
 */
function paymentRules(state: RulesState, event: RawEvent, check: Checks, codes: Set<string>): void {
  const d = event.data;
  const line = check.line(d.lineId);
  const commitmentId = d.commitmentEventId as string | undefined;
  const commitment = commitmentId === undefined ? undefined : state.commitments.get(commitmentId);
  if (commitmentId !== undefined && commitment === undefined) codes.add('COMMITMENT_NOT_FOUND');
  if (line === undefined) return;
  check.lineEvent(line);
  const amount = fen(d.amount);
  if (commitmentId === undefined) {
    if (amount > availableOf(line)) codes.add('LINE_OVERDRAWN');
    return;
  }
  if (commitment === undefined || commitment.lineId !== line.lineId) {
    if (commitment !== undefined) codes.add('COMMITMENT_OF_OTHER_LINE');
    if (amount > availableOf(line)) codes.add('LINE_OVERDRAWN');
    return;
  }
  const left = leftOf(commitment);
  const rest = amount - (amount < left ? amount : left);
  if (rest > availableOf(line)) codes.add('LINE_OVERDRAWN');
}

function transferRules(event: RawEvent, check: Checks, codes: Set<string>): void {
  const d = event.data;
  const from = check.line(d.fromLineId);
  const to = check.line(d.toLineId);
  if (from === undefined || to === undefined) return;
  if (from.department !== to.department || from.fiscalYear !== to.fiscalYear) codes.add('TRANSFER_OUTSIDE_DEPARTMENT_YEAR');
  check.lineEvent(from);
  check.yearOpen(to.department, to.fiscalYear);
  if (fen(d.amount) > availableOf(from)) codes.add('TRANSFER_EXCEEDS_AVAILABLE');
}

function periodCloseRules(state: RulesState, event: RawEvent, codes: Set<string>): void {
  const department = event.data.department as string;
  const year = event.data.fiscalYear as number;
  const closed = state.closes.get(department)?.get(year)?.length ?? 0;
  const wanted = Number(String(event.data.period).slice(1));
  if (wanted <= closed) codes.add('PERIOD_ALREADY_CLOSED');
  else if (wanted !== closed + 1) codes.add('PERIOD_OUT_OF_ORDER');
  if (!hasLines(state, department, year)) codes.add('DEPARTMENT_YEAR_NOT_FOUND');
  if (state.today <= `${year}-${QUARTER_END[wanted - 1]}`) codes.add('PERIOD_NOT_ENDED');
  if (state.closedYears.has(yearKey(department, year))) codes.add('YEAR_CLOSED');
}

/**
 * 年结: once Q4 is closed, once. Like PeriodClosed it is dated on a closed day and is not refused
 * for it. Closing a year after the next one is closed is refused as YEAR_CLOSED when it would
 * carry something into it (decision 0014 does not say; the ledger's choice, which the model follows).
 */
function yearCloseRules(state: RulesState, event: RawEvent, codes: Set<string>): void {
  const department = event.data.department as string;
  const year = event.data.fiscalYear as number;
  if (!hasLines(state, department, year)) codes.add('DEPARTMENT_YEAR_NOT_FOUND');
  if (state.closedYears.has(yearKey(department, year))) {
    codes.add('YEAR_ALREADY_CLOSED');
    codes.add('YEAR_CLOSED');
  } else if ((state.closes.get(department)?.get(year)?.length ?? 0) < 4) {
    codes.add('QUARTER_NOT_CLOSED');
  }
  if (state.closedYears.has(yearKey(department, year + 1)) && closeYear(state.lines, event).length > 0) codes.add('YEAR_CLOSED');
}
