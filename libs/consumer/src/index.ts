// The Kafka application: the payment consumer and the ledger publisher on the shared LedgerModule.
// apps/consumer/src/main.ts and the CLI's `consume` and `publish` start it.
export * from './start-consumer';
export * from './consumer.module';
