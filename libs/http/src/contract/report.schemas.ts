import { z } from 'zod';
import { date, instant, named, position, ratio, yuan } from './schema-kit';

// ---------- reports ----------

const figures = {
  initial: yuan('年初预算数'),
  adjustments: yuan('调整 (追加 − 追减)'),
  transfersIn: yuan('调剂转入'),
  transfersOut: yuan('调剂转出'),
  adjusted: yuan('调整预算数'),
  executed: yuan('执行数'),
  committed: yuan('已预留 (commitments not yet paid or released)'),
  broughtForward: yuan('上年结转'),
  carriedForward: yuan('结转下年'),
  available: yuan('可用余额 = adjusted − executed − committed'),
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
  committed: yuan('已预留'),
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
        plan: z
          .array(
            z.object({
              date,
              planned: ratio('share of the lines’ plans due by the date, adjusted-weighted'),
              progress: ratio('支出进度 as of the date'),
              met: z.boolean(),
            }),
          )
          .meta({ description: 'the project’s progress at each checkpoint of its lines’ spending plans; empty without a plan' }),
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
        plan: z.enum(['own', 'common']).meta({ description: "'own': judged against its spending plan; 'common': 序时进度" }),
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
        commitmentEventId: z
          .string()
          .nullable()
          .meta({ description: 'the commitment a payment consumes or a release releases; null otherwise' }),
        delta: z.object({
          initial: yuan('年初预算数'),
          adjustments: yuan('调整'),
          transfersIn: yuan('调剂转入'),
          transfersOut: yuan('调剂转出'),
          executed: yuan('执行数'),
          committed: yuan('已预留'),
          broughtForward: yuan('上年结转'),
          carriedForward: yuan('结转下年'),
        }),
        running: z.object({
          initial: yuan('年初预算数'),
          adjusted: yuan('调整预算数'),
          executed: yuan('执行数'),
          committed: yuan('已预留'),
          available: yuan('可用余额'),
        }),
      }),
    ),
    totals: z.object({
      initial: yuan('年初预算数'),
      adjusted: yuan('调整预算数'),
      executed: yuan('执行数'),
      committed: yuan('已预留'),
      broughtForward: yuan('上年结转'),
      carriedForward: yuan('结转下年'),
      available: yuan('可用余额'),
    }),
    commitments: z
      .array(
        z.object({
          eventId: z.string(),
          reference: z.string().nullable(),
          effectiveDate: date,
          amount: yuan('预留'),
          released: yuan('释放'),
          consumed: yuan('支付消耗'),
          left: yuan('尚余'),
        }),
      )
      .meta({ description: 'the line’s commitments as of asOf known at knownAt' }),
    plans: z
      .array(
        z.object({
          position,
          eventId: z.string(),
          effectiveDate: date,
          recordedAt: instant,
          checkpoints: z.array(z.object({ date, share: z.string().meta({ description: 'cumulative share, 4 decimals' }) })),
        }),
      )
      .meta({ description: 'the line’s spending plans as of asOf known at knownAt; the last is in force' }),
    limit: z.number().int().meta({ description: 'entries per page' }),
    nextAfter: z.string().nullable().meta({ description: 'the `after` of the next page; null on the last page' }),
  }),
);

export const YearEndResult = named(
  'YearEndResult',
  z.object({
    department: z.string(),
    fiscalYear: z.number().int(),
    knownAt: instant,
    closed: z
      .boolean()
      .meta({ description: 'a YearClosed recorded by knownAt; while open, carriedForward and lapsed say what closing now would do' }),
    closedAt: instant.nullable(),
    yearClosedEventId: z.string().nullable(),
    lines: z.array(
      z.object({
        lineId: z.string(),
        name: z.string().nullable(),
        kind: z.string(),
        project: z.string().nullable(),
        fundingSource: z.string().nullable(),
        adjusted: yuan('调整预算数'),
        executed: yuan('执行数'),
        committed: yuan('已预留'),
        available: yuan('可用余额'),
        carriedForward: yuan('结转下年 (a project line’s available)'),
        lapsed: yuan('结余 (a basic line’s available)'),
        toLineId: z.string().nullable(),
      }),
    ),
    totals: z.object({
      adjusted: yuan('调整预算数'),
      executed: yuan('执行数'),
      committed: yuan('已预留'),
      available: yuan('可用余额'),
      carriedForward: yuan('结转下年'),
      lapsed: yuan('结余'),
    }),
    nextYear: z.object({
      fiscalYear: z.number().int(),
      lines: z.array(
        z.object({
          lineId: z.string(),
          name: z.string().nullable(),
          project: z.string().nullable(),
          fromLineIds: z.array(z.string()),
          initial: yuan('年初预算数'),
          broughtForward: yuan('上年结转'),
          adjusted: yuan('调整预算数'),
        }),
      ),
      totals: z.object({ initial: yuan('年初预算数'), broughtForward: yuan('上年结转'), adjusted: yuan('调整预算数') }),
    }),
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
