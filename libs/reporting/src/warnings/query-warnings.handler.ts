import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryWarnings, type WarningsResult } from './warnings';
import { requireIdentifierParam, requireKnownDepartment } from '../departments';
import { REPORTS_DATABASE, REPORTS_RULES } from '../reporting.tokens';
import type { LedgerRules } from '../rules';
import { GetWarningsQuery } from './query-warnings.query';

@QueryHandler(GetWarningsQuery)
export class GetWarningsHandler implements IQueryHandler<GetWarningsQuery, WarningsResult> {
  constructor(
    @Inject(REPORTS_DATABASE) private readonly db: Database,
    @Inject(REPORTS_RULES) private readonly rules: LedgerRules,
  ) {}

  async execute(query: GetWarningsQuery): Promise<WarningsResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryWarnings(this.db, query.params, this.rules);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
