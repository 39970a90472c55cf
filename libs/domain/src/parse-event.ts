import { isCalendarDate, MAX_YEAR, MIN_YEAR, quarterEndDate } from './calendar';
import { LedgerError } from './errors';
import {
  EVENT_TYPES,
  type BudgetLineOpenedData,
  type BudgetTransferredData,
  type EventType,
  type LedgerEvent,
  type LineKind,
  type PaymentRecordedData,
  type Quarter,
} from './events';
import type { JsonObject, JsonValue } from './json';
import { formatYuan, MAX_AMOUNT_FEN, parseYuan, parseYuanNumber, type Fen } from './money';

/**
 * Validation of one incoming event (DESIGN.md §3): the envelope and the data of its type. Input is
 * untrusted (HTTP, NDJSON, Kafka); the result is a typed LedgerEvent with amounts in 分, or a
 * LedgerError naming the event and the field. Business rules that need state are in the decider.
 */

export type ParseResult = { ok: true; event: LedgerEvent } | { ok: false; error: LedgerError };

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

export interface ParseOptions {
  /** Largest event accepted, in bytes of its JSON (default EVENT_LIMITS.eventBytes). */
  readonly maxEventBytes?: number;
}

const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const FUNCTION_CODE = /^\d{3}(?:\d{2}){0,2}$/;
const ECONOMIC_CODE = /^\d{3}(?:\d{2})?$/;
const FISCAL_YEAR_TEXT = /^\d{4}$/;
const NUL = '\u0000';
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
// PostgreSQL refuses unpaired surrogates in jsonb, and UTF-8 encoding would silently replace them.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['eventId', 'type', 'effectiveDate', 'correction', 'data', 'metadata']);
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Thrown inside this module only; parseEvent turns it into a result. */
function fail(field: string | undefined, reason: string): never {
  throw new LedgerError('INVALID_EVENT', field, reason);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function has(object: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Absent, undefined and null all mean "not given" for optional fields. */
function given(object: Record<string, unknown>, key: string): boolean {
  return has(object, key) && object[key] !== undefined && object[key] !== null;
}

function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** Problems every stored string must avoid, whatever its field. */
function checkStorable(text: string, field: string): void {
  if (text.includes(NUL)) fail(field, 'must not contain U+0000 (PostgreSQL jsonb cannot store it)');
  if (LONE_SURROGATE.test(text)) fail(field, 'must not contain an unpaired UTF-16 surrogate');
}

interface TextRule {
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

const FORMAT_CHAR = /\p{Cf}/u;

/** The first invisible format character (category Cf) of a text, as U+XXXX, or undefined. */
export function formatCharacterIn(text: string): string | undefined {
  const found = FORMAT_CHAR.exec(text)?.[0];
  return found === undefined ? undefined : `U+${(found.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

function textValue(value: unknown, field: string, rule: TextRule): string {
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

function requiredText(data: Record<string, unknown>, key: string, rule: TextRule): string {
  if (!given(data, key)) fail(`data.${key}`, 'is required');
  return textValue(data[key], `data.${key}`, rule);
}

const ID_RULE: TextRule = { maxChars: EVENT_LIMITS.idChars, label: true, identifier: true };
const DEPARTMENT_RULE: TextRule = { maxChars: EVENT_LIMITS.departmentChars, label: true, identifier: true };
const TEXT_RULE: TextRule = { maxChars: EVENT_LIMITS.textChars, label: false, identifier: false };
/** unit, project, fundingSource: free text, but views group by it. */
const DIMENSION_RULE: TextRule = { maxChars: EVENT_LIMITS.textChars, label: false, identifier: true };
const TAG_RULE: TextRule = { maxChars: EVENT_LIMITS.tagChars, label: true, identifier: true };

function optionalText(data: Record<string, unknown>, key: string, rule: TextRule = TEXT_RULE): string | undefined {
  return given(data, key) ? textValue(data[key], `data.${key}`, rule) : undefined;
}

function optionalCode(data: Record<string, unknown>, key: string, pattern: RegExp, digits: string): string | undefined {
  if (!given(data, key)) return undefined;
  const value = data[key];
  if (typeof value !== 'string' || !pattern.test(value)) fail(`data.${key}`, `must be a string of ${digits} digits`);
  return value;
}

function optionalBoolean(object: Record<string, unknown>, key: string, field: string): boolean {
  if (!given(object, key)) return false;
  const value = object[key];
  if (typeof value !== 'boolean') fail(field, 'must be true or false');
  return value;
}

function fiscalYearOf(data: Record<string, unknown>): number {
  if (!given(data, 'fiscalYear')) fail('data.fiscalYear', 'is required');
  const value = data.fiscalYear;
  let year: number;
  if (typeof value === 'number' && Number.isInteger(value)) year = value;
  else if (typeof value === 'string' && FISCAL_YEAR_TEXT.test(value)) year = Number(value);
  else fail('data.fiscalYear', 'must be an integer year (a number or a string of 4 digits)');
  if (year < MIN_YEAR || year > MAX_YEAR) fail('data.fiscalYear', `must be within ${MIN_YEAR}..${MAX_YEAR}`);
  return year;
}

const AMOUNT_SHAPE = 'must be yuan as a decimal string with at most 2 decimals ("1234.56") or a JSON number with at most 2 decimals';
const TOO_MANY_DIGITS = /^-?\d{14,}(?:\.\d{1,2})?$/;

function amountOf(data: Record<string, unknown>): Fen {
  const field = 'data.amount';
  if (!given(data, 'amount')) fail(field, 'is required');
  const value = data.amount;
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

function positiveAmountOf(data: Record<string, unknown>): Fen {
  const fen = amountOf(data);
  if (fen <= 0n) fail('data.amount', 'must be greater than 0');
  return fen;
}

function tagsOf(data: Record<string, unknown>): string[] {
  if (!given(data, 'tags')) return [];
  const value = data.tags;
  if (!Array.isArray(value)) fail('data.tags', 'must be an array of strings');
  if (value.length > EVENT_LIMITS.tags) fail('data.tags', `must have at most ${EVENT_LIMITS.tags} tags`);
  const seen = new Set<string>();
  value.forEach((tag: unknown, index) => {
    const text = textValue(tag, `data.tags[${index}]`, TAG_RULE);
    if (seen.has(text)) fail(`data.tags[${index}]`, `repeats the tag ${JSON.stringify(text)}`);
    seen.add(text);
  });
  return [...seen];
}

function rejectUnknownFields(object: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      checkStorable(key, prefix === '' ? 'field name' : `${prefix} field name`);
      fail(prefix === '' ? key : `${prefix}.${key}`, 'is not a known field');
    }
  }
}

/**
 * Metadata is kept verbatim, so it only has to be storable JSON: finite numbers, no U+0000 and no
 * unpaired surrogates in any string or key, bounded nesting.
 */
function checkJson(value: unknown, path: string, depth: number): void {
  if (depth > EVENT_LIMITS.metadataDepth) fail(path, `nests deeper than ${EVENT_LIMITS.metadataDepth} levels`);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    checkStorable(value, path);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(path, 'must be a finite number');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => checkJson(item, `${path}[${index}]`, depth + 1));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkStorable(key, `${path} field name`);
      checkJson(item, `${path}.${key}`, depth + 1);
    }
    return;
  }
  fail(path, 'is not a JSON value');
}

const DATA_FIELDS: Record<EventType, ReadonlySet<string>> = {
  BudgetLineOpened: new Set([
    'lineId',
    'department',
    'fiscalYear',
    'name',
    'unit',
    'project',
    'functionCode',
    'economicCode',
    'fundingSource',
    'kind',
    'tags',
  ]),
  InitialBudgetApproved: new Set(['lineId', 'amount']),
  BudgetAdjusted: new Set(['lineId', 'amount']),
  BudgetTransferred: new Set(['fromLineId', 'toLineId', 'amount', 'routine']),
  PaymentRecorded: new Set(['lineId', 'amount', 'payee']),
  PaymentReversed: new Set(['paymentEventId', 'amount']),
  PeriodClosed: new Set(['department', 'fiscalYear', 'period']),
};

interface Envelope {
  readonly eventId: string;
  readonly effectiveDate: string;
  readonly correction: boolean;
  readonly metadata: JsonObject | null;
}

function budgetLineOpened(data: Record<string, unknown>): BudgetLineOpenedData {
  const lineId = requiredText(data, 'lineId', ID_RULE);
  const department = requiredText(data, 'department', DEPARTMENT_RULE);
  const fiscalYear = fiscalYearOf(data);
  const name = optionalText(data, 'name');
  const unit = optionalText(data, 'unit', DIMENSION_RULE);
  const project = optionalText(data, 'project', DIMENSION_RULE);
  const functionCode = optionalCode(data, 'functionCode', FUNCTION_CODE, '3, 5 or 7');
  const economicCode = optionalCode(data, 'economicCode', ECONOMIC_CODE, '3 or 5');
  const fundingSource = optionalText(data, 'fundingSource', DIMENSION_RULE);
  if (!given(data, 'kind')) fail('data.kind', 'is required');
  const kind = data.kind;
  if (kind !== 'basic' && kind !== 'project') fail('data.kind', "must be 'basic' or 'project'");
  const tags = tagsOf(data);
  return {
    lineId,
    department,
    fiscalYear,
    ...(name === undefined ? {} : { name }),
    ...(unit === undefined ? {} : { unit }),
    ...(project === undefined ? {} : { project }),
    ...(functionCode === undefined ? {} : { functionCode }),
    ...(economicCode === undefined ? {} : { economicCode }),
    ...(fundingSource === undefined ? {} : { fundingSource }),
    kind: kind satisfies LineKind,
    tags,
  };
}

function budgetTransferred(data: Record<string, unknown>): BudgetTransferredData {
  const fromLineId = requiredText(data, 'fromLineId', ID_RULE);
  const toLineId = requiredText(data, 'toLineId', ID_RULE);
  if (fromLineId === toLineId) fail('data.toLineId', 'must differ from data.fromLineId');
  const amountFen = positiveAmountOf(data);
  const routine = optionalBoolean(data, 'routine', 'data.routine');
  return { fromLineId, toLineId, amountFen, routine };
}

function paymentRecorded(data: Record<string, unknown>): PaymentRecordedData {
  const lineId = requiredText(data, 'lineId', ID_RULE);
  const amountFen = positiveAmountOf(data);
  const payee = optionalText(data, 'payee');
  return payee === undefined ? { lineId, amountFen } : { lineId, amountFen, payee };
}

function build(type: EventType, envelope: Envelope, data: Record<string, unknown>): LedgerEvent {
  switch (type) {
    case 'BudgetLineOpened':
      return { ...envelope, type, data: budgetLineOpened(data) };
    case 'InitialBudgetApproved':
      return { ...envelope, type, data: { lineId: requiredText(data, 'lineId', ID_RULE), amountFen: positiveAmountOf(data) } };
    case 'BudgetAdjusted': {
      const lineId = requiredText(data, 'lineId', ID_RULE);
      const amountFen = amountOf(data);
      if (amountFen === 0n) fail('data.amount', 'must not be 0 (an adjustment is signed: 追加 > 0, 追减 < 0)');
      return { ...envelope, type, data: { lineId, amountFen } };
    }
    case 'BudgetTransferred':
      return { ...envelope, type, data: budgetTransferred(data) };
    case 'PaymentRecorded':
      return { ...envelope, type, data: paymentRecorded(data) };
    case 'PaymentReversed':
      return {
        ...envelope,
        type,
        data: { paymentEventId: requiredText(data, 'paymentEventId', ID_RULE), amountFen: positiveAmountOf(data) },
      };
    case 'PeriodClosed': {
      const department = requiredText(data, 'department', DEPARTMENT_RULE);
      const fiscalYear = fiscalYearOf(data);
      if (!given(data, 'period')) fail('data.period', 'is required');
      const period = data.period;
      if (period !== 'Q1' && period !== 'Q2' && period !== 'Q3' && period !== 'Q4') {
        fail('data.period', "must be 'Q1', 'Q2', 'Q3' or 'Q4'");
      }
      const lastDay = quarterEndDate(fiscalYear, period satisfies Quarter);
      if (envelope.effectiveDate !== lastDay) {
        fail('effectiveDate', `must be ${lastDay}, the last day of ${fiscalYear} ${period}`);
      }
      return { ...envelope, type, data: { department, fiscalYear, period } };
    }
  }
}

function parseOrThrow(raw: unknown, options: ParseOptions): LedgerEvent {
  if (!isPlainObject(raw)) fail(undefined, 'must be a JSON object');

  if (!given(raw, 'eventId')) fail('eventId', 'is required');
  const eventId = raw.eventId;
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId)) {
    fail('eventId', `must be 1..${EVENT_LIMITS.eventIdChars} characters of [A-Za-z0-9._:-]`);
  }
  try {
    // First, before anything walks the event: an oversized one costs no more than measuring it.
    checkSize(raw, options.maxEventBytes ?? EVENT_LIMITS.eventBytes);
    if (!given(raw, 'type')) fail('type', 'is required');
    const type = raw.type;
    if (typeof type !== 'string') fail('type', 'must be a string');
    if (!EVENT_TYPE_SET.has(type)) {
      const shown = type.length > 64 ? `${type.slice(0, 64)}…` : type;
      throw new LedgerError('UNKNOWN_EVENT_TYPE', 'type', `unknown event type ${JSON.stringify(shown)}; known: ${EVENT_TYPES.join(', ')}`);
    }
    rejectUnknownFields(raw, ENVELOPE_FIELDS, '');

    if (!given(raw, 'effectiveDate')) fail('effectiveDate', 'is required');
    const effectiveDate = raw.effectiveDate;
    if (typeof effectiveDate !== 'string' || !isCalendarDate(effectiveDate)) {
      fail('effectiveDate', `must be a calendar day 'YYYY-MM-DD' in ${MIN_YEAR}..${MAX_YEAR}`);
    }
    const correction = optionalBoolean(raw, 'correction', 'correction');

    let metadata: JsonObject | null = null;
    if (given(raw, 'metadata')) {
      if (!isPlainObject(raw.metadata)) fail('metadata', 'must be a JSON object or null');
      checkJson(raw.metadata, 'metadata', 1);
      metadata = raw.metadata as JsonObject;
    }

    if (!given(raw, 'data')) fail('data', 'is required');
    const data = raw.data;
    if (!isPlainObject(data)) fail('data', 'must be a JSON object');
    const knownType = type as EventType;
    rejectUnknownFields(data, DATA_FIELDS[knownType], 'data');
    return build(knownType, { eventId, effectiveDate, correction, metadata }, data);
  } catch (error) {
    if (error instanceof LedgerError) throw error.forEvent(eventId);
    throw error;
  }
}

/**
 * An event larger than the limit is refused whole (EVENT_TOO_LARGE): stored, it would have to be
 * read back, published to Kafka and served to followers in one piece. Measured as the bytes of
 * its JSON in UTF-8, whichever transport brought it.
 */
function checkSize(raw: Record<string, unknown>, maxBytes: number): void {
  let bytes: number;
  try {
    bytes = utf8Length(JSON.stringify(raw));
  } catch {
    fail(undefined, 'is not a JSON value');
  }
  if (bytes <= maxBytes) return;
  const metadataBytes = raw.metadata === undefined ? 0 : utf8Length(JSON.stringify(raw.metadata) ?? '');
  throw new LedgerError(
    'EVENT_TOO_LARGE',
    metadataBytes * 2 > bytes ? 'metadata' : undefined,
    `is ${bytes} bytes as JSON (its metadata ${metadataBytes}); an event may be at most ${maxBytes} bytes`,
  );
}

/** Bytes of a string in UTF-8, without an encoder (the domain imports no platform API). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: two UTF-16 units, four bytes.
      bytes += 2;
      i += 1;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Validates one raw event (parsed JSON). Never throws for bad input: every refusal is an
 * INVALID_EVENT or UNKNOWN_EVENT_TYPE LedgerError whose `field` is a path ('data.amount',
 * 'effectiveDate') and whose eventId is set once the eventId itself is valid.
 */
export function parseEvent(raw: unknown, options: ParseOptions = {}): ParseResult {
  try {
    return { ok: true, event: parseOrThrow(raw, options) };
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, error };
    throw error;
  }
}

/**
 * The `data` of an event as stored and published: amounts as yuan strings ("123.45"), optional
 * fields omitted when absent, `tags` always present on BudgetLineOpened and `routine` always on
 * BudgetTransferred. parseEvent(toStoredData(e)) gives e back.
 */
export function toStoredData(event: LedgerEvent): JsonObject {
  switch (event.type) {
    case 'BudgetLineOpened': {
      const d = event.data;
      const out: JsonObject = { lineId: d.lineId, department: d.department, fiscalYear: d.fiscalYear };
      if (d.name !== undefined) out.name = d.name;
      if (d.unit !== undefined) out.unit = d.unit;
      if (d.project !== undefined) out.project = d.project;
      if (d.functionCode !== undefined) out.functionCode = d.functionCode;
      if (d.economicCode !== undefined) out.economicCode = d.economicCode;
      if (d.fundingSource !== undefined) out.fundingSource = d.fundingSource;
      out.kind = d.kind;
      out.tags = [...d.tags];
      return out;
    }
    case 'InitialBudgetApproved':
    case 'BudgetAdjusted':
      return { lineId: event.data.lineId, amount: formatYuan(event.data.amountFen) };
    case 'BudgetTransferred': {
      const d = event.data;
      return { fromLineId: d.fromLineId, toLineId: d.toLineId, amount: formatYuan(d.amountFen), routine: d.routine };
    }
    case 'PaymentRecorded': {
      const d = event.data;
      const out: JsonObject = { lineId: d.lineId, amount: formatYuan(d.amountFen) };
      if (d.payee !== undefined) out.payee = d.payee;
      return out;
    }
    case 'PaymentReversed':
      return { paymentEventId: event.data.paymentEventId, amount: formatYuan(event.data.amountFen) };
    case 'PeriodClosed':
      return { department: event.data.department, fiscalYear: event.data.fiscalYear, period: event.data.period };
  }
}

/** The envelope and data of a stored event (a StoredEvent of the event store fits). */
export interface StoredEventFields {
  readonly eventId: string;
  readonly type: string;
  readonly effectiveDate: string;
  readonly correction: boolean;
  readonly data: { readonly [key: string]: JsonValue };
  readonly metadata: { readonly [key: string]: JsonValue } | null;
}

/**
 * Rebuilds a LedgerEvent from the store. Stored events were validated on the way in, so an
 * invalid one means the table was altered or the code changed incompatibly: it throws the
 * LedgerError rather than skipping the event.
 */
export function fromStored(stored: StoredEventFields): LedgerEvent {
  const result = parseEvent({
    eventId: stored.eventId,
    type: stored.type,
    effectiveDate: stored.effectiveDate,
    correction: stored.correction,
    data: stored.data,
    metadata: stored.metadata,
  });
  if (!result.ok) throw result.error;
  return result.event;
}
