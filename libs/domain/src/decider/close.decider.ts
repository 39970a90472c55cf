import { periodName, QUARTERS, quarterEndDate, quarterNumber } from '../calendar';
import type { LedgerError } from '../errors';
import { streamIdOf, type LedgerEvent, type PeriodClosed, type Quarter, type YearClosed } from '../events';
import { refuse, type DecideOptions } from './rules';
import { quartersClosed, type LedgerState } from './state';
import { carryForwardEvents } from './year-end';

/** Closing quarters (DESIGN.md §3) and years (decision 0014). */

/** 季度结账: quarters close in order, each once, once ended, and only where lines exist. */
export function decidePeriodClose(state: LedgerState, event: PeriodClosed, options: DecideOptions): LedgerError[] {
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
  checkHasLines(state, event, department, fiscalYear);
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

function checkHasLines(state: LedgerState, event: LedgerEvent, department: string, fiscalYear: number): void {
  if (state.departmentYearsWithLines.has(streamIdOf(department, fiscalYear))) return;
  refuse(
    event,
    'DEPARTMENT_YEAR_NOT_FOUND',
    'data.department',
    `${department} has no budget line in fiscal year ${fiscalYear}: there is nothing to close`,
  );
}

/**
 * 年结: once, after Q4 is closed, of a department-year with lines. Returns the events it derives
 * (carryForwardEvents). They change the next year's lines, so a closed next year refuses them.
 */
export function decideYearClose(state: LedgerState, event: YearClosed): LedgerEvent[] {
  const { department, fiscalYear } = event.data;
  for (const year of [fiscalYear, fiscalYear + 1]) {
    if (!state.completeYears.has(streamIdOf(department, year))) {
      throw new Error(
        `decide ${event.eventId}: the lines of ${streamIdOf(department, year)} are not all in the state (see yearsToComplete)`,
      );
    }
  }
  if (state.closedYears.has(streamIdOf(department, fiscalYear))) {
    refuse(event, 'YEAR_ALREADY_CLOSED', 'data.fiscalYear', `fiscal year ${fiscalYear} is already closed for ${department}`);
  }
  checkHasLines(state, event, department, fiscalYear);
  const closed = quartersClosed(state, department, fiscalYear);
  if (closed < 4) {
    refuse(
      event,
      'QUARTER_NOT_CLOSED',
      'data.fiscalYear',
      `fiscal year ${fiscalYear} of ${department} can close once ${periodName(fiscalYear, 'Q4')} is closed ` +
        `(${closed === 0 ? 'no quarter is' : `${periodName(fiscalYear, QUARTERS[closed - 1] as Quarter)} is the last`} closed)`,
    );
  }
  const derived = carryForwardEvents(state, event);
  if (derived.length > 0 && state.closedYears.has(streamIdOf(department, fiscalYear + 1))) {
    refuse(
      event,
      'YEAR_CLOSED',
      'data.fiscalYear',
      `fiscal year ${fiscalYear + 1} is closed for ${department}: the balances of ${fiscalYear} cannot be carried into it`,
    );
  }
  return derived;
}
