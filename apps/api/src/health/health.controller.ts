import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Database } from '@ledger/event-store';
import { KafkaHealth, lagVerdict, type LagVerdict } from '@ledger/ingestion';
import { DATABASE } from '@ledger/ledger';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly kafka: KafkaHealth,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers, and Kafka too when it is configured (KAFKA_BROKERS), with the
   * consumer group no further behind the payments topic than KAFKA_READY_MAX_LAG messages.
   */
  @Get('ready')
  async ready() {
    const [database, kafka, lag] = await Promise.all([
      this.db.query('SELECT 1').then(
        () => ({ ok: true as const, status: this.db.kind }),
        (error: unknown) => ({ ok: false as const, status: (error as Error).message }),
      ),
      this.kafka.enabled ? this.kafka.check() : Promise.resolve(undefined),
      this.consumerLag(),
    ]);
    const kafkaReport = {
      ...(kafka === undefined ? {} : { kafka: kafka.status === 'up' ? 'up' : `down: ${kafka.error}` }),
      ...(lag === undefined || typeof lag === 'string' ? {} : { kafkaLag: lagReport(lag) }),
    };
    const lagging = lag !== undefined && typeof lag !== 'string' && !lag.ready;
    if (!database.ok || kafka?.status === 'down' || lagging) {
      const problems = [
        database.ok ? undefined : `database: ${database.status}`,
        kafka?.status === 'down' ? `kafka: ${kafka.error}` : undefined,
        lagging ? `kafka: the consumer group is ${lag.totalLag} messages behind (more than KAFKA_READY_MAX_LAG ${lag.maxLag})` : undefined,
      ].filter(Boolean);
      throw new HttpException(
        { status: 'unavailable', database: database.status, ...kafkaReport, message: `not ready: ${problems.join('; ')}` },
        503,
      );
    }
    return { status: 'ready', database: database.status, ...kafkaReport };
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
