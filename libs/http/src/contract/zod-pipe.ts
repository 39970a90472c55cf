import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { RequestError } from '@ledger/ledger';

/** The first problems of a failed parse, each naming its field: `limit: must be …; after: …`. */
export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? '(body)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}

/**
 * Validates a route's query string with its contract schema, the same schema that documents it
 * in OpenAPI (ApiContract): one source for both.
 */
export class ZodQueryPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (!parsed.success) throw new RequestError('INVALID_QUERY', zodMessage(parsed.error));
    return parsed.data;
  }
}
