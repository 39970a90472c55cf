import { z } from 'zod';
import { date, instant, named, position } from './schema-kit';

// ---------- events in ----------

const eventId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .meta({ description: 'unique, idempotency key: [A-Za-z0-9._:-], at most 128', example: 'pay-2021-0001' });
const id = z.string().min(1).max(128);
const amountIn = z
  .union([z.string().regex(/^-?\d+(\.\d{1,2})?$/), z.number()])
  .meta({ description: 'yuan: a decimal string with at most 2 decimals ("1234.56"), or a JSON number with at most 2 decimals' });
const envelope = {
  eventId,
  effectiveDate: date.meta({ description: 'business date the event takes effect' }),
  correction: z.boolean().optional().meta({ description: 'a correction of an earlier event (shown as such by trace)' }),
  metadata: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .meta({ description: 'free JSON: documentNo, source, actor…; stored as given, hashed' }),
};
const eventOf = <T extends string, D extends z.ZodRawShape>(type: T, description: string, data: D) =>
  z.strictObject({ ...envelope, type: z.literal(type), data: z.strictObject(data) }).meta({ description });

export const NewEvent = named(
  'NewEvent',
  z
    .discriminatedUnion('type', [
      eventOf('BudgetLineOpened', '预算指标: a budget line of a department-year', {
        lineId: id,
        department: z.string().min(1).max(100),
        fiscalYear: z.union([z.number().int(), z.string().regex(/^\d{4}$/)]),
        kind: z.enum(['basic', 'project']),
        name: z.string().max(200).optional(),
        unit: z.string().max(200).optional(),
        project: z.string().max(200).optional(),
        functionCode: z
          .string()
          .regex(/^\d{3}(?:\d{2}){0,2}$/)
          .optional()
          .meta({ description: '功能分类 3, 5 or 7 digits' }),
        economicCode: z
          .string()
          .regex(/^\d{3}(?:\d{2})?$/)
          .optional()
          .meta({ description: '经济分类 3 or 5 digits' }),
        fundingSource: z.string().max(200).optional(),
        tags: z.array(z.string().min(1).max(64)).max(32).optional(),
      }),
      eventOf('InitialBudgetApproved', "年初预算: the line's initial budget (> 0)", { lineId: id, amount: amountIn }),
      eventOf('BudgetAdjusted', '调整: 追加 (> 0) or 追减 (< 0)', { lineId: id, amount: amountIn }),
      eventOf('BudgetTransferred', '调剂: between two lines of one department-year', {
        fromLineId: id,
        toLineId: id,
        amount: amountIn,
        routine: z.boolean().optional().meta({ description: '增人增资正常调剂' }),
      }),
      eventOf('PaymentRecorded', '支出: a payment against a line', {
        lineId: id,
        amount: amountIn,
        payee: z.string().max(200).optional(),
        commitmentEventId: id
          .optional()
          .meta({ description: 'the CommitmentMade it pays: consumes min(amount, what is left of it) from committed' }),
      }),
      eventOf('PaymentReversed', '冲销: reverses (part of) a recorded payment', {
        paymentEventId: id,
        amount: amountIn,
      }),
      eventOf('PeriodClosed', '季度结账: closes a quarter; effectiveDate is its last day', {
        department: z.string().min(1).max(100),
        fiscalYear: z.union([z.number().int(), z.string().regex(/^\d{4}$/)]),
        period: z.enum(['Q1', 'Q2', 'Q3', 'Q4']),
      }),
      eventOf('SpendingPlanSet', "资金支出计划: the line's cumulative plan from effectiveDate on (decision 0014)", {
        lineId: id,
        checkpoints: z
          .array(
            z.strictObject({
              date,
              share: z
                .string()
                .regex(/^(?:0(?:\.\d{1,4})?|1(?:\.0{1,4})?)$/)
                .meta({ description: 'cumulative share due by the date, 0..1, at most 4 decimals' }),
            }),
          )
          .min(1)
          .max(12)
          .meta({ description: 'dates strictly increasing inside the fiscal year, shares non-decreasing, the last 1' }),
      }),
      eventOf('CommitmentMade', '预留/冻结: reserves budget for a contract (≤ available)', {
        lineId: id,
        amount: amountIn,
        reference: z.string().max(200).optional(),
      }),
      eventOf('CommitmentReleased', '释放: returns (part of) what is left of a commitment to available', {
        commitmentEventId: id,
        amount: amountIn,
      }),
      eventOf('YearClosed', "年结: closes a department-year (after Q4); effectiveDate is the year's last day", {
        department: z.string().min(1).max(100),
        fiscalYear: z.union([z.number().int(), z.string().regex(/^\d{4}$/)]),
      }),
      eventOf(
        'BalanceCarriedForward',
        '结转: written by the ledger after a YearClosed; accepted as input only as an exact copy of a stored one',
        {
          fromLineId: id,
          toLineId: id,
          amount: amountIn,
        },
      ),
    ])
    .meta({
      description:
        'An event (DESIGN.md §3, docs/events.md). The ledger validates each on its own; a refusal names the event and the field.',
    }),
);

export const NewEvents = named('NewEvents', z.array(NewEvent).meta({ description: 'a JSON array of events (or NDJSON, one per line)' }));

export const AppendSummary = named(
  'AppendSummary',
  z.object({
    appended: z.number().int(),
    duplicates: z.number().int().meta({ description: 'same eventId, same content: acknowledged, not stored twice' }),
    rejected: z.array(
      z.object({
        line: z.number().int().meta({ description: 'line (NDJSON) or item (array, from 1) number' }),
        eventId: z.string().nullable(),
        code: z.string().meta({ example: 'LINE_OVERDRAWN' }),
        field: z.string().nullable(),
        error: z.string(),
      }),
    ),
    warnings: z.array(z.object({ line: z.number().int(), eventId: z.string(), code: z.string(), warning: z.string() })),
    rejectedNotListed: z.number().int().meta({ description: 'refusals beyond the listed ones, counted only' }),
  }),
);

// ---------- events out ----------

export const PublishedEvent = named(
  'PublishedEvent',
  z.object({
    position,
    recordedAt: instant,
    eventId: z.string(),
    type: z.string(),
    effectiveDate: date,
    correction: z.boolean(),
    data: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    recordedBy: z
      .string()
      .nullable()
      .meta({ description: 'who posted it: key:<keyId>, oidc:<subject>, cli:<user>, kafka:<identity>; null when unknown' }),
  }),
);

export const EventsPage = named('EventsPage', z.object({ events: z.array(PublishedEvent), lastPosition: position }));
