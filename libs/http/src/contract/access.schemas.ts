import { z } from 'zod';
import { instant, named, position } from './schema-kit';

// ---------- operations ----------

export const Health = named('Health', z.object({ status: z.literal('ok') }));
export const Ready = named(
  'Ready',
  z.object({
    status: z.enum(['ready', 'unavailable']),
    database: z.string().meta({ description: "the engine ('postgres' or 'pglite') when up, 'down' otherwise" }),
    kafka: z.string().optional().meta({ description: "'up' or 'down', when Kafka is configured" }),
    kafkaLag: z
      .object({
        total: z.string(),
        max: z.number().int(),
        behind: z.array(z.object({ topic: z.string(), partition: z.number().int(), lag: z.string() })),
      })
      .optional()
      .meta({ description: 'the consumer group’s lag, when KAFKA_READY_MAX_LAG is set: total, the limit, the partitions furthest behind' }),
  }),
);

// ---------- access ----------

const roleEnum = z.enum(['writer', 'analyst', 'auditor', 'admin']);
const departmentsOut = z.array(z.string()).nullable().meta({ description: 'the departments the key may see; null: every department' });

export const NewApiKeyBody = named(
  'NewApiKeyBody',
  z.strictObject({
    role: roleEnum,
    departments: z.array(z.string().min(1).max(200)).max(1000).optional(),
    name: z.string().max(200).optional(),
  }),
);

export const CreatedApiKey = named(
  'CreatedApiKey',
  z.object({
    keyId: z.string(),
    key: z.string().meta({ description: 'the key itself: shown this once, only its hash is kept' }),
    role: roleEnum,
    departments: departmentsOut,
    name: z.string().nullable(),
  }),
);

export const ApiKeyInfo = named(
  'ApiKeyInfo',
  z.object({
    keyId: z.string(),
    role: roleEnum,
    departments: departmentsOut,
    name: z.string().nullable(),
    createdAt: instant,
    revokedAt: instant.nullable(),
  }),
);
export const ApiKeyList = named('ApiKeyList', z.object({ keys: z.array(ApiKeyInfo) }));

export const SessionBody = named('SessionBody', z.strictObject({ key: z.string().min(1).max(200) }));
export const SessionInfo = named(
  'SessionInfo',
  z.object({ keyId: z.string(), role: roleEnum, departments: departmentsOut, expiresAt: instant }),
);

export const AccessLogPage = named(
  'AccessLogPage',
  z.object({
    entries: z.array(
      z.object({
        id: z.string(),
        at: instant,
        identity: z.string().nullable().meta({ description: 'who asked; null when no identity was accepted' }),
        method: z.string(),
        path: z.string(),
        status: z.number().int(),
      }),
    ),
    lastId: z.string(),
  }),
);

export const ClosedPeriod = named(
  'ClosedPeriod',
  z.object({ closed: z.string().meta({ example: '2021-Q1' }), department: z.string(), eventId: z.string(), position }),
);
