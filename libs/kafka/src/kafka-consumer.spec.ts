import type { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { AppendItemResult } from '@ledger/domain';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, MetricsRegistry } from '@ledger/observability';
import { kafkaConfigFromEnv, type LedgerKafkaConfig } from './kafka-config';
import { KafkaPaymentConsumer } from './kafka-consumer';
import type { MessageSink } from './message-sink';
import { PaymentPipeline } from './payment-pipeline';
import { bytes, raw } from './testing/fixtures';

/**
 * The adapter's own logic without a broker: what it hands to the pipeline, and that it resolves
 * and commits only after the store and the dead letters. (Against a real broker: kafka.int-spec.ts.)
 */
const config = kafkaConfigFromEnv({ KAFKA_BROKERS: 'broker:9092' }) as LedgerKafkaConfig;

function harness(options: { deadLettersFail?: boolean } = {}) {
  const timeline: string[] = [];
  let runConfig: ConsumerRunConfig | undefined;
  const fakeConsumer = {
    events: { CRASH: 'consumer.crash' },
    on: () => undefined,
    connect: () => Promise.resolve(),
    subscribe: (s: unknown) => Promise.resolve(void timeline.push(`subscribe ${JSON.stringify(s)}`)),
    run: (c: ConsumerRunConfig) => Promise.resolve(void (runConfig = c)),
    disconnect: () => Promise.resolve(),
  } as unknown as Consumer;
  const kafka = { consumer: () => fakeConsumer } as unknown as Kafka;
  const pipeline = new PaymentPipeline(
    {
      append: async (events) => {
        timeline.push(`append ${events.map((e) => e.eventId).join(',')}`);
        return events.map((e, i): AppendItemResult => ({
          status: 'appended',
          eventId: e.eventId,
          position: BigInt(100 + i),
          warnings: [],
        }));
      },
    },
    { batchSize: 2, logger: silentLogger(), metrics: ingestionMetrics(new MetricsRegistry()) },
  );
  const deadLetters: MessageSink = {
    send: async (topic, messages) => {
      timeline.push(`dead letters ${topic} ${messages.length}`);
      if (options.deadLettersFail) throw new Error('broker unavailable');
    },
  };
  const metrics = ingestionMetrics(new MetricsRegistry());
  const consumer = new KafkaPaymentConsumer(kafka, config, pipeline, deadLetters, silentLogger(), metrics);
  const payload = (messages: KafkaMessage[], running = true): EachBatchPayload => {
    const batch = {
      topic: config.paymentsTopic,
      partition: 3,
      highWatermark: '20',
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => messages[messages.length - 1]?.offset ?? '-1',
      offsetLag: () => '0',
      offsetLagLow: () => '0',
    };
    return {
      batch,
      resolveOffset: (offset) => void timeline.push(`resolve ${offset}`),
      heartbeat: () => Promise.resolve(void timeline.push('heartbeat')),
      pause: () => () => undefined,
      commitOffsetsIfNecessary: (offsets) => Promise.resolve(void timeline.push(`commit ${JSON.stringify(offsets)}`)),
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => running,
      isStale: () => false,
    };
  };
  const eachBatch = (p: EachBatchPayload) => {
    if (runConfig?.eachBatch === undefined) throw new Error('start() was not called');
    return runConfig.eachBatch(p);
  };
  return { consumer, timeline, payload, eachBatch, metrics, runConfig: () => runConfig };
}

const message = (offset: string, value: unknown): KafkaMessage => ({
  offset,
  key: Buffer.from('D1'),
  value: bytes(value),
  timestamp: '0',
  attributes: 0,
  headers: {},
});

describe('KafkaPaymentConsumer (kafkajs adapter)', () => {
  it('runs without auto-commit or auto-resolve, and commits after the store and the dead letters', async () => {
    const h = harness();
    await h.consumer.start();
    expect(h.runConfig()).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 2 });
    expect(h.timeline).toEqual([`subscribe {"topics":["treasury.payments"],"fromBeginning":true}`]);
    h.timeline.length = 0;

    await h.eachBatch(
      h.payload([
        message('7', raw.payment('p1', 'L', '1.00')),
        message('8', 'not json'),
        message('9', raw.payment('p2', 'L', '1.00')),
        message('10', raw.payment('p3', 'L', '1.00')),
      ]),
    );
    expect(h.timeline).toEqual([
      'append p1,p2',
      'heartbeat', // between two appends of one batch
      'append p3',
      'dead letters treasury.payments.dlq 1',
      'resolve 10',
      'commit {"topics":[{"topic":"treasury.payments","partitions":[{"partition":3,"offset":"11"}]}]}',
      'heartbeat',
    ]);
    expect(h.metrics.consumerLag.get({ topic: 'treasury.payments', partition: '3' })).toBe(9);
  });

  it('neither resolves nor commits when the dead letters cannot be produced: the batch is delivered again', async () => {
    const h = harness({ deadLettersFail: true });
    await h.consumer.start();
    h.timeline.length = 0;
    await expect(h.eachBatch(h.payload([message('0', raw.payment('p1', 'L', '1.00')), message('1', '{')]))).rejects.toThrow(
      'broker unavailable',
    );
    expect(h.timeline).toEqual(['append p1', 'dead letters treasury.payments.dlq 1']);
  });

  it('leaves a batch fetched after shutdown began untouched', async () => {
    const h = harness();
    await h.consumer.start();
    h.timeline.length = 0;
    await h.eachBatch(h.payload([message('0', raw.payment('p1', 'L', '1.00'))], false));
    expect(h.timeline).toEqual([]);
  });
});
