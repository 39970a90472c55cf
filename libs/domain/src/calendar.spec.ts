import {
  checkpointsFor,
  dayOfYear,
  DEFAULT_SCHEDULE_CONFIG,
  isCalendarDate,
  periodName,
  quarterEndDate,
  quarterOf,
  scheduleFor,
  versionFor,
  type ScheduleConfig,
} from './calendar';
import { SEED_004_CHECKPOINTS } from './testing/seed-004';

/** Seed 004's checkpoints (3月底/6月底/10月底/12月底) with a department schedule of our choosing, from 2023. */
const SEED_004_FROM_2023: ScheduleConfig = [
  ...DEFAULT_SCHEDULE_CONFIG,
  {
    fromYear: 2023,
    checkpoints: SEED_004_CHECKPOINTS,
  },
];

describe('calendar days', () => {
  it.each([
    ['2021-02-28', true],
    ['2021-02-29', false],
    ['2020-02-29', true],
    ['1900-02-29', false],
    ['2000-02-29', true],
    ['2021-04-31', false],
    ['2021-00-10', false],
    ['2021-12-32', false],
    ['1899-12-31', false],
    ['3000-01-01', false],
    ['2021-1-01', false],
    ['2021-01-01T00:00', false],
  ])('given %s, then isCalendarDate is %s', (text, expected) => {
    expect(isCalendarDate(text)).toBe(expected);
  });

  it('given dates, then quarters, quarter ends, day numbers and period names follow the calendar', () => {
    expect(['2021-01-01', '2021-03-31', '2021-04-01', '2021-09-30', '2021-12-31'].map(quarterOf)).toEqual(['Q1', 'Q1', 'Q2', 'Q3', 'Q4']);
    expect(quarterEndDate(2021, 'Q2')).toBe('2021-06-30');
    expect(dayOfYear('2021-03-31')).toBe(90);
    expect(dayOfYear('2020-03-31')).toBe(91);
    expect(dayOfYear('2021-12-31')).toBe(365);
    expect(periodName(2021, 'Q1')).toBe('2021-Q1');
  });
});

describe('checkpoint configuration versioned by fiscal year', () => {
  it('given the default, then the quarter ends carry 序时进度 0.25/0.50/0.75/1.00', () => {
    expect(checkpointsFor(2021)).toEqual([
      { period: 'Q1', date: '2021-03-31', schedule: '0.25' },
      { period: 'Q2', date: '2021-06-30', schedule: '0.50' },
      { period: 'Q3', date: '2021-09-30', schedule: '0.75' },
      { period: 'Q4', date: '2021-12-31', schedule: '1.00' },
    ]);
  });

  it('given a version from 2023, then 2021 and 2022 keep the default and 2023 onwards use seed 004 checkpoints', () => {
    expect(scheduleFor(2022, SEED_004_FROM_2023).fromYear).toBe(1900);
    expect(scheduleFor(2023, SEED_004_FROM_2023).fromYear).toBe(2023);
    expect(checkpointsFor(2030, SEED_004_FROM_2023).map((c) => [c.period, c.date, c.schedule])).toEqual([
      ['3月底', '2030-03-31', '0.20'],
      ['6月底', '2030-06-30', '0.45'],
      ['10月底', '2030-10-31', '0.80'],
      ['12月底', '2030-12-31', '1.00'],
    ]);
  });

  it('given a month-day of 02-29, then it is the last day of February in every year', () => {
    const config: ScheduleConfig = [{ fromYear: 2000, checkpoints: [{ period: 'Feb', monthDay: '02-29', schedule: '1' }] }];
    expect(checkpointsFor(2021, config)[0]?.date).toBe('2021-02-28');
    expect(checkpointsFor(2024, config)[0]?.date).toBe('2024-02-29');
  });

  it('given no version for the year or a malformed version, then it is a configuration error', () => {
    expect(() => scheduleFor(2020, [{ fromYear: 2021, checkpoints: [] }])).toThrow('no configuration version covers fiscal year 2020');
    expect(() => versionFor([{ fromYear: 2021 }, { fromYear: 2021 }], 2022)).toThrow('two versions from 2021');
    const bad =
      (checkpoints: { period: string; monthDay: string; schedule: string }[]): (() => unknown) =>
      () =>
        scheduleFor(2021, [{ fromYear: 2021, checkpoints }]);
    expect(bad([])).toThrow('checkpoints');
    expect(bad([{ period: 'a', monthDay: '13-01', schedule: '0.5' }])).toThrow("monthDay must be 'MM-DD'");
    expect(bad([{ period: 'a', monthDay: '06-30', schedule: '1.5' }])).toThrow('schedule must be at most 1');
    expect(bad([{ period: 'a', monthDay: '06-30', schedule: '25%' }])).toThrow('schedule must be a decimal fraction');
    expect(
      bad([
        { period: 'a', monthDay: '06-30', schedule: '0.6' },
        { period: 'b', monthDay: '12-31', schedule: '0.5' },
      ]),
    ).toThrow('may not decrease');
    expect(
      bad([
        { period: 'a', monthDay: '06-30', schedule: '0.5' },
        { period: 'b', monthDay: '03-31', schedule: '1' },
      ]),
    ).toThrow('date order');
  });
});
