import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Database } from '@ledger/event-store';
import { createLogger, KafkaHealth } from '@ledger/ingestion';
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
   * Readiness: the database answers, and Kafka too when it is configured (KAFKA_BROKERS). Anyone
   * may ask, so the answer says only up or down; why is in the server's log.
   */
  @Get('ready')
  @Public()
  @ApiContract({
    summary: 'Readiness: the database (and Kafka, when configured) answer',
    ok: { schema: 'Ready', description: 'ready' },
    errors: [503],
  })
  async ready() {
    const [database, kafka] = await Promise.all([
      this.db.query('SELECT 1').then(
        () => true,
        (error: unknown) => {
          this.logger.warn({ err: error }, 'not ready: the database does not answer');
          return false;
        },
      ),
      this.kafka.enabled ? this.kafka.check() : Promise.resolve(undefined),
    ]);
    if (kafka?.status === 'down') this.logger.warn({ error: kafka.error }, 'not ready: Kafka does not answer');
    const kafkaReport = kafka === undefined ? {} : { kafka: kafka.status === 'up' ? 'up' : 'down' };
    if (!database || kafka?.status === 'down') {
      throw new HttpException({ status: 'unavailable', database: database ? this.db.kind : 'down', ...kafkaReport }, 503);
    }
    return { status: 'ready', database: this.db.kind, ...kafkaReport };
  }
}
