import { CARRIED_FORWARD_FUNDING_SOURCE, type LedgerEvent } from './events';
import { adjustedFen, availableFen, decide, emptyState, evolve, receivesCarryForward, type LedgerState } from './ledger.decider';
import { parseEvent, toStoredData } from './parse-event';
import {
  carried,
  close,
  ev,
  closeQuarters,
  closeYear,
  commit,
  expectAccepted,
  expectRefused,
  given,
  initial,
  line,
  open,
  pay,
  plan,
  project,
  release,
  REJECT,
  reverse,
  transfer,
  adjust,
  when,
  whenOne,
} from './testing/decider-steps';

// The year end (年结, 结转, 结余): decision 0014.

const CF = CARRIED_FORWARD_FUNDING_SOURCE;
const DIMS = { unit: 'U', project: 'X', functionCode: '2011301', economicCode: '30201' };

/** D 2021 with a carried project P1 (50.00 available), an exhausted project P2, a basic line B (60.00 lapses), a project P3 (5.00). */
function year2021(): LedgerEvent[] {
  return [
    project('P1', { ...DIMS, name: '展会', fundingSource: '一般公共预算', tags: ['procurement'] }),
    project('P2'),
    open('B'),
    project('P3', { unit: 'U', project: 'Y' }),
    initial('P1', '100'),
    initial('P2', '10'),
    initial('B', '100'),
    initial('P3', '5'),
    pay('P1', '30'),
    commit('c1', 'P1', '20'),
    pay('P2', '10'),
    pay('B', '40'),
  ];
}

/** 2022 lines: N1 receives P3 (上年结转, same classification); N0 is basic and receives nothing. */
function year2022(): LedgerEvent[] {
  return [
    project('N1', { fiscalYear: 2022, unit: 'U', project: 'Y', fundingSource: CF }),
    open('N0', { fiscalYear: 2022, unit: 'U', project: 'Y', fundingSource: CF }),
  ];
}

function closed(...events: LedgerEvent[]): LedgerState {
  return given(...events, ...closeQuarters());
}

function derivedOf(state: LedgerState, event: LedgerEvent): LedgerEvent[] {
  return expectAccepted(whenOne(state, event)).derived;
}

/** The line a derived event is about: the one a BudgetLineOpened opens, or a balance's receiving line. */
function targetOf(event: LedgerEvent): string | undefined {
  if (event.type === 'BalanceCarriedForward') return event.data.toLineId;
  return event.type === 'BudgetLineOpened' ? event.data.lineId : undefined;
}

const META = (yc: string) => ({ source: 'ledger', yearClosedEventId: yc });

describe('YearClosed: the derived events', () => {
  it('given project lines with available, then each is carried in lineId order: to a matching next-year line, or one opened for it', () => {
    const state = closed(...year2021(), ...year2022());
    const derived = derivedOf(state, closeYear('yc'));
    const envelope = { effectiveDate: '2021-12-31', correction: false, metadata: META('yc') };
    expect(derived).toEqual([
      {
        eventId: 'yc:open:1',
        type: 'BudgetLineOpened',
        ...envelope,
        data: {
          lineId: 'P1.cf2022',
          department: 'D',
          fiscalYear: 2022,
          name: '展会',
          ...DIMS,
          fundingSource: CF,
          kind: 'project',
          tags: ['procurement'],
        },
      },
      {
        eventId: 'yc:cf:1',
        type: 'BalanceCarriedForward',
        ...envelope,
        data: { fromLineId: 'P1', toLineId: 'P1.cf2022', amountFen: 5000n },
      },
      { eventId: 'yc:cf:2', type: 'BalanceCarriedForward', ...envelope, data: { fromLineId: 'P3', toLineId: 'N1', amountFen: 500n } },
    ]);
    // Every derived event is a valid event, stored and read back unchanged.
    for (const event of derived) {
      const back = parseEvent({ ...event, data: JSON.parse(JSON.stringify(toStoredData(event))) });
      expect(back).toEqual({ ok: true, event });
    }
  });

  it('given the derived events evolved, then the closed lines carry their available and the next year brings it forward in its adjusted budget', () => {
    const state = closed(...year2021(), ...year2022());
    expectAccepted(whenOne(state, closeYear('yc')));
    expect([line(state, 'P1').carriedForwardFen, availableFen(line(state, 'P1'))]).toEqual([5000n, 5000n]);
    expect([line(state, 'P3').carriedForwardFen, line(state, 'B').carriedForwardFen, line(state, 'P2').carriedForwardFen]).toEqual([
      500n,
      0n,
      0n,
    ]);
    const opened = line(state, 'P1.cf2022');
    expect([opened.broughtForwardFen, adjustedFen(opened), availableFen(opened)]).toEqual([5000n, 5000n, 5000n]);
    expect(adjustedFen(line(state, 'N1'))).toBe(500n);
    expect(line(state, 'N0').broughtForwardFen).toBe(0n);
    expect(state.closedYears.has('budget-D-2021')).toBe(true);
    expect(state.departmentYearsWithLines.has('budget-D-2022')).toBe(true);
    // The next year spends what it brought forward.
    expectAccepted(whenOne(state, pay('P1.cf2022', '50', {}, '2022-03-01')));
    expectRefused(whenOne(state, pay('P1.cf2022', '0.01', {}, '2022-03-01')), 'LINE_OVERDRAWN', 'data.amount');
  });

  it('given a basic line, an exhausted project or one overdrawn, then nothing is carried for it (the basic line lapses)', () => {
    const state = closed(open('B'), project('P'), initial('B', '100'), initial('P', '10'), pay('P', '10'));
    expect(derivedOf(state, closeYear('yc'))).toEqual([]);
    expect(availableFen(line(state, 'B'))).toBe(10000n);
  });

  it('given two project lines of one classification, then the second is carried to the line opened for the first', () => {
    const state = closed(
      project('A1', { ...DIMS, fundingSource: '一般公共预算' }),
      project('A2', { ...DIMS, fundingSource: '政府性基金' }),
      initial('A1', '1'),
      initial('A2', '2'),
    );
    const derived = derivedOf(state, closeYear('yc'));
    expect(derived.map((e) => [e.eventId, targetOf(e)])).toEqual([
      ['yc:open:1', 'A1.cf2022'],
      ['yc:cf:1', 'A1.cf2022'],
      ['yc:cf:2', 'A1.cf2022'],
    ]);
  });

  it('given several matching next-year lines, then the first by lineId receives; absent classification only matches absent', () => {
    const state = closed(
      project('A', { unit: 'U' }),
      initial('A', '1'),
      project('Z', { fiscalYear: 2022, unit: 'U', fundingSource: CF }),
      project('M', { fiscalYear: 2022, unit: 'U', fundingSource: CF }),
      project('K', { fiscalYear: 2022, unit: 'U', fundingSource: CF, economicCode: '30201' }),
      project('C', { fiscalYear: 2022, unit: 'U', fundingSource: '一般公共预算' }),
      project('B1', { fiscalYear: 2022, unit: 'U', fundingSource: CF, project: '另一项目' }),
      project('B2', { fiscalYear: 2022, unit: 'U', fundingSource: CF, functionCode: '201' }),
      project('E', { fiscalYear: 2022, department: 'E', unit: 'U', fundingSource: CF }),
    );
    expect(derivedOf(state, closeYear('yc')).map((e) => e.data)).toEqual([{ fromLineId: 'A', toLineId: 'M', amountFen: 100n }]);
  });

  it('given lines of another department or year, then they never receive (receivesCarryForward)', () => {
    const state = given(project('A', { unit: 'U' }), project('N', { fiscalYear: 2022, unit: 'U', fundingSource: CF }));
    const from = line(state, 'A');
    const to = line(state, 'N');
    expect(receivesCarryForward(to, from)).toBe(true);
    expect(receivesCarryForward({ ...to, department: 'E' }, from)).toBe(false);
    expect(receivesCarryForward({ ...to, fiscalYear: 2023 }, from)).toBe(false);
    expect(receivesCarryForward({ ...to, project: 'X' }, from)).toBe(false);
  });

  it('given the lineId it would open already taken by a line that does not match, then -2, -3… are added', () => {
    const state = closed(
      project('A', { unit: 'U' }),
      initial('A', '1'),
      open('A.cf2022', { fiscalYear: 2022, unit: 'U', fundingSource: CF }),
      project('A.cf2022-2', { department: 'E', fiscalYear: 2022, unit: 'U', fundingSource: CF }),
    );
    const derived = derivedOf(state, closeYear('yc'));
    expect(derived.map((e) => targetOf(e))).toEqual(['A.cf2022-3', 'A.cf2022-3']);
  });

  it('given a long YearClosed eventId and lineId, then ids are cut (100 and 110 characters) and stay valid', () => {
    const longLine = '项'.repeat(128);
    const longId = `y${'c'.repeat(127)}`;
    const opening = ev({
      eventId: 'open-long',
      type: 'BudgetLineOpened',
      effectiveDate: '2021-01-01',
      data: { lineId: longLine, department: 'D', fiscalYear: 2021, kind: 'project' },
    });
    const state = closed(opening, initial(longLine, '1'));
    const derived = derivedOf(state, closeYear(longId));
    expect(derived.map((e) => e.eventId)).toEqual([`${longId.slice(0, 100)}:open:1`, `${longId.slice(0, 100)}:cf:1`]);
    const opened = derived[0];
    expect(opened?.type === 'BudgetLineOpened' && opened.data.lineId).toBe(`${'项'.repeat(110)}.cf2022`);
    for (const event of derived) expect(parseEvent({ ...event, data: toStoredData(event) }).ok).toBe(true);
  });
});

describe('YearClosed: the rules', () => {
  it('given Q3 closed but not Q4, then QUARTER_NOT_CLOSED names data.fiscalYear', () => {
    const state = given(open('A'), close('Q1'), close('Q2'), close('Q3'));
    const message = expectRefused(whenOne(state, closeYear()), 'QUARTER_NOT_CLOSED', 'data.fiscalYear');
    expect(message).toContain('can close once 2021-Q4 is closed (2021-Q3 is the last closed)');
    expectRefused(whenOne(given(open('A')), closeYear()), 'QUARTER_NOT_CLOSED', 'data.fiscalYear');
  });

  it('given the year closed, when it is closed again, then YEAR_ALREADY_CLOSED', () => {
    const state = given(open('A'), ...closeQuarters(), closeYear('yc'));
    expectRefused(whenOne(state, closeYear('yc2')), 'YEAR_ALREADY_CLOSED', 'data.fiscalYear');
  });

  it('given a department-year with no line, then DEPARTMENT_YEAR_NOT_FOUND names data.department', () => {
    const state = closed(open('A'));
    expectRefused(whenOne(state, closeYear('y', 'E')), 'DEPARTMENT_YEAR_NOT_FOUND', 'data.department');
    expectRefused(whenOne(state, closeYear('y', 'D', 2020)), 'DEPARTMENT_YEAR_NOT_FOUND', 'data.department');
  });

  it('given a state whose two years are not complete, then decide throws: a programmer error, not a refusal', () => {
    const state = emptyState();
    for (const event of [open('A'), ...closeQuarters()]) evolve(state, event);
    expect(() => decide(state, closeYear('y'), REJECT)).toThrow('the lines of budget-D-2021 are not all in the state');
    state.completeYears.add('budget-D-2021');
    expect(() => decide(state, closeYear('y'), REJECT)).toThrow('the lines of budget-D-2022 are not all in the state');
    state.completeYears.add('budget-D-2022');
    expect(decide(state, closeYear('y'), REJECT).ok).toBe(true);
  });

  it('given the next year closed, when closing a year with something to carry, then YEAR_CLOSED; with nothing to carry it closes', () => {
    const withBalance = closed(
      project('A'),
      initial('A', '1'),
      open('N', { fiscalYear: 2022 }),
      ...closeQuarters('D', 2022),
      closeYear('y22', 'D', 2022),
    );
    expectRefused(whenOne(withBalance, closeYear('y21')), 'YEAR_CLOSED', 'data.fiscalYear');
    const nothing = closed(
      open('A'),
      initial('A', '1'),
      open('N', { fiscalYear: 2022 }),
      ...closeQuarters('D', 2022),
      closeYear('y22', 'D', 2022),
    );
    expectAccepted(whenOne(nothing, closeYear('y21')));
  });

  it('given a BalanceCarriedForward as input, then DERIVED_EVENT_ONLY names type, even for lines that exist', () => {
    const state = given(project('A'), project('B', { fiscalYear: 2022 }), initial('A', '10'));
    const message = expectRefused(whenOne(state, carried('A', 'B', '1', 'cf-x')), 'DERIVED_EVENT_ONLY', 'type');
    expect(message).toContain('written by the ledger when it closes a year');
    expectRefused(whenOne(state, carried('X', 'Y', '1')), 'DERIVED_EVENT_ONLY', 'type');
  });
});

describe('YEAR_CLOSED: a closed year is closed for everything', () => {
  function closedYear(): LedgerState {
    return given(
      project('A', { unit: 'U' }),
      open('B'),
      initial('A', '100'),
      initial('B', '100'),
      pay('A', '10', {}, '2021-05-10'),
      commit('c1', 'A', '10'),
      open('N', { fiscalYear: 2022 }),
      ...closeQuarters(),
      closeYear('yc'),
    );
  }

  it('given 2021 closed, then every event of it is refused with YEAR_CLOSED, corrections included', () => {
    const state = closedYear();
    const payment = [...state.payments.keys()][0] as string;
    const fix = { correction: true };
    const events = [
      open('C', {}, fix),
      close('Q1'),
      initial('A', '1', '2021-12-31'),
      adjust('A', '1', '2021-12-01', fix),
      transfer('A', 'B', '1', '2021-12-01', fix),
      pay('A', '1', {}, '2021-12-01', fix),
      reverse(payment, '1', '2021-12-01', fix),
      commit('c2', 'A', '1', '2021-12-01', fix),
      release('c1', '1', '2021-12-01', fix),
      plan('A', [['2021-12-31', '1']], '2021-12-01', fix),
    ];
    for (const decision of when(state, events)) expectRefused(decision, 'YEAR_CLOSED', 'effectiveDate');
    expect(expectRefused(whenOne(state, pay('A', '1')), 'YEAR_CLOSED', 'effectiveDate')).toContain('fiscal year 2021 is closed for D');
  });

  it('given 2021 closed, then the next year and other departments take events as before', () => {
    const state = closedYear();
    const events = [
      initial('N', '5', '2022-01-05'),
      pay('A.cf2022', '80', {}, '2022-02-01'),
      open('E1', { department: 'E' }),
      close('Q1', 'D', 2022),
    ];
    for (const decision of when(state, events)) expectAccepted(decision);
  });
});

describe('the year end reconciles (decision 0014, Figures)', () => {
  /** Sums of a department-year's lines. */
  function totals(state: LedgerState, fiscalYear: number) {
    const lines = [...state.lines.values()].filter((l) => l.department === 'D' && l.fiscalYear === fiscalYear);
    const sum = (f: (l: (typeof lines)[number]) => bigint) => lines.reduce((s, l) => s + f(l), 0n);
    return {
      initial: sum((l) => l.initialFen),
      adjustments: sum((l) => l.adjustmentsFen),
      transfers: sum((l) => l.transfersInFen - l.transfersOutFen),
      broughtForward: sum((l) => l.broughtForwardFen),
      adjusted: sum(adjustedFen),
      executed: sum((l) => l.executedFen),
      committed: sum((l) => l.committedFen),
      available: sum(availableFen),
      carriedForward: sum((l) => l.carriedForwardFen),
      lines,
    };
  }

  it('given two years closed in turn, then initial + adjustments ± transfers + broughtForward = adjusted = executed + committed + available, and a project carries its available', () => {
    const payment = pay('P', '30', { commitmentEventId: 'c1' }, '2021-06-01');
    const state = given(
      project('P', DIMS),
      project('Q'),
      open('B'),
      initial('P', '100'),
      initial('Q', '50'),
      initial('B', '80'),
      adjust('P', '20'),
      adjust('B', '-10'),
      transfer('B', 'Q', '15'),
      commit('c1', 'P', '40'),
      payment,
      reverse(payment.eventId, '5', '2021-06-10'),
      release('c1', '5'),
      commit('c2', 'Q', '12'),
      pay('Q', '50'),
      pay('B', '20'),
      ...closeQuarters(),
      closeYear('y21'),
    );
    const y21 = totals(state, 2021);
    // P: adjusted 120, executed 25, committed 40 − 30 − 5 = 5, available 90. Q: 65, 50, 12, 3. B: 55, 20, 0, 35 (lapses).
    expect([y21.initial, y21.adjustments, y21.transfers, y21.broughtForward, y21.adjusted]).toEqual([23000n, 1000n, 0n, 0n, 24000n]);
    expect([y21.executed, y21.committed, y21.available]).toEqual([9500n, 1700n, 12800n]);
    expect(y21.adjusted).toBe(y21.initial + y21.adjustments + y21.transfers + y21.broughtForward);
    expect(y21.adjusted).toBe(y21.executed + y21.committed + y21.available);
    for (const l of y21.lines.filter((x) => x.kind === 'project')) expect(l.carriedForwardFen).toBe(availableFen(l));
    expect(line(state, 'B').carriedForwardFen).toBe(0n);
    expect(y21.carriedForward).toBe(9300n);

    when(state, [
      initial('P.cf2022', '10', '2022-01-10'),
      pay('P.cf2022', '70', {}, '2022-03-01'),
      ...closeQuarters('D', 2022),
      closeYear('y22', 'D', 2022),
    ]);
    const y22 = totals(state, 2022);
    expect([y22.initial, y22.broughtForward, y22.adjusted, y22.executed, y22.available]).toEqual([1000n, 9300n, 10300n, 7000n, 3300n]);
    expect(y22.adjusted).toBe(y22.initial + y22.adjustments + y22.transfers + y22.broughtForward);
    expect(y22.adjusted).toBe(y22.executed + y22.committed + y22.available);
    for (const l of y22.lines) expect(l.carriedForwardFen).toBe(availableFen(l));
    expect(totals(state, 2023).broughtForward).toBe(3300n);
    expect(line(state, 'P.cf2022.cf2023').broughtForwardFen).toBe(3000n);
    expect(line(state, 'Q.cf2022.cf2023').broughtForwardFen).toBe(300n);
    // The closed year's other figures did not move.
    expect(totals(state, 2021).adjusted).toBe(24000n);
  });
});
