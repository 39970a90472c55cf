import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import type { LedgerConfig } from '../ledger.config';
import { DATABASE, LEDGER_CONFIG } from '../tokens';
import { verifyProjections, type ProjectionReport } from './verify-projections';
import { VerifyProjectionsQuery } from './verify-projections.query';

@QueryHandler(VerifyProjectionsQuery)
export class VerifyProjectionsHandler implements IQueryHandler<VerifyProjectionsQuery, ProjectionReport> {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  execute(): Promise<ProjectionReport> {
    return verifyProjections(this.db, this.config.rules);
  }
}
