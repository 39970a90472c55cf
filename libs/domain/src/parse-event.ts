import { isCalendarDate, MAX_YEAR, MIN_YEAR } from './calendar';
import { checkStorable, EVENT_LIMITS, fail, given, isPlainObject, optionalBoolean, rejectUnknownFields } from './codecs/checks';
import { EVENT_CODECS } from './codecs';
import type { EventCodec } from './codecs/event-codec';
import { LedgerError } from './errors';
import { EVENT_TYPES, type EventType, type LedgerEvent } from './events';
import type { JsonObject, JsonValue } from './json';

/**
 * Validation of one incoming event (DESIGN.md §3): the envelope here, the data by its type's codec
 * (codecs/). Input is untrusted (HTTP, NDJSON, Kafka); the result is a typed LedgerEvent with
 * amounts in 分, or a LedgerError naming the event and the field. Business rules that need state
 * are in the decider.
 */

export { EVENT_LIMITS, formatCharacterIn } from './codecs/checks';

export type ParseResult = { ok: true; event: LedgerEvent } | { ok: false; error: LedgerError };

export interface ParseOptions {
  /** Largest event accepted, in bytes of its JSON (default EVENT_LIMITS.eventBytes). */
  readonly maxEventBytes?: number;
}

const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['eventId', 'type', 'effectiveDate', 'correction', 'data', 'metadata']);
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

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

/** The codec of a type, widened: every codec reads and stores the data of its own type. */
function codecOf(type: EventType): EventCodec<EventType> {
  return EVENT_CODECS[type] as EventCodec<EventType>;
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
    const codec = codecOf(type as EventType);
    rejectUnknownFields(data, codec.fieldNames, 'data');
    return { eventId, effectiveDate, correction, metadata, type: codec.type, data: codec.parse(data, effectiveDate) } as LedgerEvent;
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
  return codecOf(event.type).store(event.data);
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
