import { periodName, QUARTERS, quarterEndDate } from '../calendar';
import { LedgerError, type ErrorCode } from '../errors';
import type { LedgerEvent, Quarter } from '../events';
import { formatYuan, type Fen } from '../money';
import { departmentYearOf } from './routing';
import { availableFen, streamOf, type LedgerState, type LineState } from './state';

/** The checks several event types share, and the options of decide. */

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

/** A business refusal: thrown inside the decider only, and returned (never thrown) by decide. */
export function refuse(event: LedgerEvent, code: ErrorCode, field: string, reason: string): never {
  throw new LedgerError(code, field, reason, event.eventId);
}

export function lineOf(state: LedgerState, event: LedgerEvent, lineId: string, field: string): LineState {
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

/** Whether a date lies in a fiscal year. */
export function inFiscalYear(date: string, fiscalYear: number): boolean {
  return date.slice(0, 4) === String(fiscalYear).padStart(4, '0');
}

/** An event dated outside its line's fiscal year would count in the wrong year's figures. */
export function checkInFiscalYear(event: LedgerEvent, line: LineState): void {
  if (inFiscalYear(event.effectiveDate, line.fiscalYear)) return;
  refuse(
    event,
    'OUTSIDE_FISCAL_YEAR',
    'effectiveDate',
    `${event.effectiveDate} is outside fiscal year ${line.fiscalYear} of line ${line.lineId}`,
  );
}

export function checkPeriodOpen(state: LedgerState, event: LedgerEvent, department: string): void {
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

/**
 * A closed year is closed for everything, corrections included (decision 0014): its balances
 * have moved to the next year, and a later change would break "carried = available". A YearClosed
 * itself is judged by decideYearClose (YEAR_ALREADY_CLOSED).
 */
export function checkYearOpen(state: LedgerState, event: LedgerEvent): void {
  if (event.type === 'YearClosed') return;
  const place = departmentYearOf(event, state);
  if (place === undefined || !state.closedYears.has(streamOf(place))) return;
  refuse(
    event,
    'YEAR_CLOSED',
    'effectiveDate',
    `fiscal year ${place.fiscalYear} is closed for ${place.department}: no event of it is accepted any more, corrections included`,
  );
}

/** Refuses an amount (a transfer out, a commitment) above the line's available, naming `data.amount`. */
export function checkWithinAvailable(event: LedgerEvent, line: LineState, amountFen: Fen, code: ErrorCode, what: string): void {
  const available = availableFen(line);
  if (amountFen <= available) return;
  refuse(
    event,
    code,
    'data.amount',
    `${what} ${formatYuan(amountFen)} exceeds the available ${formatYuan(available)} of line ${line.lineId}`,
  );
}
