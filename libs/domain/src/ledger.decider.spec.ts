import type { LedgerEvent } from './events';
import {
  adjustedFen,
  availableFen,
  quartersClosed,
  decide,
  departmentYearOf,
  emptyState,
  evolve,
  linesReferenced,
  paymentReferenced,
  type DecideOptions,
  type Decision,
  type LedgerState,
} from './ledger.decider';
import { parseEvent } from './parse-event';

/** Events are written as raw JSON and parsed, as they arrive. */
function ev(raw: Record<string, unknown>): LedgerEvent {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(result.error.message);
  return result.event;
}

let sequence = 0;
function id(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

const open = (lineId: string, department = 'D', fiscalYear = 2021, date = '2021-01-01', extra: Record<string, unknown> = {}): LedgerEvent =>
  ev({
    eventId: `open-${lineId}`,
    type: 'BudgetLineOpened',
    effectiveDate: date,
    data: { lineId, department, fiscalYear, kind: 'basic' },
    ...extra,
  });
const initial = (lineId: string, amount: string, date = '2021-01-01'): LedgerEvent =>
  ev({ eventId: id('ini'), type: 'InitialBudgetApproved', effectiveDate: date, data: { lineId, amount } });
const adjust = (lineId: string, amount: string, date = '2021-06-01', extra: Record<string, unknown> = {}): LedgerEvent =>
  ev({ eventId: id('adj'), type: 'BudgetAdjusted', effectiveDate: date, data: { lineId, amount }, ...extra });
const transfer = (fromLineId: string, toLineId: string, amount: string, date = '2021-07-01'): LedgerEvent =>
  ev({ eventId: id('tr'), type: 'BudgetTransferred', effectiveDate: date, data: { fromLineId, toLineId, amount } });
const pay = (lineId: string, amount: string, date = '2021-05-10', eventId = id('pay'), extra: Record<string, unknown> = {}): LedgerEvent =>
  ev({ eventId, type: 'PaymentRecorded', effectiveDate: date, data: { lineId, amount }, ...extra });
const reverse = (paymentEventId: string, amount: string, date = '2021-05-20', extra: Record<string, unknown> = {}): LedgerEvent =>
  ev({ eventId: id('rev'), type: 'PaymentReversed', effectiveDate: date, data: { paymentEventId, amount }, ...extra });
const QUARTER_END = { Q1: '03-31', Q2: '06-30', Q3: '09-30', Q4: '12-31' } as const;
const close = (period: keyof typeof QUARTER_END, department = 'D', fiscalYear = 2021): LedgerEvent =>
  ev({
    eventId: id('close'),
    type: 'PeriodClosed',
    effectiveDate: `${fiscalYear}-${QUARTER_END[period]}`,
    data: { department, fiscalYear, period },
  });

const REJECT: DecideOptions = { paymentPolicy: 'reject' };
const FLAG: DecideOptions = { paymentPolicy: 'flag' };

/** given: applies events that must all be accepted. */
function given(...events: LedgerEvent[]): LedgerState {
  const state = emptyState();
  for (const event of events) {
    const decision = decide(state, event, REJECT);
    if (!decision.ok) throw new Error(`given: ${decision.error.message}`);
    evolve(state, event);
  }
  return state;
}

/** when: decides a sequence in order (as a batch does), evolving after each acceptance. */
function when(state: LedgerState, events: LedgerEvent[], options: DecideOptions = REJECT): Decision[] {
  return events.map((event) => {
    const decision = decide(state, event, options);
    if (decision.ok) evolve(state, event);
    return decision;
  });
}

function expectRefused(decision: Decision | undefined, code: string, field: string): string {
  if (decision === undefined || decision.ok) throw new Error(`expected refusal ${code}`);
  expect(decision.error.code).toBe(code);
  expect(decision.error.field).toBe(field);
  return decision.error.message;
}

function expectAccepted(decision: Decision | undefined): void {
  if (decision === undefined || !decision.ok) {
    throw new Error(`expected acceptance, got ${decision?.ok === false ? decision.error.message : ''}`);
  }
}

function line(state: LedgerState, lineId: string) {
  const found = state.lines.get(lineId);
  if (found === undefined) throw new Error(`no line ${lineId}`);
  return found;
}

describe('decide/evolve: lines and budgets', () => {
  it('given an open line with budget movements, then evolve keeps every total and the derived figures', () => {
    const state = given(
      open('A'),
      open('B'),
      initial('A', '1000'),
      adjust('A', '200'),
      adjust('A', '-50'),
      transfer('A', 'B', '300'),
      pay('A', '400'),
    );
    const a = line(state, 'A');
    expect([a.initialFen, a.adjustmentsFen, a.transfersOutFen, a.executedFen]).toEqual([100000n, 15000n, 30000n, 40000n]);
    expect(adjustedFen(a)).toBe(85000n);
    expect(availableFen(a)).toBe(45000n);
    expect(line(state, 'B').transfersInFen).toBe(30000n);
  });

  it('given no line, when an amount event names it, then LINE_NOT_FOUND names the field and event', () => {
    const state = given(open('A'));
    const message = expectRefused(when(state, [initial('X', '1')])[0], 'LINE_NOT_FOUND', 'data.lineId');
    expect(message).toMatch(/^event ini-\d+: data\.lineId: line X is not open$/);
    expectRefused(when(state, [adjust('X', '1')])[0], 'LINE_NOT_FOUND', 'data.lineId');
    expectRefused(when(state, [pay('X', '1')])[0], 'LINE_NOT_FOUND', 'data.lineId');
    expectRefused(when(state, [transfer('X', 'A', '1')])[0], 'LINE_NOT_FOUND', 'data.fromLineId');
    expectRefused(when(state, [transfer('A', 'X', '1')])[0], 'LINE_NOT_FOUND', 'data.toLineId');
  });

  it('given an open line, when it is opened again, then LINE_ALREADY_OPENED; also twice within one batch', () => {
    expectRefused(when(given(open('A')), [open('A')])[0], 'LINE_ALREADY_OPENED', 'data.lineId');
    const [first, second] = when(emptyState(), [open('B'), open('B')]);
    expectAccepted(first);
    expectRefused(second, 'LINE_ALREADY_OPENED', 'data.lineId');
  });
});

describe('decide: transfers', () => {
  it('given lines of two departments, when moving budget between them, then TRANSFER_OUTSIDE_DEPARTMENT_YEAR', () => {
    const state = given(open('A', 'D1'), open('B', 'D2'), initial('A', '100'));
    expectRefused(when(state, [transfer('A', 'B', '10')])[0], 'TRANSFER_OUTSIDE_DEPARTMENT_YEAR', 'data.toLineId');
  });

  it('given lines of one department in two years, when moving budget between them, then TRANSFER_OUTSIDE_DEPARTMENT_YEAR', () => {
    const state = given(open('A', 'D', 2021), open('B', 'D', 2022), initial('A', '100'));
    expectRefused(when(state, [transfer('A', 'B', '10')])[0], 'TRANSFER_OUTSIDE_DEPARTMENT_YEAR', 'data.toLineId');
  });

  it('given a source with 100.00 available, when transferring 100.00 then 0.01, then the second exceeds the available', () => {
    const state = given(open('A'), open('B'), initial('A', '150'), pay('A', '50'));
    const [exact, more] = when(state, [transfer('A', 'B', '100'), transfer('A', 'B', '0.01')]);
    expectAccepted(exact);
    const message = expectRefused(more, 'TRANSFER_EXCEEDS_AVAILABLE', 'data.amount');
    expect(message).toContain('transfer 0.01 exceeds the available 0.00 of line A');
  });
});

describe('decide: payments', () => {
  it('given 100.00 available, when paying 100.01, then LINE_OVERDRAWN under policy reject', () => {
    const state = given(open('A'), initial('A', '100'));
    const message = expectRefused(when(state, [pay('A', '100.01', '2021-05-10', 'pay-x')])[0], 'LINE_OVERDRAWN', 'data.amount');
    expect(message).toBe('event pay-x: data.amount: payment 100.01 exceeds the available 100.00 of line A');
    expect(line(state, 'A').executedFen).toBe(0n);
  });

  it('given 100.00 available, when two payments in one batch together overdraw, then the second is refused', () => {
    const state = given(open('A'), initial('A', '100'));
    const [first, second, third] = when(state, [pay('A', '60'), pay('A', '60'), pay('A', '40')]);
    expectAccepted(first);
    expectRefused(second, 'LINE_OVERDRAWN', 'data.amount');
    expectAccepted(third);
    expect(availableFen(line(state, 'A'))).toBe(0n);
  });

  it('given policy flag, when a payment overdraws, then it is accepted with a LINE_OVERDRAWN warning', () => {
    const state = given(open('A'), initial('A', '100'));
    const [decision] = when(state, [pay('A', '150')], FLAG);
    if (decision === undefined || !decision.ok) throw new Error('expected acceptance');
    expect(decision.warnings.map((w) => [w.code, w.field])).toEqual([['LINE_OVERDRAWN', 'data.amount']]);
    expect(availableFen(line(state, 'A'))).toBe(-5000n);
  });

  it('given policy flag, when a payment fits, then there is no warning', () => {
    const [decision] = when(given(open('A'), initial('A', '100')), [pay('A', '100')], FLAG);
    expect(decision).toEqual({ ok: true, warnings: [], derived: [] });
  });
});

describe('decide: adjustments', () => {
  it('given executed 80.00 of adjusted 100.00, when cutting 20.01, then ADJUSTMENT_BELOW_EXECUTED; cutting 20.00 is accepted', () => {
    const state = given(open('A'), initial('A', '100'), pay('A', '80'));
    expectRefused(when(state, [adjust('A', '-20.01')])[0], 'ADJUSTMENT_BELOW_EXECUTED', 'data.amount');
    expectAccepted(when(state, [adjust('A', '-20')])[0]);
    expect(adjustedFen(line(state, 'A'))).toBe(8000n);
  });

  it('given a line overdrawn under policy flag, when adding budget that still leaves it overdrawn, then it is accepted', () => {
    const state = given(open('A'), initial('A', '100'));
    when(state, [pay('A', '150')], FLAG);
    expectAccepted(when(state, [adjust('A', '10')])[0]);
  });
});

describe('decide: reversals', () => {
  it('given no such payment, then PAYMENT_NOT_FOUND names data.paymentEventId', () => {
    expectRefused(when(given(open('A')), [reverse('nope', '1')])[0], 'PAYMENT_NOT_FOUND', 'data.paymentEventId');
  });

  it('given a payment of 100.00, when reversing 60 then 40.01 then 40, then the middle one exceeds what is left', () => {
    const state = given(open('A'), initial('A', '500'), pay('A', '100', '2021-05-10', 'p1'));
    const [first, second, third] = when(state, [reverse('p1', '60'), reverse('p1', '40.01'), reverse('p1', '40')]);
    expectAccepted(first);
    const message = expectRefused(second, 'REVERSAL_EXCEEDS_PAYMENT', 'data.amount');
    expect(message).toContain('exceeds the 40.00 left of payment p1');
    expectAccepted(third);
    expect(line(state, 'A').executedFen).toBe(0n);
    expect(state.payments.get('p1')?.reversedFen).toBe(10000n);
  });

  it('given a payment recorded earlier in the same batch, when it is reversed, then the reversal finds it', () => {
    const state = given(open('A'), initial('A', '100'));
    const [payment, reversal] = when(state, [pay('A', '30', '2021-05-10', 'p2'), reverse('p2', '30')]);
    expectAccepted(payment);
    expectAccepted(reversal);
  });
});

describe('decide: closing quarters', () => {
  it('given nothing closed, when Q2 closes before Q1, then PERIOD_OUT_OF_ORDER', () => {
    const message = expectRefused(when(emptyState(), [close('Q2')])[0], 'PERIOD_OUT_OF_ORDER', 'data.period');
    expect(message).toContain('period 2021-Q2 cannot close before 2021-Q1');
  });

  it('given Q1 closed, when Q1 closes again, then PERIOD_ALREADY_CLOSED; Q2 is accepted', () => {
    const state = given(open('A'), close('Q1'));
    expectRefused(when(state, [close('Q1')])[0], 'PERIOD_ALREADY_CLOSED', 'data.period');
    expectAccepted(when(state, [close('Q2')])[0]);
    expect(quartersClosed(state, 'D', 2021)).toBe(2);
  });

  it('given one department closed, then another department and another year close on their own', () => {
    const state = given(open('A'), open('AE', 'E'), open('A22', 'D', 2022, '2022-01-01'), close('Q1', 'D'));
    expectAccepted(when(state, [close('Q1', 'E')])[0]);
    expectAccepted(when(state, [close('Q1', 'D', 2022)])[0]);
  });

  it('given a department-year with no line, when one of its quarters closes, then DEPARTMENT_YEAR_NOT_FOUND (a typo would shut out real events)', () => {
    const state = given(open('A'));
    const message = expectRefused(when(state, [close('Q1', '不存在')])[0], 'DEPARTMENT_YEAR_NOT_FOUND', 'data.department');
    expect(message).toContain('不存在 has no budget line in fiscal year 2021');
    expectRefused(when(state, [close('Q1', 'D', 2099)])[0], 'DEPARTMENT_YEAR_NOT_FOUND', 'data.department');
  });

  it('given today, when a quarter that has not ended closes, then PERIOD_NOT_ENDED; from the day after its end it closes', () => {
    const state = given(open('A'));
    const onLastDay = decide(state, close('Q1'), { paymentPolicy: 'reject', today: '2021-03-31' });
    expectRefused(onLastDay, 'PERIOD_NOT_ENDED', 'data.period');
    expectAccepted(decide(state, close('Q1'), { paymentPolicy: 'reject', today: '2021-04-01' }));
  });
});

describe('decide: the fiscal year of the line', () => {
  const state = (): LedgerState =>
    given(
      open('A', 'D', 2022, '2022-01-01'),
      initial('A', '1000', '2022-01-01'),
      open('B', 'D', 2022, '2022-01-01'),
      pay('A', '10', '2022-02-01', 'p-22'),
    );

  it('given a FY2022 line, when a payment is dated 2021-02-03, then OUTSIDE_FISCAL_YEAR names effectiveDate, the year and the line', () => {
    const message = expectRefused(when(state(), [pay('A', '1', '2021-02-03')])[0], 'OUTSIDE_FISCAL_YEAR', 'effectiveDate');
    expect(message).toContain('2021-02-03 is outside fiscal year 2022 of line A');
  });

  it('given a FY2022 line, then an approval, adjustment, transfer and reversal dated in another year are refused, and in 2022 accepted', () => {
    const outside = [
      initial('A', '1', '2023-01-01'),
      adjust('A', '1', '2021-12-31'),
      transfer('A', 'B', '1', '2023-01-01'),
      reverse('p-22', '1', '2021-06-01'),
    ];
    for (const decision of when(state(), outside)) expectRefused(decision, 'OUTSIDE_FISCAL_YEAR', 'effectiveDate');
    const inside = [
      initial('A', '1', '2022-12-31'),
      adjust('A', '1', '2022-01-01'),
      transfer('A', 'B', '1', '2022-07-01'),
      reverse('p-22', '1', '2022-06-01'),
    ];
    for (const decision of when(state(), inside)) expectAccepted(decision);
  });
});

describe('decide: closed periods', () => {
  function closedQ1(): LedgerState {
    return given(open('A'), initial('A', '1000'), pay('A', '100', '2021-02-01', 'p-q1'), open('B'), close('Q1'));
  }

  it('given 2021-Q1 closed, when a payment is dated inside it, then PERIOD_CLOSED names effectiveDate and the period', () => {
    const message = expectRefused(when(closedQ1(), [pay('A', '1', '2021-03-31')])[0], 'PERIOD_CLOSED', 'effectiveDate');
    expect(message).toContain('period 2021-Q1 is closed');
  });

  it('given 2021-Q1 closed, then every event type of the department dated inside it is refused', () => {
    const state = closedQ1();
    const inside = '2021-02-15';
    const events = [
      open('C', 'D', 2021, inside),
      initial('A', '1', inside),
      adjust('A', '1', inside),
      transfer('A', 'B', '1', inside),
      pay('A', '1', inside),
      reverse('p-q1', '1', inside),
    ];
    for (const decision of when(state, events)) expectRefused(decision, 'PERIOD_CLOSED', 'effectiveDate');
  });

  it('given 2021-Q1 closed, when the same events carry correction: true, then they are accepted', () => {
    const state = closedQ1();
    const fix = { correction: true };
    const events = [
      open('C', 'D', 2021, '2021-02-15', fix),
      adjust('A', '1', '2021-02-15', fix),
      pay('A', '1', '2021-02-15', id('pay'), fix),
      reverse('p-q1', '1', '2021-02-15', fix),
    ];
    for (const decision of when(state, events)) expectAccepted(decision);
  });

  it('given 2021-Q1 closed, when an event is dated the day after, or belongs to another department, then it is accepted', () => {
    const state = given(open('A'), initial('A', '1000'), open('Z', 'E'), initial('Z', '1000'), close('Q1'));
    expectAccepted(when(state, [pay('A', '1', '2021-04-01')])[0]);
    expectAccepted(when(state, [pay('Z', '1', '2021-03-01')])[0]);
  });

  it('given 2021-Q1 closed, when an event of a 2020 line is dated in 2020, then it is refused as earlier than the closed quarter', () => {
    const state = given(open('OLD', 'D', 2020, '2020-01-01'), initial('OLD', '10', '2020-01-01'), open('A'), close('Q1'));
    const message = expectRefused(when(state, [pay('OLD', '1', '2020-12-31')])[0], 'PERIOD_CLOSED', 'effectiveDate');
    expect(message).toContain('period 2021-Q1 is closed');
  });

  it('given Q1 and Q2 closed, when an event is dated in Q1, then the message names the quarter that covers it', () => {
    const state = given(open('A'), initial('A', '100'), close('Q1'), close('Q2'));
    expect(expectRefused(when(state, [pay('A', '1', '2021-02-01')])[0], 'PERIOD_CLOSED', 'effectiveDate')).toContain(
      'period 2021-Q1 is closed',
    );
    expect(expectRefused(when(state, [pay('A', '1', '2021-05-01')])[0], 'PERIOD_CLOSED', 'effectiveDate')).toContain(
      'period 2021-Q2 is closed',
    );
  });

  it('given a period closed within the batch, then later events of the batch dated inside it are refused', () => {
    const state = given(open('A'), initial('A', '100'));
    const [closing, late] = when(state, [close('Q1'), pay('A', '1', '2021-03-01')]);
    expectAccepted(closing);
    expectRefused(late, 'PERIOD_CLOSED', 'effectiveDate');
  });
});

describe('routing helpers', () => {
  it('given each event type, then the lines, payment and department-year it touches are reported', () => {
    const state = given(open('A', 'D', 2021), open('B', 'D', 2021), initial('A', '100'), pay('A', '10', '2021-05-10', 'p9'));
    expect(linesReferenced(transfer('A', 'B', '1'))).toEqual(['A', 'B']);
    expect(linesReferenced(pay('A', '1'))).toEqual(['A']);
    expect(linesReferenced(reverse('p9', '1'))).toEqual([]);
    expect(paymentReferenced(reverse('p9', '1'))).toBe('p9');
    expect(paymentReferenced(pay('A', '1'))).toBeUndefined();
    expect(departmentYearOf(reverse('p9', '1'), state)).toEqual({ department: 'D', fiscalYear: 2021 });
    expect(departmentYearOf(transfer('A', 'B', '1'), state)).toEqual({ department: 'D', fiscalYear: 2021 });
    expect(departmentYearOf(close('Q1', 'E', 2022), state)).toEqual({ department: 'E', fiscalYear: 2022 });
    expect(departmentYearOf(pay('X', '1'), state)).toBeUndefined();
  });

  it('given an event decide would refuse, when evolve is called anyway, then it fails loudly', () => {
    expect(() => evolve(emptyState(), pay('X', '1'))).toThrow('line X is not in the state');
  });
});
