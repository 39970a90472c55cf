import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerWriter, type AppendItemResult } from '../append/ledger-writer';
import { AppendEventsCommand } from './append-events.command';

@CommandHandler(AppendEventsCommand)
export class AppendEventsHandler implements ICommandHandler<AppendEventsCommand, AppendItemResult[]> {
  constructor(private readonly writer: LedgerWriter) {}

  execute(command: AppendEventsCommand): Promise<AppendItemResult[]> {
    return this.writer.append(command.events, undefined, command.options);
  }
}
