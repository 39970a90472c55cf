/** The OpenAPI examples of POST /v1/events (docs/events.md explains each field). */
export const APPEND_EXAMPLES = {
  payment: {
    summary: 'a payment (支出) against a budget line',
    value: [
      {
        eventId: 'pay-2021-000123',
        type: 'PaymentRecorded',
        effectiveDate: '2021-03-15',
        data: { lineId: 'MY2021-B-301', amount: '12800.00', payee: '深圳市某会展服务有限公司' },
        metadata: { documentNo: '国库支付〔2021〕0123号', source: 'treasury' },
      },
    ],
  },
  transfer: {
    summary: 'a transfer (调剂) between two lines of one department-year',
    value: [
      {
        eventId: 'transfer-2021-007',
        type: 'BudgetTransferred',
        effectiveDate: '2021-06-20',
        data: { fromLineId: 'MY2021-B-301', toLineId: 'MY2021-P-101', amount: '50000.00', routine: false },
        metadata: { documentNo: '深财预〔2021〕88号' },
      },
    ],
  },
  rejection: {
    summary: 'a payment the ledger refuses: its line does not exist',
    value: [
      {
        eventId: 'pay-2021-000124',
        type: 'PaymentRecorded',
        effectiveDate: '2021-03-16',
        data: { lineId: 'NO-SUCH-LINE', amount: '1.00' },
      },
    ],
  },
};

export const SUMMARY_EXAMPLES = {
  stored: {
    summary: 'the payment stored',
    value: { appended: 1, duplicates: 0, rejected: [], warnings: [], rejectedNotListed: 0 },
  },
  rejection: {
    summary: 'the payment refused, naming the event and the field',
    value: {
      appended: 0,
      duplicates: 0,
      rejected: [
        {
          line: 1,
          eventId: 'pay-2021-000124',
          code: 'LINE_NOT_FOUND',
          field: 'data.lineId',
          error: "event pay-2021-000124: data.lineId: no budget line 'NO-SUCH-LINE'",
        },
      ],
      warnings: [],
      rejectedNotListed: 0,
    },
  },
};
