export type SinkHeaderValue = Buffer | string | readonly (Buffer | string)[];

/** One message to produce. The shape is a subset of kafkajs's Message, so the producer takes it as is. */
export interface SinkMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string;
  /** Header values as Kafka keeps them: bytes (a string is sent as UTF-8), repeated under one name as a list. */
  readonly headers?: Readonly<Record<string, SinkHeaderValue>>;
}

/**
 * Where the ledger produces to: the kafkajs producer in production (KafkaMessageSink), a recording
 * sink in tests. `send` resolves only once every message is acknowledged (acks=all), in order;
 * when it rejects, none of the messages may be counted as delivered, and the caller retries them.
 */
export interface MessageSink {
  send(topic: string, messages: readonly SinkMessage[]): Promise<void>;
}
