/**
 * Kafka settings from the environment. `KAFKA_BROKERS` switches Kafka on; without it the ledger
 * runs without a broker (HTTP and NDJSON ingestion only) and `ledger consume` refuses to start.
 */

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface LedgerKafkaConfig {
  /** `KAFKA_BROKERS`: comma list of host:port. */
  readonly brokers: readonly string[];
  /** `KAFKA_CLIENT_ID` (default `budget-ledger`). */
  readonly clientId: string;
  /** `KAFKA_PAYMENTS_TOPIC` (default `treasury.payments`): treasury payments in. */
  readonly paymentsTopic: string;
  /** `KAFKA_DEAD_LETTER_TOPIC` (default `treasury.payments.dlq`): refused messages with their reason. */
  readonly deadLetterTopic: string;
  /** `KAFKA_LEDGER_TOPIC` (default `ledger.events`): every stored event, keyed by department. */
  readonly ledgerTopic: string;
  /** `KAFKA_ALERTS_TOPIC` (default `ledger.alerts`): threshold alerts. */
  readonly alertsTopic: string;
  /** `KAFKA_GROUP_ID` (default `budget-ledger`). */
  readonly groupId: string;
  /** `KAFKA_SSL=true`: TLS to the brokers. */
  readonly ssl: boolean;
  /** `KAFKA_SASL_MECHANISM` with `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`. */
  readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | undefined;
  /** `KAFKA_MAX_BYTES_PER_PARTITION` (default 1 MiB): bounds one batch, hence the memory in hand. */
  readonly maxBytesPerPartition: number;
  /** `KAFKA_MAX_BYTES` (default 8 MiB): bounds one fetch over all partitions. */
  readonly maxBytes: number;
  /**
   * `KAFKA_PARTITIONS_CONCURRENTLY` (default 2): partitions processed at once; each stays sequential.
   * Two let this process prepare one batch while the database stores another; partitions are keyed
   * by department, so two at once never wait on each other's locks.
   */
  readonly partitionsConsumedConcurrently: number;
  /**
   * `KAFKA_SESSION_TIMEOUT_MS` (default 30 s): how long the group waits for a consumer that stopped
   * heartbeating (killed, frozen, cut off) before its partitions go to the others.
   */
  readonly sessionTimeoutMs: number;
  /**
   * `KAFKA_READY_MAX_LAG` (default 10,000; 0 turns the check off): `/ready` answers 503 while the
   * group's lag on the payments topic, summed over its partitions, exceeds it.
   */
  readonly readyMaxLag: number;
}

export const KAFKA_DEFAULTS = {
  clientId: 'budget-ledger',
  paymentsTopic: 'treasury.payments',
  deadLetterTopic: 'treasury.payments.dlq',
  ledgerTopic: 'ledger.events',
  alertsTopic: 'ledger.alerts',
  groupId: 'budget-ledger',
  maxBytesPerPartition: 1024 * 1024,
  maxBytes: 8 * 1024 * 1024,
  partitionsConsumedConcurrently: 2,
  sessionTimeoutMs: 30_000,
  readyMaxLag: 10_000,
} as const;

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

/** The Kafka settings, or undefined when `KAFKA_BROKERS` is unset or empty. Throws on a bad value. */
export function kafkaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerKafkaConfig | undefined {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0) return undefined;
  for (const broker of brokers) if (!/^[^\s:]+:\d{1,5}$/.test(broker)) throw new Error(`KAFKA_BROKERS: '${broker}' is not host:port`);
  return {
    brokers,
    clientId: text(env, 'KAFKA_CLIENT_ID', KAFKA_DEFAULTS.clientId),
    paymentsTopic: topic(env, 'KAFKA_PAYMENTS_TOPIC', KAFKA_DEFAULTS.paymentsTopic),
    deadLetterTopic: topic(env, 'KAFKA_DEAD_LETTER_TOPIC', KAFKA_DEFAULTS.deadLetterTopic),
    ledgerTopic: topic(env, 'KAFKA_LEDGER_TOPIC', KAFKA_DEFAULTS.ledgerTopic),
    alertsTopic: topic(env, 'KAFKA_ALERTS_TOPIC', KAFKA_DEFAULTS.alertsTopic),
    groupId: text(env, 'KAFKA_GROUP_ID', KAFKA_DEFAULTS.groupId),
    ssl: flag(env, 'KAFKA_SSL'),
    sasl: sasl(env),
    maxBytesPerPartition: integer(env, 'KAFKA_MAX_BYTES_PER_PARTITION', KAFKA_DEFAULTS.maxBytesPerPartition, 1024, 64 * 1024 * 1024),
    maxBytes: integer(env, 'KAFKA_MAX_BYTES', KAFKA_DEFAULTS.maxBytes, 1024, 256 * 1024 * 1024),
    partitionsConsumedConcurrently: integer(env, 'KAFKA_PARTITIONS_CONCURRENTLY', KAFKA_DEFAULTS.partitionsConsumedConcurrently, 1, 64),
    // The broker's default group.min/max.session.timeout.ms bound what it accepts: 6 s to 30 min.
    sessionTimeoutMs: integer(env, 'KAFKA_SESSION_TIMEOUT_MS', KAFKA_DEFAULTS.sessionTimeoutMs, 6_000, 1_800_000),
    readyMaxLag: integer(env, 'KAFKA_READY_MAX_LAG', KAFKA_DEFAULTS.readyMaxLag, 0, Number.MAX_SAFE_INTEGER),
  };
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  return value(env, name) ?? fallback;
}

function topic(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const t = text(env, name, fallback);
  if (!TOPIC_NAME.test(t)) throw new Error(`${name}: '${t}' is not a valid topic name`);
  return t;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const v = value(env, name)?.toLowerCase();
  if (v === undefined || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  throw new Error(`${name} must be true or false, not '${v}'`);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const v = value(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, not '${v}'`);
  return n;
}

function sasl(env: NodeJS.ProcessEnv): LedgerKafkaConfig['sasl'] {
  const mechanism = value(env, 'KAFKA_SASL_MECHANISM')?.toLowerCase();
  if (mechanism === undefined) return undefined;
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new Error(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, not '${mechanism}'`);
  }
  const username = value(env, 'KAFKA_SASL_USERNAME');
  const password = env.KAFKA_SASL_PASSWORD;
  if (username === undefined || password === undefined || password === '') {
    throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  return { mechanism: mechanism as SaslMechanism, username, password };
}
