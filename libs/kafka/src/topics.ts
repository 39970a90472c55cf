import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Admin } from 'kafkajs';
import type { LedgerKafkaConfig } from './kafka-config';

export const TOPICS_FILE = path.resolve(__dirname, '../../../infra/kafka/topics.json');

export type TopicRole = 'payments' | 'deadLetters' | 'ledgerEvents' | 'alerts';
const ROLES: readonly TopicRole[] = ['payments', 'deadLetters', 'ledgerEvents', 'alerts'];

export interface TopicDefinition {
  readonly role: TopicRole;
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

/**
 * The topics of infra/kafka/topics.json, named as the configuration names them (a topic setting
 * overrides the file's default name), with an optional replication factor for every topic.
 */
export function loadTopicDefinitions(
  config: LedgerKafkaConfig,
  options: { file?: string; replicationFactor?: number } = {},
): TopicDefinition[] {
  const parsed = JSON.parse(fs.readFileSync(options.file ?? TOPICS_FILE, 'utf8')) as { topics?: unknown };
  if (!Array.isArray(parsed.topics)) throw new Error('topics.json: "topics" must be an array');
  const names: Record<TopicRole, string> = {
    payments: config.paymentsTopic,
    deadLetters: config.deadLetterTopic,
    ledgerEvents: config.ledgerTopic,
    alerts: config.alertsTopic,
  };
  const seen = new Set<TopicRole>();
  const definitions = (parsed.topics as unknown[]).map((entry, i): TopicDefinition => {
    const t = entry as Partial<Record<keyof TopicDefinition, unknown>>;
    const where = `topics.json topics[${i}]`;
    if (typeof t.role !== 'string' || !(ROLES as readonly string[]).includes(t.role)) {
      throw new Error(`${where}: role must be one of ${ROLES.join(', ')}`);
    }
    const role = t.role as TopicRole;
    if (seen.has(role)) throw new Error(`${where}: role ${role} appears twice`);
    seen.add(role);
    if (!Number.isInteger(t.partitions) || (t.partitions as number) < 1) throw new Error(`${where}: partitions must be a positive integer`);
    const replicationFactor = options.replicationFactor ?? t.replicationFactor;
    if (!Number.isInteger(replicationFactor) || (replicationFactor as number) < 1) {
      throw new Error(`${where}: replicationFactor must be a positive integer`);
    }
    const topicConfig = t.config ?? {};
    if (typeof topicConfig !== 'object' || topicConfig === null || Object.values(topicConfig).some((v) => typeof v !== 'string')) {
      throw new Error(`${where}: config must map names to strings`);
    }
    return {
      role,
      name: names[role],
      partitions: t.partitions as number,
      replicationFactor: replicationFactor as number,
      config: topicConfig as Record<string, string>,
    };
  });
  for (const role of ROLES) if (!seen.has(role)) throw new Error(`topics.json: no topic with role ${role}`);
  return definitions;
}

/**
 * Creates the topics that do not exist yet; existing ones are left as they are. Returns the names
 * created. Resolves once every partition of the created topics has a leader.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly TopicDefinition[],
  options: { timeoutMs?: number } = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    // kafkajs's own wait asks one broker for the new topics' metadata and gives up on its first
    // "This server does not host this topic-partition", which a 3-node KRaft cluster answers for a
    // moment after the creation; waitForLeaders below retries until the cluster agrees.
    waitForLeaders: false,
    topics: missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
      replicationFactor: t.replicationFactor,
      configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
    })),
  });
  await waitForLeaders(
    admin,
    missing.map((t) => t.name),
    options.timeoutMs ?? 30_000,
  );
  return missing.map((t) => t.name);
}

async function waitForLeaders(admin: Admin, names: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
      const waiting = names.filter((name) => {
        const topic = topics.find((t) => t.name === name);
        return topic === undefined || topic.partitions.length === 0 || topic.partitions.some((p) => p.leader < 0);
      });
      if (waiting.length === 0) return;
      last = `no leader yet for ${waiting.join(', ')}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(`topics ${names.join(', ')}: not every partition has a leader after ${timeoutMs} ms (${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
