import { LedgerError } from './errors';
import type { LedgerEvent } from './events';
import { fromStored, parseEvent, toStoredData } from './parse-event';

// parseEvent for the event types of DESIGN.md §11 (decision 0014).

type Raw = Record<string, unknown>;

function accepted(raw: unknown): LedgerEvent {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(`expected acceptance, got ${result.error.message}`);
  return result.event;
}

function expectInvalid(raw: unknown, field: string | undefined): LedgerError {
  const result = parseEvent(raw);
  if (result.ok) throw new Error(`expected rejection of ${JSON.stringify(raw)}`);
  expect(result.error).toBeInstanceOf(LedgerError);
  expect([result.error.code, result.error.field]).toEqual(['INVALID_EVENT', field]);
  return result.error;
}

const plan = (checkpoints: unknown, extra: Raw = {}): Raw => ({
  eventId: 'plan-1',
  type: 'SpendingPlanSet',
  effectiveDate: '2021-01-05',
  data: { lineId: 'L1', checkpoints, ...extra },
});
const cp = (date: unknown, share: unknown): Raw => ({ date, share });

describe('parseEvent: SpendingPlanSet', () => {
  it('given valid checkpoints, then shares are normalized to 4 decimals and kept in order', () => {
    const event = accepted(plan([cp('2021-03-31', '0.25'), cp('2021-06-30', '0.5'), cp('2021-09-30', '0.5'), cp('2021-12-31', '1')]));
    expect(event.data).toEqual({
      lineId: 'L1',
      checkpoints: [
        { date: '2021-03-31', share: '0.2500' },
        { date: '2021-06-30', share: '0.5000' },
        { date: '2021-09-30', share: '0.5000' },
        { date: '2021-12-31', share: '1.0000' },
      ],
    });
    expect(accepted(plan([cp('2021-01-01', '0'), cp('2021-02-01', '0.0001'), cp('2021-12-31', '1.0000')])).type).toBe('SpendingPlanSet');
  });

  it('given a share that is not a decimal string in [0, 1] with at most 4 decimals, then data.checkpoints[i].share is named', () => {
    for (const share of ['1.5', '-0.1', '0.12345', '1.0001', '.5', '0.', '+0.5', '01', 0.5, 1, null, ' 0.5', '2']) {
      expectInvalid(plan([cp('2021-03-31', share), cp('2021-12-31', '1')]), 'data.checkpoints[0].share');
    }
    expectInvalid(plan([cp('2021-03-31', '0.5'), { date: '2021-12-31' }]), 'data.checkpoints[1].share');
  });

  it('given a date that is not a calendar day, or dates not strictly increasing, then data.checkpoints[i].date is named', () => {
    expectInvalid(plan([cp('2021-02-29', '0.5'), cp('2021-12-31', '1')]), 'data.checkpoints[0].date');
    expectInvalid(plan([cp(20210331, '0.5'), cp('2021-12-31', '1')]), 'data.checkpoints[0].date');
    expectInvalid(plan([cp('2021-06-30', '0.5'), cp('2021-06-30', '1')]), 'data.checkpoints[1].date');
    const error = expectInvalid(
      plan([cp('2021-06-30', '0.2'), cp('2021-09-30', '0.5'), cp('2021-03-31', '1')]),
      'data.checkpoints[2].date',
    );
    expect(error.message).toBe('event plan-1: data.checkpoints[2].date: must be after 2021-09-30 (dates strictly increase)');
  });

  it('given shares decreasing, or the last share not 1, then the share is named', () => {
    const error = expectInvalid(
      plan([cp('2021-03-31', '0.5'), cp('2021-06-30', '0.25'), cp('2021-12-31', '1')]),
      'data.checkpoints[1].share',
    );
    expect(error.message).toContain('must not be less than 0.5000');
    expectInvalid(plan([cp('2021-03-31', '0.5'), cp('2021-12-31', '0.9999')]), 'data.checkpoints[1].share');
    expectInvalid(plan([cp('2021-12-31', '0')]), 'data.checkpoints[0].share');
  });

  it('given no checkpoint, more than 12, or not an array, then data.checkpoints is named', () => {
    expectInvalid(plan([]), 'data.checkpoints');
    expectInvalid(plan('monthly'), 'data.checkpoints');
    expectInvalid({ ...plan([]), data: { lineId: 'L1' } }, 'data.checkpoints');
    const months = (count: number) =>
      Array.from({ length: count }, (_, i) => cp(`2021-${String(i + 1).padStart(2, '0')}-01`, i === count - 1 ? '1' : '0.1'));
    expect(accepted(plan(months(12))).type).toBe('SpendingPlanSet');
    expectInvalid(plan([...months(12), cp('2021-12-31', '1')]), 'data.checkpoints');
  });

  it('given a checkpoint that is not an object, or with an unknown field, then it is named', () => {
    expectInvalid(plan(['2021-12-31']), 'data.checkpoints[0]');
    expectInvalid(plan([{ ...cp('2021-12-31', '1'), amount: '1' }]), 'data.checkpoints[0].amount');
    expectInvalid(plan([cp('2021-12-31', '1')], { share: '1' }), 'data.share');
  });
});

describe('parseEvent: commitments', () => {
  const made = (data: Raw): Raw => ({ eventId: 'c-1', type: 'CommitmentMade', effectiveDate: '2021-04-01', data });
  const released = (data: Raw): Raw => ({ eventId: 'r-1', type: 'CommitmentReleased', effectiveDate: '2021-05-01', data });

  it('given CommitmentMade, then lineId is required, the amount positive and the reference optional text', () => {
    expect(accepted(made({ lineId: 'L1', amount: '1200.50', reference: '合同〔2021〕7号' })).data).toEqual({
      lineId: 'L1',
      amountFen: 120050n,
      reference: '合同〔2021〕7号',
    });
    expect(accepted(made({ lineId: 'L1', amount: 3, reference: null })).data).toEqual({ lineId: 'L1', amountFen: 300n });
    expectInvalid(made({ amount: '1' }), 'data.lineId');
    expectInvalid(made({ lineId: 'L1', amount: '0' }), 'data.amount');
    expectInvalid(made({ lineId: 'L1', amount: '-5' }), 'data.amount');
    expectInvalid(made({ lineId: 'L1', amount: '1', reference: 'x'.repeat(201) }), 'data.reference');
    expectInvalid(made({ lineId: 'L1', amount: '1', reference: 7 }), 'data.reference');
  });

  it('given CommitmentReleased, then commitmentEventId follows the id rule and the amount is positive', () => {
    expect(accepted(released({ commitmentEventId: 'c-1', amount: '0.01' })).data).toEqual({ commitmentEventId: 'c-1', amountFen: 1n });
    expectInvalid(released({ amount: '1' }), 'data.commitmentEventId');
    expectInvalid(released({ commitmentEventId: ' c-1', amount: '1' }), 'data.commitmentEventId');
    expectInvalid(released({ commitmentEventId: 'c-1', amount: '0' }), 'data.amount');
    expectInvalid(released({ commitmentEventId: 'c-1', amount: '1', lineId: 'L1' }), 'data.lineId');
  });

  it('given a payment with commitmentEventId, then it is kept; an empty or malformed one is refused', () => {
    const pay = (data: Raw): Raw => ({
      eventId: 'p',
      type: 'PaymentRecorded',
      effectiveDate: '2021-05-01',
      data: { lineId: 'L1', amount: '5', ...data },
    });
    expect(accepted(pay({ commitmentEventId: 'c-1' })).data).toEqual({ lineId: 'L1', amountFen: 500n, commitmentEventId: 'c-1' });
    expect(accepted(pay({})).data).toEqual({ lineId: 'L1', amountFen: 500n });
    expectInvalid(pay({ commitmentEventId: '' }), 'data.commitmentEventId');
    expectInvalid(pay({ commitmentEventId: 'c\u200b1' }), 'data.commitmentEventId');
  });
});

describe('parseEvent: the year end', () => {
  const closed = (effectiveDate: string, fiscalYear: unknown = 2021, department: unknown = '市贸促委'): Raw => ({
    eventId: 'yc',
    type: 'YearClosed',
    effectiveDate,
    data: { department, fiscalYear },
  });

  it("given YearClosed, then effectiveDate must be the fiscal year's last day", () => {
    expect(accepted(closed('2021-12-31')).data).toEqual({ department: '市贸促委', fiscalYear: 2021 });
    expect(accepted(closed('2021-12-31', '2021')).data).toEqual({ department: '市贸促委', fiscalYear: 2021 });
    expect(expectInvalid(closed('2021-12-30'), 'effectiveDate').message).toContain('must be 2021-12-31, the last day of fiscal year 2021');
    expectInvalid(closed('2022-12-31'), 'effectiveDate');
    expectInvalid(closed('2021-12-31', 2021.5), 'data.fiscalYear');
    expectInvalid(closed('2021-12-31', 2021, ''), 'data.department');
    expectInvalid({ ...closed('2021-12-31'), data: { department: 'D', fiscalYear: 2021, period: 'Q4' } }, 'data.period');
  });

  it('given YearClosed of the last year the ledger accepts, then it is refused: no next year could receive its balances', () => {
    expectInvalid(closed('2999-12-31', 2999), 'data.fiscalYear');
  });

  it('given BalanceCarriedForward, then two line ids and a positive amount', () => {
    const carried = (data: Raw): Raw => ({ eventId: 'yc:cf:1', type: 'BalanceCarriedForward', effectiveDate: '2021-12-31', data });
    expect(accepted(carried({ fromLineId: 'A', toLineId: 'A.cf2022', amount: '10' })).data).toEqual({
      fromLineId: 'A',
      toLineId: 'A.cf2022',
      amountFen: 1000n,
    });
    expectInvalid(carried({ fromLineId: 'A', toLineId: 'B', amount: '0' }), 'data.amount');
    expectInvalid(carried({ toLineId: 'B', amount: '1' }), 'data.fromLineId');
  });
});

describe('toStoredData and fromStored: DESIGN.md §11 types', () => {
  it('given each new type, then the stored form has yuan strings and normalized shares, and fromStored gives the event back', () => {
    const events = [
      accepted(plan([cp('2021-06-30', '0.4'), cp('2021-12-31', '1')])),
      accepted({ eventId: 'c', type: 'CommitmentMade', effectiveDate: '2021-04-01', data: { lineId: 'L1', amount: 5, reference: 'R' } }),
      accepted({ eventId: 'r', type: 'CommitmentReleased', effectiveDate: '2021-04-02', data: { commitmentEventId: 'c', amount: '1.5' } }),
      accepted({
        eventId: 'p',
        type: 'PaymentRecorded',
        effectiveDate: '2021-04-03',
        data: { lineId: 'L1', amount: '2', commitmentEventId: 'c' },
      }),
      accepted({ eventId: 'y', type: 'YearClosed', effectiveDate: '2021-12-31', data: { department: 'D', fiscalYear: '2021' } }),
      accepted({
        eventId: 'y:cf:1',
        type: 'BalanceCarriedForward',
        effectiveDate: '2021-12-31',
        data: { fromLineId: 'A', toLineId: 'B', amount: 7 },
      }),
    ];
    expect(events.map(toStoredData)).toEqual([
      {
        lineId: 'L1',
        checkpoints: [
          { date: '2021-06-30', share: '0.4000' },
          { date: '2021-12-31', share: '1.0000' },
        ],
      },
      { lineId: 'L1', amount: '5.00', reference: 'R' },
      { commitmentEventId: 'c', amount: '1.50' },
      { lineId: 'L1', amount: '2.00', commitmentEventId: 'c' },
      { department: 'D', fiscalYear: 2021 },
      { fromLineId: 'A', toLineId: 'B', amount: '7.00' },
    ]);
    for (const event of events) {
      const stored = JSON.parse(JSON.stringify(toStoredData(event)));
      expect(fromStored({ ...event, data: stored })).toEqual(event);
    }
  });
});
