import Decimal from 'decimal.js';
import type { Quarter } from './events';

/**
 * Calendar days of the ledger ('YYYY-MM-DD', Asia/Shanghai business dates) and the checkpoints of
 * 序时进度. Dates stay strings: fixed-width 'YYYY-MM-DD' compares correctly as text, and the
 * domain never needs a clock or a time zone.
 */

/** Years the ledger accepts, in dates and fiscal years alike. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

export const QUARTERS: readonly Quarter[] = ['Q1', 'Q2', 'Q3', 'Q4'];

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY_TEXT = /^(\d{2})-(\d{2})$/;
const QUARTER_END_MONTH_DAY: Record<Quarter, string> = { Q1: '03-31', Q2: '06-30', Q3: '09-30', Q4: '12-31' };

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/** A real calendar day written 'YYYY-MM-DD' with a year in MIN_YEAR..MAX_YEAR ('2021-02-29' is not). */
export function isCalendarDate(text: string): boolean {
  const match = DATE_TEXT.exec(text);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR || year > MAX_YEAR) return false;
  if (month < 1 || month > 12) return false;
  return day >= 1 && day <= daysInMonth(year, month);
}

interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Splits a date already known to be valid; a malformed one is a programmer error. */
function partsOf(date: string): DateParts {
  if (!isCalendarDate(date)) throw new Error(`not a calendar date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

export function yearOf(date: string): number {
  return partsOf(date).year;
}

/** 1 for January 1st, 365 (366) for December 31st. */
export function dayOfYear(date: string): number {
  const { year, month, day } = partsOf(date);
  let days = day;
  for (let m = 1; m < month; m += 1) days += daysInMonth(year, m);
  return days;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function firstDayOfYear(year: number): string {
  return `${pad(year, 4)}-01-01`;
}

export function lastDayOfYear(year: number): string {
  return `${pad(year, 4)}-12-31`;
}

export function isQuarter(text: string): text is Quarter {
  return (QUARTERS as readonly string[]).includes(text);
}

/** The month and day a quarter ends on: 'Q1' → '03-31'. */
export function quarterEndMonthDay(quarter: Quarter): string {
  return QUARTER_END_MONTH_DAY[quarter];
}

/** The last day of a quarter: quarterEndDate(2021, 'Q1') = '2021-03-31'. */
export function quarterEndDate(fiscalYear: number, quarter: Quarter): string {
  return `${pad(fiscalYear, 4)}-${QUARTER_END_MONTH_DAY[quarter]}`;
}

/** The quarter a date falls in: '2021-05-10' → 'Q2'. */
export function quarterOf(date: string): Quarter {
  const { month } = partsOf(date);
  return QUARTERS[Math.floor((month - 1) / 3)] as Quarter;
}

/** 'Q1' → 1 … 'Q4' → 4: the number of quarters closed once this one is. */
export function quarterNumber(quarter: Quarter): number {
  return QUARTERS.indexOf(quarter) + 1;
}

/** The name of a period in messages and reports: '2021-Q1'. */
export function periodName(fiscalYear: number, quarter: Quarter): string {
  return `${pad(fiscalYear, 4)}-${quarter}`;
}

// ---------------------------------------------------------------------------------------------
// Checkpoints and 序时进度, versioned by fiscal year.

/** One checkpoint of a year: its label, its day and the share of the year's budget due by then. */
export interface CheckpointDefinition {
  /** 'Q1', or a label of the source document such as '3月底'; 1..32 characters. */
  readonly period: string;
  /** 'MM-DD'. '02-29' means the last day of February in every year. */
  readonly monthDay: string;
  /** 序时进度 as a decimal string fraction in [0, 1], e.g. '0.25'. */
  readonly schedule: string;
}

/** The checkpoints in force from `fromYear` until a later version replaces them. */
export interface ScheduleVersion {
  readonly fromYear: number;
  readonly checkpoints: readonly CheckpointDefinition[];
}

/** Versions of the checkpoint configuration; order does not matter, fromYear must be unique. */
export type ScheduleConfig = readonly ScheduleVersion[];

/** The quarter ends of DESIGN.md §2 with 序时进度 25% / 50% / 75% / 100%. */
export const DEFAULT_SCHEDULE_CONFIG: ScheduleConfig = [
  {
    fromYear: MIN_YEAR,
    checkpoints: [
      { period: 'Q1', monthDay: QUARTER_END_MONTH_DAY.Q1, schedule: '0.25' },
      { period: 'Q2', monthDay: QUARTER_END_MONTH_DAY.Q2, schedule: '0.50' },
      { period: 'Q3', monthDay: QUARTER_END_MONTH_DAY.Q3, schedule: '0.75' },
      { period: 'Q4', monthDay: QUARTER_END_MONTH_DAY.Q4, schedule: '1.00' },
    ],
  },
];

/** A checkpoint of one fiscal year, with its actual date. */
export interface ResolvedCheckpoint {
  readonly period: string;
  readonly date: string;
  readonly schedule: string;
}

const FRACTION_TEXT = /^(?:0|1)(?:\.\d{1,6})?$/;
export const MAX_CHECKPOINTS = 366;

/**
 * Picks, among versions with a `fromYear` field, the one with the greatest fromYear ≤ fiscalYear.
 * Configuration is trusted input: a year no version covers, or two versions of the same year,
 * is a programmer error and throws.
 */
export function versionFor<T extends { readonly fromYear: number }>(versions: readonly T[], fiscalYear: number): T {
  let best: T | undefined;
  for (const version of versions) {
    if (best !== undefined && version.fromYear === best.fromYear) {
      throw new Error(`configuration has two versions from ${version.fromYear}`);
    }
    if (version.fromYear <= fiscalYear && (best === undefined || version.fromYear > best.fromYear)) best = version;
  }
  if (best === undefined) throw new Error(`no configuration version covers fiscal year ${fiscalYear}`);
  return best;
}

/** Throws on a malformed schedule version (configuration error, not input). */
export function assertScheduleVersion(version: ScheduleVersion): void {
  const { checkpoints } = version;
  if (checkpoints.length === 0 || checkpoints.length > MAX_CHECKPOINTS) {
    throw new Error(`schedule from ${version.fromYear}: needs 1..${MAX_CHECKPOINTS} checkpoints`);
  }
  const periods = new Set<string>();
  let previousMonthDay = '';
  let previousSchedule = new Decimal(0);
  for (const checkpoint of checkpoints) {
    const where = `schedule from ${version.fromYear}, checkpoint ${JSON.stringify(checkpoint.period)}`;
    if (checkpoint.period.length === 0 || checkpoint.period.length > 32) throw new Error(`${where}: period label must be 1..32 characters`);
    if (periods.has(checkpoint.period)) throw new Error(`${where}: period label repeated`);
    periods.add(checkpoint.period);
    // Validated against a leap year so that '02-29' is allowed; resolveMonthDay clamps it.
    if (!MONTH_DAY_TEXT.test(checkpoint.monthDay) || !isCalendarDate(`2000-${checkpoint.monthDay}`)) {
      throw new Error(`${where}: monthDay must be 'MM-DD'`);
    }
    if (checkpoint.monthDay <= previousMonthDay) throw new Error(`${where}: checkpoints must be in date order`);
    previousMonthDay = checkpoint.monthDay;
    if (!FRACTION_TEXT.test(checkpoint.schedule)) throw new Error(`${where}: schedule must be a decimal fraction like '0.25'`);
    const schedule = new Decimal(checkpoint.schedule);
    if (schedule.gt(1)) throw new Error(`${where}: schedule must be at most 1`);
    if (schedule.lt(previousSchedule)) throw new Error(`${where}: schedule may not decrease`);
    previousSchedule = schedule;
  }
}

/** The checkpoint version in force for a fiscal year (greatest fromYear ≤ fiscalYear), checked. */
export function scheduleFor(fiscalYear: number, config: ScheduleConfig = DEFAULT_SCHEDULE_CONFIG): ScheduleVersion {
  const version = versionFor(config, fiscalYear);
  assertScheduleVersion(version);
  return version;
}

function resolveMonthDay(fiscalYear: number, monthDay: string): string {
  const month = Number(monthDay.slice(0, 2));
  const day = Math.min(Number(monthDay.slice(3, 5)), daysInMonth(fiscalYear, month));
  return `${pad(fiscalYear, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The checkpoints of a fiscal year with their dates: [{ period: 'Q1', date: '2021-03-31', schedule: '0.25' }, …]. */
export function checkpointsFor(fiscalYear: number, config: ScheduleConfig = DEFAULT_SCHEDULE_CONFIG): ResolvedCheckpoint[] {
  return scheduleFor(fiscalYear, config).checkpoints.map((checkpoint) => ({
    period: checkpoint.period,
    date: resolveMonthDay(fiscalYear, checkpoint.monthDay),
    schedule: checkpoint.schedule,
  }));
}
