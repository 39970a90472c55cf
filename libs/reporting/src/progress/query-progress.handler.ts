import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryProgress, type ProgressResult } from './progress';
import { requireIdentifierParam, requireKnownDepartment } from '../departments';
import { REPORTS_DATABASE, REPORTS_RULES } from '../reporting.tokens';
import type { LedgerRules } from '../rules';
import { GetProgressQuery } from './query-progress.query';

@QueryHandler(GetProgressQuery)
export class GetProgressHandler implements IQueryHandler<GetProgressQuery, ProgressResult> {
  constructor(
    @Inject(REPORTS_DATABASE) private readonly db: Database,
    @Inject(REPORTS_RULES) private readonly rules: LedgerRules,
  ) {}

  async execute(query: GetProgressQuery): Promise<ProgressResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryProgress(this.db, query.params, this.rules);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
