import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryWarnings, requireIdentifierParam, requireKnownDepartment, type WarningsResult } from '@ledger/reporting';
import type { LedgerConfig } from '../ledger.config';
import { DATABASE, LEDGER_CONFIG } from '../tokens';
import { GetWarningsQuery } from './query-warnings.query';

@QueryHandler(GetWarningsQuery)
export class GetWarningsHandler implements IQueryHandler<GetWarningsQuery, WarningsResult> {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(query: GetWarningsQuery): Promise<WarningsResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryWarnings(this.db, query.params, this.config.rules);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
