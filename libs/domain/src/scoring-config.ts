import { MIN_YEAR, versionFor } from './calendar';

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
