import {
  availableFen,
  commitmentReferenced,
  departmentYearOf,
  emptyState,
  evolve,
  linesReferenced,
  paymentReferenced,
  yearsToComplete,
} from './ledger.decider';
import {
  adjust,
  close,
  closeYear,
  commit,
  expectAccepted,
  expectRefused,
  FLAG,
  given,
  initial,
  line,
  open,
  pay,
  plan,
  release,
  reverse,
  transfer,
  when,
  whenOne,
} from './testing/decider-steps';

// Commitments (预留/冻结) and payments against them: decision 0014.

describe('decide: commitments', () => {
  it('given 100.00 available, when committing 60 then 40.01 then 40, then the middle one exceeds the available', () => {
    const state = given(open('A'), initial('A', '100'));
    const [first, second, third] = when(state, [commit('c1', 'A', '60'), commit('c2', 'A', '40.01'), commit('c3', 'A', '40')]);
    expectAccepted(first);
    const message = expectRefused(second, 'COMMITMENT_EXCEEDS_AVAILABLE', 'data.amount');
    expect(message).toBe('event c2: data.amount: commitment 40.01 exceeds the available 40.00 of line A');
    expectAccepted(third);
    expect([line(state, 'A').committedFen, availableFen(line(state, 'A'))]).toEqual([10000n, 0n]);
    expect(state.commitments.get('c1')).toEqual({ eventId: 'c1', lineId: 'A', amountFen: 6000n, releasedFen: 0n, consumedFen: 0n });
  });

  it('given policy flag, when a commitment exceeds the available, then it is refused all the same', () => {
    expectRefused(
      whenOne(given(open('A'), initial('A', '10')), commit('c', 'A', '11'), FLAG),
      'COMMITMENT_EXCEEDS_AVAILABLE',
      'data.amount',
    );
  });

  it('given 60.00 of 100.00 committed, then a payment, a transfer and another commitment see only 40.00 available', () => {
    const state = (): ReturnType<typeof given> => given(open('A'), open('B'), initial('A', '100'), commit('c1', 'A', '60'));
    expectRefused(whenOne(state(), pay('A', '40.01')), 'LINE_OVERDRAWN', 'data.amount');
    expectAccepted(whenOne(state(), pay('A', '40')));
    const message = expectRefused(whenOne(state(), transfer('A', 'B', '40.01')), 'TRANSFER_EXCEEDS_AVAILABLE', 'data.amount');
    expect(message).toContain('exceeds the available 40.00 of line A');
    expectAccepted(whenOne(state(), transfer('A', 'B', '40')));
  });

  it('given no line, a date outside the fiscal year, or a closed quarter, then a commitment is refused as other events are', () => {
    const state = given(open('A'), initial('A', '100'), close('Q1'));
    expectRefused(whenOne(state, commit('c1', 'X', '1')), 'LINE_NOT_FOUND', 'data.lineId');
    expectRefused(whenOne(state, commit('c2', 'A', '1', '2022-04-01')), 'OUTSIDE_FISCAL_YEAR', 'effectiveDate');
    expectRefused(whenOne(state, commit('c3', 'A', '1', '2021-03-01')), 'PERIOD_CLOSED', 'effectiveDate');
    expectAccepted(whenOne(state, commit('c4', 'A', '1', '2021-03-01', { correction: true })));
  });
});

describe('decide: releases', () => {
  it('given no such commitment, then COMMITMENT_NOT_FOUND names data.commitmentEventId', () => {
    expectRefused(whenOne(given(open('A')), release('nope', '1')), 'COMMITMENT_NOT_FOUND', 'data.commitmentEventId');
  });

  it('given a commitment of 60.00 with 20.00 consumed, when releasing 30 then 10.01 then 10, then the middle one exceeds what is left', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '60'), pay('A', '20', { commitmentEventId: 'c1' }));
    const [first, second, third] = when(state, [release('c1', '30'), release('c1', '10.01'), release('c1', '10')]);
    expectAccepted(first);
    expect(expectRefused(second, 'RELEASE_EXCEEDS_COMMITMENT', 'data.amount')).toContain('exceeds the 10.00 left of commitment c1');
    expectAccepted(third);
    expect(state.commitments.get('c1')).toMatchObject({ releasedFen: 4000n, consumedFen: 2000n });
    expect([line(state, 'A').committedFen, availableFen(line(state, 'A'))]).toEqual([0n, 8000n]);
  });

  it('given a commitment, then its release is dated in its line fiscal year and open quarters, like a payment', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '60', '2021-02-01'), close('Q1'));
    expectRefused(whenOne(state, release('c1', '1', '2022-01-05')), 'OUTSIDE_FISCAL_YEAR', 'effectiveDate');
    expectRefused(whenOne(state, release('c1', '1', '2021-03-05')), 'PERIOD_CLOSED', 'effectiveDate');
    expectAccepted(whenOne(state, release('c1', '1', '2021-03-05', { correction: true })));
  });
});

describe('decide: payments against a commitment', () => {
  it('given 100.00 of 100.00 committed, when paying 100.00 against the commitment, then it is accepted: the budget is not counted twice', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '100'));
    expectRefused(whenOne(state, pay('A', '0.01')), 'LINE_OVERDRAWN', 'data.amount');
    expectAccepted(whenOne(state, pay('A', '100', { commitmentEventId: 'c1' })));
    const a = line(state, 'A');
    expect([a.executedFen, a.committedFen, availableFen(a)]).toEqual([10000n, 0n, 0n]);
  });

  it('given a commitment of 60.00 on 100.00, when paying 30 then 50 against it, then each consumes min(amount, left) and only the rest is checked', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '60'));
    const [p1, p2] = when(state, [pay('A', '30', { commitmentEventId: 'c1' }), pay('A', '50', { commitmentEventId: 'c1' })]);
    expectAccepted(p1);
    expectAccepted(p2);
    const a = line(state, 'A');
    expect([a.executedFen, a.committedFen, availableFen(a)]).toEqual([8000n, 0n, 2000n]);
    expect(state.commitments.get('c1')?.consumedFen).toBe(6000n);
    const consumed = [...state.payments.values()].map((p) => [p.commitmentEventId, p.consumedFen]);
    expect(consumed).toEqual([
      ['c1', 3000n],
      ['c1', 3000n],
    ]);
  });

  it('given a commitment of 60.00 on 100.00, when paying 100.01 against it, then the rest beyond it exceeds the available (LINE_OVERDRAWN)', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '60'));
    const message = expectRefused(whenOne(state, pay('A', '100.01', { commitmentEventId: 'c1' })), 'LINE_OVERDRAWN', 'data.amount');
    expect(message).toContain("exceeds its commitment's 60.00 left plus the available 40.00 of line A");
    expectAccepted(whenOne(state, pay('A', '100', { commitmentEventId: 'c1' })));
  });

  it('given policy flag, when the rest beyond the commitment overdraws, then it is accepted with a warning and consumes the commitment', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '60'));
    const decision = expectAccepted(whenOne(state, pay('A', '110', { commitmentEventId: 'c1' }), FLAG));
    expect(decision.warnings.map((w) => w.code)).toEqual(['LINE_OVERDRAWN']);
    expect([line(state, 'A').committedFen, availableFen(line(state, 'A'))]).toEqual([0n, -1000n]);
  });

  it('given an unknown commitment, or one of another line, then COMMITMENT_NOT_FOUND or COMMITMENT_OF_OTHER_LINE', () => {
    const state = given(open('A'), open('B'), initial('A', '100'), initial('B', '100'), commit('cB', 'B', '50'));
    expectRefused(whenOne(state, pay('A', '1', { commitmentEventId: 'nope' })), 'COMMITMENT_NOT_FOUND', 'data.commitmentEventId');
    const message = expectRefused(
      whenOne(state, pay('A', '1', { commitmentEventId: 'cB' })),
      'COMMITMENT_OF_OTHER_LINE',
      'data.commitmentEventId',
    );
    expect(message).toContain('commitment cB reserves budget on line B, not on line A');
  });

  it('given a payment that consumed a commitment, when it is reversed, then the money returns to available, not to the commitment', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '60'));
    const payment = pay('A', '60', { commitmentEventId: 'c1' });
    when(state, [payment]);
    expectAccepted(whenOne(state, reverse(payment.eventId, '60')));
    const a = line(state, 'A');
    expect([a.executedFen, a.committedFen, availableFen(a)]).toEqual([0n, 0n, 10000n]);
    expect(state.commitments.get('c1')?.consumedFen).toBe(6000n);
    expectRefused(whenOne(state, release('c1', '0.01')), 'RELEASE_EXCEEDS_COMMITMENT', 'data.amount');
  });
});

describe('decide: adjustments below executed plus committed', () => {
  it('given executed 30.00 and committed 50.00 of 100.00, when cutting 20.01, then ADJUSTMENT_BELOW_EXECUTED; cutting 20.00 is accepted', () => {
    const state = given(open('A'), initial('A', '100'), commit('c1', 'A', '50'), pay('A', '30'));
    const message = expectRefused(whenOne(state, adjust('A', '-20.01')), 'ADJUSTMENT_BELOW_EXECUTED', 'data.amount');
    expect(message).toContain('less than its executed 30.00 plus committed 50.00');
    expectAccepted(whenOne(state, adjust('A', '-20')));
  });
});

describe('decide: spending plans', () => {
  const q = (d: string, s: string): [string, string] => [d, s];

  it('given an open line, when a plan with checkpoints in its fiscal year is set, then it is accepted; the state keeps no plan', () => {
    const state = given(open('A'));
    expectAccepted(whenOne(state, plan('A', [q('2021-06-30', '0.5'), q('2021-12-31', '1')])));
    expect(line(state, 'A').committedFen).toBe(0n);
  });

  it('given no line, then LINE_NOT_FOUND; dated outside its fiscal year, then OUTSIDE_FISCAL_YEAR', () => {
    const state = given(open('A'));
    expectRefused(whenOne(state, plan('X', [q('2021-12-31', '1')])), 'LINE_NOT_FOUND', 'data.lineId');
    expectRefused(whenOne(state, plan('A', [q('2021-12-31', '1')], '2020-12-31')), 'OUTSIDE_FISCAL_YEAR', 'effectiveDate');
  });

  it("given a checkpoint outside the line's fiscal year, then PLAN_OUTSIDE_FISCAL_YEAR names that checkpoint's date", () => {
    const state = given(open('A'));
    const message = expectRefused(
      whenOne(state, plan('A', [q('2021-06-30', '0.5'), q('2022-01-31', '1')])),
      'PLAN_OUTSIDE_FISCAL_YEAR',
      'data.checkpoints[1].date',
    );
    expect(message).toContain('2022-01-31 is outside fiscal year 2021 of line A');
    expectRefused(
      whenOne(state, plan('A', [q('2020-12-31', '0'), q('2021-12-31', '1')])),
      'PLAN_OUTSIDE_FISCAL_YEAR',
      'data.checkpoints[0].date',
    );
  });

  it('given 2021-Q1 closed, when a plan is dated inside it, then PERIOD_CLOSED unless it is a correction', () => {
    const state = given(open('A'), close('Q1'));
    expectRefused(whenOne(state, plan('A', [q('2021-12-31', '1')], '2021-03-01')), 'PERIOD_CLOSED', 'effectiveDate');
    expectAccepted(whenOne(state, plan('A', [q('2021-12-31', '1')], '2021-03-01', { correction: true })));
    expectAccepted(whenOne(state, plan('A', [q('2021-12-31', '1')], '2021-04-01')));
  });
});

describe('routing helpers of decision 0014', () => {
  it('given each new event type, then the lines, payment, commitment and department-years it needs are reported', () => {
    const state = given(open('A'), open('B', { fiscalYear: 2022 }), initial('A', '100'), commit('c1', 'A', '10'));
    const payment = pay('A', '1', { commitmentEventId: 'c1' });
    expect(linesReferenced(commit('c9', 'A', '1'))).toEqual(['A']);
    expect(linesReferenced(release('c1', '1'))).toEqual([]);
    expect(linesReferenced(plan('A', [['2021-12-31', '1']]))).toEqual(['A']);
    expect(linesReferenced(closeYear('y'))).toEqual([]);
    expect(commitmentReferenced(release('c1', '1'))).toBe('c1');
    expect(commitmentReferenced(payment)).toBe('c1');
    expect(commitmentReferenced(pay('A', '1'))).toBeUndefined();
    expect(paymentReferenced(release('c1', '1'))).toBeUndefined();
    expect(yearsToComplete(closeYear('y'))).toEqual([
      { department: 'D', fiscalYear: 2021 },
      { department: 'D', fiscalYear: 2022 },
    ]);
    expect(yearsToComplete(payment)).toEqual([]);
    expect(departmentYearOf(release('c1', '1'), state)).toEqual({ department: 'D', fiscalYear: 2021 });
    expect(departmentYearOf(release('nope', '1'), state)).toBeUndefined();
    expect(departmentYearOf(commit('c9', 'B', '1'), state)).toEqual({ department: 'D', fiscalYear: 2022 });
    expect(departmentYearOf(closeYear('y', 'E', 2030), state)).toEqual({ department: 'E', fiscalYear: 2030 });
  });

  it('given a release of a commitment not in the state, when evolve is called anyway, then it fails loudly', () => {
    expect(() => evolve(emptyState(), release('nope', '1'))).toThrow('commitment nope is not in the state');
  });
});
