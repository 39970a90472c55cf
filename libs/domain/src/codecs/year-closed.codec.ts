import { lastDayOfYear, MAX_YEAR } from '../calendar';
import { eventCodec } from './event-codec';
import { DEPARTMENT_RULE, fail } from './checks';
import { checked, fiscalYear, requiredText } from './fields';

/** 年结: a department-year closed, dated the year's last day. */
export const yearClosedCodec = eventCodec('YearClosed', {
  department: requiredText(DEPARTMENT_RULE),
  fiscalYear: checked(fiscalYear, (year, _soFar, effectiveDate) => {
    // Its project balances move to the next year, which must be a year the ledger accepts.
    if (year >= MAX_YEAR) fail('data.fiscalYear', `must be before ${MAX_YEAR}: the next year receives its balances`);
    const lastDay = lastDayOfYear(year);
    if (effectiveDate !== lastDay) fail('effectiveDate', `must be ${lastDay}, the last day of fiscal year ${year}`);
  }),
});
