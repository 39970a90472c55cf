import { checkpointsFor, DEFAULT_SCHEDULE_CONFIG, type ScheduleConfig } from './calendar';
import { Dec, dec, fixed, max, min, ratio, RATIO_DECIMALS, SCORE_DECIMALS } from './decimal';
import { formatYuan, type Fen } from './money';
import { DEFAULT_SCORING_CONFIG, scoringFor, type ScoringConfig } from './scoring-config';

/**
 * The figures of DESIGN.md §4: ratios, quarterly execution against 序时进度, threshold checks and
 * the scorecard items a ledger can derive. Exact decimals throughout; every published figure is
 * rounded once, half-up: ratios to 4 decimals, scores to 2, amounts to 分.
 *
 * Scores are computed from the PUBLISHED (rounded) ratio, as the 评分表 does and so that a reader
 * can recompute every score from the table; the ratio itself is computed from exact amounts.
 */

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
