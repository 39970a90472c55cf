import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@ledger/observability';
import type { IngestionMetrics } from '@ledger/observability';
import type { LedgerKafkaConfig } from './kafka-config';
import type { MessageSink } from './message-sink';
import { processAndCommit, type ConsumedMessage, type PaymentPipeline } from './payment-pipeline';

/**
 * The kafkajs side of the payment consumer, kept thin: it hands each batch to the pipeline and
 * resolves and commits the offsets only after the pipeline stored the events and the dead letters
 * were acknowledged (processAndCommit). Auto-commit and auto-resolve are off, so no offset moves
 * by itself. Backpressure is the await: the next batch of a partition is not taken before the
 * database has stored this one, and a batch is bounded by maxBytesPerPartition.
 */
export class KafkaPaymentConsumer {
  private readonly consumer: Consumer;
  private crashed: ((error: Error) => void) | undefined;
  /** Rejects when kafkajs gives up on the consumer (a crash it will not restart); the process should exit then. */
  readonly failed: Promise<never>;

  constructor(
    kafka: Kafka,
    private readonly config: LedgerKafkaConfig,
    private readonly pipeline: PaymentPipeline,
    private readonly deadLetters: MessageSink,
    private readonly logger: Logger,
    private readonly metrics: IngestionMetrics,
  ) {
    this.consumer = kafka.consumer({
      groupId: config.groupId,
      maxBytesPerPartition: config.maxBytesPerPartition,
      maxBytes: config.maxBytes,
      sessionTimeout: config.sessionTimeoutMs,
      // kafkajs's default ratio (3 s against 30 s), kept for shorter sessions.
      heartbeatInterval: Math.max(1_000, Math.floor(config.sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
    });
    this.failed = new Promise<never>((_, reject) => {
      this.crashed = reject;
    });
    // Nobody may be listening yet; the rejection is still delivered to whoever awaits `failed` later.
    this.failed.catch(() => undefined);
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.logger.error({ err: error, restart }, restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good');
      if (!restart) this.crashed?.(error);
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    // From the beginning for a new group: a payment published before the ledger first ran is still a payment.
    await this.consumer.subscribe({ topics: [this.config.paymentsTopic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.logger.info({ topic: this.config.paymentsTopic, groupId: this.config.groupId }, 'consuming');
  }

  /** Waits for the batch in hand to be stored and committed, then leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // A batch fetched after shutdown began, or one made stale by a seek/rebalance, is left for re-delivery.
    if (batch.isEmpty() || !payload.isRunning() || payload.isStale()) return;
    const messages: ConsumedMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key ?? null,
      value: m.value,
      headers: m.headers,
    }));
    const result = await processAndCommit(this.pipeline, messages, {
      deadLetters: this.deadLetters,
      deadLetterTopic: this.config.deadLetterTopic,
      between: () => payload.heartbeat(),
      commit: async (commits) => {
        payload.resolveOffset(batch.lastOffset());
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: commits.map((c) => ({ partition: c.partition, offset: c.offset })) }],
        });
      },
    });
    const committed = result.commits[0]?.offset;
    if (committed !== undefined) {
      const lag = BigInt(batch.highWatermark) - BigInt(committed);
      this.metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(lag > 0n ? lag : 0n));
    }
    await payload.heartbeat();
  }
}
