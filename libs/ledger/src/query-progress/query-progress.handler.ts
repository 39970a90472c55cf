import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryProgress, requireIdentifierParam, requireKnownDepartment, type ProgressResult } from '@ledger/reporting';
import type { LedgerConfig } from '../ledger.config';
import { DATABASE, LEDGER_CONFIG } from '../tokens';
import { GetProgressQuery } from './query-progress.query';

@QueryHandler(GetProgressQuery)
export class GetProgressHandler implements IQueryHandler<GetProgressQuery, ProgressResult> {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(query: GetProgressQuery): Promise<ProgressResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryProgress(this.db, query.params, this.config.rules);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
