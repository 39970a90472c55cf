/** Raw events of fiscal year 2021, as `append` takes them, for the writer's specs. */
export const rawOpen = (lineId: string, department: string) => ({
  eventId: `${lineId}-open`,
  type: 'BudgetLineOpened',
  effectiveDate: '2021-01-01',
  data: { lineId, department, fiscalYear: 2021, kind: 'basic' },
});

export const rawInit = (lineId: string, amount: string) => ({
  eventId: `${lineId}-init`,
  type: 'InitialBudgetApproved',
  effectiveDate: '2021-01-01',
  data: { lineId, amount },
});

export const rawPay = (eventId: string, lineId: string, amount: string) => ({
  eventId,
  type: 'PaymentRecorded',
  effectiveDate: '2021-03-01',
  data: { lineId, amount },
});
