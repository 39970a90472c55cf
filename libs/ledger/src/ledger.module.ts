import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { openDatabase, PgEventStore, signingKeyFromEnv, type Database } from '@ledger/event-store';
import { LedgerWriter, SYSTEM_CLOCK, type Clock } from './append/ledger-writer';
import { GroupCommit } from './append/group-commit';
import { Checkpoints } from './checkpoints/checkpoints';
import { CheckpointSchedule } from './checkpoints/checkpoint-schedule';
import { AppendEventsHandler } from './append-events/append-events.handler';
import { ledgerConfigFromEnv, type LedgerConfig } from './ledger.config';
import { GetProgressHandler } from './query-progress/query-progress.handler';
import { GetRatiosHandler } from './query-ratios/query-ratios.handler';
import { GetScorecardHandler } from './query-scorecard/query-scorecard.handler';
import { GetTraceHandler } from './query-trace/query-trace.handler';
import { GetWarningsHandler } from './query-warnings/query-warnings.handler';
import { GetViewHandler } from './query-view/query-view.handler';
import { RebuildProjectionsHandler } from './rebuild-projections/rebuild-projections.handler';
import { CLOCK, DATABASE, LEDGER_CONFIG } from './tokens';
import { VerifyLedgerHandler } from './verify-ledger/verify-ledger.handler';
import { VerifyProjectionsHandler } from './verify-projections/verify-projections.handler';

export const LEDGER_HANDLERS = [
  AppendEventsHandler,
  GetViewHandler,
  GetTraceHandler,
  GetProgressHandler,
  GetRatiosHandler,
  GetScorecardHandler,
  GetWarningsHandler,
  VerifyLedgerHandler,
  VerifyProjectionsHandler,
  RebuildProjectionsHandler,
];

/**
 * The ledger's core, shared by every app (CLI, HTTP API, Kafka consumer): the database (migrated
 * on start), the event store, the write side and the query handlers on @nestjs/cqrs's buses.
 */
@Module({})
export class LedgerModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  static forRoot(config: LedgerConfig = ledgerConfigFromEnv()): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: DATABASE, useFactory: () => openDatabase(config.database) },
        { provide: PgEventStore, useFactory: (db: Database) => new PgEventStore(db), inject: [DATABASE] },
        { provide: CLOCK, useValue: SYSTEM_CLOCK },
        {
          provide: LedgerWriter,
          useFactory: (db: Database, store: PgEventStore, clock: Clock) =>
            new LedgerWriter(db, store, {
              paymentPolicy: config.paymentPolicy,
              scoring: config.rules.scoring,
              lanes: config.appendLanes,
              clock,
            }),
          inject: [DATABASE, PgEventStore, CLOCK],
        },
        { provide: GroupCommit, useFactory: (writer: LedgerWriter) => new GroupCommit(writer), inject: [LedgerWriter] },
        // The signing key comes from the environment (LEDGER_SIGNING_KEY_FILE), never from the database.
        {
          provide: Checkpoints,
          useFactory: (db: Database, store: PgEventStore) => new Checkpoints(db, store, signingKeyFromEnv()),
          inject: [DATABASE, PgEventStore],
        },
        {
          provide: CheckpointSchedule,
          useFactory: (checkpoints: Checkpoints) => new CheckpointSchedule(checkpoints, config.checkpointEveryMs),
          inject: [Checkpoints],
        },
        ...LEDGER_HANDLERS,
      ],
      exports: [DATABASE, LEDGER_CONFIG, CLOCK, PgEventStore, LedgerWriter, GroupCommit, Checkpoints, CheckpointSchedule, CqrsModule],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
