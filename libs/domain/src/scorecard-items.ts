import { dec, fixed, min, percent, ratio, SCORE_DECIMALS } from './decimal';
import { formatYuan, type Fen } from './money';
import type { QuarterlyExecution, ThresholdCheck } from './calculations';
import { DEFAULT_SCORING_CONFIG, scoringFor, type ScoreBand, type ScoringConfig } from './scoring-config';

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
