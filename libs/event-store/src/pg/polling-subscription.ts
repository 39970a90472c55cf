import type { Database } from '../db/database';
import type { ReadAllOptions, StoredEvent, SubscriptionHandler, SubscriptionOptions } from '../event-store';
import { CheckpointedSubscription } from '../subscription-base';

const DEFAULT_POLL_INTERVAL_MS = 100;

/** What a subscription reads of the log. */
export interface FollowedLog {
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  /** Every event committed by now, readable or not yet. */
  lastCommittedPosition(): Promise<bigint>;
}

/**
 * Follows the log by polling readAll. Each batch is handled in one transaction that also advances
 * the checkpoint, so the handler's writes and the checkpoint commit together or not at all. Any
 * error stops the subscription; caughtUp() and stop() then reject with it, and the batch that
 * failed is handled again by the next subscription under the same id.
 */
export class PollingSubscription extends CheckpointedSubscription {
  private wake: (() => void) | undefined;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly db: Database,
    private readonly log: FollowedLog,
    options: SubscriptionOptions,
    private readonly handler: SubscriptionHandler,
  ) {
    super(options);
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (!Number.isFinite(this.pollIntervalMs) || this.pollIntervalMs < 0) throw new RangeError('pollIntervalMs must be ≥ 0');
    this.start();
  }

  protected target(): Promise<bigint> {
    // Every event committed by now, not only those readable now (headPosition): otherwise a
    // transaction running elsewhere on the server could make caughtUp() resolve before our own appends.
    return this.log.lastCommittedPosition();
  }

  protected interrupt(): Promise<void> {
    this.wake?.();
    return Promise.resolve();
  }

  protected async loadCheckpoint(): Promise<void> {
    await this.db.query(
      'INSERT INTO ledger_checkpoints (subscription_id, position) VALUES ($1, 0) ON CONFLICT (subscription_id) DO NOTHING',
      [this.options.subscriptionId],
    );
    const rows = await this.db.query<{ position: bigint }>('SELECT position FROM ledger_checkpoints WHERE subscription_id = $1', [
      this.options.subscriptionId,
    ]);
    this.current = rows[0]?.position ?? 0n;
  }

  protected async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const events = await this.log.readAll({ after: this.current, limit: this.batchSize });
        const last = events[events.length - 1];
        if (last === undefined) {
          this.settleWaiters();
          await this.sleep();
          continue;
        }
        await this.db.transaction(async (tx) => {
          await this.handler(events, tx);
          // Guarded by the position we started from, so that two instances under one id cannot both
          // advance it: the second one fails and rolls its batch back.
          const updated = await tx.query(
            'UPDATE ledger_checkpoints SET position = $2::bigint, updated_at = now() WHERE subscription_id = $1 AND position = $3::bigint RETURNING 1',
            [this.options.subscriptionId, last.position.toString(), this.current.toString()],
          );
          if (updated.length !== 1) {
            throw new Error(`subscription ${this.options.subscriptionId}: its checkpoint was moved by another instance`);
          }
        });
        this.current = last.position;
        this.settleWaiters();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, this.pollIntervalMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
