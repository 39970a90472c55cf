import { MAX_YEAR, MIN_YEAR } from '../calendar';
import type { JsonValue } from '../json';
import { formatYuan, MAX_AMOUNT_FEN, parseYuan, parseYuanNumber, type Fen } from '../money';
import { checkStorable, EVENT_LIMITS, fail, given, TAG_RULE, TEXT_RULE, textValue, type TextRule } from './checks';

/**
 * One field of an event's `data`: how it is read from untrusted input and how it is written in
 * the stored form. Codecs (./*.codec.ts) are lists of these, so a field is named once.
 */
export interface FieldCodec<V> {
  /** The name in the typed data, when it differs from the name on the wire ('amount' → 'amountFen'). */
  readonly as?: string;
  /**
   * Reads the field `key` of `data`; undefined for an optional field that is absent. `soFar` holds
   * the fields read before it (in the codec's order), `effectiveDate` the envelope's.
   */
  read(data: Record<string, unknown>, key: string, soFar: Readonly<Record<string, unknown>>, effectiveDate: string): V | undefined;
  /** The stored form; undefined leaves the field out. */
  write(value: V): JsonValue | undefined;
}

const asIs = <V extends JsonValue>(value: V): JsonValue => value;

export function requiredText(rule: TextRule): FieldCodec<string> {
  return {
    read(data, key) {
      if (!given(data, key)) fail(`data.${key}`, 'is required');
      return textValue(data[key], `data.${key}`, rule);
    },
    write: asIs,
  };
}

export function optionalText(rule: TextRule = TEXT_RULE): FieldCodec<string> {
  return {
    read: (data, key) => (given(data, key) ? textValue(data[key], `data.${key}`, rule) : undefined),
    write: asIs,
  };
}

/** A classification code of `digits` digits (功能分类 3/5/7, 经济分类 3/5). */
export function optionalCode(pattern: RegExp, digits: string): FieldCodec<string> {
  return {
    read(data, key) {
      if (!given(data, key)) return undefined;
      const value = data[key];
      if (typeof value !== 'string' || !pattern.test(value)) fail(`data.${key}`, `must be a string of ${digits} digits`);
      return value;
    },
    write: asIs,
  };
}

/** true or false; absent is false, and the stored form always has it. */
export const flag: FieldCodec<boolean> = {
  read(data, key) {
    if (!given(data, key)) return false;
    const value = data[key];
    if (typeof value !== 'boolean') fail(`data.${key}`, 'must be true or false');
    return value;
  },
  write: asIs,
};

/** One of a few strings, required. */
export function oneOf<V extends string>(values: readonly V[], shown: string): FieldCodec<V> {
  return {
    read(data, key) {
      if (!given(data, key)) fail(`data.${key}`, 'is required');
      const value = data[key];
      if (!(values as readonly unknown[]).includes(value)) fail(`data.${key}`, `must be ${shown}`);
      return value as V;
    },
    write: asIs,
  };
}

const FISCAL_YEAR_TEXT = /^\d{4}$/;

/** An integer year, given as a number or a string of 4 digits; stored as a number. */
export const fiscalYear: FieldCodec<number> = {
  read(data, key) {
    if (!given(data, key)) fail(`data.${key}`, 'is required');
    const value = data[key];
    let year: number;
    if (typeof value === 'number' && Number.isInteger(value)) year = value;
    else if (typeof value === 'string' && FISCAL_YEAR_TEXT.test(value)) year = Number(value);
    else fail(`data.${key}`, 'must be an integer year (a number or a string of 4 digits)');
    if (year < MIN_YEAR || year > MAX_YEAR) fail(`data.${key}`, `must be within ${MIN_YEAR}..${MAX_YEAR}`);
    return year;
  },
  write: asIs,
};

const AMOUNT_SHAPE = 'must be yuan as a decimal string with at most 2 decimals ("1234.56") or a JSON number with at most 2 decimals';
const TOO_MANY_DIGITS = /^-?\d{14,}(?:\.\d{1,2})?$/;

function readFen(data: Record<string, unknown>, key: string): Fen {
  const field = `data.${key}`;
  if (!given(data, key)) fail(field, 'is required');
  const value = data[key];
  let fen: Fen | undefined;
  if (typeof value === 'string') {
    checkStorable(value, field);
    fen = parseYuan(value);
    if (fen === undefined && TOO_MANY_DIGITS.test(value)) fail(field, `must be at most ${formatYuan(MAX_AMOUNT_FEN)} in absolute value`);
  } else if (typeof value === 'number') {
    fen = parseYuanNumber(value);
    if (fen === undefined && Number.isFinite(value) && Math.abs(value) >= 1e13) {
      fail(field, `must be at most ${formatYuan(MAX_AMOUNT_FEN)} in absolute value`);
    }
  }
  if (fen === undefined) fail(field, AMOUNT_SHAPE);
  if (fen > MAX_AMOUNT_FEN || fen < -MAX_AMOUNT_FEN) fail(field, `must be at most ${formatYuan(MAX_AMOUNT_FEN)} in absolute value`);
  return fen;
}

/**
 * An amount in yuan on the wire ("123.45"), in 分 in the typed data (`amountFen`). `sign` says
 * which amounts an event type takes: greater than 0, or any but 0 (a signed adjustment).
 */
export function amount(sign: 'positive' | 'nonZero'): FieldCodec<Fen> {
  return {
    as: 'amountFen',
    read(data, key) {
      const fen = readFen(data, key);
      if (sign === 'positive' && fen <= 0n) fail(`data.${key}`, 'must be greater than 0');
      if (sign === 'nonZero' && fen === 0n) fail(`data.${key}`, 'must not be 0 (an adjustment is signed: 追加 > 0, 追减 < 0)');
      return fen;
    },
    write: (fen) => formatYuan(fen),
  };
}

/** Tags of a line: distinct strings, at most EVENT_LIMITS.tags; absent is none, and the stored form always has them. */
export const tags: FieldCodec<readonly string[]> = {
  read(data, key) {
    if (!given(data, key)) return [];
    const value = data[key];
    if (!Array.isArray(value)) fail(`data.${key}`, 'must be an array of strings');
    if (value.length > EVENT_LIMITS.tags) fail(`data.${key}`, `must have at most ${EVENT_LIMITS.tags} tags`);
    const seen = new Set<string>();
    value.forEach((tag: unknown, index) => {
      const text = textValue(tag, `data.${key}[${index}]`, TAG_RULE);
      if (seen.has(text)) fail(`data.${key}[${index}]`, `repeats the tag ${JSON.stringify(text)}`);
      seen.add(text);
    });
    return [...seen];
  },
  write: (values) => [...values],
};

/** A field read as `field` reads it, then checked against the fields before it (or the envelope). */
export function checked<V>(
  field: FieldCodec<V>,
  check: (value: V, soFar: Readonly<Record<string, unknown>>, effectiveDate: string) => void,
): FieldCodec<V> {
  return {
    ...field,
    read(data, key, soFar, effectiveDate) {
      const value = field.read(data, key, soFar, effectiveDate);
      if (value !== undefined) check(value, soFar, effectiveDate);
      return value;
    },
  };
}
