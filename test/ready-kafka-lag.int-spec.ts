import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { PgEventStore } from '@ledger/event-store';
import { createThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import {
  createKafka,
  ensureTopics,
  kafkaConfigFromEnv,
  KafkaMessageSink,
  KafkaPaymentConsumer,
  loadTopicDefinitions,
  PaymentPipeline,
  type LedgerKafkaConfig,
} from '@ledger/kafka';
import { ingestionMetrics, MetricsRegistry, silentLogger } from '@ledger/observability';
import { raw, waitFor } from '@ledger/kafka/testing/fixtures';
import { committedAll, deleteLedgerTopics } from '@ledger/kafka/testing/kafka-harness';
import { LedgerWriter } from '@ledger/ledger';
import { createApi } from '@ledger/http';
import { authConfigFromEnv } from '@ledger/auth';
import { e2eStorage, type E2eStorage } from './support/engine-config';

/**
 * GET /ready against a real broker (`npm run test:kafka`): 503 while the consumer group is more
 * than KAFKA_READY_MAX_LAG messages behind the payments topic, 200 once it caught up.
 */
const brokers = process.env.KAFKA_BROKERS?.trim();
const describeWithKafka = brokers ? describe : describe.skip;

describeWithKafka(`GET /ready and the consumer lag (${brokers})`, () => {
  jest.setTimeout(600_000);
  const suffix = randomBytes(4).toString('hex');
  const settings = {
    KAFKA_PAYMENTS_TOPIC: `ready-${suffix}.payments`,
    KAFKA_DEAD_LETTER_TOPIC: `ready-${suffix}.payments.dlq`,
    KAFKA_LEDGER_TOPIC: `ready-${suffix}.ledger.events`,
    KAFKA_ALERTS_TOPIC: `ready-${suffix}.ledger.alerts`,
    KAFKA_GROUP_ID: `ready-${suffix}`,
    KAFKA_READY_MAX_LAG: '10',
  };
  const saved: Record<string, string | undefined> = {};
  const config = kafkaConfigFromEnv({ ...process.env, ...settings }) as LedgerKafkaConfig;
  const logger = silentLogger();
  let storage: E2eStorage;
  let app: INestApplication;
  let base: string;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    // The API reads its Kafka settings from the environment, as in production.
    for (const [name, value] of Object.entries(settings)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    kafka = createKafka(config, logger, { connectionTimeout: 10_000 });
    admin = kafka.admin();
    await admin.connect();
    const replication = Math.min(3, (await admin.describeCluster()).brokers.length);
    await ensureTopics(admin, loadTopicDefinitions(config, { replicationFactor: replication }));
    storage = await e2eStorage('pglite');
    app = await createApi(storage.config, { ...authConfigFromEnv({}), enabled: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
    await deleteLedgerTopics(admin, config);
    await admin?.disconnect();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }, 180_000);

  it('is not ready while the group is far behind, and ready once it caught up', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = [
      raw.opened('L-R', '市贸促委'),
      raw.approved('L-R', '10000.00'),
      ...Array.from({ length: 20 }, (_, i) => raw.payment(`ready-pay-${i}`, 'L-R', '1.00')),
    ];
    await producer.send({
      topic: config.paymentsTopic,
      acks: -1,
      messages: messages.map((m) => ({ key: '市贸促委|2021', value: JSON.stringify(m) })),
    });
    await producer.disconnect();

    // The 503 goes out as problem+json (apps/api's ProblemFilter); its detail says how far behind.
    // On a fresh cluster the first lag read can fail (the group coordinator is being made) and
    // readiness then judges the broker alone: ask again until the lag is known.
    let behind = await fetch(`${base}/ready`);
    for (let i = 0; i < 60 && behind.status === 200; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      behind = await fetch(`${base}/ready`);
    }
    const body = (await behind.json()) as { status: number; detail: string };
    expect(behind.status).toBe(503);
    expect(body.detail).toBe(
      `not ready: kafka: the consumer group is ${messages.length} messages behind (more than KAFKA_READY_MAX_LAG 10)`,
    );

    const db = await createThrowawayDatabase('pglite');
    try {
      const consumer = new KafkaPaymentConsumer(
        kafka,
        config,
        new PaymentPipeline(new LedgerWriter(db.db, new PgEventStore(db.db)), { logger }),
        new KafkaMessageSink(kafka),
        logger,
        ingestionMetrics(new MetricsRegistry()),
      );
      await consumer.start();
      await waitFor('the group caught up', () => committedAll(admin, config.groupId, config.paymentsTopic), 120_000);
      await consumer.stop();
    } finally {
      await db.drop();
    }
    const caughtUp = await fetch(`${base}/ready`);
    expect(caughtUp.status).toBe(200);
    expect(await caughtUp.json()).toMatchObject({ status: 'ready', kafka: 'up', kafkaLag: { total: '0', max: 10, behind: [] } });
  });
});
