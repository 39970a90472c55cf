import { Module, type DynamicModule } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Kafka } from 'kafkajs';
import { PgEventStore } from '@ledger/event-store';
import {
  createKafka,
  KafkaMessageSink,
  KafkaPaymentConsumer,
  LedgerPublisher,
  PaymentPipeline,
  type LedgerKafkaConfig,
} from '@ledger/kafka';
import { createLogger, ingestionMetrics } from '@ledger/observability';
import { AppendEventsCommand, LEDGER_CONFIG, LedgerModule, type LedgerConfig } from '@ledger/ledger';

export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** Two producers, so that a failure of one (its reconnect) never cuts the other's send short. */
export const DEAD_LETTER_SINK = Symbol('DEAD_LETTER_SINK');
export const PUBLISHER_SINK = Symbol('PUBLISHER_SINK');

/**
 * The Kafka side of the ledger: the payment consumer (treasury.payments → the ledger) and the
 * publisher (the ledger → ledger.events / ledger.alerts), on the shared LedgerModule. Nothing here
 * starts by itself: start-consumer.ts starts and stops them in the order shutdown needs.
 */
/** Who the consumer records as having posted what it takes from Kafka: LEDGER_CONSUMER_IDENTITY, else its group. */
export function consumerIdentity(kafka: LedgerKafkaConfig, env: NodeJS.ProcessEnv = process.env): string {
  return env.LEDGER_CONSUMER_IDENTITY || `kafka:${kafka.groupId}`;
}

@Module({})
export class ConsumerModule {
  static forRoot(kafka: LedgerKafkaConfig, ledger?: LedgerConfig): DynamicModule {
    return {
      module: ConsumerModule,
      imports: [LedgerModule.forRoot(ledger)],
      providers: [
        { provide: KAFKA_CONFIG, useValue: kafka },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(kafka, createLogger('kafkajs')) },
        { provide: DEAD_LETTER_SINK, useFactory: (client: Kafka) => new KafkaMessageSink(client), inject: [KAFKA_CLIENT] },
        { provide: PUBLISHER_SINK, useFactory: (client: Kafka) => new KafkaMessageSink(client), inject: [KAFKA_CLIENT] },
        {
          provide: PaymentPipeline,
          // Through the command bus, like every other way in: the append path is one.
          useFactory: (commands: CommandBus, config: LedgerConfig) =>
            new PaymentPipeline(
              { append: (events) => commands.execute(new AppendEventsCommand(events, { recordedBy: consumerIdentity(kafka) })) },
              { batchSize: config.batchSize, logger: createLogger('consumer') },
            ),
          inject: [CommandBus, LEDGER_CONFIG],
        },
        {
          provide: KafkaPaymentConsumer,
          useFactory: (client: Kafka, pipeline: PaymentPipeline, sink: KafkaMessageSink) =>
            new KafkaPaymentConsumer(client, kafka, pipeline, sink, createLogger('consumer'), ingestionMetrics()),
          inject: [KAFKA_CLIENT, PaymentPipeline, DEAD_LETTER_SINK],
        },
        {
          provide: LedgerPublisher,
          useFactory: (store: PgEventStore, sink: KafkaMessageSink) =>
            new LedgerPublisher(store, sink, {
              ledgerTopic: kafka.ledgerTopic,
              alertsTopic: kafka.alertsTopic,
              logger: createLogger('publisher'),
            }),
          inject: [PgEventStore, PUBLISHER_SINK],
        },
      ],
      exports: [KafkaPaymentConsumer, LedgerPublisher, DEAD_LETTER_SINK, PUBLISHER_SINK],
    };
  }
}
