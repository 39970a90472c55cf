import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryScorecard, requireIdentifierParam, requireKnownDepartment, type ScorecardResult } from '@ledger/reporting';
import type { LedgerConfig } from '../ledger.config';
import { DATABASE, LEDGER_CONFIG } from '../tokens';
import { GetScorecardQuery } from './query-scorecard.query';

@QueryHandler(GetScorecardQuery)
export class GetScorecardHandler implements IQueryHandler<GetScorecardQuery, ScorecardResult> {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(query: GetScorecardQuery): Promise<ScorecardResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryScorecard(this.db, query.params, this.config.rules);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
