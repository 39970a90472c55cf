import { eventCodec } from './event-codec';
import { DEPARTMENT_RULE, DIMENSION_RULE, ID_RULE } from './checks';
import { fiscalYear, oneOf, optionalCode, optionalText, requiredText, tags } from './fields';

/** 预算指标: a budget line with its classifications. */
export const budgetLineOpenedCodec = eventCodec('BudgetLineOpened', {
  lineId: requiredText(ID_RULE),
  department: requiredText(DEPARTMENT_RULE),
  fiscalYear,
  name: optionalText(),
  unit: optionalText(DIMENSION_RULE),
  project: optionalText(DIMENSION_RULE),
  functionCode: optionalCode(/^\d{3}(?:\d{2}){0,2}$/, '3, 5 or 7'),
  economicCode: optionalCode(/^\d{3}(?:\d{2})?$/, '3 or 5'),
  fundingSource: optionalText(DIMENSION_RULE),
  kind: oneOf(['basic', 'project'], "'basic' or 'project'"),
  tags,
});
