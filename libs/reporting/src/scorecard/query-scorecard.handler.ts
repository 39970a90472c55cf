import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryScorecard, type ScorecardResult } from './scorecard';
import { requireIdentifierParam, requireKnownDepartment } from '../departments';
import { REPORTS_DATABASE, REPORTS_RULES } from '../reporting.tokens';
import type { LedgerRules } from '../rules';
import { GetScorecardQuery } from './query-scorecard.query';

@QueryHandler(GetScorecardQuery)
export class GetScorecardHandler implements IQueryHandler<GetScorecardQuery, ScorecardResult> {
  constructor(
    @Inject(REPORTS_DATABASE) private readonly db: Database,
    @Inject(REPORTS_RULES) private readonly rules: LedgerRules,
  ) {}

  async execute(query: GetScorecardQuery): Promise<ScorecardResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryScorecard(this.db, query.params, this.rules);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
