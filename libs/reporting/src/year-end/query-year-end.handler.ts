import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { requireIdentifierParam, requireKnownDepartment } from '../departments';
import { REPORTS_DATABASE } from '../reporting.tokens';
import { GetYearEndQuery } from './query-year-end.query';
import { queryYearEnd, type YearEndResult } from './year-end';

@QueryHandler(GetYearEndQuery)
export class GetYearEndHandler implements IQueryHandler<GetYearEndQuery, YearEndResult> {
  constructor(@Inject(REPORTS_DATABASE) private readonly db: Database) {}

  async execute(query: GetYearEndQuery): Promise<YearEndResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryYearEnd(this.db, query.params);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
