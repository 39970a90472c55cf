import { READ_ALL_MAX_LIMIT, type Subscription, type SubscriptionOptions } from './event-store';

const DEFAULT_BATCH_SIZE = 1_000;

/** A read limit: a positive safe integer, or a RangeError. */
export function assertLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return limit;
}

/**
 * What every store's subscription shares: the checkpoint loaded before the run starts, the
 * position handled so far, and the callers of caughtUp() waiting for a position. Any failure stops
 * the subscription, and caughtUp() and stop() then reject with the first error. A subclass calls
 * `start()` at the end of its constructor, once its own fields are set.
 */
export abstract class CheckpointedSubscription implements Subscription {
  /** The position of the last event handled (and checkpointed). */
  protected current = 0n;
  protected stopping = false;
  protected readonly batchSize: number;
  private failure: { error: unknown } | undefined;
  private readonly waiters = new Set<{ target: bigint; resolve: () => void; reject: (error: unknown) => void }>();
  private started: Promise<void> = Promise.resolve();
  private done: Promise<void> = Promise.resolve();

  constructor(protected readonly options: SubscriptionOptions) {
    if (options.subscriptionId === '') throw new TypeError('subscriptionId required');
    this.batchSize = Math.min(assertLimit(options.batchSize ?? DEFAULT_BATCH_SIZE), READ_ALL_MAX_LIMIT);
  }

  /** Sets `current` from the stored checkpoint. */
  protected abstract loadCheckpoint(): Promise<void>;
  /** Follows the log until `stopping`; reports a failure through fail(). */
  protected abstract run(): Promise<void>;
  /** The position caughtUp() waits for: the last event stored by now. */
  protected abstract target(): Promise<bigint>;
  /** Wakes the run loop out of a wait, so that it sees `stopping`. */
  protected abstract interrupt(): Promise<void>;

  /** Loads the checkpoint, then runs. Both promises settle without rejecting: the failure is kept. */
  protected start(): void {
    this.started = this.loadCheckpoint();
    this.done = this.started.then(
      () => this.run(),
      (error: unknown) => this.fail(error),
    );
  }

  position = (): bigint => this.current;

  async caughtUp(): Promise<void> {
    const target = await this.target();
    await this.started.catch(() => undefined);
    return new Promise<void>((resolve, reject) => {
      this.waiters.add({ target, resolve, reject });
      this.settleWaiters();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.started.catch(() => undefined);
    await this.interrupt();
    await this.done;
    this.settleWaiters();
    if (this.failure !== undefined) throw this.failure.error;
  }

  protected fail(error: unknown): void {
    if (this.failure === undefined) this.failure = { error };
    this.stopping = true;
    this.settleWaiters();
  }

  /** Resolves the waiters whose position is handled; rejects them all once stopped or failed. */
  protected settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (this.failure !== undefined) waiter.reject(this.failure.error);
      else if (this.current >= waiter.target) waiter.resolve();
      else if (this.stopping) waiter.reject(new Error(`subscription ${this.options.subscriptionId} stopped before catching up`));
      else continue;
      this.waiters.delete(waiter);
    }
  }
}
