import { z } from 'zod';

/**
 * The HTTP contract, in zod: the schemas that validate requests (queries, small bodies) and
 * describe answers, and from which the OpenAPI document's components are generated (openapi.ts).
 * Answers are produced by the reporting code; contract.spec.ts checks at compile time that its
 * result types fit these schemas, and the e2e suites parse real answers with them.
 */
export const contract = z.registry<{ id: string }>();

const named = <S extends z.ZodType>(id: string, schema: S): S => {
  contract.add(schema, { id });
  return schema;
};

const yuan = (description: string) =>
  z
    .string()
    .regex(/^-?\d+\.\d{2}$/)
    .meta({ description: `${description} (yuan, a decimal string with 2 decimals)`, example: '45769713.94' });
const ratio = (description: string) =>
  z
    .string()
    .nullable()
    .meta({ description: `${description} (a decimal string rounded to 4 places; null when its base is 0)`, example: '0.9029' });
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .meta({ description: 'a date, YYYY-MM-DD', example: '2021-12-31' });
const instant = z.string().meta({ description: 'an instant, ISO-8601 UTC', example: '2026-12-01T08:00:00.000Z' });
const position = z
  .string()
  .regex(/^\d{1,19}$/)
  .meta({ description: 'a log position (64-bit, so a string)', example: '4294967296' });

// ---------- errors ----------

export const Problem = named(
  'Problem',
  z
    .object({
      type: z.literal('about:blank'),
      title: z.string(),
      status: z.number().int(),
      code: z.string().meta({
        description: 'stable error code, e.g. UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, INVALID_QUERY, PAYLOAD_TOO_LARGE, RATE_LIMITED',
      }),
      detail: z.string(),
      field: z.string().optional().meta({ description: 'the field at fault, when one is' }),
    })
    .meta({
      description: "application/problem+json (RFC 9457) with the ledger's stable code",
      example: {
        type: 'about:blank',
        title: 'FORBIDDEN',
        status: 403,
        code: 'FORBIDDEN',
        detail: 'key:k_1a2b3c4d5e6f (writer) may not do this; it needs analyst',
      },
    }),
);

// ---------- queries ----------

const optionalText = (description: string) => z.string().max(200).optional().meta({ description });
const asOf = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .optional()
  .meta({ description: 'business date YYYY-MM-DD' });
const knownAt = z.string().max(40).optional().meta({ description: 'instant, ISO-8601 (default now)' });
const yearText = z.string().regex(/^\d{4}$/, 'must be a year of 4 digits');

/** The exportable reports (DESIGN.md §9) also take `format`; ExportInterceptor reads it before these schemas run. */
const format = z
  .enum(['json', 'csv', 'xlsx'])
  .optional()
  .meta({ description: 'json (default), csv or xlsx; or the matching Accept header' });

export const ViewQuery = z.strictObject({
  asOf: asOf.meta({ description: 'business date YYYY-MM-DD (default today, Asia/Shanghai)' }),
  knownAt,
  groupBy: optionalText('unit, project, functionCode[:3|5|7], economicCode[:3|5], fundingSource, kind, tag, line (comma list)'),
  year: yearText.optional().meta({ description: 'fiscal year (default the year of asOf)' }),
  format,
});
export const KnownAtQuery = z.strictObject({ knownAt, format });
export const RatiosQuery = z.strictObject({ asOf: asOf.meta({ description: "default the fiscal year's last day" }), knownAt, format });
export const WarningsQuery = z.strictObject({
  asOf,
  knownAt,
  by: z.enum(['line', 'project']).optional().meta({ description: "'line' (default) or 'project'" }),
  margin: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal fraction')
    .optional()
    .meta({ description: 'fraction, default 0.10' }),
});
export const TraceQuery = z.strictObject({
  asOf,
  knownAt,
  limit: z.string().optional().meta({ description: 'entries per page, 1 to 10,000 (default 1,000)' }),
  after: z.string().optional().meta({ description: "the previous page's nextAfter" }),
  format,
});

const integerText = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,19}$/, `must be an integer from ${min} to ${max}`)
    .refine((t) => Number(t) >= min && Number(t) <= max, `must be an integer from ${min} to ${max}`)
    .meta({ description: name });

export const FollowQuery = (maxLimit: number, maxWaitSeconds: number, defaultPageBytes: number, maxPageBytes: number) =>
  z.strictObject({
    after: z
      .string()
      .regex(/^\d{1,19}$/, 'must be a position (an integer from 0 to 2^63-1)')
      .refine((t) => BigInt(t) <= 2n ** 63n - 1n, 'must be a position (an integer from 0 to 2^63-1)')
      .optional()
      .meta({ description: 'last position seen, as returned in lastPosition (default 0)' }),
    limit: integerText(`at most this many (default 1000, max ${maxLimit})`, 1, maxLimit).optional(),
    wait: integerText(`long-poll: wait up to this many seconds (max ${maxWaitSeconds}) for an event`, 0, maxWaitSeconds).optional(),
    maxBytes: integerText(
      `stop the page before its events' data and metadata pass this many bytes (default ${defaultPageBytes}, max ${maxPageBytes}); a page always has at least one event`,
      1,
      maxPageBytes,
    ).optional(),
  });

export const AppendQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'true: validate and decide every event, answer the same summary, store nothing' }),
});

export const AccessLogQuery = (maxLimit: number) =>
  z.strictObject({
    after: z
      .string()
      .regex(/^\d{1,19}$/, 'must be an entry id')
      .optional()
      .meta({ description: 'last id seen (default 0)' }),
    limit: integerText(`at most this many (default 1000, max ${maxLimit})`, 1, maxLimit).optional(),
  });

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
      eventOf('PaymentRecorded', '支出: a payment against a line', { lineId: id, amount: amountIn, payee: z.string().max(200).optional() }),
      eventOf('PaymentReversed', '冲销: reverses (part of) a recorded payment', {
        paymentEventId: id,
        amount: amountIn,
      }),
      eventOf('PeriodClosed', '季度结账: closes a quarter; effectiveDate is its last day', {
        department: z.string().min(1).max(100),
        fiscalYear: z.union([z.number().int(), z.string().regex(/^\d{4}$/)]),
        period: z.enum(['Q1', 'Q2', 'Q3', 'Q4']),
      }),
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

// ---------- reports ----------

const figures = {
  initial: yuan('年初预算数'),
  adjustments: yuan('调整 (追加 − 追减)'),
  transfersIn: yuan('调剂转入'),
  transfersOut: yuan('调剂转出'),
  adjusted: yuan('调整预算数'),
  executed: yuan('执行数'),
  available: yuan('可用余额'),
  executionRate: ratio('预算执行率'),
};
export const Figures = named('Figures', z.object(figures));

export const ViewResult = named(
  'ViewResult',
  z.object({
    department: z.string(),
    fiscalYear: z.number().int(),
    asOf: date,
    knownAt: instant,
    groupBy: z.array(z.string()),
    rows: z.array(z.object({ key: z.record(z.string(), z.string().nullable()), ...figures })),
    total: Figures,
  }),
);

const quarterSnapshot = {
  executed: yuan('累计支出数'),
  adjusted: yuan('调整预算数'),
  progress: ratio('支出进度'),
  quarterRate: ratio('当季度执行率'),
};
export const ProgressResult = named(
  'ProgressResult',
  z.object({
    department: z.string(),
    fiscalYear: z.number().int(),
    knownAt: instant,
    quarters: z.array(
      z.object({
        period: z.string(),
        date,
        ...quarterSnapshot,
        schedule: z.string().meta({ description: '序时进度' }),
        quarterScore: z.string().nullable(),
        closed: z.boolean(),
        reported: z
          .object({ ...quarterSnapshot, knownAt: instant })
          .optional()
          .meta({ description: 'as known when the quarter was closed' }),
        restated: z.object(quarterSnapshot).optional(),
        difference: z.object(quarterSnapshot).optional(),
      }),
    ),
    averageRate: z.string().nullable(),
    averageScore: z.string().nullable(),
    totalScore: z.string().nullable(),
  }),
);

export const RatiosResult = named(
  'RatiosResult',
  z.object({
    department: z.string(),
    fiscalYear: z.number().int(),
    asOf: date,
    knownAt: instant,
    initial: yuan('年初预算数'),
    adjusted: yuan('调整预算数'),
    adjustmentAmount: yuan('调整资金'),
    adjustmentRatio: ratio('调整比例'),
    transferAmount: yuan('调剂资金'),
    routineTransferAmount: yuan('正常调剂'),
    transferRatio: ratio('调剂比例'),
    checks: z.array(
      z.object({ rule: z.string(), value: z.string().nullable(), threshold: z.string(), passed: z.boolean(), points: z.string() }),
    ),
  }),
);

export const ScorecardResult = named(
  'ScorecardResult',
  z.object({
    department: z.string(),
    fiscalYear: z.number().int(),
    knownAt: instant,
    items: z.array(
      z.object({
        item: z.string(),
        name: z.string(),
        value: z.string().nullable(),
        band: z.string().nullable(),
        points: z.string().nullable(),
        maxPoints: z.string(),
        note: z.string().optional(),
      }),
    ),
    points: z.string(),
    maxPoints: z.string(),
    projects: z.array(
      z.object({
        project: z.string(),
        initial: yuan('年初预算数'),
        adjusted: yuan('全年预算数'),
        executed: yuan('全年执行数'),
        executionRate: z.string().nullable(),
        points: z.string().nullable(),
        maxPoints: z.string(),
      }),
    ),
  }),
);

export const WarningsResult = named(
  'WarningsResult',
  z.object({
    department: z.string(),
    knownAt: instant,
    by: z.enum(['line', 'project']),
    asOf: date,
    fiscalYear: z.number().int(),
    elapsed: z.string(),
    margin: z.string(),
    rows: z.array(
      z.object({
        key: z.string(),
        executed: yuan('执行数'),
        adjusted: yuan('调整预算数'),
        progress: z.string().nullable(),
        expected: z.string(),
        lag: z.string().nullable(),
        flagged: z.boolean(),
        projectedExecuted: z.string().nullable(),
        projectedRate: z.string().nullable(),
      }),
    ),
    flagged: z.array(z.string()),
  }),
);

export const TraceResult = named(
  'TraceResult',
  z.object({
    lineId: z.string(),
    asOf: date,
    knownAt: instant,
    entries: z.array(
      z.object({
        position,
        eventId: z.string(),
        type: z.string(),
        effectiveDate: date,
        recordedAt: instant,
        recordedBy: z
          .string()
          .nullable()
          .meta({ description: 'who posted the event (key:<keyId>, oidc:<subject>, cli:<user>, kafka:<identity>)' }),
        correction: z.boolean(),
        metadata: z.record(z.string(), z.unknown()).nullable(),
        delta: z.object({
          initial: yuan('年初预算数'),
          adjustments: yuan('调整'),
          transfersIn: yuan('调剂转入'),
          transfersOut: yuan('调剂转出'),
          executed: yuan('执行数'),
        }),
        running: z.object({ initial: yuan('年初预算数'), adjusted: yuan('调整预算数'), executed: yuan('执行数') }),
      }),
    ),
    totals: z.object({ initial: yuan('年初预算数'), adjusted: yuan('调整预算数'), executed: yuan('执行数'), available: yuan('可用余额') }),
    limit: z.number().int().meta({ description: 'entries per page' }),
    nextAfter: z.string().nullable().meta({ description: 'the `after` of the next page; null on the last page' }),
  }),
);

export const VerifyReport = named(
  'VerifyReport',
  z.object({
    ok: z.boolean(),
    events: z.number().int(),
    firstBrokenPosition: z.string().optional(),
    reason: z.string().optional(),
  }),
);

// ---------- operations ----------

export const Health = named('Health', z.object({ status: z.literal('ok') }));
export const Ready = named(
  'Ready',
  z.object({
    status: z.enum(['ready', 'unavailable']),
    database: z.string().meta({ description: "the engine ('postgres' or 'pglite') when up, 'down' otherwise" }),
    kafka: z.string().optional().meta({ description: "'up' or 'down', when Kafka is configured" }),
    kafkaLag: z
      .object({
        total: z.string(),
        max: z.number().int(),
        behind: z.array(z.object({ topic: z.string(), partition: z.number().int(), lag: z.string() })),
      })
      .optional()
      .meta({ description: 'the consumer group’s lag, when KAFKA_READY_MAX_LAG is set: total, the limit, the partitions furthest behind' }),
  }),
);

// ---------- access ----------

const roleEnum = z.enum(['writer', 'analyst', 'auditor', 'admin']);
const departmentsOut = z.array(z.string()).nullable().meta({ description: 'the departments the key may see; null: every department' });

export const NewApiKeyBody = named(
  'NewApiKeyBody',
  z.strictObject({
    role: roleEnum,
    departments: z.array(z.string().min(1).max(200)).max(1000).optional(),
    name: z.string().max(200).optional(),
  }),
);

export const CreatedApiKey = named(
  'CreatedApiKey',
  z.object({
    keyId: z.string(),
    key: z.string().meta({ description: 'the key itself: shown this once, only its hash is kept' }),
    role: roleEnum,
    departments: departmentsOut,
    name: z.string().nullable(),
  }),
);

export const ApiKeyInfo = named(
  'ApiKeyInfo',
  z.object({
    keyId: z.string(),
    role: roleEnum,
    departments: departmentsOut,
    name: z.string().nullable(),
    createdAt: instant,
    revokedAt: instant.nullable(),
  }),
);
export const ApiKeyList = named('ApiKeyList', z.object({ keys: z.array(ApiKeyInfo) }));

export const SessionBody = named('SessionBody', z.strictObject({ key: z.string().min(1).max(200) }));
export const SessionInfo = named(
  'SessionInfo',
  z.object({ keyId: z.string(), role: roleEnum, departments: departmentsOut, expiresAt: instant }),
);

export const AccessLogPage = named(
  'AccessLogPage',
  z.object({
    entries: z.array(
      z.object({
        id: z.string(),
        at: instant,
        identity: z.string().nullable().meta({ description: 'who asked; null when no identity was accepted' }),
        method: z.string(),
        path: z.string(),
        status: z.number().int(),
      }),
    ),
    lastId: z.string(),
  }),
);

export const ClosedPeriod = named(
  'ClosedPeriod',
  z.object({ closed: z.string().meta({ example: '2021-Q1' }), department: z.string(), eventId: z.string(), position }),
);
