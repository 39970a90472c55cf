import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { GroupCommit } from '../append/group-commit';
import type { AppendItemResult } from '../append/ledger-writer';
import { Checkpoints } from '../checkpoints/checkpoints';
import { checkpointAfterClose } from '../checkpoints/checkpoint-after-close';
import { AppendEventsCommand } from './append-events.command';

@CommandHandler(AppendEventsCommand)
export class AppendEventsHandler implements ICommandHandler<AppendEventsCommand, AppendItemResult[]> {
  constructor(
    private readonly writer: GroupCommit,
    private readonly checkpoints: Checkpoints,
  ) {}

  async execute(command: AppendEventsCommand): Promise<AppendItemResult[]> {
    // Appends that arrive while one is stored go together as the next batch, each with its own results.
    const results = await this.writer.append(command.events, command.options);
    await checkpointAfterClose(this.checkpoints, command.events, results);
    return results;
  }
}
