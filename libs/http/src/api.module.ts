import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AccessLog, ApiKeyStore, authConfigFromEnv, OidcVerifier, RateLimiter, type AuthConfig } from '@ledger/auth';
import type { Database } from '@ledger/event-store';
import { kafkaConfigFromEnv, KafkaHealth } from '@ledger/kafka';
import { createLogger } from '@ledger/observability';
import { DATABASE, LedgerModule, type LedgerConfig } from '@ledger/ledger';
import { VerifyController } from './audit/verify.controller';
import { AccessCheck } from './auth/access-check';
import { AccessLogController } from './auth/access-log.controller';
import { AuthGuard } from './auth/auth.guard';
import { AUTH_CONFIG, OIDC_VERIFIER } from './auth/auth.tokens';
import { KeysController } from './auth/keys.controller';
import { SessionController } from './auth/session.controller';
import { DepartmentsController } from './departments/departments.controller';
import { CheckpointsController } from './checkpoints/checkpoints.controller';
import { ExportInterceptor } from './export/export.interceptor';
import { EventsController } from './events/events.controller';
import { EventsIntake } from './events/events-intake';
import { FinderController } from './finder/finder.controller';
import { HealthController } from './health/health.controller';
import { LinesController } from './lines/lines.controller';
import { MetricsController } from './metrics/metrics.controller';
import { PeriodsController } from './periods/periods.controller';
import { ProblemFilter } from './problem.filter';

@Module({})
export class ApiModule {
  static forRoot(config?: LedgerConfig, auth: AuthConfig = authConfigFromEnv()) {
    const accessLogger = createLogger('access-log');
    return {
      module: ApiModule,
      imports: [LedgerModule.forRoot(config)],
      controllers: [
        EventsController,
        FinderController,
        CheckpointsController,
        DepartmentsController,
        PeriodsController,
        LinesController,
        VerifyController,
        HealthController,
        MetricsController,
        SessionController,
        KeysController,
        AccessLogController,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        // format=csv|xlsx (or Accept) on the exportable reports (DESIGN.md §9).
        { provide: APP_INTERCEPTOR, useClass: ExportInterceptor },
        // Every route passes the guard; each declares its access (@Allow / @Public).
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: AUTH_CONFIG, useValue: auth },
        { provide: OIDC_VERIFIER, useValue: auth.oidc === undefined ? null : new OidcVerifier(auth.oidc) },
        // One limiter for the app: the guard and the lean POST /v1/events path take from the same buckets.
        { provide: RateLimiter, useFactory: () => new RateLimiter(auth.ratePerMinute, auth.rateBurst) },
        AccessCheck,
        EventsIntake,
        { provide: ApiKeyStore, useFactory: (db: Database) => new ApiKeyStore(db), inject: [DATABASE] },
        {
          provide: AccessLog,
          useFactory: (db: Database) =>
            new AccessLog(db, (error) => accessLogger.error({ err: error }, 'an access log entry was not written')),
          inject: [DATABASE],
        },
        // Readiness and lag probes of the broker; inert when KAFKA_BROKERS is unset.
        { provide: KafkaHealth, useFactory: () => new KafkaHealth(kafkaConfigFromEnv(), createLogger('kafka-health')) },
      ],
    };
  }
}
