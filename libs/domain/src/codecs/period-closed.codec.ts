import { QUARTERS, quarterEndDate } from '../calendar';
import { eventCodec } from './event-codec';
import { DEPARTMENT_RULE, fail } from './checks';
import { checked, fiscalYear, oneOf, requiredText } from './fields';

/** 季度结账: a quarter of a department-year closed, dated the quarter's last day. */
export const periodClosedCodec = eventCodec('PeriodClosed', {
  department: requiredText(DEPARTMENT_RULE),
  fiscalYear,
  period: checked(oneOf(QUARTERS, "'Q1', 'Q2', 'Q3' or 'Q4'"), (period, soFar, effectiveDate) => {
    const year = soFar.fiscalYear as number;
    const lastDay = quarterEndDate(year, period);
    if (effectiveDate !== lastDay) fail('effectiveDate', `must be ${lastDay}, the last day of ${year} ${period}`);
  }),
});
