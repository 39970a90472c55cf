import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryView, type ViewResult } from './view';
import { requireIdentifierParam, requireKnownDepartment } from '../departments';
import { REPORTS_DATABASE } from '../reporting.tokens';
import { GetViewQuery } from './query-view.query';

@QueryHandler(GetViewQuery)
export class GetViewHandler implements IQueryHandler<GetViewQuery, ViewResult> {
  constructor(@Inject(REPORTS_DATABASE) private readonly db: Database) {}

  async execute(query: GetViewQuery): Promise<ViewResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryView(this.db, query.params);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
