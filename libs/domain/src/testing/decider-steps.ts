import type { LedgerEvent } from '../events';
import {
  decide,
  emptyState,
  evolve,
  yearsToComplete,
  streamOf,
  type DecideOptions,
  type Decision,
  type LedgerState,
  type LineState,
} from '../ledger.decider';
import { parseEvent } from '../parse-event';

/**
 * Given/when/then steps for the decider's specs: events are written as raw JSON and parsed, as
 * they arrive; the state is built from the start, so every department-year's lines are all in it
 * (state.completeYears is filled for each YearClosed, as the application's loader does).
 */

export function ev(raw: Record<string, unknown>): LedgerEvent {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(result.error.message);
  return result.event;
}

let sequence = 0;
export function id(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

type Extra = Record<string, unknown>;

export const open = (lineId: string, data: Extra = {}, extra: Extra = {}): LedgerEvent =>
  ev({
    eventId: `open-${lineId}`,
    type: 'BudgetLineOpened',
    effectiveDate: `${typeof data.fiscalYear === 'number' ? data.fiscalYear : 2021}-01-01`,
    data: { lineId, department: 'D', fiscalYear: 2021, kind: 'basic', ...data },
    ...extra,
  });
export const project = (lineId: string, data: Extra = {}): LedgerEvent => open(lineId, { kind: 'project', ...data });
export const initial = (lineId: string, amount: string, date = '2021-01-01'): LedgerEvent =>
  ev({ eventId: id('ini'), type: 'InitialBudgetApproved', effectiveDate: date, data: { lineId, amount } });
export const adjust = (lineId: string, amount: string, date = '2021-06-01', extra: Extra = {}): LedgerEvent =>
  ev({ eventId: id('adj'), type: 'BudgetAdjusted', effectiveDate: date, data: { lineId, amount }, ...extra });
export const transfer = (fromLineId: string, toLineId: string, amount: string, date = '2021-07-01', extra: Extra = {}): LedgerEvent =>
  ev({ eventId: id('tr'), type: 'BudgetTransferred', effectiveDate: date, data: { fromLineId, toLineId, amount }, ...extra });
export const pay = (lineId: string, amount: string, data: Extra = {}, date = '2021-05-10', extra: Extra = {}): LedgerEvent =>
  ev({ eventId: id('pay'), type: 'PaymentRecorded', effectiveDate: date, data: { lineId, amount, ...data }, ...extra });
export const reverse = (paymentEventId: string, amount: string, date = '2021-05-20', extra: Extra = {}): LedgerEvent =>
  ev({ eventId: id('rev'), type: 'PaymentReversed', effectiveDate: date, data: { paymentEventId, amount }, ...extra });
export const commit = (eventId: string, lineId: string, amount: string, date = '2021-04-01', extra: Extra = {}): LedgerEvent =>
  ev({ eventId, type: 'CommitmentMade', effectiveDate: date, data: { lineId, amount, reference: `合同-${eventId}` }, ...extra });
export const release = (commitmentEventId: string, amount: string, date = '2021-06-01', extra: Extra = {}): LedgerEvent =>
  ev({ eventId: id('rel'), type: 'CommitmentReleased', effectiveDate: date, data: { commitmentEventId, amount }, ...extra });
export const plan = (lineId: string, checkpoints: [string, string][], date = '2021-02-01', extra: Extra = {}): LedgerEvent =>
  ev({
    eventId: id('plan'),
    type: 'SpendingPlanSet',
    effectiveDate: date,
    data: { lineId, checkpoints: checkpoints.map(([d, share]) => ({ date: d, share })) },
    ...extra,
  });
const QUARTER_END = { Q1: '03-31', Q2: '06-30', Q3: '09-30', Q4: '12-31' } as const;
export type QuarterName = keyof typeof QUARTER_END;
export const close = (period: QuarterName, department = 'D', fiscalYear = 2021): LedgerEvent =>
  ev({
    eventId: id('close'),
    type: 'PeriodClosed',
    effectiveDate: `${fiscalYear}-${QUARTER_END[period]}`,
    data: { department, fiscalYear, period },
  });
/** The four quarters of a department-year closed, in order. */
export const closeQuarters = (department = 'D', fiscalYear = 2021): LedgerEvent[] =>
  (['Q1', 'Q2', 'Q3', 'Q4'] as const).map((q) => close(q, department, fiscalYear));
export const closeYear = (eventId = id('yc'), department = 'D', fiscalYear = 2021): LedgerEvent =>
  ev({ eventId, type: 'YearClosed', effectiveDate: `${fiscalYear}-12-31`, data: { department, fiscalYear } });
export const carried = (fromLineId: string, toLineId: string, amount: string, eventId = id('cf')): LedgerEvent =>
  ev({ eventId, type: 'BalanceCarriedForward', effectiveDate: '2021-12-31', data: { fromLineId, toLineId, amount } });

export const REJECT: DecideOptions = { paymentPolicy: 'reject' };
export const FLAG: DecideOptions = { paymentPolicy: 'flag' };

/** Marks the department-years a YearClosed needs whole: the state holds every line from the start. */
export function complete(state: LedgerState, event: LedgerEvent): void {
  for (const place of yearsToComplete(event)) state.completeYears.add(streamOf(place));
}

/** Applies an accepted decision: the event, then what it derives. */
function apply(state: LedgerState, event: LedgerEvent, decision: Decision): void {
  if (!decision.ok) return;
  evolve(state, event);
  for (const derived of decision.derived) evolve(state, derived);
}

/** given: applies events that must all be accepted (and their derived events). */
export function given(...events: LedgerEvent[]): LedgerState {
  const state = emptyState();
  for (const event of events) {
    complete(state, event);
    const decision = decide(state, event, REJECT);
    if (!decision.ok) throw new Error(`given: ${decision.error.message}`);
    apply(state, event, decision);
  }
  return state;
}

/** when: decides a sequence in order (as a batch does), evolving after each acceptance. */
export function when(state: LedgerState, events: LedgerEvent[], options: DecideOptions = REJECT): Decision[] {
  return events.map((event) => {
    complete(state, event);
    const decision = decide(state, event, options);
    apply(state, event, decision);
    return decision;
  });
}

/** when, for one event. */
export function whenOne(state: LedgerState, event: LedgerEvent, options: DecideOptions = REJECT): Decision {
  return when(state, [event], options)[0] as Decision;
}

export function expectRefused(decision: Decision | undefined, code: string, field: string): string {
  if (decision === undefined || decision.ok) throw new Error(`expected refusal ${code}`);
  expect([decision.error.code, decision.error.field]).toEqual([code, field]);
  return decision.error.message;
}

export function expectAccepted(decision: Decision | undefined): Extract<Decision, { ok: true }> {
  if (decision === undefined || !decision.ok) {
    throw new Error(`expected acceptance, got ${decision?.ok === false ? decision.error.message : ''}`);
  }
  return decision;
}

export function line(state: LedgerState, lineId: string): LineState {
  const found = state.lines.get(lineId);
  if (found === undefined) throw new Error(`no line ${lineId}`);
  return found;
}
