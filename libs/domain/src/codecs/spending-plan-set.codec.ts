import { isCalendarDate, MAX_YEAR, MIN_YEAR } from '../calendar';
import type { PlanCheckpoint } from '../events';
import { eventCodec } from './event-codec';
import { fail, given, ID_RULE, isPlainObject, rejectUnknownFields } from './checks';
import { requiredText, type FieldCodec } from './fields';

/** At most this many checkpoints in a plan (decision 0014): one a month. */
export const MAX_PLAN_CHECKPOINTS = 12;

/** A share: a decimal from 0 to 1 with at most 4 decimals ('0.25', '1', '0.0000'). */
const SHARE_TEXT = /^(?:0(?:\.\d{1,4})?|1(?:\.0{1,4})?)$/;
const CHECKPOINT_FIELDS: ReadonlySet<string> = new Set(['date', 'share']);

/** '0.25' → '0.2500', '1' → '1.0000': one form, so that equal shares are equal strings and compare as text. */
function normalizedShare(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return `${whole as string}.${fraction.padEnd(4, '0')}`;
}

function readCheckpoint(value: unknown, field: string): PlanCheckpoint {
  if (!isPlainObject(value)) fail(field, 'must be an object { date, share }');
  rejectUnknownFields(value, CHECKPOINT_FIELDS, field);
  if (!given(value, 'date')) fail(`${field}.date`, 'is required');
  const date = value.date;
  if (typeof date !== 'string' || !isCalendarDate(date)) {
    fail(`${field}.date`, `must be a calendar day 'YYYY-MM-DD' in ${MIN_YEAR}..${MAX_YEAR}`);
  }
  if (!given(value, 'share')) fail(`${field}.share`, 'is required');
  const share = value.share;
  if (typeof share !== 'string' || !SHARE_TEXT.test(share)) {
    fail(`${field}.share`, 'must be a decimal string from 0 to 1 with at most 4 decimals ("0.25")');
  }
  return { date, share: normalizedShare(share) };
}

/**
 * The cumulative shares of a plan: 1..12 checkpoints, dates strictly increasing, shares
 * non-decreasing, the last share 1. Whether the dates lie in the line's fiscal year needs the line:
 * the decider checks it (PLAN_OUTSIDE_FISCAL_YEAR).
 */
const checkpoints: FieldCodec<readonly PlanCheckpoint[]> = {
  read(data, key) {
    const field = `data.${key}`;
    if (!given(data, key)) fail(field, 'is required');
    const value = data[key];
    if (!Array.isArray(value)) fail(field, 'must be an array of { date, share }');
    if (value.length === 0 || value.length > MAX_PLAN_CHECKPOINTS) fail(field, `must have 1 to ${MAX_PLAN_CHECKPOINTS} checkpoints`);
    const read = value.map((item: unknown, i) => readCheckpoint(item, `${field}[${i}]`));
    read.forEach((checkpoint, i) => {
      const before = read[i - 1];
      if (before === undefined) return;
      if (checkpoint.date <= before.date) fail(`${field}[${i}].date`, `must be after ${before.date} (dates strictly increase)`);
      if (checkpoint.share < before.share) fail(`${field}[${i}].share`, `must not be less than ${before.share} (shares are cumulative)`);
    });
    const last = read[read.length - 1] as PlanCheckpoint;
    if (last.share !== '1.0000') fail(`${field}[${read.length - 1}].share`, 'must be 1: the last checkpoint completes the plan');
    return read;
  },
  write: (values) => values.map((c) => ({ date: c.date, share: c.share })),
};

/** 资金支出计划: a line's cumulative spending plan, shares normalized to 4 decimals. */
export const spendingPlanSetCodec = eventCodec('SpendingPlanSet', {
  lineId: requiredText(ID_RULE),
  checkpoints,
});
