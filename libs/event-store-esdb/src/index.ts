export {
  EsdbEventStore,
  EventIdPendingError,
  NO_TRANSACTION,
  linkHash,
  toStoredEvent,
  type EsdbEventStoreOptions,
} from './esdb-event-store';
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
