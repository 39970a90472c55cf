import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Database } from '@ledger/event-store';
import { KafkaHealth } from '@ledger/ingestion';
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

  /** Readiness: the database answers, and Kafka too when it is configured (KAFKA_BROKERS). */
  @Get('ready')
  async ready() {
    const [database, kafka] = await Promise.all([
      this.db.query('SELECT 1').then(
        () => ({ ok: true as const, status: this.db.kind }),
        (error: unknown) => ({ ok: false as const, status: (error as Error).message }),
      ),
      this.kafka.enabled ? this.kafka.check() : Promise.resolve(undefined),
    ]);
    const kafkaReport = kafka === undefined ? {} : { kafka: kafka.status === 'up' ? 'up' : `down: ${kafka.error}` };
    if (!database.ok || kafka?.status === 'down') {
      const problems = [
        database.ok ? undefined : `database: ${database.status}`,
        kafka?.status === 'down' ? `kafka: ${kafka.error}` : undefined,
      ].filter(Boolean);
      throw new HttpException(
        { status: 'unavailable', database: database.status, ...kafkaReport, message: `not ready: ${problems.join('; ')}` },
        503,
      );
    }
    return { status: 'ready', database: database.status, ...kafkaReport };
  }
}
