import type { Database } from '@ledger/event-store';
import { PgEventStore } from '@ledger/event-store';
import { Ingestion, type AppendSummary } from '@ledger/ingestion';
import { DEFAULT_RULES, type LedgerRules } from '@ledger/reporting';
import { LedgerWriter, type Clock, type PaymentPolicy } from '../append/ledger-writer';

/** The write side over a test database, fed raw JSON events exactly as `append` feeds them. */
export interface TestLedger {
  readonly store: PgEventStore;
  readonly writer: LedgerWriter;
  append(raw: readonly unknown[], batchSize?: number): Promise<AppendSummary>;
}

export function testLedger(
  db: Database,
  options: { paymentPolicy?: PaymentPolicy; rules?: LedgerRules; lanes?: number; clock?: Clock } = {},
): TestLedger {
  const store = new PgEventStore(db);
  const writer = new LedgerWriter(db, store, {
    paymentPolicy: options.paymentPolicy ?? 'reject',
    scoring: (options.rules ?? DEFAULT_RULES).scoring,
    lanes: options.lanes,
    clock: options.clock,
  });
  return {
    store,
    writer,
    async append(raw, batchSize = 1000) {
      const ingestion = new Ingestion(writer, batchSize);
      for (const [i, value] of raw.entries()) await ingestion.addValue(i + 1, value);
      return ingestion.finish();
    },
  };
}
