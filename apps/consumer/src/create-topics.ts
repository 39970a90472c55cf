import { createKafka, ensureTopics, kafkaConfigFromEnv, loadTopicDefinitions } from '@ledger/kafka';
import { createLogger } from '@ledger/observability';

/**
 * Creates the topics of infra/kafka/topics.json that do not exist yet (docker-compose's one-shot
 * `kafka-init`). `KAFKA_REPLICATION_FACTOR` overrides the file's replication for every topic.
 */
async function main(): Promise<void> {
  const config = kafkaConfigFromEnv();
  if (config === undefined) throw new Error('KAFKA_BROKERS is not set');
  const replication = process.env.KAFKA_REPLICATION_FACTOR;
  const topics = loadTopicDefinitions(config, {
    replicationFactor: replication === undefined || replication === '' ? undefined : Number(replication),
  });
  const logger = createLogger('kafka-init');
  const admin = createKafka(config, logger).admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, topics);
    logger.info({ created, existing: topics.map((t) => t.name).filter((name) => !created.includes(name)) }, 'topics ready');
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`kafka-init: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
