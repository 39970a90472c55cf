import { Kafka, logLevel, Partitioners, type IHeaders, type KafkaConfig, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import type { Logger } from '@ledger/observability';
import type { LedgerKafkaConfig } from './kafka-config';
import type { MessageSink, SinkHeaderValue, SinkMessage } from './message-sink';

/** The kafkajs client of the configuration, logging through pino. */
export function createKafka(config: LedgerKafkaConfig, logger: Logger, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl,
    sasl: saslOptions(config.sasl),
    logLevel: logLevel.INFO,
    logCreator: () => (entry: LogEntry) => logKafka(logger, entry),
    ...overrides,
  });
}

function saslOptions(sasl: LedgerKafkaConfig['sasl']): SASLOptions | undefined {
  if (sasl === undefined) return undefined;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}

function logKafka(logger: Logger, entry: LogEntry): void {
  const { message, timestamp: _timestamp, ...extra } = entry.log;
  const fields = { kafka: entry.namespace, ...(extra as Record<string, unknown>) };
  switch (entry.level) {
    case logLevel.ERROR:
      logger.error(fields, message);
      break;
    case logLevel.WARN:
      logger.warn(fields, message);
      break;
    case logLevel.INFO:
      logger.info(fields, message);
      break;
    case logLevel.DEBUG:
    case logLevel.NOTHING:
      logger.debug(fields, message);
      break;
  }
}

/**
 * The MessageSink of the producer: acks from all in-sync replicas, and an idempotent producer with
 * one request in flight, so that a retried send neither duplicates nor reorders a partition.
 * Connects on first use (and again after a failure), so a broker that is down at start only
 * delays the first send.
 */
export class KafkaMessageSink implements MessageSink {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as the Java client does: treasury's producers and ours agree on partitions.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async send(topic: string, messages: readonly SinkMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    try {
      await this.producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({
          key: m.key,
          value: m.value,
          headers: m.headers === undefined ? undefined : headersOf(m.headers),
        })),
      });
    } catch (error) {
      // A fresh connection next time: kafkajs leaves some failed producers unusable.
      this.connected = undefined;
      await this.producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    this.connected = undefined;
    await this.producer.disconnect();
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }
}

function headersOf(headers: Readonly<Record<string, SinkHeaderValue>>): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? [...(value as (Buffer | string)[])] : (value as Buffer | string);
  }
  return out;
}
