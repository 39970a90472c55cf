import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '@ledger/observability';
import type { LedgerKafkaConfig } from './kafka-config';
import { createKafka } from './kafka-client';

export type KafkaStatus =
  { readonly status: 'up'; readonly brokers: number; readonly clusterId: string } | { readonly status: 'down'; readonly error: string };

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** High watermark minus the group's committed offset (from the low watermark when it never committed). */
  readonly lag: bigint;
}

export const DEFAULT_KAFKA_PING_TIMEOUT_MS = 2_000;

export interface LagVerdict {
  /** False while the summed lag exceeds the threshold. */
  readonly ready: boolean;
  readonly totalLag: bigint;
  /** The threshold; 0 means the lag is not checked. */
  readonly maxLag: number;
  /** The partitions that lag at all, most behind first (what an operator looks at first). */
  readonly behind: readonly PartitionLag[];
}

/**
 * Whether the group is close enough to the head of the payments topic for the ledger's figures to
 * be served: the lag summed over partitions against `maxLag` (KAFKA_READY_MAX_LAG; 0 = unchecked).
 * Summed, because a reader of a department's figures waits for the messages before them wherever
 * they are, and one threshold is easier to set than one per partition count.
 */
export function lagVerdict(lags: readonly PartitionLag[], maxLag: number): LagVerdict {
  const totalLag = lags.reduce((sum, p) => sum + p.lag, 0n);
  const behind = lags.filter((p) => p.lag > 0n).sort((a, b) => (a.lag === b.lag ? a.partition - b.partition : a.lag > b.lag ? -1 : 1));
  return { ready: maxLag === 0 || totalLag <= BigInt(maxLag), totalLag, maxLag, behind };
}

/**
 * Readiness and lag from the broker's point of view, through one admin client made on first use.
 * Every call is bounded by a timeout, so a readiness probe never hangs on a dead broker; after a
 * failure the client is dropped and made again on the next call.
 */
export class KafkaHealth {
  private admin: Promise<Admin> | undefined;
  private readonly kafka: Kafka | undefined;

  constructor(
    private readonly config: LedgerKafkaConfig | undefined,
    logger: Logger,
  ) {
    // Few, short retries, all within the probe's timeout: without any, the first offset fetch of a
    // fresh client failed against a real broker (its group coordinator not yet in the client's
    // broker pool: "No brokers in the broker pool"), so every probe after a reconnect said "down".
    this.kafka =
      config === undefined
        ? undefined
        : createKafka(config, logger, { connectionTimeout: 1_000, retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 400 } });
  }

  /** KAFKA_READY_MAX_LAG: the lag above which the ledger is not ready (0: not checked). */
  get readyMaxLag(): number {
    return this.config?.readyMaxLag ?? 0;
  }

  /** False when KAFKA_BROKERS is unset: readiness then says nothing about Kafka. */
  get enabled(): boolean {
    return this.kafka !== undefined;
  }

  async check(timeoutMs = DEFAULT_KAFKA_PING_TIMEOUT_MS): Promise<KafkaStatus> {
    try {
      const cluster = await this.withAdmin((admin) => admin.describeCluster(), timeoutMs);
      return { status: 'up', brokers: cluster.brokers.length, clusterId: cluster.clusterId };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }

  /** The consumer group's lag on the payments topic, per partition. */
  async consumerLag(timeoutMs = DEFAULT_KAFKA_PING_TIMEOUT_MS): Promise<PartitionLag[]> {
    const config = this.config;
    if (config === undefined) return [];
    return this.withAdmin(async (admin) => {
      const [watermarks, committed] = await Promise.all([
        admin.fetchTopicOffsets(config.paymentsTopic),
        admin.fetchOffsets({ groupId: config.groupId, topics: [config.paymentsTopic] }),
      ]);
      const committedByPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      return watermarks.map((w) => {
        const done = committedByPartition.get(w.partition);
        // -1: the group never committed on that partition; it will start at the low watermark.
        const from = done === undefined || done < 0n ? BigInt(w.low) : done;
        const lag = BigInt(w.high) - from;
        return { topic: config.paymentsTopic, partition: w.partition, lag: lag > 0n ? lag : 0n };
      });
    }, timeoutMs);
  }

  /** Nest calls it when the app that registered this provider shuts down. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin !== undefined) await (await admin.catch(() => undefined))?.disconnect();
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>, timeoutMs: number): Promise<T> {
    const kafka = this.kafka;
    if (kafka === undefined) throw new Error('Kafka is not configured (KAFKA_BROKERS)');
    if (this.admin === undefined) {
      const admin = kafka.admin();
      this.admin = admin.connect().then(() => admin);
    }
    const admin = this.admin;
    try {
      return await withTimeout(admin.then(fn), timeoutMs);
    } catch (error) {
      if (this.admin === admin) this.admin = undefined;
      void admin.then((a) => a.disconnect()).catch(() => undefined);
      throw error;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${timeoutMs} ms`)), timeoutMs);
  });
  // The losing promise may still reject later; it is handled so that it cannot go unhandled.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
