import { Command } from '@nestjs/cqrs';
import type { LedgerEvent } from '@ledger/domain';
import type { AppendItemResult } from '../append/ledger-writer';

/** Store a batch of validated events; each is accepted or refused on its own. */
export class AppendEventsCommand extends Command<AppendItemResult[]> {
  constructor(readonly events: readonly LedgerEvent[]) {
    super();
  }
}
