import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { createLogger, kafkaConfigFromEnv, KafkaHealth } from '@ledger/ingestion';
import { LedgerModule, type LedgerConfig } from '@ledger/ledger';
import { DepartmentsController } from './departments/departments.controller';
import { ExportInterceptor } from './export/export.interceptor';
import { EventsController } from './events/events.controller';
import { FinderController } from './finder/finder.controller';
import { HealthController } from './health/health.controller';
import { LinesController } from './lines/lines.controller';
import { MetricsController } from './metrics/metrics.controller';
import { ProblemFilter } from './problem.filter';

@Module({})
export class ApiModule {
  static forRoot(config?: LedgerConfig) {
    return {
      module: ApiModule,
      imports: [LedgerModule.forRoot(config)],
      controllers: [EventsController, FinderController, DepartmentsController, LinesController, HealthController, MetricsController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: ExportInterceptor },
        // Readiness and lag probes of the broker; inert when KAFKA_BROKERS is unset.
        { provide: KafkaHealth, useFactory: () => new KafkaHealth(kafkaConfigFromEnv(), createLogger('kafka-health')) },
      ],
    };
  }
}
