import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { openDatabase, PgEventStore, signingKeyFromEnv, type Database } from '@ledger/event-store';
import { REPORTING_HANDLERS, REPORTS_DATABASE, REPORTS_RULES } from '@ledger/reporting';
import { LedgerWriter, SYSTEM_CLOCK, type Clock } from './append/ledger-writer';
import { GroupCommit } from './append/group-commit';
import { Checkpoints } from './checkpoints/checkpoints';
import { CheckpointSchedule } from './checkpoints/checkpoint-schedule';
import { AppendEventsHandler } from './append-events/append-events.handler';
import { ledgerConfigFromEnv, type LedgerConfig } from './ledger.config';
import { RebuildProjectionsHandler } from './rebuild-projections/rebuild-projections.handler';
import { CLOCK, DATABASE, LEDGER_CONFIG } from './tokens';
import { VerifyLedgerHandler } from './verify-ledger/verify-ledger.handler';
import { VerifyProjectionsHandler } from './verify-projections/verify-projections.handler';

export const LEDGER_HANDLERS = [AppendEventsHandler, VerifyLedgerHandler, VerifyProjectionsHandler, RebuildProjectionsHandler];

/**
 * The ledger's core, shared by every app (CLI, HTTP API, Kafka consumer): the database (migrated
 * on start), the event store, the write side and its handlers, and the reports' query handlers
 * (@ledger/reporting, bound here to the database and the configured rules) on @nestjs/cqrs's buses.
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
        { provide: REPORTS_DATABASE, useExisting: DATABASE },
        { provide: REPORTS_RULES, useFactory: () => config.rules },
        ...REPORTING_HANDLERS,
      ],
      exports: [DATABASE, LEDGER_CONFIG, CLOCK, PgEventStore, LedgerWriter, GroupCommit, Checkpoints, CheckpointSchedule, CqrsModule],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
