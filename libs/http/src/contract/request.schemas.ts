import { z } from 'zod';
import { named } from './schema-kit';

// ---------- errors ----------

export const Problem = named(
  'Problem',
  z
    .object({
      type: z.literal('about:blank'),
      title: z.string(),
      status: z.number().int(),
      code: z.string().meta({
        description: 'stable error code, e.g. UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, INVALID_QUERY, PAYLOAD_TOO_LARGE, RATE_LIMITED',
      }),
      detail: z.string(),
      field: z.string().optional().meta({ description: 'the field at fault, when one is' }),
    })
    .meta({
      description: "application/problem+json (RFC 9457) with the ledger's stable code",
      example: {
        type: 'about:blank',
        title: 'FORBIDDEN',
        status: 403,
        code: 'FORBIDDEN',
        detail: 'key:k_1a2b3c4d5e6f (writer) may not do this; it needs analyst',
      },
    }),
);

// ---------- queries ----------

const optionalText = (description: string) => z.string().max(200).optional().meta({ description });
const asOf = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .optional()
  .meta({ description: 'business date YYYY-MM-DD' });
const knownAt = z.string().max(40).optional().meta({ description: 'instant, ISO-8601 (default now)' });
const yearText = z.string().regex(/^\d{4}$/, 'must be a year of 4 digits');

/** The exportable reports (DESIGN.md §9) also take `format`; ExportInterceptor reads it before these schemas run. */
const format = z
  .enum(['json', 'csv', 'xlsx'])
  .optional()
  .meta({ description: 'json (default), csv or xlsx; or the matching Accept header' });

export const ViewQuery = z.strictObject({
  asOf: asOf.meta({ description: 'business date YYYY-MM-DD (default today, Asia/Shanghai)' }),
  knownAt,
  groupBy: optionalText('unit, project, functionCode[:3|5|7], economicCode[:3|5], fundingSource, kind, tag, line (comma list)'),
  year: yearText.optional().meta({ description: 'fiscal year (default the year of asOf)' }),
  format,
});
export const KnownAtQuery = z.strictObject({ knownAt, format });
export const RatiosQuery = z.strictObject({ asOf: asOf.meta({ description: "default the fiscal year's last day" }), knownAt, format });
export const WarningsQuery = z.strictObject({
  asOf,
  knownAt,
  by: z.enum(['line', 'project']).optional().meta({ description: "'line' (default) or 'project'" }),
  margin: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal fraction')
    .optional()
    .meta({ description: 'fraction, default 0.10' }),
});
export const TraceQuery = z.strictObject({
  asOf,
  knownAt,
  limit: z.string().optional().meta({ description: 'entries per page, 1 to 10,000 (default 1,000)' }),
  after: z.string().optional().meta({ description: "the previous page's nextAfter" }),
  format,
});

const integerText = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,19}$/, `must be an integer from ${min} to ${max}`)
    .refine((t) => Number(t) >= min && Number(t) <= max, `must be an integer from ${min} to ${max}`)
    .meta({ description: name });

export const FollowQuery = (maxLimit: number, maxWaitSeconds: number, defaultPageBytes: number, maxPageBytes: number) =>
  z.strictObject({
    after: z
      .string()
      .regex(/^\d{1,19}$/, 'must be a position (an integer from 0 to 2^63-1)')
      .refine((t) => BigInt(t) <= 2n ** 63n - 1n, 'must be a position (an integer from 0 to 2^63-1)')
      .optional()
      .meta({ description: 'last position seen, as returned in lastPosition (default 0)' }),
    limit: integerText(`at most this many (default 1000, max ${maxLimit})`, 1, maxLimit).optional(),
    wait: integerText(`long-poll: wait up to this many seconds (max ${maxWaitSeconds}) for an event`, 0, maxWaitSeconds).optional(),
    maxBytes: integerText(
      `stop the page before its events' data and metadata pass this many bytes (default ${defaultPageBytes}, max ${maxPageBytes}); a page always has at least one event`,
      1,
      maxPageBytes,
    ).optional(),
  });

export const AppendQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'true: validate and decide every event, answer the same summary, store nothing' }),
});

export const AccessLogQuery = (maxLimit: number) =>
  z.strictObject({
    after: z
      .string()
      .regex(/^\d{1,19}$/, 'must be an entry id')
      .optional()
      .meta({ description: 'last id seen (default 0)' }),
    limit: integerText(`at most this many (default 1000, max ${maxLimit})`, 1, maxLimit).optional(),
  });
