import { z } from 'zod';

/**
 * The HTTP contract's registry and shared pieces. The HTTP contract, in zod: the schemas that validate requests (queries, small bodies) and
 * describe answers, and from which the OpenAPI document's components are generated (openapi.ts).
 * Answers are produced by the reporting code; contract.spec.ts checks at compile time that its
 * result types fit these schemas, and the e2e suites parse real answers with them.
 */
export const contract = z.registry<{ id: string }>();

export const named = <S extends z.ZodType>(id: string, schema: S): S => {
  contract.add(schema, { id });
  return schema;
};

export const yuan = (description: string) =>
  z
    .string()
    .regex(/^-?\d+\.\d{2}$/)
    .meta({ description: `${description} (yuan, a decimal string with 2 decimals)`, example: '45769713.94' });
export const ratio = (description: string) =>
  z
    .string()
    .nullable()
    .meta({ description: `${description} (a decimal string rounded to 4 places; null when its base is 0)`, example: '0.9029' });
export const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .meta({ description: 'a date, YYYY-MM-DD', example: '2021-12-31' });
export const instant = z.string().meta({ description: 'an instant, ISO-8601 UTC', example: '2026-12-01T08:00:00.000Z' });
export const position = z
  .string()
  .regex(/^\d{1,19}$/)
  .meta({ description: 'a log position (64-bit, so a string)', example: '4294967296' });
