import { createHash } from 'node:crypto';
import { canonicalJson, canonicalParts, chainLinkJson, contentHash, contentJson, sha256Hex } from './canonical';
import type { JsonObject, JsonValue, NewEvent } from './event-store';

const event: NewEvent = {
  eventId: 'pay-2021-000123',
  type: 'PaymentRecorded',
  effectiveDate: '2021-03-15',
  correction: false,
  data: { lineId: 'L1', amount: '16121600.00', payee: '深圳市某某公司' },
  metadata: { source: 'treasury', documentNo: '深财预〔2021〕12号' },
};

describe('canonicalJson', () => {
  it('sorts keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: 'x', ä: true, A: false })).toBe(
      '{"A":false,"a":"x","b":[3,{"a":null,"z":1}],"ä":true}',
    );
  });

  it('does not depend on the order the keys were written in', () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/not a JSON number/);
    expect(() => canonicalJson({ a: Infinity })).toThrow(/not a JSON number/);
  });

  it('writes what a sorted JSON.stringify writes, escapes included', () => {
    // The reference: JSON.stringify of a copy whose objects have their keys inserted in sorted order.
    const sortedCopy = (value: JsonValue): JsonValue => {
      if (Array.isArray(value)) return value.map(sortedCopy);
      if (typeof value !== 'object' || value === null) return value;
      const copy: JsonObject = {};
      // defineProperty, so that a "__proto__" key stays a key.
      for (const key of Object.keys(value).sort()) {
        Object.defineProperty(copy, key, {
          value: sortedCopy(value[key] as JsonValue),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return copy;
    };
    const values: JsonObject[] = [
      { lineId: 'L1', amount: '1.00' },
      { a: 1, b: true, c: null, d: -0, e: 1e21, f: 0.1 },
      { s: 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f 中 \u2028' },
      { pair: '\u{1F600}', lone: '\ud800', loneLow: 'x\udc00y' },
      { 'key "quoted"': 1, 'back\\slash': 2, 'ctl\u0001': 3, 中文: 4 },
      { nested: { z: [1, { y: 'x', a: [] }], a: {} }, '': 'empty key' },
      JSON.parse('{"z":1,"__proto__":"p"}') as JsonObject,
      {},
      // Keys in reverse order; code-unit order, where a surrogate pair sorts before U+FFFF.
      { z: 1, y: 2, x: 3, b: 4, a: 5, '\uffff': 6, '\u{1F600}': 7, é: 8, E: 9 },
      // More keys than are sorted by insertion, shuffled.
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 17) % 40}`, i])),
    ];
    for (const value of values) {
      // Objects with array-index keys are left out here: JSON.stringify writes those keys first.
      expect(canonicalJson(value)).toBe(JSON.stringify(sortedCopy(value)));
    }
    // Keys that are array indexes sort as strings, where a plain object would put them first.
    expect(canonicalJson({ b: 1, 10: 2, 9: 3, a: 4 })).toBe('{"10":2,"9":3,"a":4,"b":1}');
    expect(canonicalJson({ b: 1, a: undefined } as unknown as JsonObject)).toBe('{"b":1}');
  });

  it('reads the same after a round trip through JSON text', () => {
    const value: JsonObject = { amount: '1.50', n: 1.5, big: 1e21, small: 1e-7, s: 'é\n"' };
    expect(canonicalJson(JSON.parse(canonicalJson(value)) as JsonObject)).toBe(canonicalJson(value));
  });
});

describe('event hashing', () => {
  it('builds the content form in canonical key order', () => {
    const parts = canonicalParts(event);
    expect(contentJson(parts)).toBe(
      canonicalJson({
        type: event.type,
        effectiveDate: event.effectiveDate,
        correction: event.correction,
        data: event.data,
        metadata: event.metadata,
      }),
    );
    expect(contentHash(event)).toBe(sha256Hex(contentJson(parts)));
    expect(contentHash(event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells content apart by every field of the content', () => {
    const hash = contentHash(event);
    expect(contentHash({ ...event, eventId: 'other' })).toBe(hash);
    expect(contentHash({ ...event, correction: true })).not.toBe(hash);
    expect(contentHash({ ...event, effectiveDate: '2021-03-16' })).not.toBe(hash);
    expect(contentHash({ ...event, metadata: null })).not.toBe(hash);
    expect(contentHash({ ...event, data: { ...event.data, amount: '16121600.01' } })).not.toBe(hash);
  });

  it('builds the chain link in canonical key order, bigints as strings, the content by its hash', () => {
    const link = {
      position: 12345678901234567n,
      streamId: 'budget-D01-2021',
      streamVersion: 7n,
      eventId: event.eventId,
      recordedAt: '2021-03-15T01:02:03.004Z',
    };
    expect(chainLinkJson({ ...link, contentHash: contentHash(event) })).toBe(
      canonicalJson({
        position: '12345678901234567',
        streamId: link.streamId,
        streamVersion: '7',
        eventId: event.eventId,
        recordedAt: link.recordedAt,
        contentHash: contentHash(event),
      }),
    );
  });
});

describe('sha256Hex', () => {
  it('hashes the UTF-8 bytes', () => {
    for (const text of ['', 'abc', '深财预〔2021〕12号', '\u{1F600}']) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    }
  });
});
