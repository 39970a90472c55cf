import type { EventType, LedgerEvent } from '../events';
import type { JsonObject } from '../json';
import type { FieldCodec } from './fields';

/** The typed `data` of an event type. */
export type DataOf<T extends EventType> = Extract<LedgerEvent, { type: T }>['data'];

/** The fields of an event type's `data`, by their name on the wire, in the order they are read and stored. */
export type FieldList = { readonly [wireName: string]: FieldCodec<unknown> };

/** One event type's `data`: its fields, how it is read from input and how it is stored (DESIGN.md §3). */
export interface EventCodec<T extends EventType> {
  readonly type: T;
  /** The wire names of its fields: any other field is refused. */
  readonly fieldNames: ReadonlySet<string>;
  /** Reads untrusted `data`; throws an INVALID_EVENT LedgerError naming the first bad field. */
  parse(data: Record<string, unknown>, effectiveDate: string): DataOf<T>;
  /** The stored and published form: amounts as yuan strings, absent optional fields left out. */
  store(data: DataOf<T>): JsonObject;
}

/** A codec from its list of fields: each is named once, and parse and store both follow the list. */
export function eventCodec<T extends EventType>(type: T, fields: FieldList): EventCodec<T> {
  const entries = Object.entries<FieldCodec<unknown>>(fields);
  return {
    type,
    fieldNames: new Set(Object.keys(fields)),
    parse(data, effectiveDate) {
      const out: Record<string, unknown> = {};
      for (const [key, field] of entries) {
        const value = field.read(data, key, out, effectiveDate);
        if (value !== undefined) out[field.as ?? key] = value;
      }
      return out as unknown as DataOf<T>;
    },
    store(data) {
      const out: JsonObject = {};
      const values = data as unknown as Record<string, unknown>;
      for (const [key, field] of entries) {
        const value = values[field.as ?? key];
        const written = value === undefined ? undefined : field.write(value);
        if (written !== undefined) out[key] = written;
      }
      return out;
    },
  };
}
