// Kafka: treasury payments in (the payment pipeline and consumer), ledger events and alerts out
// (the publisher), the client, its configuration, topics and health.
export * from './kafka-config';
export * from './message-sink';
export * from './payment-pipeline';
export * from './ledger-publisher';
export * from './kafka-client';
export * from './kafka-consumer';
export * from './kafka-health';
export * from './topics';
