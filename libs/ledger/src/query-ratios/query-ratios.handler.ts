import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryRatios, requireIdentifierParam, requireKnownDepartment, type RatiosResult } from '@ledger/reporting';
import type { LedgerConfig } from '../ledger.config';
import { DATABASE, LEDGER_CONFIG } from '../tokens';
import { GetRatiosQuery } from './query-ratios.query';

@QueryHandler(GetRatiosQuery)
export class GetRatiosHandler implements IQueryHandler<GetRatiosQuery, RatiosResult> {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(query: GetRatiosQuery): Promise<RatiosResult> {
    requireIdentifierParam('department', query.params.department);
    // The query checks its other parameters first: a malformed one is a 400 whatever the department.
    const result = await queryRatios(this.db, query.params, this.config.rules);
    await requireKnownDepartment(this.db, query.params.department);
    return result;
  }
}
