import { QUARTERS, quarterEndDate } from '@ledger/domain';

/**
 * The year-end demo: 高新区商务局 2023, built on seed 004 (its 2023年部门预算绩效文本). The seed
 * gives two projects with their 预算数 and 资金支出计划 — 招商引资 50万元 and 项目扶持资金 2200万元,
 * both 0% / 0% / 0% / 100% at 3月底 / 6月底 / 10月底 / 12月底 — and the 项目扶持资金's "扶持企业数量
 * ≥3家". The rest is ours, chosen to show each rule once: a basic line (商务管理, 300万元, paid
 * monthly) whose unspent balance lapses (结余); contracts reserved (预留) and consumed by the
 * payments that name them; one 扶持协议 partly released (the enterprise fell short of its
 * conditions); the four quarters closed; the year closed, which carries each project's available
 * balance to a 上年结转 line of 2024 that the ledger opens itself. docs/demo.md lists the figures.
 */
export const YEAR_END_DEPARTMENT = '高新区商务局';
export const YEAR_END_YEAR = 2023;

/** Seed 004's 资金支出计划 (%), the same for both projects: cumulative shares at 3月底, 6月底, 10月底, 12月底. */
export const SEED_004_PLAN: readonly { date: string; share: string }[] = [
  { date: '2023-03-31', share: '0' },
  { date: '2023-06-30', share: '0' },
  { date: '2023-10-31', share: '0' },
  { date: '2023-12-31', share: '1' },
];

export const YEAR_END_LINES = {
  basic: 'GX2023-B-SWGL',
  /** 项目扶持资金 (2200万元). */
  support: 'GX2023-P-XMFC',
  /** 招商引资 (50万元). */
  investment: 'GX2023-P-ZSYZ',
} as const;

/** The eventId of the YearClosed; the ledger's own events after it are `<id>:open:<n>` and `<id>:cf:<n>`. */
export const YEAR_CLOSED_EVENT_ID = 'GX2023-YEAR-CLOSED';

type Raw = Record<string, unknown>;

interface Line {
  readonly id: string;
  readonly name: string;
  readonly kind: 'basic' | 'project';
  readonly project?: string;
  readonly functionCode: string;
  readonly economicCode: string;
  readonly initial: string;
  readonly plan?: readonly { date: string; share: string }[];
}

const LINES: readonly Line[] = [
  {
    id: YEAR_END_LINES.basic,
    name: '商务管理（基本支出）',
    kind: 'basic',
    functionCode: '2011301',
    economicCode: '30201',
    initial: '3000000.00',
  },
  {
    id: YEAR_END_LINES.support,
    name: '项目扶持资金',
    kind: 'project',
    project: '项目扶持资金',
    functionCode: '2011399',
    economicCode: '31299',
    initial: '22000000.00',
    plan: SEED_004_PLAN,
  },
  {
    id: YEAR_END_LINES.investment,
    name: '招商引资',
    kind: 'project',
    project: '招商引资',
    functionCode: '2011308',
    economicCode: '30299',
    initial: '500000.00',
    plan: SEED_004_PLAN,
  },
];

/** The basic line's monthly payment: twelve of them leave 120,000.00 of its 3,000,000.00 to lapse. */
const BASIC_MONTHLY = '240000.00';

function event(eventId: string, type: string, effectiveDate: string, data: Raw, documentNo?: string): Raw {
  return { eventId, type, effectiveDate, data, metadata: { source: 'demo-seed-004', ...(documentNo ? { documentNo } : {}) } };
}

const commitment = (id: string, date: string, lineId: string, amount: string, reference: string, doc: string) =>
  event(id, 'CommitmentMade', date, { lineId, amount, reference }, doc);

const payment = (id: string, date: string, lineId: string, amount: string, payee: string, doc: string, commitmentEventId?: string) =>
  event(id, 'PaymentRecorded', date, { lineId, amount, payee, ...(commitmentEventId ? { commitmentEventId } : {}) }, doc);

/** Lines opened, budgets approved and the projects' spending plans set, on the year's first day. */
function openingEvents(): Raw[] {
  const events: Raw[] = [];
  for (const line of LINES) {
    events.push(
      event(
        `${line.id}-OPEN`,
        'BudgetLineOpened',
        '2023-01-01',
        {
          lineId: line.id,
          department: YEAR_END_DEPARTMENT,
          fiscalYear: YEAR_END_YEAR,
          name: line.name,
          unit: '高新区商务局本级',
          ...(line.project ? { project: line.project } : {}),
          functionCode: line.functionCode,
          economicCode: line.economicCode,
          fundingSource: '一般公共预算拨款',
          kind: line.kind,
          tags: [],
        },
        '高新财预〔2023〕1号',
      ),
      event(`${line.id}-INIT`, 'InitialBudgetApproved', '2023-01-01', { lineId: line.id, amount: line.initial }, '高新财预〔2023〕1号'),
    );
    if (line.plan) {
      events.push(
        event(`${line.id}-PLAN`, 'SpendingPlanSet', '2023-01-01', { lineId: line.id, checkpoints: line.plan }, '2023年部门预算绩效文本'),
      );
    }
  }
  return events;
}

/** The contracts, the payments against them and the release, dated in Q3 and Q4 (the plan puts everything in 11–12月). */
function projectEvents(): Raw[] {
  const { support, investment } = YEAR_END_LINES;
  return [
    commitment('GX2023-CMT-ZSYZ-1', '2023-09-15', investment, '180000.00', '投洽会展位及搭建合同 GX-ZS-2023-07', '高新商务合〔2023〕7号'),
    commitment('GX2023-CMT-XMFC-A', '2023-10-20', support, '9000000.00', '扶持协议 GX-FC-2023-01（企业甲）', '高新商务扶〔2023〕1号'),
    commitment('GX2023-CMT-XMFC-B', '2023-10-20', support, '8000000.00', '扶持协议 GX-FC-2023-02（企业乙）', '高新商务扶〔2023〕2号'),
    commitment('GX2023-CMT-XMFC-C', '2023-10-20', support, '5000000.00', '扶持协议 GX-FC-2023-03（企业丙）', '高新商务扶〔2023〕3号'),
    payment('GX2023-PAY-ZSYZ-1', '2023-11-20', investment, '120000.00', '会展服务公司', '国库支付〔2023〕1101号', 'GX2023-CMT-ZSYZ-1'),
    payment('GX2023-PAY-XMFC-A', '2023-12-08', support, '9000000.00', '企业甲', '国库支付〔2023〕1201号', 'GX2023-CMT-XMFC-A'),
    payment('GX2023-PAY-XMFC-B', '2023-12-12', support, '8000000.00', '企业乙', '国库支付〔2023〕1202号', 'GX2023-CMT-XMFC-B'),
    payment('GX2023-PAY-ZSYZ-2', '2023-12-15', investment, '60000.00', '会展服务公司', '国库支付〔2023〕1203号', 'GX2023-CMT-ZSYZ-1'),
    // 企业丙 met its conditions in part: 800,000.00 of its agreement is released, the rest paid.
    event(
      'GX2023-REL-XMFC-C',
      'CommitmentReleased',
      '2023-12-18',
      { commitmentEventId: 'GX2023-CMT-XMFC-C', amount: '800000.00' },
      '高新商务扶〔2023〕3号之一',
    ),
    payment('GX2023-PAY-ZSYZ-3', '2023-12-20', investment, '230000.00', '客商推介会承办单位', '国库支付〔2023〕1204号'),
    payment('GX2023-PAY-XMFC-C', '2023-12-22', support, '4200000.00', '企业丙', '国库支付〔2023〕1205号', 'GX2023-CMT-XMFC-C'),
  ];
}

function basicPayments(): Raw[] {
  return Array.from({ length: 12 }, (_, m) => {
    const month = String(m + 1).padStart(2, '0');
    return payment(
      `GX2023-PAY-SWGL-${month}`,
      `2023-${month}-25`,
      YEAR_END_LINES.basic,
      BASIC_MONTHLY,
      '工资及公用支出',
      `国库支付〔2023〕${month}01号`,
    );
  });
}

/**
 * The demo's events in the order they reach the ledger: one phase per quarter, each ending with
 * its PeriodClosed, then a last phase with the YearClosed alone (the ledger writes the 上年结转
 * lines and the carried balances after it).
 */
export function seed004Phases(): Raw[][] {
  const ends = QUARTERS.map((quarter) => quarterEndDate(YEAR_END_YEAR, quarter));
  const phases: Raw[][] = [openingEvents(), [], [], []];
  const dated = [...basicPayments(), ...projectEvents()].sort((a, b) =>
    (a.effectiveDate as string).localeCompare(b.effectiveDate as string),
  );
  for (const e of dated) {
    const q = ends.findIndex((end) => (e.effectiveDate as string) <= end);
    (phases[q] as Raw[]).push(e);
  }
  ends.forEach((end, q) =>
    (phases[q] as Raw[]).push(
      event(
        `GX2023-CLOSE-Q${q + 1}`,
        'PeriodClosed',
        end,
        { department: YEAR_END_DEPARTMENT, fiscalYear: YEAR_END_YEAR, period: `Q${q + 1}` },
        `季度结账 2023-Q${q + 1}`,
      ),
    ),
  );
  const closing = event(
    YEAR_CLOSED_EVENT_ID,
    'YearClosed',
    `${YEAR_END_YEAR}-12-31`,
    { department: YEAR_END_DEPARTMENT, fiscalYear: YEAR_END_YEAR },
    '高新财决〔2024〕2号',
  );
  return [...phases, [closing]];
}
