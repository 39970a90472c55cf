import type { LedgerError } from '../errors';

/**
 * What the write side answers for each event of a batch: the contract between it (libs/ledger's
 * LedgerWriter) and every way in (libs/ingestion, Kafka, HTTP), which report and settle by it.
 */
export type AppendItemResult =
  | { readonly status: 'appended'; readonly eventId: string; readonly position: bigint; readonly warnings: readonly LedgerError[] }
  | { readonly status: 'duplicate'; readonly eventId: string; readonly position: bigint }
  | { readonly status: 'rejected'; readonly eventId: string; readonly error: LedgerError };

/** Largest batch one transaction takes; callers chunk larger inputs. */
export const MAX_BATCH_EVENTS = 10_000;
