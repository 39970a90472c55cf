import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerWriter, type AppendItemResult } from '../append/ledger-writer';
import { Checkpoints } from '../checkpoints/checkpoints';
import { checkpointAfterClose } from '../checkpoints/checkpoint-after-close';
import { AppendEventsCommand } from './append-events.command';

@CommandHandler(AppendEventsCommand)
export class AppendEventsHandler implements ICommandHandler<AppendEventsCommand, AppendItemResult[]> {
  constructor(
    private readonly writer: LedgerWriter,
    private readonly checkpoints: Checkpoints,
  ) {}

  async execute(command: AppendEventsCommand): Promise<AppendItemResult[]> {
    const results = await this.writer.append(command.events, undefined, command.options);
    await checkpointAfterClose(this.checkpoints, command.events, results);
    return results;
  }
}
