import { newEvent } from '@ledger/event-store/testing/events';
import type { ContractContext, EventStoreHarness } from '@ledger/event-store/testing/contract-suite';
import { checkpointStreamOf, decodeCheckpoint } from '../encoding';
import type { EsdbEventStore } from '../esdb-event-store';

/**
 * The contract suite's harness on an EventStoreDB log, in memory or on a server: `connect` opens
 * a store with nothing in memory, `close` lets go of every log it opened. Events are readable as
 * soon as their append returns, so the settled head is the head.
 */
export function esdbHarness(connect: () => EsdbEventStore, close: () => Promise<void>): EventStoreHarness {
  const store = connect();
  return {
    store,
    reopen: connect,
    settledHead: () => store.headPosition(),
    async checkpoint(subscriptionId) {
      const [last] = await store.log.readStream(checkpointStreamOf(subscriptionId), {
        fromRevision: 'end',
        maxCount: 1,
        direction: 'backwards',
      });
      return last === undefined ? undefined : decodeCheckpoint(last.data, 'checkpoint');
    },
    close,
  };
}

/**
 * What EventStoreDB adds to the contract, declared inside the contract suite so that it runs on
 * every log the suite runs on: the names it keeps for itself, and subscription handlers without
 * a transaction.
 */
export function esdbCases({ harness, fresh }: ContractContext): void {
  describe('EventStoreDB', () => {
    it("refuses stream names and types starting with '$', EventStoreDB's and the adapter's own, before writing", async () => {
      const s = harness().store;
      const streamId = fresh('bad');
      await expect(s.append([{ streamId, events: [newEvent(fresh('e'), { type: '$metadata' })] }])).rejects.toThrow(/type/);
      await expect(s.append([{ streamId: `$${streamId}`, events: [newEvent(fresh('e'))] }])).rejects.toThrow(/'\$'/);
      await expect(s.readStream('$ledger-eventid-x')).rejects.toThrow(TypeError);
      expect(await s.readStream(streamId)).toEqual([]);
    });

    it('gives the handler no transaction: using it fails loudly', async () => {
      const s = harness().store;
      const errors: unknown[] = [];
      await s.append([{ streamId: fresh('sub-tx'), events: [newEvent(fresh('t'))] }]);
      const sub = s.subscribe({ subscriptionId: fresh('tx') }, async (_events, tx) => {
        await tx.query('SELECT 1').catch((error: unknown) => errors.push(error));
      });
      await sub.caughtUp();
      await sub.stop();
      expect(errors.length).toBeGreaterThan(0);
      expect(String(errors[0])).toMatch(/no transaction/);
    });
  });
}
