import { describeEventStoreContract } from '@ledger/event-store/testing/contract-suite';
import { EsdbEventStore } from './esdb-event-store';
import { EsdbClientLog } from './esdb-log';
import { esdbCases, esdbHarness } from './testing/esdb-harness';

/**
 * The contract suite against a real EventStoreDB: `docker compose up -d eventstore`, then
 * `EVENTSTORE_URL='esdb://localhost:2113?tls=false' npm run test:esdb` (docs/eventstoredb.md).
 * Every id carries a random prefix, so runs share the server without seeing each other's streams.
 */
const url = process.env.EVENTSTORE_URL?.trim();
const title = url
  ? `EsdbEventStore on EventStoreDB (${url})`
  : "EsdbEventStore on EventStoreDB — skipped: EVENTSTORE_URL is not set (docker compose up -d eventstore, then EVENTSTORE_URL='esdb://localhost:2113?tls=false' npm run test:esdb)";

if (url) {
  describeEventStoreContract(
    title,
    async () => {
      const logs: EsdbClientLog[] = [];
      const connect = (): EsdbEventStore => {
        const log = EsdbClientLog.connect(url);
        logs.push(log);
        return new EsdbEventStore(log);
      };
      return esdbHarness(connect, async () => {
        for (const log of logs) await log.close();
      });
    },
    esdbCases,
  );
} else {
  // Jest does not show the name of a suite whose tests were all skipped; say why here, once.
  process.stderr.write(`esdb-event-store.int-spec.ts: ${title.replace('EsdbEventStore on EventStoreDB — ', '')}\n`);
  describe.skip(title, () => {
    it('runs the contract suite against EventStoreDB', () => undefined);
  });
}
