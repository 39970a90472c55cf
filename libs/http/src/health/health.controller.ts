import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Database } from '@ledger/event-store';
import { KafkaHealth, lagVerdict, type LagVerdict } from '@ledger/kafka';
import { createLogger } from '@ledger/observability';
import { DATABASE } from '@ledger/ledger';
import { Public } from '../auth/access.decorator';
import { ApiContract } from '../contract/openapi';

@ApiTags('operations')
@Controller()
export class HealthController {
  private readonly logger = createLogger('ready');

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly kafka: KafkaHealth,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  @Public()
  @ApiContract({ summary: 'Liveness: the process answers', ok: { schema: 'Health', description: 'alive' } })
  health() {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers, and Kafka too when it is configured (KAFKA_BROKERS), with the
   * consumer group no further behind the payments topic than KAFKA_READY_MAX_LAG messages. Anyone
   * may ask, so the answer says only up or down (and the lag figures); why is in the server's log.
   */
  @Get('ready')
  @Public()
  @ApiContract({
    summary: 'Readiness: the database (and Kafka, when configured) answer',
    ok: { schema: 'Ready', description: 'ready' },
    errors: [503],
  })
  async ready() {
    const [database, kafka, lag] = await Promise.all([
      this.db.query('SELECT 1').then(
        () => true,
        (error: unknown) => {
          this.logger.warn({ err: error }, 'not ready: the database does not answer');
          return false;
        },
      ),
      this.kafka.enabled ? this.kafka.check() : Promise.resolve(undefined),
      this.consumerLag(),
    ]);
    if (kafka?.status === 'down') this.logger.warn({ error: kafka.error }, 'not ready: Kafka does not answer');
    const lagging = lag !== undefined && typeof lag !== 'string' && !lag.ready;
    if (lagging) this.logger.warn({ totalLag: lag.totalLag.toString(), maxLag: lag.maxLag }, 'not ready: the consumer group is behind');
    const kafkaReport = {
      ...(kafka === undefined ? {} : { kafka: kafka.status === 'up' ? 'up' : 'down' }),
      ...(lag === undefined || typeof lag === 'string' ? {} : { kafkaLag: lagReport(lag) }),
    };
    if (!database || kafka?.status === 'down' || lagging) {
      // What is down, never why (the error texts are in the server's log): the lag is no secret.
      const problems = [
        database ? undefined : 'database: down',
        kafka?.status === 'down' ? 'kafka: down' : undefined,
        lagging ? `kafka: the consumer group is ${lag.totalLag} messages behind (more than KAFKA_READY_MAX_LAG ${lag.maxLag})` : undefined,
      ].filter(Boolean);
      throw new HttpException(
        { status: 'unavailable', database: database ? this.db.kind : 'down', ...kafkaReport, message: `not ready: ${problems.join('; ')}` },
        503,
      );
    }
    return { status: 'ready', database: this.db.kind, ...kafkaReport };
  }

  /** The lag verdict; undefined when unchecked, the error text when the broker did not answer (reported by check()). */
  private async consumerLag(): Promise<LagVerdict | string | undefined> {
    if (!this.kafka.enabled || this.kafka.readyMaxLag === 0) return undefined;
    try {
      return lagVerdict(await this.kafka.consumerLag(), this.kafka.readyMaxLag);
    } catch (error) {
      return (error as Error).message;
    }
  }
}

function lagReport(verdict: LagVerdict) {
  return {
    total: verdict.totalLag.toString(),
    max: verdict.maxLag,
    // Bounded: a topic may have hundreds of partitions; the worst ten say enough.
    behind: verdict.behind.slice(0, 10).map((p) => ({ topic: p.topic, partition: p.partition, lag: p.lag.toString() })),
  };
}
