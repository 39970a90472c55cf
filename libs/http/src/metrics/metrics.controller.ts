import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { KafkaHealth } from '@ledger/kafka';
import { createLogger, defaultRegistry, ingestionMetrics } from '@ledger/observability';
import { Allow } from '../auth/access.decorator';
import { ApiContract } from '../contract/openapi';

const KAFKA_LAG_TIMEOUT_MS = 2_000;

@ApiTags('operations')
@Controller()
export class MetricsController {
  private readonly metrics = ingestionMetrics(defaultRegistry);
  private readonly kafkaUp = defaultRegistry.gauge(
    'ledger_kafka_up',
    'Whether the last scrape could read the consumer group offsets from Kafka (1) or not (0).',
  );
  private readonly logger = createLogger('metrics');

  constructor(private readonly kafka: KafkaHealth) {}

  /**
   * Prometheus scrape. The counters are this process's; the consumer lag is read from the broker
   * at scrape time (the group's committed offsets against the high watermarks), so it is right
   * whichever process consumes.
   */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Allow('auditor')
  @ApiContract({
    summary: 'Counters (consumed, stored, duplicates, dead-lettered, published) and consumer lag, in the Prometheus text format.',
    ok: { description: 'the Prometheus text format', produces: 'text/plain' },
  })
  async scrape(): Promise<string> {
    if (this.kafka.enabled) {
      try {
        for (const { topic, partition, lag } of await this.kafka.consumerLag(KAFKA_LAG_TIMEOUT_MS)) {
          this.metrics.consumerLag.set({ topic, partition: String(partition) }, Number(lag));
        }
        this.kafkaUp.set({}, 1);
      } catch (error) {
        // The scrape still answers: the counters are worth having while the broker is away.
        this.kafkaUp.set({}, 0);
        this.logger.warn({ err: error }, 'consumer lag unavailable');
      }
    }
    return defaultRegistry.render();
  }
}
