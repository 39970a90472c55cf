import { Command } from '@nestjs/cqrs';
import type { LedgerEvent } from '@ledger/domain';
import type { AppendItemResult, AppendOptions } from '../append/ledger-writer';

/**
 * Store a batch of validated events; each is accepted or refused on its own. `options.recordedBy`
 * names who posted them; `options.dryRun` decides without storing.
 */
export class AppendEventsCommand extends Command<AppendItemResult[]> {
  constructor(
    readonly events: readonly LedgerEvent[],
    readonly options: AppendOptions = {},
  ) {
    super();
  }
}
