import { Command } from '@nestjs/cqrs';
import type { RebuildReport } from '@ledger/projections';

/** Rebuild every projection from the log alone. */
export class RebuildProjectionsCommand extends Command<RebuildReport> {}
