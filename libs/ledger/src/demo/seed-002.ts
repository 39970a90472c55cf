import { QUARTERS, quarterEndDate } from '@ledger/domain';

/**
 * A department-year built from seed 002 (中国国际贸易促进委员会深圳市委员会, 2021 部门整体绩效评价报告):
 * the events behind every figure it publishes. Its 部门整体支出绩效目标完成情况自评表 gives the
 * lines' year-end 预算数/执行数; its quarterly table gives the department's 累计支出数 and
 * 调整预算数 at each quarter end; its text gives 年初 4,299.00万, 调整 770.47万 (17.92%), non-routine
 * 调剂 190.34万 (3.75%), 政府采购 143.40万/104.92万, 三公 10.00万/9.69万, 日常公用 249.07万/229.72万.
 * The split of the quarters' payments over the lines is ours (the report does not publish it);
 * every published total comes out exactly. docs/demo.md walks through the derivation.
 *
 * Q1 is closed with one payment missing; it arrives after the close as a correction, so the
 * quarter shows a reported and a restated figure (the restated one is the report's).
 */
export const DEMO_DEPARTMENT = '市贸促委';
export const DEMO_YEAR = 2021;

type Raw = Record<string, unknown>;

interface DemoLine {
  readonly id: string;
  readonly name: string;
  readonly kind: 'basic' | 'project';
  readonly project?: string;
  readonly functionCode: string;
  readonly economicCode: string;
  readonly tags?: string[];
  /** 年初预算数, yuan. */
  readonly initial: string;
  /** Payments per quarter, yuan; each is paid in three monthly instalments. */
  readonly quarters: readonly [string, string, string, string];
  /** Paid in one sum in each quarter's last month: the line's money arrives mid-quarter. */
  readonly lumpSum?: boolean;
}

const LINES: readonly DemoLine[] = [
  {
    id: 'MY2021-B-301',
    name: '人员经费',
    kind: 'basic',
    functionCode: '2011301',
    economicCode: '30101',
    initial: '22315100.00',
    quarters: ['8349600.00', '2805000.00', '2608900.00', '5753299.39'],
  },
  {
    id: 'MY2021-B-302',
    name: '日常公用经费',
    kind: 'basic',
    functionCode: '2011301',
    economicCode: '30201',
    tags: ['daily-public'],
    initial: '2554900.00',
    quarters: ['600000.00', '560000.00', '570000.00', '567200.00'],
  },
  {
    id: 'MY2021-B-30231',
    name: '公务用车运行维护费',
    kind: 'basic',
    functionCode: '2011301',
    economicCode: '30231',
    tags: ['three-costs'],
    initial: '70000.00',
    quarters: ['17000.00', '17500.00', '17000.00', '18024.50'],
  },
  {
    id: 'MY2021-B-GP',
    name: '政府采购（办公设备）',
    kind: 'basic',
    functionCode: '2011301',
    economicCode: '31002',
    tags: ['procurement'],
    initial: '0.00',
    quarters: ['0.00', '300000.00', '200000.00', '549200.00'],
  },
  {
    id: 'MY2021-B-303',
    name: '对个人和家庭的补助',
    kind: 'basic',
    functionCode: '2080501',
    economicCode: '30302',
    initial: '300000.00',
    quarters: ['70000.00', '70000.00', '70000.00', '70000.00'],
  },
  {
    id: 'MY2021-P-GJJJ',
    name: '国际经济合作',
    kind: 'project',
    project: '国际经济合作',
    functionCode: '2011308',
    economicCode: '30227',
    initial: '6310000.00',
    quarters: ['2500000.00', '1000000.00', '1200000.00', '1380544.43'],
  },
  {
    id: 'MY2021-P-JMCJ',
    name: '经贸促进交流',
    kind: 'project',
    project: '经贸促进交流',
    functionCode: '2011308',
    economicCode: '30227',
    initial: '3300000.00',
    quarters: ['200000.00', '300000.00', '400000.00', '1313252.00'],
  },
  {
    id: 'MY2021-P-ZHYW',
    name: '综合业务管理',
    kind: 'project',
    project: '综合业务管理',
    functionCode: '2011350',
    economicCode: '30226',
    initial: '7010000.00',
    quarters: ['1300000.00', '1300000.00', '1300000.00', '1244275.41'],
  },
  {
    id: 'MY2021-P-XXH',
    name: '信息化系统运行维护',
    kind: 'project',
    project: '信息化系统运行维护',
    functionCode: '2011350',
    economicCode: '30213',
    initial: '290000.00',
    quarters: ['70000.00', '70000.00', '70000.00', '75129.00'],
  },
  {
    id: 'MY2021-P-GWJD',
    name: '公务接待（非公用经费部分）',
    kind: 'project',
    project: '公务接待',
    functionCode: '2011301',
    economicCode: '30217',
    tags: ['three-costs'],
    initial: '30000.00',
    quarters: ['5000.00', '7000.00', '7000.00', '8375.50'],
  },
  {
    id: 'MY2021-P-ZFTZ',
    name: '政府投资项目',
    kind: 'project',
    project: '政府投资项目',
    functionCode: '2011350',
    economicCode: '31099',
    initial: '0.00',
    quarters: ['0.00', '0.00', '300000.00', '826150.00'],
    lumpSum: true,
  },
  {
    id: 'MY2021-P-DJ',
    name: '党建活动',
    kind: 'project',
    project: '党建活动',
    functionCode: '2011350',
    economicCode: '30299',
    initial: '60000.00',
    quarters: ['10000.00', '15000.00', '15000.00', '18000.00'],
  },
  {
    id: 'MY2021-P-YBJ',
    name: '预算准备金',
    kind: 'project',
    project: '预算准备金',
    functionCode: '2270000',
    economicCode: '39999',
    initial: '750000.00',
    quarters: ['0.00', '0.00', '0.00', '0.00'],
  },
  {
    id: 'MY2021-P-SBH',
    name: '2020年迪拜世博会',
    kind: 'project',
    project: '2020年迪拜世博会',
    functionCode: '2011308',
    economicCode: '30227',
    initial: '0.00',
    quarters: ['3000000.00', '1500000.00', '2000000.00', '1122263.71'],
    lumpSum: true,
  },
];

/** 调整 (追加/追减): [date, line, amount, document]. Quarter sums: +616.89万, −6.26万, +160.00万, −0.16万. */
const ADJUSTMENTS: readonly [string, string, string, string][] = [
  ['2021-03-15', 'MY2021-P-SBH', '6530790.00', '深财预〔2021〕18号'],
  ['2021-03-15', 'MY2021-B-GP', '1434000.00', '深财预〔2021〕18号'],
  ['2021-03-15', 'MY2021-B-301', '-1795890.00', '深财预〔2021〕18号'],
  ['2021-05-20', 'MY2021-P-XXH', '-4000.00', '深财预〔2021〕41号'],
  ['2021-05-20', 'MY2021-B-302', '-58600.00', '深财预〔2021〕41号'],
  ['2021-08-10', 'MY2021-P-ZFTZ', '1600000.00', '深财预〔2021〕77号'],
  ['2021-12-20', 'MY2021-B-301', '-1649.88', '深财预〔2021〕112号'],
];

/** 调剂: [date, from, to, amount, routine]. Non-routine sum 190.34万; the routine one is 增人增资. */
const TRANSFERS: readonly [string, string, string, string, boolean][] = [
  ['2021-04-20', 'MY2021-P-YBJ', 'MY2021-B-301', '362200.00', true],
  ['2021-06-10', 'MY2021-B-302', 'MY2021-P-GJJJ', '2000.00', false],
  ['2021-09-05', 'MY2021-B-302', 'MY2021-P-SBH', '3600.00', false],
  ['2021-11-20', 'MY2021-P-ZHYW', 'MY2021-P-SBH', '1510000.00', false],
  ['2021-12-10', 'MY2021-P-YBJ', 'MY2021-P-SBH', '387800.00', false],
];

/** The payment that reaches the ledger after Q1 is closed, as a correction (part of 人员经费's Q1). */
export const LATE_PAYMENT = { eventId: 'MY2021-PAY-LATE-Q1', lineId: 'MY2021-B-301', date: '2021-03-30', amount: '50000.00' };

const QUARTER_MONTHS = [
  ['01', '02', '03'],
  ['04', '05', '06'],
  ['07', '08', '09'],
  ['10', '11', '12'],
] as const;

/** Splits yuan into three instalments in 分 that add up exactly. */
function thirds(yuan: string): string[] {
  const fen = BigInt(yuan.replace('.', ''));
  const base = fen / 3n;
  const parts = [base, base, fen - 2n * base];
  return parts.map((p) => `${p / 100n}.${(p % 100n).toString().padStart(2, '0')}`);
}

function minus(yuan: string, other: string): string {
  const fen = BigInt(yuan.replace('.', '')) - BigInt(other.replace('.', ''));
  return `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
}

function event(eventId: string, type: string, effectiveDate: string, data: Raw, documentNo?: string, extra: Raw = {}): Raw {
  return { eventId, type, effectiveDate, ...extra, data, metadata: { source: 'demo-seed-002', ...(documentNo ? { documentNo } : {}) } };
}

/** Each line opened with its classifications, and its initial budget approved, on the year's first day. */
function openingEvents(): Raw[] {
  const events: Raw[] = [];
  for (const line of LINES) {
    events.push(
      event(
        `${line.id}-OPEN`,
        'BudgetLineOpened',
        '2021-01-01',
        {
          lineId: line.id,
          department: DEMO_DEPARTMENT,
          fiscalYear: DEMO_YEAR,
          name: line.name,
          unit: '市贸促委本级',
          ...(line.project ? { project: line.project } : {}),
          functionCode: line.functionCode,
          economicCode: line.economicCode,
          fundingSource: '一般公共预算拨款',
          kind: line.kind,
          tags: line.tags ?? [],
        },
        '深财预〔2021〕1号',
      ),
    );
    if (line.initial !== '0.00') {
      events.push(
        event(`${line.id}-INIT`, 'InitialBudgetApproved', '2021-01-01', { lineId: line.id, amount: line.initial }, '深财预〔2021〕1号'),
      );
    }
  }
  return events;
}

/** Each line's quarterly payments, in three monthly instalments (or one lump sum), the late one held back. */
function paymentEvents(): [string, Raw][] {
  const dated: [string, Raw][] = [];
  for (const line of LINES) {
    line.quarters.forEach((quarterTotal, q) => {
      const total = line.id === LATE_PAYMENT.lineId && q === 0 ? minus(quarterTotal, LATE_PAYMENT.amount) : quarterTotal;
      if (total === '0.00') return;
      const instalments: [number, string][] = line.lumpSum ? [[2, total]] : thirds(total).map((amount, m) => [m, amount]);
      instalments.forEach(([m, amount]) => {
        const date = `2021-${QUARTER_MONTHS[q]?.[m] ?? '12'}-25`;
        dated.push([
          date,
          event(
            `MY2021-PAY-${line.id}-${q + 1}-${m + 1}`,
            'PaymentRecorded',
            date,
            { lineId: line.id, amount, payee: '供应商' },
            `国库支付〔2021〕${q + 1}${m + 1}号`,
          ),
        ]);
      });
    });
  }
  return dated;
}

/** Adjustments, transfers, payments and a reversed duplicate payment, each with its date, in a stable order. */
function datedEvents(): [string, Raw][] {
  const dated: [string, Raw][] = [];
  ADJUSTMENTS.forEach(([date, lineId, amount, doc], i) =>
    dated.push([date, event(`MY2021-ADJ-${i + 1}`, 'BudgetAdjusted', date, { lineId, amount }, doc)]),
  );
  TRANSFERS.forEach(([date, fromLineId, toLineId, amount, routine], i) =>
    dated.push([
      date,
      event(`MY2021-TRF-${i + 1}`, 'BudgetTransferred', date, { fromLineId, toLineId, amount, routine }, `贸促委调剂〔2021〕${i + 1}号`),
    ]),
  );
  dated.push(...paymentEvents());
  // A payment and its full reversal inside Q2: nets to nothing, shows a reversal in the trace.
  dated.push([
    '2021-05-08',
    event(
      'MY2021-PAY-DUP',
      'PaymentRecorded',
      '2021-05-08',
      { lineId: 'MY2021-P-JMCJ', amount: '12000.00', payee: '重复支付' },
      '国库支付〔2021〕58号',
    ),
  ]);
  dated.push([
    '2021-05-12',
    event(
      'MY2021-REV-DUP',
      'PaymentReversed',
      '2021-05-12',
      { paymentEventId: 'MY2021-PAY-DUP', amount: '12000.00' },
      '国库退回〔2021〕3号',
    ),
  ]);
  // Stable order: by date, then adjustments and transfers before payments of the same day.
  const rank = (e: Raw) => (e.type === 'BudgetAdjusted' || e.type === 'BudgetTransferred' ? 0 : 1);
  dated.sort(([a, x], [b, y]) => (a === b ? rank(x) - rank(y) : a < b ? -1 : 1));
  return dated;
}

/**
 * The demo's events in the order they reach the ledger, cut into the phases between quarter
 * closes (each phase ends with its PeriodClosed; the last phase closes Q4).
 */
export function seed002Phases(): Raw[][] {
  const phases: Raw[][] = [openingEvents(), [], [], []];
  const ends = QUARTERS.map((quarter) => quarterEndDate(DEMO_YEAR, quarter));
  for (const [date, e] of datedEvents()) {
    const q = ends.findIndex((end) => date <= end);
    (phases[q] as Raw[]).push(e);
  }
  ends.forEach((end, q) => {
    const phase = phases[q] as Raw[];
    phase.push(
      event(
        `MY2021-CLOSE-Q${q + 1}`,
        'PeriodClosed',
        end,
        { department: DEMO_DEPARTMENT, fiscalYear: DEMO_YEAR, period: `Q${q + 1}` },
        `季度结账 2021-Q${q + 1}`,
      ),
    );
    if (q === 0) {
      // Arrives after the Q1 close, at the start of the next phase.
      (phases[1] as Raw[]).unshift(
        event(
          LATE_PAYMENT.eventId,
          'PaymentRecorded',
          LATE_PAYMENT.date,
          { lineId: LATE_PAYMENT.lineId, amount: LATE_PAYMENT.amount, payee: '补录' },
          '国库支付〔2021〕补1号',
          { correction: true },
        ),
      );
    }
  });
  return phases;
}
