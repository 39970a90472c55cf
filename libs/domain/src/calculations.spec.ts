import { DEFAULT_SCHEDULE_CONFIG, type ScheduleConfig } from './calendar';
import {
  adjustmentTransferCheck,
  budgetRatios,
  DEFAULT_SCORING_CONFIG,
  earlyWarning,
  interpolatedSchedule,
  percent,
  projectSelfEvaluation,
  quarterlyExecution,
  ratio,
  scorecard,
  type CheckpointFigures,
  type RatioFigures,
  type ScoringConfig,
} from './index';
import { parseYuan, type Fen } from './money';
import { SEED_004_CHECKPOINTS } from './testing/seed-004';

/** 万元 with two decimals → 分: 1612.16万 = 16121600.00元 = 1612160000n 分. */
function wan(text: string): Fen {
  const yuanFen = parseYuan(text);
  if (yuanFen === undefined) throw new Error(`bad amount ${text}`);
  return yuanFen * 10_000n;
}

function yuan(text: string): Fen {
  const fen = parseYuan(text.replaceAll(',', ''));
  if (fen === undefined) throw new Error(`bad amount ${text}`);
  return fen;
}

/**
 * Seed 002, 2021年度各季度预算执行率. Q1–Q3 are published in 万元 only. For Q4 the seed's 90.29% comes
 * from the exact year-end totals of its 自评表 (执行数 45,769,713.94, 预算数 50,694,650.12 元):
 * the rounded 4576.97 ÷ 5069.47 万 would give 0.9028 (tested below).
 */
const SEED_002_CHECKPOINTS: CheckpointFigures[] = [
  { period: 'Q1', date: '2021-03-31', executedFen: wan('1612.16'), adjustedFen: wan('4915.89') },
  { period: 'Q2', date: '2021-06-30', executedFen: wan('2406.61'), adjustedFen: wan('4909.63') },
  { period: 'Q3', date: '2021-09-30', executedFen: wan('3282.40'), adjustedFen: wan('5069.63') },
  { period: 'Q4', date: '2021-12-31', executedFen: yuan('45,769,713.94'), adjustedFen: yuan('50,694,650.12') },
];

/** Seed 002: 年初 4,299.00万, 调整预算 5,069.47万, 调整 770.47万, 调剂 (non-routine) 190.34万. */
const SEED_002_RATIOS: RatioFigures = {
  initialFen: wan('4299.00'),
  adjustedFen: wan('5069.47'),
  adjustmentAmountFen: wan('770.47'),
  transferAmountFen: wan('190.34'),
  routineTransferAmountFen: wan('12.34'),
};

describe('ratio and percent', () => {
  it('given exact amounts, then the ratio is rounded once, half-up, to 4 decimals', () => {
    expect(ratio(wan('4576.97'), wan('5069.47'))).toBe('0.9028');
    expect(ratio(1n, 8n)).toBe('0.1250');
    expect(ratio(1n, 20000n)).toBe('0.0001'); // 0.00005 rounds half-up
    expect(ratio(-1n, 20000n)).toBe('-0.0001');
    expect(ratio(1n, 30000n)).toBe('0.0000');
    expect(ratio(5n, 0n)).toBeNull();
  });

  it('given a 4-decimal ratio, then percent shows 2 decimals', () => {
    expect(percent('0.9029')).toBe('90.29%');
    expect(percent('1.3118')).toBe('131.18%');
    expect(percent('0.0375')).toBe('3.75%');
    expect(percent(null)).toBeNull();
  });
});

describe('quarterly execution (预算执行率, 6 points)', () => {
  it('given seed 002, then every quarter, the average and the total come out as published', () => {
    const result = quarterlyExecution(2021, SEED_002_CHECKPOINTS);
    expect(result.quarters.map((q) => [q.period, q.progress, q.schedule, q.quarterRate, q.quarterScore])).toEqual([
      ['Q1', '0.3279', '0.25', '1.3118', '1.00'],
      ['Q2', '0.4902', '0.50', '0.9804', '0.98'],
      ['Q3', '0.6475', '0.75', '0.8633', '0.86'],
      ['Q4', '0.9029', '1.00', '0.9029', '0.90'],
    ]);
    expect(result.quarters[0]).toMatchObject({ date: '2021-03-31', executed: '16121600.00', adjusted: '49158900.00' });
    expect(result.quarters[3]).toMatchObject({ executed: '45769713.94', adjusted: '50694650.12' });
    expect(result.quarters.map((q) => percent(q.quarterRate))).toEqual(['131.18%', '98.04%', '86.33%', '90.29%']);
    expect(result.averageRate).toBe('1.0146');
    expect(result.averageScore).toBe('2.00');
    expect(result.totalScore).toBe('5.74');
  });

  it('given Q1 figures, then quarterRate comes from exact amounts, not from the rounded progress', () => {
    // 0.3279 ÷ 0.25 would be 1.3116; exact 1612.16 ÷ (4915.89 × 0.25) is 1.31180…
    const [q1] = quarterlyExecution(2021, SEED_002_CHECKPOINTS).quarters;
    expect(q1?.quarterRate).toBe('1.3118');
  });

  it('given a year-end executed of zero budget, then rates and scores are null, not a division by zero', () => {
    const zero = SEED_002_CHECKPOINTS.map((c, i) => (i === 0 ? { ...c, executedFen: 0n, adjustedFen: 0n } : c));
    const result = quarterlyExecution(2021, zero);
    expect(result.quarters[0]).toMatchObject({ progress: null, quarterRate: null, quarterScore: null });
    expect([result.averageRate, result.averageScore, result.totalScore]).toEqual([null, null, null]);
  });

  it('given a non-default schedule (seed 004 checkpoints) and weights from 2023, then they are applied', () => {
    const schedule: ScheduleConfig = [
      ...DEFAULT_SCHEDULE_CONFIG,
      {
        fromYear: 2023,
        checkpoints: SEED_004_CHECKPOINTS,
      },
    ];
    const scoring: ScoringConfig = [
      ...DEFAULT_SCORING_CONFIG,
      { ...(DEFAULT_SCORING_CONFIG[0] as ScoringConfig[number]), fromYear: 2023, execution: { quarterPoints: '1.5', averagePoints: '1' } },
    ];
    const dates = ['2023-03-31', '2023-06-30', '2023-10-31', '2023-12-31'];
    const labels = ['3月底', '6月底', '10月底', '12月底'];
    const checkpoints = SEED_002_CHECKPOINTS.map((c, i) => ({ ...c, period: labels[i] as string, date: dates[i] as string }));
    const result = quarterlyExecution(2023, checkpoints, schedule, scoring);
    expect(result.quarters.map((q) => [q.period, q.schedule, q.quarterRate, q.quarterScore])).toEqual([
      ['3月底', '0.20', '1.6397', '1.50'],
      ['6月底', '0.45', '1.0893', '1.50'],
      ['10月底', '0.80', '0.8093', '1.21'],
      ['12月底', '1.00', '0.9029', '1.35'],
    ]);
    expect([result.averageRate, result.averageScore, result.totalScore]).toEqual(['1.1103', '1.00', '6.56']);
    // The 2021 figures under the same configuration still use the default.
    expect(quarterlyExecution(2021, SEED_002_CHECKPOINTS, schedule, scoring).totalScore).toBe('5.74');
  });

  it('given checkpoints that do not match the schedule in force, then it is a programmer error', () => {
    expect(() => quarterlyExecution(2021, SEED_002_CHECKPOINTS.slice(0, 3))).toThrow('expected 4 checkpoints');
    const wrongDate = SEED_002_CHECKPOINTS.map((c, i) => (i === 2 ? { ...c, date: '2021-10-31' } : c));
    expect(() => quarterlyExecution(2021, wrongDate)).toThrow('checkpoint 2');
  });
});

describe('adjustment and transfer ratios with the 10% check', () => {
  it('given seed 002, then adjustmentRatio 17.92%, transferRatio 3.75%, and the check fails with 0.00 points', () => {
    expect(budgetRatios(2021, SEED_002_RATIOS)).toEqual({
      initial: '42990000.00',
      adjusted: '50694700.00',
      adjustmentAmount: '7704700.00',
      adjustmentRatio: '0.1792',
      transferAmount: '1903400.00',
      routineTransferAmount: '123400.00',
      transferRatio: '0.0375',
      checks: [{ rule: 'adjustment-transfer-10pct', value: '0.2235', threshold: '0.10', passed: false, points: '0.00' }],
    });
  });

  it('given a ratio just over the threshold, then 0.1 point is taken per percentage point, proportionally', () => {
    // (300 + 0) ÷ 2000 = 15% → 5 points over → 1 − 0.5 = 0.50; 10.5% → 0.95.
    const figures = (adjustment: string): RatioFigures => ({
      ...SEED_002_RATIOS,
      initialFen: wan('2000'),
      adjustmentAmountFen: wan(adjustment),
      transferAmountFen: 0n,
    });
    expect(adjustmentTransferCheck(2021, figures('300'))).toMatchObject({ value: '0.1500', passed: false, points: '0.50' });
    expect(adjustmentTransferCheck(2021, figures('210'))).toMatchObject({ value: '0.1050', passed: false, points: '0.95' });
    expect(adjustmentTransferCheck(2021, figures('200'))).toMatchObject({ value: '0.1000', passed: true, points: '1.00' });
    // A cut counts by its absolute value.
    expect(adjustmentTransferCheck(2021, figures('-300'))).toMatchObject({ value: '0.1500', points: '0.50' });
  });

  it('given a zero initial budget, then the value is null and the check passes only when nothing moved', () => {
    const none: RatioFigures = {
      initialFen: 0n,
      adjustedFen: 0n,
      adjustmentAmountFen: 0n,
      transferAmountFen: 0n,
      routineTransferAmountFen: 0n,
    };
    expect(adjustmentTransferCheck(2021, none)).toMatchObject({ value: null, passed: true, points: '1.00' });
    expect(adjustmentTransferCheck(2021, { ...none, adjustmentAmountFen: 1n })).toMatchObject({
      value: null,
      passed: false,
      points: '0.00',
    });
    expect(budgetRatios(2021, none)).toMatchObject({ adjustmentRatio: null, transferRatio: null });
  });

  it('given a non-default rule from 2022 (20%, routine transfers counted, 0.1 point per point), then it applies to 2022 only', () => {
    const config: ScoringConfig = [
      ...DEFAULT_SCORING_CONFIG,
      {
        ...(DEFAULT_SCORING_CONFIG[0] as ScoringConfig[number]),
        fromYear: 2022,
        adjustmentTransfer: {
          threshold: '0.20',
          fullPoints: '1',
          stepPoints: '0.1',
          minPoints: '0',
          adjustments: 'absolute',
          transfers: 'all',
          base: 'initial',
        },
      },
    ];
    // (770.47 + 190.34 + 12.34) ÷ 4299 = 22.64% → 2.64 points over → 1 − 0.264 = 0.736 → 0.74
    expect(adjustmentTransferCheck(2022, SEED_002_RATIOS, config)).toEqual({
      rule: 'adjustment-transfer-10pct',
      value: '0.2264',
      threshold: '0.20',
      passed: false,
      points: '0.74',
    });
    expect(adjustmentTransferCheck(2021, SEED_002_RATIOS, config)).toMatchObject({ value: '0.2235', threshold: '0.10', points: '0.00' });
  });
});

describe('scorecard (部门整体支出绩效评分表)', () => {
  const figures = {
    procurement: { executedFen: wan('104.92'), adjustedFen: wan('143.40') },
    threeCosts: { executedFen: wan('9.69'), adjustedFen: wan('10.00') },
    dailyPublic: { executedFen: wan('229.72'), adjustedFen: wan('249.07') },
    quarterly: quarterlyExecution(2021, SEED_002_CHECKPOINTS),
    adjustmentTransfer: adjustmentTransferCheck(2021, SEED_002_RATIOS),
  };

  it('given seed 002, then each derivable item has its value, band and points', () => {
    const items = scorecard(2021, figures);
    expect(items.map((i) => [i.name, percent(i.value), i.band, i.points, i.maxPoints])).toEqual([
      ['政府采购执行率', '73.17%', 'rate × 1', '0.73', '2'],
      ['三公经费控制率', '96.90%', '90%..100%', '2.00', '3'],
      ['日常公用经费控制率', '92.23%', '90%..100%', '2.00', '3'],
      ['预算执行率', '101.46%', 'Σ min(quarterRate, 1) × 1 + min(averageRate, 1) × 2', '5.74', '6'],
      ['资金调整调剂规范性', '22.35%', 'over 10.00%', '0.00', '1'],
    ]);
    expect(items[0]?.note).toContain('not derivable');
  });

  it('given control rates in each band, then <90% → 3, 90%..100% → 2, >100% → 0', () => {
    const at = (executed: string) =>
      scorecard(2021, { ...figures, threeCosts: { executedFen: wan(executed), adjustedFen: wan('100') } })[1];
    expect(at('89.99')).toMatchObject({ band: '<90%', points: '3.00' });
    expect(at('90.00')).toMatchObject({ band: '90%..100%', points: '2.00' });
    expect(at('100.00')).toMatchObject({ band: '90%..100%', points: '2.00' });
    expect(at('100.01')).toMatchObject({ band: '>100%', points: '0.00' });
  });

  it('given procurement executed above its budget, then that item scores 0', () => {
    const items = scorecard(2021, { ...figures, procurement: { executedFen: wan('150'), adjustedFen: wan('143.40') } });
    expect(items[0]).toMatchObject({ value: '1.0460', band: 'executed > adjusted: 0', points: '0.00' });
  });
});

describe('project self-evaluation (seed 001)', () => {
  it('given WTO事务 1,948,101.65 of 2,260,000.00, then 执行率 0.86 and 得分 8.60', () => {
    expect(
      projectSelfEvaluation(2021, {
        initialFen: yuan('1,330,000.00'),
        adjustedFen: yuan('2,260,000.00'),
        executedFen: yuan('1,948,101.65'),
      }),
    ).toEqual({
      initial: '1330000.00',
      adjusted: '2260000.00',
      executed: '1948101.65',
      executionRate: '0.86',
      points: '8.60',
      maxPoints: '10',
    });
  });

  it('given 办公设备采购 55871.00 of 56000.00, then 执行率 1.00 and 得分 10.00', () => {
    expect(
      projectSelfEvaluation(2020, { initialFen: yuan('56000.00'), adjustedFen: yuan('56000.00'), executedFen: yuan('55871.00') }),
    ).toMatchObject({
      executionRate: '1.00',
      points: '10.00',
    });
  });

  it('given executed above adjusted, then the score is capped at 10; zero budget gives null', () => {
    expect(projectSelfEvaluation(2021, { initialFen: 100n, adjustedFen: 100n, executedFen: 120n })).toMatchObject({
      executionRate: '1.20',
      points: '10.00',
    });
    expect(projectSelfEvaluation(2021, { initialFen: 0n, adjustedFen: 0n, executedFen: 0n })).toMatchObject({
      executionRate: null,
      points: null,
    });
  });
});

describe('early warning', () => {
  it('given the default schedule, then the due schedule is linear between checkpoints from 0 on January 1st', () => {
    expect(interpolatedSchedule('2021-03-31', 2021)).toBe('0.2500');
    expect(interpolatedSchedule('2021-05-15', 2021)).toBe('0.3736'); // 0.25 + 0.25 × 45/91
    expect(interpolatedSchedule('2021-06-30', 2021)).toBe('0.5000');
    expect(interpolatedSchedule('2020-03-31', 2020)).toBe('0.2500'); // leap year
    expect(interpolatedSchedule('2021-12-31', 2021)).toBe('1.0000');
    expect(interpolatedSchedule('2020-12-31', 2021)).toBe('0.0000');
    expect(interpolatedSchedule('2022-01-15', 2021)).toBe('1.0000');
  });

  it('given lines as of 2021-05-15, then lines lagging more than 0.10 are flagged and year-end is projected from the pace', () => {
    const report = earlyWarning('2021-05-15', 2021, [
      { key: 'A', executedFen: yuan('200'), adjustedFen: yuan('1000') },
      { key: 'B', executedFen: yuan('300'), adjustedFen: yuan('1000') },
      { key: 'C', executedFen: 0n, adjustedFen: 0n },
      { key: 'D', executedFen: yuan('900'), adjustedFen: yuan('1000') },
    ]);
    expect(report.elapsed).toBe('0.3699'); // 135 / 365
    expect(report.flagged).toEqual(['A']);
    expect(report.rows.map((r) => [r.key, r.progress, r.expected, r.lag, r.projectedExecuted, r.projectedRate])).toEqual([
      ['A', '0.2000', '0.3736', '0.1736', '540.74', '0.5407'],
      ['B', '0.3000', '0.3736', '0.0736', '811.11', '0.8111'],
      ['C', null, '0.3736', null, '0.00', null],
      ['D', '0.9000', '0.3736', '-0.5264', '1000.00', '1.0000'], // capped at the budget
    ]);
  });

  it('given a wider margin, then the same lag is not flagged', () => {
    const report = earlyWarning('2021-05-15', 2021, [{ key: 'A', executedFen: yuan('200'), adjustedFen: yuan('1000') }], {
      margin: '0.20',
    });
    expect(report.flagged).toEqual([]);
  });

  it("given a project's own plan (seed 004: 0%/0%/0%/100% at 3月底/6月底/10月底/12月底), then it is judged against that plan", () => {
    const plan: ScheduleConfig = [
      {
        fromYear: 2023,
        checkpoints: [
          { period: '3月底', monthDay: '03-31', schedule: '0' },
          { period: '6月底', monthDay: '06-30', schedule: '0' },
          { period: '10月底', monthDay: '10-31', schedule: '0' },
          { period: '12月底', monthDay: '12-31', schedule: '1' },
        ],
      },
    ];
    const item = { key: '招商引资', executedFen: 0n, adjustedFen: wan('50'), schedule: plan };
    const june = earlyWarning('2023-06-30', 2023, [item, { key: 'line', executedFen: 0n, adjustedFen: wan('50') }]);
    expect(june.rows.map((r) => [r.key, r.expected, r.flagged])).toEqual([
      ['招商引资', '0.0000', false],
      ['line', '0.5000', true],
    ]);
    const november = earlyWarning('2023-11-30', 2023, [item]);
    expect(november.rows[0]).toMatchObject({ expected: '0.4918', flagged: true }); // 30/61 of the way from 10-31 to 12-31
  });

  it('given an as-of date before the fiscal year, then nothing is due and nothing is projected', () => {
    const report = earlyWarning('2020-12-31', 2021, [{ key: 'A', executedFen: 0n, adjustedFen: yuan('10') }]);
    expect(report.rows[0]).toMatchObject({ expected: '0.0000', flagged: false, projectedExecuted: null });
  });
});
