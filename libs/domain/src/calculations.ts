import Decimal from 'decimal.js';
import {
  checkpointsFor,
  dayOfYear,
  daysInYear,
  DEFAULT_SCHEDULE_CONFIG,
  firstDayOfYear,
  lastDayOfYear,
  MIN_YEAR,
  versionFor,
  type ScheduleConfig,
} from './calendar';
import { formatYuan, type Fen } from './money';

/**
 * The figures of DESIGN.md §4: ratios, quarterly execution against 序时进度, threshold checks and
 * the scorecard items a ledger can derive. Exact decimals throughout; every published figure is
 * rounded once, half-up: ratios to 4 decimals, scores to 2, amounts to 分.
 *
 * Scores are computed from the PUBLISHED (rounded) ratio, as the 评分表 does and so that a reader
 * can recompute every score from the table; the ratio itself is computed from exact amounts.
 */

/** 64 significant digits: amounts reach 10^20 分, so quotients keep far more than the 4 places we publish. */
const Dec = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
type Dec = Decimal;

export const RATIO_DECIMALS = 4;
export const SCORE_DECIMALS = 2;

function dec(value: Fen | string | number): Dec {
  return new Dec(typeof value === 'bigint' ? value.toString() : value);
}

/** Rounds half-up (away from zero on a tie) and prints with exactly `places` decimals, never '-0'. */
function fixed(value: Dec, places: number): string {
  const rounded = value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  return (rounded.isZero() ? new Dec(0) : rounded).toFixed(places);
}

function min(a: Dec, b: Dec): Dec {
  return a.lt(b) ? a : b;
}

function max(a: Dec, b: Dec): Dec {
  return a.gt(b) ? a : b;
}

/** num ÷ den from exact amounts, rounded once to 4 decimals ("0.9029"); null when den = 0. */
export function ratio(numFen: Fen, denFen: Fen): string | null {
  if (denFen === 0n) return null;
  return fixed(dec(numFen).div(dec(denFen)), RATIO_DECIMALS);
}

/** A ratio as a percentage with 2 decimals: "0.9029" → "90.29%"; null stays null. */
export function percent(ratio4: string): string;
export function percent(ratio4: string | null): string | null;
export function percent(ratio4: string | null): string | null {
  if (ratio4 === null) return null;
  return `${fixed(dec(ratio4).times(100), 2)}%`;
}

/** 分 held as an exact decimal → 分 rounded half-up → "123.45". */
function yuanOf(fen: Dec): string {
  return formatYuan(BigInt(fen.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0)));
}

// ---------------------------------------------------------------------------------------------
// Scoring configuration, versioned by fiscal year.

/** One band of a banded score: the first band whose upper bound admits the value applies. */
export interface ScoreBand {
  /** Upper bound as a decimal fraction ('0.90'); null = no bound (the last band). */
  readonly upTo: string | null;
  /** Whether the bound itself belongs to this band (≤ rather than <). */
  readonly inclusive: boolean;
  readonly points: string;
  /** As the 评分表 says it, e.g. '<90%'. */
  readonly label: string;
}

/** 资金调整调剂规范性: (|adjustments| + transfers) ÷ base within a threshold. */
export interface AdjustmentTransferRule {
  /** As a decimal fraction: '0.10' = 10%. */
  readonly threshold: string;
  /** Points when within the threshold. */
  readonly fullPoints: string;
  /** Points off per percentage point over the threshold, proportionally. */
  readonly stepPoints: string;
  /** Points never go below this (the cap of the deduction). */
  readonly minPoints: string;
  /** Which adjustments count: their absolute department total, or none. */
  readonly adjustments: 'absolute' | 'none';
  /** Which transfers count: non-routine only (the 评分表's "除增人增资正常调剂外"), all, or none. */
  readonly transfers: 'non-routine' | 'all' | 'none';
  /** The denominator: 年初预算数 (部门预算总规模 at approval) or 调整预算数. */
  readonly base: 'initial' | 'adjusted';
}

export interface ScoringVersion {
  readonly fromYear: number;
  /** 预算执行率 (6 points): points per quarter and for the average rate. */
  readonly execution: { readonly quarterPoints: string; readonly averagePoints: string };
  readonly adjustmentTransfer: AdjustmentTransferRule;
  /** 政府采购执行率: points = rate × pointsPerRate, 0 when executed > adjusted. */
  readonly procurement: { readonly pointsPerRate: string; readonly maxPoints: string; readonly qualitativePoints: string };
  /** 三公经费控制率 */
  readonly threeCosts: { readonly maxPoints: string; readonly bands: readonly ScoreBand[] };
  /** 日常公用经费控制率 */
  readonly dailyPublic: { readonly maxPoints: string; readonly bands: readonly ScoreBand[] };
  /** Project self-evaluation: 得分 = 执行率 (rounded to rateDecimals) × maxPoints, capped at maxPoints. */
  readonly project: { readonly maxPoints: string; readonly rateDecimals: number };
}

export type ScoringConfig = readonly ScoringVersion[];

/** Control-rate bands of the 部门整体支出绩效评分表: <90% → 3, 90%..100% → 2, >100% → 0. */
export const CONTROL_RATE_BANDS: readonly ScoreBand[] = [
  { upTo: '0.90', inclusive: false, points: '3', label: '<90%' },
  { upTo: '1.00', inclusive: true, points: '2', label: '90%..100%' },
  { upTo: null, inclusive: false, points: '0', label: '>100%' },
];

/** The rules of seed 002's 部门整体支出绩效评分表. */
export const DEFAULT_SCORING_CONFIG: ScoringConfig = [
  {
    fromYear: MIN_YEAR,
    execution: { quarterPoints: '1', averagePoints: '2' },
    adjustmentTransfer: {
      threshold: '0.10',
      fullPoints: '1',
      stepPoints: '0.1',
      minPoints: '0',
      adjustments: 'absolute',
      transfers: 'non-routine',
      base: 'initial',
    },
    procurement: { pointsPerRate: '1', maxPoints: '2', qualitativePoints: '1' },
    threeCosts: { maxPoints: '3', bands: CONTROL_RATE_BANDS },
    dailyPublic: { maxPoints: '3', bands: CONTROL_RATE_BANDS },
    project: { maxPoints: '10', rateDecimals: 2 },
  },
];

export function scoringFor(fiscalYear: number, config: ScoringConfig = DEFAULT_SCORING_CONFIG): ScoringVersion {
  return versionFor(config, fiscalYear);
}

// ---------------------------------------------------------------------------------------------
// Quarterly execution (预算执行率, DESIGN.md §4).

/** Figures at one checkpoint: executed up to its day and adjusted as of its day. */
export interface CheckpointFigures {
  readonly period: string;
  readonly date: string;
  readonly executedFen: Fen;
  readonly adjustedFen: Fen;
}

export interface QuarterExecution {
  readonly period: string;
  readonly date: string;
  /** Yuan, 2 decimals. */
  readonly executed: string;
  readonly adjusted: string;
  /** 支出进度 = executed ÷ adjusted; null when adjusted = 0. */
  readonly progress: string | null;
  /** 序时进度 as configured, e.g. '0.25'. */
  readonly schedule: string;
  /** 当季度预算执行率 = executed ÷ (adjusted × schedule) from exact amounts; null when that is 0. */
  readonly quarterRate: string | null;
  /** min(quarterRate, 1) × quarter points; null when quarterRate is. */
  readonly quarterScore: string | null;
}

export interface QuarterlyExecution {
  readonly quarters: QuarterExecution[];
  /** Σ of the rounded quarterRates ÷ their count; null if any quarterRate is null. */
  readonly averageRate: string | null;
  /** min(averageRate, 1) × average points. */
  readonly averageScore: string | null;
  /** Σ quarterScore + averageScore, of the rounded scores as published. */
  readonly totalScore: string | null;
}

/**
 * 当季度预算执行率 = executed ÷ (adjusted × schedule), from exact amounts and rounded once to 4
 * decimals; null when adjusted × schedule is 0.
 */
export function quarterRateOf(executedFen: Fen, adjustedFen: Fen, schedule: string): string | null {
  const dueFen = dec(adjustedFen).times(schedule);
  return dueFen.isZero() ? null : fixed(dec(executedFen).div(dueFen), RATIO_DECIMALS);
}

/** a − b of two 4-decimal ratio strings, exactly ("0.3279" − "0.3269" = "0.0010"). */
export function ratioDifference(a: string, b: string): string {
  return fixed(dec(a).minus(b), RATIO_DECIMALS);
}

/** Σ of 2-decimal points strings ('6', '0.98') as a 2-decimal string. */
export function sumPoints(points: readonly (string | null)[]): string {
  return fixed(
    points.reduce((total: Dec, p) => (p === null ? total : total.plus(p)), dec(0)),
    SCORE_DECIMALS,
  );
}

/**
 * 预算执行率 of a department-year. `checkpoints` must list the periods of the schedule in force
 * for the fiscal year, in order and with their dates (checkpointsFor gives them); anything else is
 * a programmer error.
 */
export function quarterlyExecution(
  fiscalYear: number,
  checkpoints: readonly CheckpointFigures[],
  scheduleConfig: ScheduleConfig = DEFAULT_SCHEDULE_CONFIG,
  scoringConfig: ScoringConfig = DEFAULT_SCORING_CONFIG,
): QuarterlyExecution {
  const expected = checkpointsFor(fiscalYear, scheduleConfig);
  if (expected.length !== checkpoints.length) {
    throw new Error(`quarterlyExecution ${fiscalYear}: expected ${expected.length} checkpoints, got ${checkpoints.length}`);
  }
  const { quarterPoints, averagePoints } = scoringFor(fiscalYear, scoringConfig).execution;
  const quarters = checkpoints.map((figures, index): QuarterExecution => {
    const checkpoint = expected[index];
    if (checkpoint === undefined || checkpoint.period !== figures.period || checkpoint.date !== figures.date) {
      throw new Error(`quarterlyExecution ${fiscalYear}: checkpoint ${index} must be ${JSON.stringify(checkpoint)}`);
    }
    const quarterRate = quarterRateOf(figures.executedFen, figures.adjustedFen, checkpoint.schedule);
    return {
      period: figures.period,
      date: figures.date,
      executed: formatYuan(figures.executedFen),
      adjusted: formatYuan(figures.adjustedFen),
      progress: ratio(figures.executedFen, figures.adjustedFen),
      schedule: checkpoint.schedule,
      quarterRate,
      quarterScore: quarterRate === null ? null : fixed(min(dec(quarterRate), dec(1)).times(quarterPoints), SCORE_DECIMALS),
    };
  });
  const rates = quarters.map((quarter) => quarter.quarterRate);
  if (rates.some((rate) => rate === null)) {
    return { quarters, averageRate: null, averageScore: null, totalScore: null };
  }
  const sum = rates.reduce((total: Dec, rate) => total.plus(rate as string), dec(0));
  const averageRate = fixed(sum.div(rates.length), RATIO_DECIMALS);
  const averageScore = fixed(min(dec(averageRate), dec(1)).times(averagePoints), SCORE_DECIMALS);
  const totalScore = quarters.reduce((total: Dec, quarter) => total.plus(quarter.quarterScore as string), dec(averageScore));
  return { quarters, averageRate, averageScore, totalScore: fixed(totalScore, SCORE_DECIMALS) };
}

// ---------------------------------------------------------------------------------------------
// Adjustment and transfer ratios with the 10% check.

export const ADJUSTMENT_TRANSFER_RULE = 'adjustment-transfer-10pct';

/** Department-year totals behind the ratios. */
export interface RatioFigures {
  /** 年初预算数 */
  readonly initialFen: Fen;
  /** 调整预算数 */
  readonly adjustedFen: Fen;
  /** Σ adjustments (signed; = adjusted − initial at department level). */
  readonly adjustmentAmountFen: Fen;
  /** Σ non-routine transfers. */
  readonly transferAmountFen: Fen;
  /** Σ routine transfers (增人增资正常调剂). */
  readonly routineTransferAmountFen: Fen;
}

export interface ThresholdCheck {
  readonly rule: string;
  /** 4 decimals; null when the base is 0. */
  readonly value: string | null;
  readonly threshold: string;
  readonly passed: boolean;
  /** 2 decimals. */
  readonly points: string;
}

export interface BudgetRatios {
  readonly initial: string;
  readonly adjusted: string;
  readonly adjustmentAmount: string;
  /** adjustmentAmount ÷ initial. */
  readonly adjustmentRatio: string | null;
  readonly transferAmount: string;
  readonly routineTransferAmount: string;
  /** transferAmount ÷ adjusted. */
  readonly transferRatio: string | null;
  readonly checks: ThresholdCheck[];
}

/**
 * 资金调整调剂规范性: value = (|adjustments| + transfers) ÷ base, as the rule counts them.
 * Within the threshold → full points; above, stepPoints off per percentage point over,
 * proportionally, never below minPoints. With a base of 0 the value is null: the check passes
 * when nothing was adjusted or transferred, and scores minPoints otherwise.
 */
export function adjustmentTransferCheck(
  fiscalYear: number,
  figures: RatioFigures,
  config: ScoringConfig = DEFAULT_SCORING_CONFIG,
): ThresholdCheck {
  const rule = scoringFor(fiscalYear, config).adjustmentTransfer;
  const absAdjustmentFen = figures.adjustmentAmountFen < 0n ? -figures.adjustmentAmountFen : figures.adjustmentAmountFen;
  const adjustmentsFen = rule.adjustments === 'absolute' ? absAdjustmentFen : 0n;
  const transfersFen =
    rule.transfers === 'all'
      ? figures.transferAmountFen + figures.routineTransferAmountFen
      : rule.transfers === 'non-routine'
        ? figures.transferAmountFen
        : 0n;
  const countedFen = adjustmentsFen + transfersFen;
  const baseFen = rule.base === 'initial' ? figures.initialFen : figures.adjustedFen;
  const threshold = dec(rule.threshold);
  const value = ratio(countedFen, baseFen);
  if (value === null) {
    const passed = countedFen === 0n;
    return {
      rule: ADJUSTMENT_TRANSFER_RULE,
      value,
      threshold: rule.threshold,
      passed,
      points: fixed(dec(passed ? rule.fullPoints : rule.minPoints), SCORE_DECIMALS),
    };
  }
  const overPercentagePoints = max(dec(value).minus(threshold), dec(0)).times(100);
  const points = max(dec(rule.fullPoints).minus(overPercentagePoints.times(rule.stepPoints)), dec(rule.minPoints));
  return {
    rule: ADJUSTMENT_TRANSFER_RULE,
    value,
    threshold: rule.threshold,
    passed: dec(value).lte(threshold),
    points: fixed(points, SCORE_DECIMALS),
  };
}

/** The ratios of DESIGN.md §6 `ratios` (without department, year and times, which the caller adds). */
export function budgetRatios(fiscalYear: number, figures: RatioFigures, config: ScoringConfig = DEFAULT_SCORING_CONFIG): BudgetRatios {
  return {
    initial: formatYuan(figures.initialFen),
    adjusted: formatYuan(figures.adjustedFen),
    adjustmentAmount: formatYuan(figures.adjustmentAmountFen),
    adjustmentRatio: ratio(figures.adjustmentAmountFen, figures.initialFen),
    transferAmount: formatYuan(figures.transferAmountFen),
    routineTransferAmount: formatYuan(figures.routineTransferAmountFen),
    transferRatio: ratio(figures.transferAmountFen, figures.adjustedFen),
    checks: [adjustmentTransferCheck(fiscalYear, figures, config)],
  };
}

// ---------------------------------------------------------------------------------------------
// Scorecard items of the 部门整体支出绩效评分表 the ledger can derive.

export interface ExecutedAdjusted {
  readonly executedFen: Fen;
  readonly adjustedFen: Fen;
}

export type ScorecardItemId =
  | 'procurement-execution-rate'
  | 'three-costs-control-rate'
  | 'daily-public-control-rate'
  | 'budget-execution-rate'
  | 'adjustment-transfer-compliance';

export interface ScorecardItem {
  readonly item: ScorecardItemId;
  /** The 评分表's name of the item. */
  readonly name: string;
  /** The rate behind the points, 4 decimals; null when not derivable (zero budget). */
  readonly value: string | null;
  /** Which band or formula applied. */
  readonly band: string | null;
  /** Points derived from the ledger, 2 decimals; null when not derivable. */
  readonly points: string | null;
  /** The item's full points in the 评分表, including any part the ledger cannot derive. */
  readonly maxPoints: string;
  /** Why part of the item is not in `points`, when so. */
  readonly note?: string;
}

export interface ScorecardFigures {
  /** Lines tagged `procurement`. */
  readonly procurement: ExecutedAdjusted;
  /** Lines tagged `three-costs`. */
  readonly threeCosts: ExecutedAdjusted;
  /** Lines tagged `daily-public`. */
  readonly dailyPublic: ExecutedAdjusted;
  readonly quarterly: QuarterlyExecution;
  readonly adjustmentTransfer: ThresholdCheck;
}

function bandFor(value: string, bands: readonly ScoreBand[]): ScoreBand {
  const rate = dec(value);
  for (const band of bands) {
    if (band.upTo === null) return band;
    const bound = dec(band.upTo);
    if (band.inclusive ? rate.lte(bound) : rate.lt(bound)) return band;
  }
  throw new Error('score bands must end with an unbounded band (upTo: null)');
}

function controlRateItem(
  item: ScorecardItemId,
  name: string,
  figures: ExecutedAdjusted,
  rule: { readonly maxPoints: string; readonly bands: readonly ScoreBand[] },
): ScorecardItem {
  const value = ratio(figures.executedFen, figures.adjustedFen);
  if (value === null) {
    return { item, name, value, band: null, points: null, maxPoints: rule.maxPoints, note: 'no budget on lines with this tag' };
  }
  const band = bandFor(value, rule.bands);
  return { item, name, value, band: band.label, points: fixed(dec(band.points), SCORE_DECIMALS), maxPoints: rule.maxPoints };
}

/** The five items of seed 002's 评分表 that follow from the ledger, scored by the rules in force for the year. */
export function scorecard(fiscalYear: number, figures: ScorecardFigures, config: ScoringConfig = DEFAULT_SCORING_CONFIG): ScorecardItem[] {
  const rules = scoringFor(fiscalYear, config);
  const procurementRate = ratio(figures.procurement.executedFen, figures.procurement.adjustedFen);
  const procurementNote =
    `${rules.procurement.qualitativePoints} of the ${rules.procurement.maxPoints} points (政府采购政策功能的执行和落实情况) ` +
    'are qualitative and not derivable from the ledger; points cover the execution rate only';
  const overPlan = figures.procurement.executedFen > figures.procurement.adjustedFen;
  const procurement: ScorecardItem =
    procurementRate === null
      ? {
          item: 'procurement-execution-rate',
          name: '政府采购执行率',
          value: null,
          band: overPlan ? 'executed > adjusted: 0' : null,
          points: overPlan ? fixed(dec(0), SCORE_DECIMALS) : null,
          maxPoints: rules.procurement.maxPoints,
          note: procurementNote,
        }
      : {
          item: 'procurement-execution-rate',
          name: '政府采购执行率',
          value: procurementRate,
          band: overPlan ? 'executed > adjusted: 0' : `rate × ${rules.procurement.pointsPerRate}`,
          points: overPlan
            ? fixed(dec(0), SCORE_DECIMALS)
            : fixed(dec(procurementRate).times(rules.procurement.pointsPerRate), SCORE_DECIMALS),
          maxPoints: rules.procurement.maxPoints,
          note: procurementNote,
        };
  const { quarterPoints, averagePoints } = rules.execution;
  const executionMax = dec(quarterPoints).times(figures.quarterly.quarters.length).plus(averagePoints);
  const check = figures.adjustmentTransfer;
  return [
    procurement,
    controlRateItem('three-costs-control-rate', '三公经费控制率', figures.threeCosts, rules.threeCosts),
    controlRateItem('daily-public-control-rate', '日常公用经费控制率', figures.dailyPublic, rules.dailyPublic),
    {
      item: 'budget-execution-rate',
      name: '预算执行率',
      value: figures.quarterly.averageRate,
      band: `Σ min(quarterRate, 1) × ${quarterPoints} + min(averageRate, 1) × ${averagePoints}`,
      points: figures.quarterly.totalScore,
      maxPoints: executionMax.toFixed(),
    },
    {
      item: 'adjustment-transfer-compliance',
      name: '资金调整调剂规范性',
      value: check.value,
      band: check.passed ? `within ${percent(check.threshold)}` : `over ${percent(check.threshold)}`,
      points: check.points,
      maxPoints: rules.adjustmentTransfer.fullPoints,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Project self-evaluation (seed 001).

export interface ProjectFigures {
  /** 年初预算数 */
  readonly initialFen: Fen;
  /** 全年预算数 */
  readonly adjustedFen: Fen;
  /** 全年执行数 */
  readonly executedFen: Fen;
}

export interface ProjectEvaluation {
  readonly initial: string;
  readonly adjusted: string;
  readonly executed: string;
  /** 执行率 = executed ÷ adjusted rounded to 2 decimals ("0.86"); null when adjusted = 0. */
  readonly executionRate: string | null;
  /** 得分 = 执行率 × maxPoints, capped at maxPoints ("8.60"). */
  readonly points: string | null;
  readonly maxPoints: string;
}

export function projectSelfEvaluation(
  fiscalYear: number,
  figures: ProjectFigures,
  config: ScoringConfig = DEFAULT_SCORING_CONFIG,
): ProjectEvaluation {
  const rule = scoringFor(fiscalYear, config).project;
  const base = {
    initial: formatYuan(figures.initialFen),
    adjusted: formatYuan(figures.adjustedFen),
    executed: formatYuan(figures.executedFen),
  };
  if (figures.adjustedFen === 0n) return { ...base, executionRate: null, points: null, maxPoints: rule.maxPoints };
  const executionRate = fixed(dec(figures.executedFen).div(dec(figures.adjustedFen)), rule.rateDecimals);
  const points = min(dec(executionRate).times(rule.maxPoints), dec(rule.maxPoints));
  return { ...base, executionRate, points: fixed(points, SCORE_DECIMALS), maxPoints: rule.maxPoints };
}

// ---------------------------------------------------------------------------------------------
// Early warning: progress lagging the schedule, and a year-end projection.

/**
 * 序时进度 due on `date` for a fiscal year: linear between checkpoints, starting from 0 on January
 * 1st (0 before it) and holding the last checkpoint's schedule after it. Exact (not rounded).
 */
function scheduleAt(date: string, fiscalYear: number, config: ScheduleConfig): Dec {
  if (date < firstDayOfYear(fiscalYear)) return dec(0);
  const checkpoints = checkpointsFor(fiscalYear, config);
  const day = date > lastDayOfYear(fiscalYear) ? daysInYear(fiscalYear) : dayOfYear(date);
  // Day numbers count whole days elapsed at the end of a day: the end of 03-31 is day 90 (91 in a leap year).
  let previousDay = 0;
  let previousSchedule = dec(0);
  for (const checkpoint of checkpoints) {
    const checkpointDay = dayOfYear(checkpoint.date);
    const schedule = dec(checkpoint.schedule);
    if (day <= checkpointDay) {
      const share = dec(day - previousDay).div(checkpointDay - previousDay);
      return previousSchedule.plus(schedule.minus(previousSchedule).times(share));
    }
    previousDay = checkpointDay;
    previousSchedule = schedule;
  }
  return previousSchedule;
}

/** The schedule due on a date, 4 decimals: interpolatedSchedule('2021-05-15', 2021) = '0.3736'. */
export function interpolatedSchedule(date: string, fiscalYear: number, config: ScheduleConfig = DEFAULT_SCHEDULE_CONFIG): string {
  return fixed(scheduleAt(date, fiscalYear, config), RATIO_DECIMALS);
}

/** Share of the fiscal year elapsed at the end of `date`, exact, within [0, 1]. */
function elapsedAt(date: string, fiscalYear: number): Dec {
  if (date < firstDayOfYear(fiscalYear)) return dec(0);
  if (date > lastDayOfYear(fiscalYear)) return dec(1);
  return dec(dayOfYear(date)).div(daysInYear(fiscalYear));
}

export interface EarlyWarningItem {
  /** A lineId, project name or any key of the caller. */
  readonly key: string;
  /** Executed up to the as-of date. */
  readonly executedFen: Fen;
  /** Adjusted as of the as-of date. */
  readonly adjustedFen: Fen;
  /** The item's own spending plan (e.g. seed 004's 资金支出计划), instead of the common schedule. */
  readonly schedule?: ScheduleConfig;
}

export interface EarlyWarningOptions {
  readonly scheduleConfig?: ScheduleConfig;
  /** How far progress may lag the due schedule before it is flagged, as a fraction: '0.10'. */
  readonly margin?: string;
}

export interface EarlyWarningRow {
  readonly key: string;
  readonly executed: string;
  readonly adjusted: string;
  /** executed ÷ adjusted, 4 decimals; null when adjusted = 0. */
  readonly progress: string | null;
  /** Schedule due on the as-of date, 4 decimals. */
  readonly expected: string;
  /** expected − progress of the published figures; null when progress is. */
  readonly lag: string | null;
  /** lag > margin. */
  readonly flagged: boolean;
  /**
   * Year-end executed if spending keeps its pace: executed ÷ elapsed share of the year, capped at
   * the larger of adjusted and executed (payments above available are refused by default, so the
   * pace can at most exhaust the budget). Null before the year starts.
   */
  readonly projectedExecuted: string | null;
  /** projectedExecuted ÷ adjusted, 4 decimals. */
  readonly projectedRate: string | null;
}

export interface EarlyWarningReport {
  readonly asOf: string;
  readonly fiscalYear: number;
  /** Share of the year elapsed at the end of asOf, 4 decimals. */
  readonly elapsed: string;
  readonly margin: string;
  readonly rows: EarlyWarningRow[];
  /** Keys of flagged rows, in input order. */
  readonly flagged: string[];
}

export const DEFAULT_WARNING_MARGIN = '0.10';

export function earlyWarning(
  asOf: string,
  fiscalYear: number,
  items: readonly EarlyWarningItem[],
  options: EarlyWarningOptions = {},
): EarlyWarningReport {
  const margin = options.margin ?? DEFAULT_WARNING_MARGIN;
  const common = options.scheduleConfig ?? DEFAULT_SCHEDULE_CONFIG;
  const elapsed = elapsedAt(asOf, fiscalYear);
  const rows = items.map((item): EarlyWarningRow => {
    const expected = interpolatedSchedule(asOf, fiscalYear, item.schedule ?? common);
    const progress = ratio(item.executedFen, item.adjustedFen);
    const lag = progress === null ? null : dec(expected).minus(progress);
    let projected: Dec | null = null;
    if (!elapsed.isZero()) {
      const cap = item.adjustedFen > item.executedFen ? item.adjustedFen : item.executedFen;
      projected = min(dec(item.executedFen).div(elapsed), dec(cap));
    }
    return {
      key: item.key,
      executed: formatYuan(item.executedFen),
      adjusted: formatYuan(item.adjustedFen),
      progress,
      expected,
      lag: lag === null ? null : fixed(lag, RATIO_DECIMALS),
      flagged: lag !== null && lag.gt(margin),
      projectedExecuted: projected === null ? null : yuanOf(projected),
      projectedRate: projected === null || item.adjustedFen === 0n ? null : fixed(projected.div(dec(item.adjustedFen)), RATIO_DECIMALS),
    };
  });
  return {
    asOf,
    fiscalYear,
    elapsed: fixed(elapsed, RATIO_DECIMALS),
    margin,
    rows,
    flagged: rows.filter((row) => row.flagged).map((row) => row.key),
  };
}
