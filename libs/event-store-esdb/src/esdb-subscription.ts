import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import {
  CheckpointedSubscription,
  type Sql,
  type StoredEvent,
  type SubscriptionHandler,
  type SubscriptionOptions,
} from '@ledger/event-store';
import {
  CHECKPOINT_EVENT_TYPE,
  checkpointStreamOf,
  decodeCheckpoint,
  encodeCheckpoint,
  isLedgerStream,
  readPositionAfter,
  type EsdbExpectedRevision,
} from './encoding';
import { headPosition } from './esdb-reads';
import type { EsdbAllSubscription, EsdbLog } from './esdb-log';
import { describe, toStoredEvent } from './records';

/** Checkpoints kept per subscription: only the last is read; a few more help when looking into a problem. */
const CHECKPOINTS_KEPT = 16;

/** The handler's `tx` on EventStoreDB: there is no transaction to join, so any use of it is a programmer error. */
export const NO_TRANSACTION: Sql = {
  query: () =>
    Promise.reject(
      new Error(
        'EsdbEventStore subscriptions have no transaction: a handler writes to its own store and must be idempotent (at-least-once delivery)',
      ),
    ),
};

/**
 * Follows $all with a catch-up subscription from the stored checkpoint. A batch is handed to the
 * handler when it is full or when no more events are buffered; after the handler resolves, the
 * checkpoint is appended to `$ledger-checkpoint-<subscriptionId>`, expecting the revision of the
 * last checkpoint this instance wrote, so that two instances under one id cannot both advance it.
 * The handler's writes and the checkpoint are not atomic: after a crash between them the batch is
 * handled again. Any error stops the subscription; caughtUp() and stop() then reject with it.
 */
export class EsdbSubscription extends CheckpointedSubscription {
  private checkpointRevision: EsdbExpectedRevision = 'no_stream';
  private live: EsdbAllSubscription | undefined;
  private readonly stream: string;

  constructor(
    private readonly log: EsdbLog,
    options: SubscriptionOptions,
    private readonly handler: SubscriptionHandler,
  ) {
    super(options);
    this.stream = checkpointStreamOf(options.subscriptionId);
    this.start();
  }

  protected target(): Promise<bigint> {
    return headPosition(this.log);
  }

  protected async interrupt(): Promise<void> {
    await this.live?.close();
  }

  protected async loadCheckpoint(): Promise<void> {
    const [last] = await this.log.readStream(this.stream, { fromRevision: 'end', maxCount: 1, direction: 'backwards' });
    if (last === undefined) return;
    this.current = decodeCheckpoint(last.data, describe(last));
    this.checkpointRevision = last.revision;
  }

  protected async run(): Promise<void> {
    if (this.stopping) return;
    const live = this.log.subscribeToAll(readPositionAfter(this.current));
    this.live = live;
    let batch: StoredEvent[] = [];
    let handlerFailed = false;
    try {
      for await (const record of live) {
        if (this.stopping) break;
        if (isLedgerStream(record.streamId)) {
          const event = toStoredEvent(record);
          // The subscription starts at the checkpoint, which it may deliver again.
          if (event.position > (batch[batch.length - 1]?.position ?? this.current)) batch.push(event);
        }
        if (batch.length > 0 && (batch.length >= this.batchSize || live.buffered() === 0)) {
          try {
            await this.handle(batch);
          } catch (error) {
            handlerFailed = true;
            throw error;
          }
          batch = [];
        }
      }
    } catch (error) {
      // Closing the subscription in stop() may end the read with a cancellation error: not a failure.
      if (handlerFailed || !this.stopping) this.fail(error);
    } finally {
      // Ends the server-side subscription whichever way the loop ended.
      await live.close().catch(() => undefined);
    }
    this.stopping = true;
    this.settleWaiters();
  }

  private async handle(batch: readonly StoredEvent[]): Promise<void> {
    const last = batch[batch.length - 1] as StoredEvent;
    await this.handler(batch, NO_TRANSACTION);
    const expected = this.checkpointRevision;
    try {
      await this.log.append(
        this.stream,
        [{ id: randomUUID(), type: CHECKPOINT_EVENT_TYPE, data: encodeCheckpoint(last.position), metadata: {} }],
        expected,
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new Error(`subscription ${this.options.subscriptionId}: its checkpoint was moved by another instance`);
      }
      throw error;
    }
    // Old checkpoints are of no use: let the server drop them.
    if (expected === 'no_stream') await this.log.setMaxCount(this.stream, CHECKPOINTS_KEPT);
    this.checkpointRevision = expected === 'no_stream' ? 0n : (expected as bigint) + 1n;
    this.current = last.position;
    this.settleWaiters();
  }
}
