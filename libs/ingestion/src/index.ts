// Events in, in bulk: NDJSON lines and JSON values parsed, batched and appended, each accepted or
// rejected on its own. The Kafka transport is @ledger/kafka; logs and metrics @ledger/observability.
export * from './ndjson-lines';
export * from './ingest';
export * from './event-limits';
