import { THRESHOLD_CROSSED } from '@ledger/domain';
import type { EventStore, JsonObject, StoredEvent, Subscription } from '@ledger/event-store';
import type { Logger } from '@ledger/observability';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, type IngestionMetrics } from '@ledger/observability';
import type { MessageSink, SinkMessage } from './message-sink';

/**
 * Ledger events out, with the event table as the transactional outbox: an event (or alert) is in
 * ledger_events only if the transaction that decided it committed, so following the log publishes
 * exactly what was stored. The publisher is a subscription of the store: each batch is sent to
 * the sink, and the checkpoint advances (in the subscription's transaction) only after the sink
 * acknowledged. A sink that fails leaves the checkpoint where it was; the publisher retries from
 * there, so a broker outage only delays publishing, in order.
 *
 * Delivery is at-least-once: a crash after the sink acknowledged and before the checkpoint
 * committed publishes that batch again. Consumers dedupe on `eventId` (also a message header).
 */

export const PUBLISHER_SUBSCRIPTION_ID = 'kafka-publisher';

/** The message value: the fields of a `GET /v1/events` item. `position` is a decimal string (it is an int8). */
export interface PublishedEvent {
  readonly position: string;
  readonly recordedAt: string;
  readonly eventId: string;
  readonly type: string;
  readonly effectiveDate: string;
  readonly correction: boolean;
  readonly data: JsonObject;
  readonly metadata: JsonObject | null;
}

export interface LedgerPublisherOptions {
  readonly ledgerTopic: string;
  readonly alertsTopic: string;
  readonly subscriptionId?: string;
  /** Events per sink call (and per checkpoint transaction); default 500. */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** First wait after a failure; doubles up to maxRetryDelayMs. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** How often a healthy subscription is checked for a failure outside the handler (a lost database). */
  readonly watchIntervalMs?: number;
  readonly logger?: Logger;
  readonly metrics?: IngestionMetrics;
}

const DEFAULT_PUBLISH_BATCH = 500;

export class LedgerPublisher {
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private failures = 0;
  private readonly logger: Logger;
  private readonly metrics: IngestionMetrics;

  constructor(
    private readonly store: EventStore,
    private readonly sink: MessageSink,
    private readonly options: LedgerPublisherOptions,
  ) {
    this.logger = options.logger ?? silentLogger();
    this.metrics = options.metrics ?? ingestionMetrics();
  }

  /** Position of the last event published and checkpointed by the current subscription. */
  position(): bigint {
    return this.subscription?.position() ?? 0n;
  }

  /** Consecutive failed attempts (0 once a batch went through). */
  consecutiveFailures(): number {
    return this.failures;
  }

  start(): void {
    if (this.running !== undefined) throw new Error('the publisher is already started');
    this.stopping = false;
    this.running = this.supervise();
  }

  /** Finishes the batch in hand (its checkpoint included) and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.subscription?.stop().catch(() => undefined);
    await this.running;
    this.running = undefined;
  }

  /**
   * Runs one subscription at a time. The store's subscription stops at its first error (the batch
   * that failed is not checkpointed); the supervisor notices — through caughtUp(), which rejects
   * with that error — waits, and subscribes again from the checkpoint.
   */
  private async supervise(): Promise<void> {
    const subscriptionId = this.options.subscriptionId ?? PUBLISHER_SUBSCRIPTION_ID;
    const initialDelayMs = this.options.retryDelayMs ?? 500;
    const maxDelayMs = this.options.maxRetryDelayMs ?? 30_000;
    while (!this.stopping) {
      const subscription = this.store.subscribe(
        { subscriptionId, batchSize: this.options.batchSize ?? DEFAULT_PUBLISH_BATCH, pollIntervalMs: this.options.pollIntervalMs },
        (events) => this.publish(events),
      );
      this.subscription = subscription;
      try {
        while (!this.stopping) {
          await subscription.caughtUp();
          await this.sleep(this.options.watchIntervalMs ?? 1_000);
        }
        await subscription.stop();
      } catch (error) {
        await subscription.stop().catch(() => undefined);
        if (this.stopping) break;
        this.failures += 1;
        this.metrics.publishFailures.inc();
        const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.failures - 1, 16));
        this.logger.error(
          { err: error, failures: this.failures, retryInMs: delayMs, position: subscription.position().toString() },
          'publisher failed; retrying from the checkpoint',
        );
        await this.sleep(delayMs);
      }
    }
  }

  private async publish(events: readonly StoredEvent[]): Promise<void> {
    const messages = events.map(toMessage);
    await this.sink.send(this.options.ledgerTopic, messages);
    const alerts = messages.filter((_, i) => (events[i] as StoredEvent).type === THRESHOLD_CROSSED);
    if (alerts.length > 0) await this.sink.send(this.options.alertsTopic, alerts);
    // Counted and logged once acknowledged; the checkpoint commits right after this returns.
    this.failures = 0;
    this.metrics.published.inc({ topic: this.options.ledgerTopic }, messages.length);
    if (alerts.length > 0) this.metrics.published.inc({ topic: this.options.alertsTopic }, alerts.length);
    const first = events[0];
    const last = events[events.length - 1];
    if (this.logger.isLevelEnabled('debug')) {
      for (const event of events) {
        this.logger.debug({ eventId: event.eventId, position: event.position.toString(), type: event.type }, 'published');
      }
    }
    this.logger.info(
      { events: events.length, alerts: alerts.length, firstPosition: first?.position.toString(), lastPosition: last?.position.toString() },
      'published',
    );
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

export function toPublishedEvent(event: StoredEvent): PublishedEvent {
  return {
    position: event.position.toString(),
    recordedAt: event.recordedAt,
    eventId: event.eventId,
    type: event.type,
    effectiveDate: event.effectiveDate,
    correction: event.correction,
    data: event.data,
    metadata: event.metadata,
  };
}

function toMessage(event: StoredEvent): SinkMessage {
  return {
    key: departmentOf(event),
    value: JSON.stringify(toPublishedEvent(event)),
    headers: { eventId: event.eventId, type: event.type, position: event.position.toString() },
  };
}

const STREAM_ID = /^budget-(.+)-(\d{4})$/;

/**
 * The partition key: the department, so that one department's events stay in order on one
 * partition. BudgetLineOpened, PeriodClosed and ThresholdCrossed name it in their data; every
 * other event is in its department-year's stream, `budget-<department>-<year>`.
 */
export function departmentOf(event: Pick<StoredEvent, 'data' | 'streamId'>): string {
  const named = event.data.department;
  if (typeof named === 'string' && named !== '') return named;
  const match = STREAM_ID.exec(event.streamId);
  // A stream outside the ledger's naming keeps its own id as key: still one partition per stream.
  return match?.[1] ?? event.streamId;
}
