export { EsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';
export { EventIdPendingError } from './claims';
export { NO_TRANSACTION } from './esdb-subscription';
export { linkHash, toStoredEvent } from './records';
export {
  EsdbClientLog,
  DEFAULT_APPEND_DEADLINE_MS,
  type EsdbLog,
  type EsdbClientLogOptions,
  type EsdbProposedEvent,
  type EsdbRecordedEvent,
  type EsdbAllSubscription,
} from './esdb-log';
export * from './encoding';
