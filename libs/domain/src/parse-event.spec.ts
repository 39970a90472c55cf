import { LedgerError } from './errors';
import type { LedgerEvent } from './events';
import { fromStored, parseEvent, toStoredData } from './parse-event';

type Raw = Record<string, unknown>;

function opened(data: Raw = {}, envelope: Raw = {}): Raw {
  return {
    eventId: 'line-1',
    type: 'BudgetLineOpened',
    effectiveDate: '2021-01-01',
    data: { lineId: 'L1', department: '市贸促委', fiscalYear: 2021, kind: 'basic', ...data },
    ...envelope,
  };
}

function payment(data: Raw = {}, envelope: Raw = {}): Raw {
  return {
    eventId: 'pay-1',
    type: 'PaymentRecorded',
    effectiveDate: '2021-03-15',
    data: { lineId: 'L1', amount: '100.00', ...data },
    ...envelope,
  };
}

function accepted(raw: unknown): LedgerEvent {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(`expected acceptance, got ${result.error.message}`);
  return result.event;
}

function rejected(raw: unknown): LedgerError {
  const result = parseEvent(raw);
  if (result.ok) throw new Error(`expected rejection of ${JSON.stringify(raw)}`);
  expect(result.error).toBeInstanceOf(LedgerError);
  return result.error;
}

function expectInvalid(raw: unknown, field: string | undefined): LedgerError {
  const error = rejected(raw);
  expect(error.code).toBe('INVALID_EVENT');
  expect(error.field).toBe(field);
  return error;
}

describe('parseEvent: envelope', () => {
  it('given a minimal valid event, then it is accepted with defaults (correction false, metadata null, tags [])', () => {
    const event = accepted(opened());
    expect(event).toEqual({
      eventId: 'line-1',
      type: 'BudgetLineOpened',
      effectiveDate: '2021-01-01',
      correction: false,
      metadata: null,
      data: { lineId: 'L1', department: '市贸促委', fiscalYear: 2021, kind: 'basic', tags: [] },
    });
  });

  it('given input that is not an object, then it is refused without a field', () => {
    for (const raw of [null, 'x', 42, [opened()]]) expectInvalid(raw, undefined);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with a space', 'pay 1'],
    ['with a slash', 'pay/1'],
    ['a number', 12],
  ])('given an eventId %s, then eventId is named and no eventId is attributed', (_, eventId) => {
    const error = expectInvalid({ ...payment(), eventId }, 'eventId');
    expect(error.eventId).toBeUndefined();
  });

  it('given an eventId of 128 allowed characters, then it is accepted', () => {
    expect(accepted(payment({}, { eventId: `a.b_c:d-${'9'.repeat(120)}` })).eventId).toHaveLength(128);
  });

  it('given an unknown type, then UNKNOWN_EVENT_TYPE names type and the event', () => {
    const error = rejected({ ...payment(), type: 'PaymentMade' });
    expect(error.code).toBe('UNKNOWN_EVENT_TYPE');
    expect(error.field).toBe('type');
    expect(error.eventId).toBe('pay-1');
    expect(error.message).toContain('event pay-1: type:');
  });

  it('given a missing or non-string type, then it is INVALID_EVENT naming type', () => {
    expectInvalid({ ...payment(), type: undefined }, 'type');
    expectInvalid({ ...payment(), type: 7 }, 'type');
  });

  it.each(['2021-02-29', '2021-13-01', '2021-04-31', '1899-12-31', '3000-01-01', '2021-3-15', '20210315', ''])(
    'given effectiveDate %j, then effectiveDate is named',
    (effectiveDate) => {
      const error = expectInvalid(payment({}, { effectiveDate }), 'effectiveDate');
      expect(error.eventId).toBe('pay-1');
      expect(error.message).toBe(`event pay-1: effectiveDate: must be a calendar day 'YYYY-MM-DD' in 1900..2999`);
    },
  );

  it('given leap days and the year bounds, then they are accepted', () => {
    for (const effectiveDate of ['2020-02-29', '2000-02-29', '1900-01-01', '2999-12-31']) {
      expect(accepted(payment({}, { effectiveDate })).effectiveDate).toBe(effectiveDate);
    }
    expectInvalid(payment({}, { effectiveDate: '1900-02-29' }), 'effectiveDate');
  });

  it('given correction, then only a boolean is accepted', () => {
    expect(accepted(payment({}, { correction: true })).correction).toBe(true);
    expectInvalid(payment({}, { correction: 'true' }), 'correction');
  });

  it('given metadata, then it is kept verbatim; null is allowed; other values are refused', () => {
    const metadata = { source: 'treasury', documentNo: '深财预〔2021〕12号', nested: { list: [1, 'a', null, true] } };
    expect(accepted(payment({}, { metadata })).metadata).toEqual(metadata);
    expect(accepted(payment({}, { metadata: null })).metadata).toBeNull();
    expectInvalid(payment({}, { metadata: 'note' }), 'metadata');
    expectInvalid(payment({}, { metadata: [1] }), 'metadata');
  });

  it('given U+0000 anywhere in metadata, values or keys, then it is refused with the path', () => {
    expectInvalid(payment({}, { metadata: { documentNo: 'a\u0000b' } }), 'metadata.documentNo');
    expectInvalid(payment({}, { metadata: { list: ['ok', 'x\u0000'] } }), 'metadata.list[1]');
    expectInvalid(payment({}, { metadata: { ['k\u0000']: 1 } }), 'metadata field name');
  });

  it('given metadata that is not JSON (non-finite number, too deep), then it is refused', () => {
    expectInvalid(payment({}, { metadata: { n: Number.NaN } }), 'metadata.n');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = { d: deep };
    expect(rejected(payment({}, { metadata: deep })).reason).toContain('nests deeper');
  });

  it('given an unknown envelope field (a typo), then it is named', () => {
    expectInvalid(payment({}, { corection: true }), 'corection');
  });

  it('given a missing or non-object data, then data is named', () => {
    expectInvalid({ ...payment(), data: undefined }, 'data');
    expectInvalid({ ...payment(), data: [] }, 'data');
  });
});

describe('parseEvent: data', () => {
  it('given a typo in a data field, then the unknown field is named', () => {
    const error = expectInvalid(payment({ amount: undefined, ammount: '1.00' }), 'data.ammount');
    expect(error.message).toBe('event pay-1: data.ammount: is not a known field');
  });

  it.each([
    ['"100"', '100', 10000n],
    ['"0.5"', '0.5', 50n],
    ['"16121600.00"', '16121600.00', 1612160000n],
    ['number 12.34', 12.34, 1234n],
    ['number 0.1', 0.1, 10n],
    ['the maximum', '9999999999999.99', 999_999_999_999_999n],
  ])('given amount %s, then it is read exactly into 分', (_, amount, fen) => {
    const event = accepted(payment({ amount }));
    expect(event.type === 'PaymentRecorded' && event.data.amountFen).toBe(fen);
  });

  it.each([
    ['three decimals', '1.234'],
    ['a float with noise', 0.1 + 0.2],
    ['an exponent', '1e3'],
    ['a leading plus', '+1.00'],
    ['spaces', ' 1.00'],
    ['a comma', '1,000.00'],
    ['too large', '10000000000000.00'],
    ['too large as a number', 1e15],
    ['a boolean', true],
    ['NaN', Number.NaN],
  ])('given amount with %s, then data.amount is named', (_, amount) => {
    expectInvalid(payment({ amount }), 'data.amount');
  });

  it('given zero or negative amounts where they must be positive, then data.amount is named', () => {
    expectInvalid(payment({ amount: '0.00' }), 'data.amount');
    expectInvalid(payment({ amount: '-1.00' }), 'data.amount');
    expectInvalid(
      { eventId: 'ini', type: 'InitialBudgetApproved', effectiveDate: '2021-01-01', data: { lineId: 'L1', amount: '-5' } },
      'data.amount',
    );
    expectInvalid(
      { eventId: 'rev', type: 'PaymentReversed', effectiveDate: '2021-01-01', data: { paymentEventId: 'pay-1', amount: '0' } },
      'data.amount',
    );
    expectInvalid(
      { eventId: 'tr', type: 'BudgetTransferred', effectiveDate: '2021-01-01', data: { fromLineId: 'A', toLineId: 'B', amount: '-1' } },
      'data.amount',
    );
  });

  it('given a BudgetAdjusted, then negative amounts are accepted and zero is refused', () => {
    const cut = accepted({ eventId: 'adj', type: 'BudgetAdjusted', effectiveDate: '2021-06-01', data: { lineId: 'L1', amount: '-7.25' } });
    expect(cut.type === 'BudgetAdjusted' && cut.data.amountFen).toBe(-725n);
    expectInvalid(
      { eventId: 'adj', type: 'BudgetAdjusted', effectiveDate: '2021-06-01', data: { lineId: 'L1', amount: '0.00' } },
      'data.amount',
    );
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['with a newline', 'L\n1'],
    ['with U+0000', 'L\u00001'],
    ['surrounded by spaces', ' L1'],
    ['a number', 1],
  ])('given a lineId %s, then data.lineId is named', (_, lineId) => {
    expectInvalid(payment({ lineId }), 'data.lineId');
  });

  it('given a missing required field, then it is named as required', () => {
    const error = expectInvalid(payment({ lineId: undefined }), 'data.lineId');
    expect(error.reason).toBe('is required');
  });

  it('given department rules, then empty and over 100 characters are refused', () => {
    expectInvalid(opened({ department: '' }), 'data.department');
    expectInvalid(opened({ department: '部'.repeat(101) }), 'data.department');
    expect(accepted(opened({ department: '部'.repeat(100) })).type).toBe('BudgetLineOpened');
  });

  it('given an invisible format character (zero-width, bidi control) in an identifier, then the field and the character are named', () => {
    // "D1\u200b" looked like D1 and became a second department.
    const error = expectInvalid(opened({ department: 'D1\u200b' }), 'data.department');
    expect(error.reason).toContain('U+200B');
    expectInvalid(opened({ lineId: 'L\u202e1' }), 'data.lineId');
    expectInvalid(opened({ unit: '本级\u200d' }), 'data.unit');
    expectInvalid(opened({ project: '\ufeff项目' }), 'data.project');
    expectInvalid(opened({ fundingSource: '其他\u2066资金' }), 'data.fundingSource');
    expectInvalid(opened({ tags: ['procure\u200bment'] }), 'data.tags[0]');
    expectInvalid(payment({ lineId: 'L1\u2060' }), 'data.lineId');
    expectInvalid({ ...payment(), eventId: 'pay-1\u200b' }, 'eventId');
    // Free text (a name, a payee) may carry them, as written text sometimes does.
    expect(accepted(opened({ name: '名\u200d称' })).type).toBe('BudgetLineOpened');
  });

  it('given fiscalYear as a digit string, then it is read as a number; out of range or fractional is refused', () => {
    const event = accepted(opened({ fiscalYear: '2021' }));
    expect(event.type === 'BudgetLineOpened' && event.data.fiscalYear).toBe(2021);
    for (const fiscalYear of [1899, 3000, 2021.5, '21', '２０２１', null]) expectInvalid(opened({ fiscalYear }), 'data.fiscalYear');
  });

  it('given kind, functionCode and economicCode, then only their forms are accepted', () => {
    expectInvalid(opened({ kind: 'other' }), 'data.kind');
    expect(accepted(opened({ functionCode: '201' })).type).toBe('BudgetLineOpened');
    expect(accepted(opened({ functionCode: '2011301', economicCode: '30201' })).type).toBe('BudgetLineOpened');
    for (const functionCode of ['20', '2011', '201130', '20113011', 2011301]) expectInvalid(opened({ functionCode }), 'data.functionCode');
    for (const economicCode of ['3020', '3020101', 'abc']) expectInvalid(opened({ economicCode }), 'data.economicCode');
  });

  it('given tags, then unique non-empty strings up to 64 characters are kept in order', () => {
    const event = accepted(opened({ tags: ['procurement', 'three-costs', '自定义'] }));
    expect(event.type === 'BudgetLineOpened' && event.data.tags).toEqual(['procurement', 'three-costs', '自定义']);
    expectInvalid(opened({ tags: ['a', 'a'] }), 'data.tags[1]');
    expectInvalid(opened({ tags: [''] }), 'data.tags[0]');
    expectInvalid(opened({ tags: ['t'.repeat(65)] }), 'data.tags[0]');
    expectInvalid(opened({ tags: 'procurement' }), 'data.tags');
  });

  it('given optional texts, then over 200 characters or U+0000 is refused, null means absent', () => {
    expectInvalid(opened({ name: 'n'.repeat(201) }), 'data.name');
    expectInvalid(payment({ payee: 'a\u0000' }), 'data.payee');
    const event = accepted(opened({ name: null, unit: '本级' }));
    expect(event.type === 'BudgetLineOpened' && event.data).toEqual({
      lineId: 'L1',
      department: '市贸促委',
      fiscalYear: 2021,
      unit: '本级',
      kind: 'basic',
      tags: [],
    });
  });

  it('given a transfer to the same line, then data.toLineId is named; routine must be boolean', () => {
    const base = { eventId: 'tr', type: 'BudgetTransferred', effectiveDate: '2021-01-01' };
    expectInvalid({ ...base, data: { fromLineId: 'A', toLineId: 'A', amount: '1' } }, 'data.toLineId');
    expectInvalid({ ...base, data: { fromLineId: 'A', toLineId: 'B', amount: '1', routine: 'yes' } }, 'data.routine');
    const event = accepted({ ...base, data: { fromLineId: 'A', toLineId: 'B', amount: '1' } });
    expect(event.type === 'BudgetTransferred' && event.data.routine).toBe(false);
  });

  it('given PeriodClosed, then effectiveDate must be the last day of that quarter of the fiscal year', () => {
    const close = (period: unknown, effectiveDate: string, fiscalYear: unknown = 2021): Raw => ({
      eventId: 'close',
      type: 'PeriodClosed',
      effectiveDate,
      data: { department: '市贸促委', fiscalYear, period },
    });
    expect(accepted(close('Q1', '2021-03-31')).type).toBe('PeriodClosed');
    expect(accepted(close('Q4', '2021-12-31', '2021')).type).toBe('PeriodClosed');
    expectInvalid(close('Q1', '2021-03-30'), 'effectiveDate');
    expectInvalid(close('Q2', '2021-03-31'), 'effectiveDate');
    expectInvalid(close('Q1', '2022-03-31'), 'effectiveDate');
    expectInvalid(close('Q5', '2021-12-31'), 'data.period');
    expectInvalid(close('q1', '2021-03-31'), 'data.period');
  });
});

describe('toStoredData and fromStored', () => {
  it('given a payment, then amounts are yuan strings and absent optional fields are omitted', () => {
    expect(toStoredData(accepted(payment({ amount: 16121600 })))).toEqual({ lineId: 'L1', amount: '16121600.00' });
    expect(toStoredData(accepted(payment({ amount: '0.5', payee: '某公司' })))).toEqual({
      lineId: 'L1',
      amount: '0.50',
      payee: '某公司',
    });
  });

  it('given a line without tags and a transfer without routine, then both are present in stored data', () => {
    expect(toStoredData(accepted(opened()))).toEqual({ lineId: 'L1', department: '市贸促委', fiscalYear: 2021, kind: 'basic', tags: [] });
    const transfer = accepted({
      eventId: 'tr',
      type: 'BudgetTransferred',
      effectiveDate: '2021-01-01',
      data: { fromLineId: 'A', toLineId: 'B', amount: 1 },
    });
    expect(toStoredData(transfer)).toEqual({ fromLineId: 'A', toLineId: 'B', amount: '1.00', routine: false });
  });

  it('given every event type, then fromStored(toStoredData) gives the same event back', () => {
    const events = [
      accepted(opened({ name: '办公费', functionCode: '2011301', economicCode: '30201', tags: ['daily-public'] }, { metadata: { a: 1 } })),
      accepted({
        eventId: 'ini',
        type: 'InitialBudgetApproved',
        effectiveDate: '2021-01-01',
        data: { lineId: 'L1', amount: '42990000.00' },
      }),
      accepted({
        eventId: 'adj',
        type: 'BudgetAdjusted',
        effectiveDate: '2021-06-01',
        correction: true,
        data: { lineId: 'L1', amount: '-1.01' },
      }),
      accepted({
        eventId: 'tr',
        type: 'BudgetTransferred',
        effectiveDate: '2021-07-01',
        data: { fromLineId: 'L1', toLineId: 'L2', amount: '3', routine: true },
      }),
      accepted(payment({ payee: 'p' })),
      accepted({ eventId: 'rev', type: 'PaymentReversed', effectiveDate: '2021-04-01', data: { paymentEventId: 'pay-1', amount: '0.01' } }),
      accepted({
        eventId: 'close',
        type: 'PeriodClosed',
        effectiveDate: '2021-03-31',
        data: { department: 'D', fiscalYear: 2021, period: 'Q1' },
      }),
    ];
    for (const event of events) {
      const stored = JSON.parse(JSON.stringify(toStoredData(event)));
      expect(fromStored({ ...event, data: stored })).toEqual(event);
    }
  });

  it('given stored data that is no longer valid, then fromStored throws the LedgerError', () => {
    expect(() =>
      fromStored({
        eventId: 'x',
        type: 'PaymentRecorded',
        effectiveDate: '2021-01-01',
        correction: false,
        data: { lineId: 'L1' },
        metadata: null,
      }),
    ).toThrow('event x: data.amount: is required');
  });
});
