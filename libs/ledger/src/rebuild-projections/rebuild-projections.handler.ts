import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { rebuildProjections, type RebuildReport } from '@ledger/projections';
import { DATABASE } from '../tokens';
import { RebuildProjectionsCommand } from './rebuild-projections.command';

@CommandHandler(RebuildProjectionsCommand)
export class RebuildProjectionsHandler implements ICommandHandler<RebuildProjectionsCommand, RebuildReport> {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  execute(): Promise<RebuildReport> {
    return rebuildProjections(this.db);
  }
}
