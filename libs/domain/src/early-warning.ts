import {
  checkpointsFor,
  dayOfYear,
  daysInYear,
  DEFAULT_SCHEDULE_CONFIG,
  firstDayOfYear,
  lastDayOfYear,
  type ScheduleConfig,
} from './calendar';
import { Dec, dec, fixed, min, ratio, RATIO_DECIMALS, yuanOf } from './decimal';
import { formatYuan, type Fen } from './money';

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
  /**
   * An item made of parts (a project of lines, decision 0014): its schedule is the weight-weighted
   * schedule of its parts, each on its own plan or, without one, on the common schedule.
   * Takes precedence over `schedule`.
   */
  readonly parts?: readonly ScheduleWeight[];
}

/** A part of an item: its weight (a line's adjusted) and its own plan, if any. */
export interface ScheduleWeight {
  readonly weightFen: Fen;
  readonly schedule?: ScheduleConfig;
}

/**
 * The schedule due on `date` of an item made of parts: Σ weight × schedule ÷ Σ weight, exact
 * before its 4-decimal rounding; the common schedule when the weights sum to 0.
 */
export function weightedSchedule(
  date: string,
  fiscalYear: number,
  parts: readonly ScheduleWeight[],
  common: ScheduleConfig = DEFAULT_SCHEDULE_CONFIG,
): string {
  let weights = dec(0);
  let weighted = dec(0);
  for (const part of parts) {
    weights = weights.plus(dec(part.weightFen));
    weighted = weighted.plus(dec(part.weightFen).times(scheduleAt(date, fiscalYear, part.schedule ?? common)));
  }
  if (weights.isZero()) return interpolatedSchedule(date, fiscalYear, common);
  return fixed(weighted.div(weights), RATIO_DECIMALS);
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
    const expected =
      item.parts === undefined
        ? interpolatedSchedule(asOf, fiscalYear, item.schedule ?? common)
        : weightedSchedule(asOf, fiscalYear, item.parts, common);
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
