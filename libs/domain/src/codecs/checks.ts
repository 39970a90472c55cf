import { LedgerError } from '../errors';

/**
 * The checks every field of an incoming event goes through (DESIGN.md §3): input is untrusted
 * (HTTP, NDJSON, Kafka), so each string and collection is bounded and storable. A refusal is an
 * INVALID_EVENT LedgerError naming the field.
 */

/** Limits of TIGER_STYLE: every string and collection of an event is bounded. */
export const EVENT_LIMITS = {
  eventIdChars: 128,
  idChars: 128,
  departmentChars: 100,
  textChars: 200,
  tagChars: 64,
  tags: 32,
  /** Nesting depth of metadata; deeper documents are refused rather than recursed into. */
  metadataDepth: 32,
  /**
   * Bytes of an event as JSON (UTF-8), metadata included: the default of the one size limit that
   * every way in (NDJSON, JSON arrays, Kafka) applies here. Configured by LEDGER_MAX_EVENT_BYTES.
   */
  eventBytes: 64 * 1024,
} as const;

const NUL = '\u0000';
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
// PostgreSQL refuses unpaired surrogates in jsonb, and UTF-8 encoding would silently replace them.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const FORMAT_CHAR = /\p{Cf}/u;

/** Thrown inside parsing only; parseEvent turns it into a result. */
export function fail(field: string | undefined, reason: string): never {
  throw new LedgerError('INVALID_EVENT', field, reason);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function has(object: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Absent, undefined and null all mean "not given" for optional fields. */
export function given(object: Record<string, unknown>, key: string): boolean {
  return has(object, key) && object[key] !== undefined && object[key] !== null;
}

function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** Problems every stored string must avoid, whatever its field. */
export function checkStorable(text: string, field: string): void {
  if (text.includes(NUL)) fail(field, 'must not contain U+0000 (PostgreSQL jsonb cannot store it)');
  if (LONE_SURROGATE.test(text)) fail(field, 'must not contain an unpaired UTF-16 surrogate');
}

export interface TextRule {
  readonly maxChars: number;
  /** Identifiers and names used as keys: no control characters, no surrounding whitespace. */
  readonly label: boolean;
  /**
   * Text that identifies or groups (department, lineId, unit, tags…): no invisible format
   * character (Unicode category Cf: zero-width, bidi controls), which would make "D1\u200b" a
   * second D1 that looks the same.
   */
  readonly identifier: boolean;
}

export const ID_RULE: TextRule = { maxChars: EVENT_LIMITS.idChars, label: true, identifier: true };
export const DEPARTMENT_RULE: TextRule = { maxChars: EVENT_LIMITS.departmentChars, label: true, identifier: true };
export const TEXT_RULE: TextRule = { maxChars: EVENT_LIMITS.textChars, label: false, identifier: false };
/** unit, project, fundingSource: free text, but views group by it. */
export const DIMENSION_RULE: TextRule = { maxChars: EVENT_LIMITS.textChars, label: false, identifier: true };
export const TAG_RULE: TextRule = { maxChars: EVENT_LIMITS.tagChars, label: true, identifier: true };

/** The first invisible format character (category Cf) of a text, as U+XXXX, or undefined. */
export function formatCharacterIn(text: string): string | undefined {
  const found = FORMAT_CHAR.exec(text)?.[0];
  return found === undefined ? undefined : `U+${(found.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function textValue(value: unknown, field: string, rule: TextRule): string {
  if (typeof value !== 'string') fail(field, 'must be a string');
  checkStorable(value, field);
  if (value.length === 0) fail(field, 'must not be empty');
  if (charCount(value) > rule.maxChars) fail(field, `must be at most ${rule.maxChars} characters`);
  if (CONTROL_CHARS.test(value)) fail(field, 'must not contain control characters');
  if (rule.label && value.trim() !== value) fail(field, 'must not start or end with whitespace');
  if (rule.identifier) {
    const format = formatCharacterIn(value);
    if (format !== undefined) fail(field, `must not contain the invisible format character ${format} (zero-width or bidi control)`);
  }
  return value;
}

export function optionalBoolean(object: Record<string, unknown>, key: string, field: string): boolean {
  if (!given(object, key)) return false;
  const value = object[key];
  if (typeof value !== 'boolean') fail(field, 'must be true or false');
  return value;
}

export function rejectUnknownFields(object: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      checkStorable(key, prefix === '' ? 'field name' : `${prefix} field name`);
      fail(prefix === '' ? key : `${prefix}.${key}`, 'is not a known field');
    }
  }
}
