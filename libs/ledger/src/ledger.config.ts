import * as fs from 'node:fs';
import type { DatabaseConfig, OwnerOptions } from '@ledger/event-store';
import { databaseConfigFromEnv } from '@ledger/event-store';
import { assertScheduleVersion } from '@ledger/domain';
import { DEFAULT_RULES, type LedgerRules } from '@ledger/reporting';
import type { PaymentPolicy } from './append/ledger-writer';
import { parseCheckpointEvery } from './checkpoints/checkpoint-schedule';

export interface LedgerConfig {
  readonly database: DatabaseConfig;
  /** `LEDGER_PAYMENT_POLICY`: refuse a payment above the line's available (`reject`, default) or accept it with a warning (`flag`). */
  readonly paymentPolicy: PaymentPolicy;
  /** `LEDGER_BATCH_SIZE`: events per transaction when ingesting streams (default 1,000). */
  readonly batchSize: number;
  /**
   * `LEDGER_APPEND_LANES`: how many transactions a batch may be split into, by department
   * (default 2 on a PostgreSQL server, 1 on PGlite, which has a single connection).
   */
  readonly appendLanes: number;
  /** `LEDGER_RULES_FILE`: checkpoints, 序时进度 and scoring rules, versioned by fiscal year (default: seed 002's 评分表). */
  readonly rules: LedgerRules;
  /** `LEDGER_CHECKPOINT_EVERY` (`30s`, `15m`, `1h`, `1d`): serve and consume sign the log this often when it moved; unset = no schedule. */
  readonly checkpointEveryMs?: number;
}

export function ledgerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const policy = env.LEDGER_PAYMENT_POLICY ?? 'reject';
  if (policy !== 'reject' && policy !== 'flag') throw new Error(`LEDGER_PAYMENT_POLICY must be 'reject' or 'flag', not '${policy}'`);
  const batchSize = Number(env.LEDGER_BATCH_SIZE ?? 1000);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error('LEDGER_BATCH_SIZE must be an integer from 1 to 10000');
  }
  const database = databaseConfigFromEnv(env);
  const appendLanes = Number(env.LEDGER_APPEND_LANES ?? (database.databaseUrl === undefined ? 1 : 2));
  if (!Number.isInteger(appendLanes) || appendLanes < 1 || appendLanes > 8) {
    throw new Error('LEDGER_APPEND_LANES must be an integer from 1 to 8');
  }
  return {
    database,
    paymentPolicy: policy,
    batchSize,
    appendLanes,
    rules: loadRules(env.LEDGER_RULES_FILE),
    checkpointEveryMs: parseCheckpointEvery(env.LEDGER_CHECKPOINT_EVERY),
  };
}

/** The configuration with how this process stands towards the owner of an embedded store (DESIGN.md §10). */
export function withOwner(config: LedgerConfig, owner: OwnerOptions): LedgerConfig {
  return { ...config, database: { ...config.database, owner: { ...config.database.owner, ...owner } } };
}

/**
 * Reads a rules file: `{ "schedule": ScheduleConfig?, "scoring": ScoringConfig? }`, each a list of
 * versions with `fromYear`; a part left out keeps the default. See docs/rules.md.
 */
export function loadRules(file: string | undefined): LedgerRules {
  if (file === undefined || file === '') return DEFAULT_RULES;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LedgerRules>;
  const rules: LedgerRules = { schedule: parsed.schedule ?? DEFAULT_RULES.schedule, scoring: parsed.scoring ?? DEFAULT_RULES.scoring };
  for (const version of rules.schedule) assertScheduleVersion(version);
  return rules;
}
